"""Third-party inspections (docs/inspections.md): what is inspected, against which standard
version, and what was found."""

import json
import uuid
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from complaints.privacy.storage import private_storage
from inspections.geometry import geometry_problem


class ObjectKind(models.TextChoices):
    ROAD_SEGMENT = "road", _("Road segment")
    BACK_ALLEY = "alley", _("Back alley")
    MARKET = "market", _("Market")
    PUBLIC_TOILET = "toilet", _("Public toilet")
    REFUSE_POINT = "refuse", _("Refuse collection point")
    PARK = "park", _("Park")
    BIN_CLEANING_POINT = "bin", _("Bin-cleaning point")


class Grade(models.TextChoices):
    FIRST = "1", _("Grade 1")
    SECOND = "2", _("Grade 2")
    THIRD = "3", _("Grade 3")


class Discipline(models.TextChoices):
    SANITATION = "sanitation", _("Sanitation")
    MUNICIPAL = "municipal", _("Municipal facilities")
    GREENING = "greening", _("Greening")


def validate_geojson(value: str) -> None:
    """A GeoJSON Point, LineString or Polygon (or a Multi- of them) in WGS84, as the import
    accepts (inspections/geometry.py)."""
    if not value:
        return
    try:
        data = json.loads(value)
    except ValueError:
        raise ValidationError(_("Enter valid GeoJSON.")) from None
    problem = geometry_problem(data)
    if problem:
        raise ValidationError(gettext("Enter valid GeoJSON: %(problem)s") % {"problem": problem})


class InspectionObject(models.Model):
    """A road segment or an area that inspectors check against its kind's standard."""

    kind = models.CharField(_("kind"), max_length=10, choices=ObjectKind)
    name = models.CharField(_("name"), max_length=120)
    # The stable code an import file names the object by (inspections/importing.py): importing
    # the same file again updates the objects it made. Empty for objects typed in the admin.
    code = models.CharField(
        _("code"),
        max_length=40,
        blank=True,
        help_text=_("Stable identifier from the import file; letters, digits, '-', '_' and '.'."),
    )
    grade = models.CharField(_("grade"), max_length=2, choices=Grade, default=Grade.SECOND)
    town = models.ForeignKey(
        "complaints.Town",
        verbose_name=_("town"),
        on_delete=models.PROTECT,
        related_name="inspection_objects",
    )
    responsible_unit = models.ForeignKey(
        "complaints.Department",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="inspection_objects",
    )
    geometry = models.TextField(_("geometry (GeoJSON)"), blank=True, validators=[validate_geojson])
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("inspection object")
        verbose_name_plural = _("inspection objects")
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="inspection_object_unique"),
            models.UniqueConstraint(
                fields=["code"],
                condition=~models.Q(code=""),
                name="inspection_object_code_unique",
            ),
        ]

    def __str__(self):
        return self.name


class Standard(ClusterableModel):
    """One version of the checklist for an object kind and grade. A change is a new version:
    inspections keep pointing at the version they used, which is never edited again."""

    kind = models.CharField(_("object kind"), max_length=10, choices=ObjectKind)
    grade = models.CharField(_("grade"), max_length=2, choices=Grade)
    version = models.PositiveIntegerField(_("version"), editable=False)
    valid_from = models.DateField(_("valid from"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "grade", "-version"]
        verbose_name = _("inspection standard")
        verbose_name_plural = _("inspection standards")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "grade", "version"], name="inspection_standard_version_unique"
            )
        ]

    def __str__(self):
        version = gettext("version %(version)s") % {"version": self.version}
        return f"{self.get_kind_display()} {self.get_grade_display()} {version}"

    @property
    def is_used(self) -> bool:
        return self.pk is not None and self.inspections.exists()

    def save(self, *args, **kwargs):
        if self.pk is None and not self.version:
            latest = (
                Standard.objects.filter(kind=self.kind, grade=self.grade)
                .order_by("-version")
                .values_list("version", flat=True)
                .first()
            )
            self.version = (latest or 0) + 1
        elif self.is_used:
            raise ValidationError(_("A standard used by an inspection cannot be changed."))
        super().save(*args, **kwargs)

    @classmethod
    def in_effect(cls, *, kind: str, grade: str, on) -> "Standard | None":
        """The latest version valid on the date ``on``."""
        return (
            cls.objects.filter(kind=kind, grade=grade, valid_from__lte=on)
            .order_by("-valid_from", "-version")
            .first()
        )


