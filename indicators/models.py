from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _weight(label):
    return models.PositiveSmallIntegerField(
        label, default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )


class ScoreWeights(models.Model):
    """One version of the weighted score formula (docs/indicators.md).

    Versions are never edited: a change is a new version, so every score shown beside its
    version number can be recomputed later. The version in effect for a period is the newest one
    whose ``effective_from`` is on or before the period's last day.
    """

    version = models.PositiveIntegerField(_("version"), unique=True, editable=False)
    effective_from = models.DateField(_("effective from"))
    on_time_rate = _weight(_("weight of the on-time closure rate"))
    closure_rate = _weight(_("weight of the closure rate"))
    satisfaction_rate = _weight(_("weight of the satisfaction rate"))
    rework_free_rate = _weight(_("weight of the share closed without rework"))
    response_rate = _weight(_("weight of the response rate"))
    # The seam for other score inputs (the inspection scores of issue 15): weights keyed by the
    # name an input registers under in indicators.scores.SCORE_INPUTS.
    other_weights = models.JSONField(
        _("weights of other inputs"),
        default=dict,
        blank=True,
        help_text=_('Weights of registered score inputs by key, for example {"inspection": 20}.'),
    )
    note = models.CharField(_("why it changed"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    BUILT_IN = (
        "on_time_rate",
        "closure_rate",
        "satisfaction_rate",
        "rework_free_rate",
        "response_rate",
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = _("score weights")
        verbose_name_plural = _("score weights")
        permissions = [("view_statistics", _("Can view the performance statistics"))]

    def __str__(self):
        return _("Weights v%(version)s from %(date)s") % {
            "version": self.version,
            "date": f"{self.effective_from:%Y-%m-%d}",
        }

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Score weights are versioned: save a new version instead.")
        if not self.version:
            latest = ScoreWeights.objects.aggregate(models.Max("version"))["version__max"]
            self.version = (latest or 0) + 1
        super().save(*args, **kwargs)

    def clean(self):
        # A finished month's ranking stays as it was shown: a new version starts this month or
        # later, never in a month already over.
        this_month = timezone.localdate().replace(day=1)
        if self.pk is None and self.effective_from and self.effective_from < this_month:
            raise ValidationError(
                {
                    "effective_from": _(
                        "A new version cannot take effect before the first day of this month."
                    )
                }
            )
        others = self.other_weights or {}
        if not isinstance(others, dict) or not all(
            isinstance(key, str) and isinstance(value, int) and 0 <= value <= 100
            for key, value in others.items()
        ):
            raise ValidationError(
                {"other_weights": _("Give whole numbers from 0 to 100 by input name.")}
            )
        if not sum(self.weights().values()):
            raise ValidationError(_("At least one weight must be above zero."))

    def weights(self) -> dict[str, int]:
        """Every weight by input name, the built-in indicators first."""
        built_in = {name: getattr(self, name) or 0 for name in self.BUILT_IN}
        return {**built_in, **(self.other_weights or {})}


class HotSpotCampaign(models.Model):
    """A hot spot (a grid cell and a category) attached to a campaign (集中整治) by a supervisor.

    The hot spot itself is not stored (indicators/hotspots.py finds it from the reports): the
    pair of cell and category is its lasting identity, so the campaign keeps it after the cell
    stops being hot, and the campaign page counts it as fixed from the live cases.
    """

    campaign = models.ForeignKey(
        "cms.CampaignPage",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    grid_cell = models.ForeignKey(
        "complaints.GridCell",
        verbose_name=_("grid cell"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    category = models.ForeignKey(
        "complaints.Category",
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attached by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    attached_at = models.DateTimeField(_("attached at"), auto_now_add=True)

    class Meta:
        ordering = ["campaign", "grid_cell", "category"]
        verbose_name = _("hot spot of a campaign")
        verbose_name_plural = _("hot spots of campaigns")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "grid_cell", "category"], name="hotspot_campaign_unique"
            )
        ]

    def __str__(self):
        return f"{self.campaign_id}: {self.grid_cell_id}/{self.category_id}"


def bulletin_path(instance, filename: str) -> str:
    return f"bulletins/{instance.month:%Y-%m}/{filename}"


def bulletin_storage():
    """The private storage (never a public URL): bulletins go to leaders before the public."""
    from django.core.files.storage import storages

    return storages["private"]


class Bulletin(models.Model):
    """The monthly assessment bulletin (通报) of one month: the figures as they were computed
    (ranking of towns and departments with indicators, grades and change from the month
    before, recurring hot spots) and the PDF made from them (indicators/bulletin.py)."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    generated_at = models.DateTimeField(_("generated at"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("generated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: generated by the worker on the first working day of the month."),
    )
    figures = models.JSONField(_("figures"), default=dict)
    pdf = models.FileField(
        _("PDF"), upload_to=bulletin_path, storage=bulletin_storage, max_length=200, blank=True
    )

    class Meta:
        ordering = ["-month"]
        verbose_name = _("monthly bulletin")
        verbose_name_plural = _("monthly bulletins")
        permissions = [
            (
                "view_town_statistics",
                _("Can view the performance statistics of their own town"),
            ),
        ]

    def __str__(self):
        return _("Bulletin %(month)s") % {"month": f"{self.month:%Y-%m}"}


class RollupCounts(models.Model):
    """The additive counts of the indicators for one group of reports (town, community,
    department, category as the reports have them now; 0 = none) over a day or a month.

    Each count is filed under the day of its own cohort (docs/indicators.md, "Formulas"):
    received, awaiting intake, registered and supporters under the day received; due, closed
    of due and on time under the day of the deadline; closures (with on time, rework, rated
    and the handling hours) under the day of the closure; ratings under the day recorded.
    Kept current by indicators/rollups.py inside the transaction of every change.
    """

    town = models.PositiveBigIntegerField(_("town"), default=0)
    community = models.PositiveBigIntegerField(_("community"), default=0)
    department = models.PositiveBigIntegerField(_("department"), default=0)
    category = models.PositiveBigIntegerField(_("category"), default=0)
    received = models.IntegerField(default=0)
    # Received that are cases now (not rejected, not a duplicate): what hot spots count.
    cases = models.IntegerField(default=0)
    awaiting_intake = models.IntegerField(default=0)
    registered = models.IntegerField(default=0)
    supporters = models.IntegerField(default=0)
    due = models.IntegerField(default=0)
    closed_of_due = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    closures = models.IntegerField(default=0)
    closures_on_time = models.IntegerField(default=0)
    reworked = models.IntegerField(default=0)
    rated_closures = models.IntegerField(default=0)
    hours_sum = models.FloatField(default=0.0)
    responses = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    basically_satisfied = models.IntegerField(default=0)
    dissatisfied = models.IntegerField(default=0)
    callbacks = models.IntegerField(default=0)

    class Meta:
        abstract = True


class DailyRollup(RollupCounts):
    """The counts of one local day (weeks, days, and months the coverage starts inside), per
    group and grid cell (the reports' cell now; 0 = none): the hot-spot detection counts the
    cases per cell, category and day from here."""

    day = models.DateField(_("day"))
    grid_cell = models.PositiveBigIntegerField(_("grid cell"), default=0)

    class Meta:
        verbose_name = _("daily rollup")
        verbose_name_plural = _("daily rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "town", "community", "department", "category", "grid_cell"],
                name="rollup_day_group_cell_unique",
            )
        ]

    def __str__(self):
        return (
            f"{self.day}: {self.town}/{self.community}/{self.department}/{self.category}"
            f"/{self.grid_cell}"
        )


class MonthlyRollup(RollupCounts):
    """The same counts for a whole month (``month`` is its first day): the sum of its daily
    rows, kept by the same changes, so months, years and the twelve-month trend read about
    thirty times fewer rows."""

    month = models.DateField(_("month"))

    class Meta:
        verbose_name = _("monthly rollup")
        verbose_name_plural = _("monthly rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "town", "community", "department", "category"],
                name="rollup_month_group_unique",
            )
        ]

    def __str__(self):
        return f"{self.month:%Y-%m}: {self.town}/{self.community}/{self.department}/{self.category}"


class RollupFootprint(models.Model):
    """What one report adds to the daily rollups as they stand: its group, the days and flags
    of its cohorts, its handling hours and its ratings per day. A change subtracts the old
    footprint and adds the new one, so the rollups stay exact whatever moved (group, deadline,
    closure, reopening). The closure day and hours are columns: the 90th percentile of the
    handling time is read from here (exact, a value that occurred)."""

    report = models.OneToOneField(
        "complaints.Report",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        db_constraint=False,
    )
    town = models.PositiveBigIntegerField(default=0)
    community = models.PositiveBigIntegerField(default=0)
    department = models.PositiveBigIntegerField(default=0)
    category = models.PositiveBigIntegerField(default=0)
    grid_cell = models.PositiveBigIntegerField(default=0)
    closed_day = models.DateField(null=True, blank=True, db_index=True)
    hours = models.FloatField(null=True, blank=True)
    # "Overdue now" is a snapshot, not a count of days: the deadline, and whether the report's
    # department's clock runs (complaints.cases.services.deadlines.CLOCK_STATES).
    deadline = models.DateTimeField(null=True, blank=True)
    running = models.BooleanField(default=False)
    # {"YYYY-MM-DD": {"received": 1, ...}}: every count of the report by day (not the hours).
    counts = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("rollup footprint")
        verbose_name_plural = _("rollup footprints")
        indexes = [
            # The cases whose clock runs, by deadline, with their group: "overdue now" is an
            # index-only scan of the few open cases (a partial index).
            models.Index(
                fields=["deadline"],
                include=["town", "community", "department", "category"],
                condition=models.Q(running=True),
                name="footprint_running_deadline",
            )
        ]

    def __str__(self):
        return f"{self.report_id}"


class RollupCoverage(models.Model):
    """One row once ``rebuild_rollups`` has run: the rollups hold every day from ``first_day``
    on, and the indicators read them there (raw data before it)."""

    first_day = models.DateField(_("first day"))
    built_at = models.DateTimeField(_("built at"))
    # The first day the daily rows hold each grid cell's cases (a rebuild since the grid cell
    # joined their key); the hot-spot detection reads the raw reports before it.
    cells_from = models.DateField(_("grid cells from"), null=True, blank=True)

    class Meta:
        verbose_name = _("rollup coverage")
        verbose_name_plural = _("rollup coverage")

    def __str__(self):
        return f"{self.first_day}"