class StandardItem(models.Model):
    """One checklist line: what is checked and what each occurrence of a fault costs."""

    standard = ParentalKey(
        Standard, verbose_name=_("standard"), on_delete=models.CASCADE, related_name="items"
    )
    discipline = models.CharField(_("discipline"), max_length=12, choices=Discipline)
    text = models.CharField(_("item"), max_length=300)
    points = models.DecimalField(
        _("points per occurrence"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    cap = models.DecimalField(
        _("cap"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("The most this item deducts in one inspection."),
    )
    needs_rectification = models.BooleanField(_("needs rectification"), default=False)
    rectification_hours = models.PositiveIntegerField(
        _("rectification working hours"), null=True, blank=True
    )
    category = models.ForeignKey(
        "complaints.Category",
        verbose_name=_("case category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The category of the case a finding that needs rectification becomes."),
    )
    sort_order = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["standard", "sort_order", "pk"]
        verbose_name = _("standard item")
        verbose_name_plural = _("standard items")

    def __str__(self):
        return self.text

    def clean(self):
        if self.needs_rectification and not self.rectification_hours:
            raise ValidationError(
                {"rectification_hours": _("Say within how many working hours it is rectified.")}
            )
        if self.needs_rectification and not self.category_id:
            raise ValidationError({"category": _("Choose the category of the rectification case.")})


class Flag(models.TextChoices):
    """What did not fit when a device sent a start or a finding."""

    TIME = "time", _("Device time differs from the server's")
    POSITION = "position", _("Position far from the object")


def flag_labels(flags) -> str:
    labels = dict(Flag.choices)
    return "；".join(str(labels.get(flag, flag)) for flag in flags)


class Inspection(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("In progress")
        SUBMITTED = "submitted", _("Submitted")

    object = models.ForeignKey(
        InspectionObject,
        verbose_name=_("inspection object"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    standard = models.ForeignKey(
        Standard,
        verbose_name=_("standard version"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    inspected_at = models.DateTimeField(_("inspected at"), db_index=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.OPEN)
    device_at = models.DateTimeField(_("device time"), null=True, blank=True)
    # Checks of the device's time and position against the server and the object, for the
    # manager to see (never refused): keys of Flag, the inspection's and its findings'.
    flags = models.JSONField(_("flags"), default=list, blank=True)

    class Meta:
        ordering = ["-inspected_at", "-pk"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self):
        return f"{self.object} {self.inspected_at:%Y-%m-%d}"

    def get_flags_display(self) -> str:
        return flag_labels(self.flags) or "—"

    @property
    def flag_text(self) -> str:
        return flag_labels(self.flags)

    flag_text.fget.short_description = _("flags")  # type: ignore[attr-defined]

    def clean(self):
        if (
            self.standard_id
            and self.object_id
            and (self.standard.kind != self.object.kind or self.standard.grade != self.object.grade)
        ):
            raise ValidationError(
                {"standard": _("The standard is not for this object's kind and grade.")}
            )


class Finding(models.Model):
    """A fault found against one checklist item. ``client_uuid`` comes from the inspector's
    device: resending after a dropped connection finds the stored finding."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="findings"
    )
    item = models.ForeignKey(
        StandardItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="findings"
    )
    occurrences = models.PositiveIntegerField(
        _("occurrences"), default=1, validators=[MinValueValidator(1)]
    )
    note = models.TextField(_("note"), max_length=1000, blank=True)
    # Re-encoded and stripped like residents' photos, in the private storage (no URL).
    photo = models.FileField(
        _("photo"),
        upload_to="inspections/%Y/%m/",
        storage=private_storage,
        max_length=200,
        blank=True,
    )
    client_uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    report = models.OneToOneField(
        "complaints.Report",
        verbose_name=_("case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspection_finding",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    device_at = models.DateTimeField(_("device time"), null=True, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    flags = models.JSONField(_("flags"), default=list, blank=True)

    class Meta:
        ordering = ["inspection", "pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self):
        return f"{self.item} ×{self.occurrences}"

    @property
    def flag_text(self) -> str:
        return flag_labels(self.flags)

    def clean(self):
        if (
            self.item_id
            and self.inspection_id
            and self.item.standard_id != (self.inspection.standard_id)
        ):
            raise ValidationError({"item": _("The item is not in the inspection's standard.")})


class InspectionCompany(models.Model):
    """A third-party inspection company and its inspectors. If the company is itself a department
    or contractor of the district, that unit's objects are never assigned to its inspectors."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    department = models.ForeignKey(
        "complaints.Department",
        verbose_name=_("own unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "The department or contractor this company is, if any: objects it is responsible "
            "for are never assigned to its inspectors."
        ),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspectors"),
        blank=True,
        related_name="inspection_companies",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("inspection company")
        verbose_name_plural = _("inspection companies")

    def __str__(self):
        return self.name


class InspectionPlan(models.Model):
    """A round of inspections: the objects of one kind and grade in one month (all of them, or a
    random sample), assigned to the inspectors of one company."""

    name = models.CharField(_("name"), max_length=120)
    month = models.DateField(_("month"), help_text=_("Any day of the month."))
    kind = models.CharField(_("object kind"), max_length=10, choices=ObjectKind)
    grade = models.CharField(_("grade"), max_length=2, choices=Grade)
    sample_size = models.PositiveIntegerField(
        _("sample size"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty to inspect every active object; otherwise a random sample."),
    )
    company = models.ForeignKey(
        InspectionCompany,
        verbose_name=_("inspection company"),
        on_delete=models.PROTECT,
        related_name="plans",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-month", "name"]
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")

    def __str__(self):
        return f"{self.name} ({self.month:%Y-%m})"

    def save(self, *args, **kwargs):
        if isinstance(self.month, str):
            self.month = date.fromisoformat(self.month)
        if self.month:
            self.month = self.month.replace(day=1)
        super().save(*args, **kwargs)


class Assignment(models.Model):
    """One object of a plan given to one inspector; the inspection made for it."""

    plan = models.ForeignKey(
        InspectionPlan,
        verbose_name=_("inspection plan"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    object = models.ForeignKey(
        InspectionObject,
        verbose_name=_("inspection object"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        related_name="inspection_assignments",
    )
    inspection = models.OneToOneField(
        Inspection,
        verbose_name=_("inspection"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="assignment",
    )
    position = models.PositiveIntegerField(_("order"), default=0, editable=False)

    class Meta:
        ordering = ["plan", "position", "pk"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(fields=["plan", "object"], name="inspection_assignment_unique")
        ]

    def __str__(self):
        return f"{self.object} → {self.inspector}"

    @property
    def is_done(self) -> bool:
        return self.inspection_id is not None and (
            self.inspection.state == Inspection.State.SUBMITTED  # type: ignore[union-attr]
        )

    def clean(self):
        # The conflict-of-interest rule, whoever assigns (the plan or the admin's edit form).
        from inspections.assignments import assignment_refusal

        if self.plan_id and self.object_id and self.inspector_id:
            refusal = assignment_refusal(
                inspector=self.inspector, obj=self.object, company=self.plan.company
            )
            if refusal:
                raise ValidationError({"inspector": refusal})


class Contest(models.Model):
    """A responsible unit's contest of one finding, within the contest window after the
    inspection (inspections/contests.py), decided by a supervisor. An upheld contest takes the
    finding out of the deductions; the decision is logged in Wagtail's audit log."""

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("contest", "Awaiting decision")
        UPHELD = "upheld", pgettext_lazy("contest", "Upheld")
        REJECTED = "rejected", pgettext_lazy("contest", "Rejected")

    finding = models.OneToOneField(
        Finding, verbose_name=_("finding"), on_delete=models.CASCADE, related_name="contest"
    )
    reason = models.TextField(_("reason"), max_length=2000)
    contested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    contested_at = models.DateTimeField(_("contested at"), auto_now_add=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State, default=State.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), max_length=2000, blank=True)

    class Meta:
        ordering = ["-contested_at", "-pk"]
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        default_permissions = ("view",)
        permissions = [
            ("contest_finding", _("Can contest findings on the own unit's objects")),
            ("decide_contest", _("Can decide contests of findings")),
        ]

    def __str__(self):
        return gettext("Contest of %(finding)s") % {"finding": self.finding}
