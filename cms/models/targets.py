from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable

from cms import live_figures
from cms.models.base import BasePage


class TargetsPage(BasePage):
    """The year's published targets and how far each has come.

    Targets are inline children of the page, so every change to a figure is a page revision:
    the revision history is the record of who updated which figure when.
    """

    year = models.PositiveIntegerField(_("year"), validators=[MinValueValidator(2000)])
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [
        *BasePage.content_panels,
        FieldPanel("year"),
        FieldPanel("intro"),
        InlinePanel("targets", label=_("Targets"), min_num=1),
    ]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("targets page")
        verbose_name_plural = _("targets pages")

    def overall_progress(self, targets=None) -> int:
        """Mean progress of the targets, in whole percent (each target capped at 100).

        Pass ``targets`` (the page's targets, already read) to spare a query.
        """
        targets = list(self.targets.all()) if targets is None else targets
        if not targets:
            return 0
        return round(sum(t.progress_percent for t in targets) / len(targets))

    def completed_count(self, targets=None) -> int:
        targets = self.targets.all() if targets is None else targets
        return sum(1 for t in targets if t.is_completed)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The targets table read once for the list and both figures.
        targets = list(self.targets.all())
        context.update(
            targets=targets,
            overall_progress=self.overall_progress(targets),
            completed_count=self.completed_count(targets),
        )
        return context


class Target(Orderable):
    page = ParentalKey(TargetsPage, on_delete=models.CASCADE, related_name="targets")
    name = models.CharField(_("target"), max_length=120)
    unit = models.CharField(_("unit"), max_length=20, help_text=_("For example 个, 公里, m², %."))
    goal = models.DecimalField(
        _("goal"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    achieved = models.DecimalField(
        _("achieved so far"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    responsible_unit = models.CharField(_("responsible unit"), max_length=120)
    as_of = models.DateField(_("as of"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    # A target that counts itself: progress comes from a live figure (cms/live_figures.py);
    # "achieved so far" is then only the manual fallback.
    live_figure = models.CharField(
        _("counted from"),
        max_length=60,
        blank=True,
        choices=live_figures.choices,
        help_text=_(
            "Leave empty to enter the achieved figure by hand. A figure counted from the case "
            "data replaces the achieved figure on the page."
        ),
    )
    campaign = models.ForeignKey(
        "cms.CampaignPage",
        verbose_name=_("campaign"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For figures about a campaign's hot spots."),
    )

    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("goal"), FieldPanel("achieved"), FieldPanel("unit")]),
        FieldRowPanel([FieldPanel("live_figure"), FieldPanel("campaign")]),
        FieldRowPanel([FieldPanel("responsible_unit"), FieldPanel("as_of")]),
        FieldPanel("note"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.goal is not None and self.goal <= 0:
            raise ValidationError({"goal": _("The goal must be greater than zero.")})
        figure = live_figures.get(self.live_figure) if self.live_figure else None
        if figure is not None and figure.needs_campaign and self.campaign_id is None:
            raise ValidationError({"campaign": _("This figure counts a campaign: choose one.")})

    @cached_property
    def live_value(self) -> Decimal | None:
        """The bound figure's value now, or None for a manual target (or no such figure)."""
        if not self.live_figure:
            return None
        year = getattr(self.page, "year", None) or timezone.localdate().year
        return live_figures.value(self.live_figure, year=year, campaign=self.campaign)

    @property
    def is_live(self) -> bool:
        return self.live_value is not None

    @property
    def current_value(self) -> Decimal:
        """What the page shows as achieved: the live figure, else the manual value."""
        live = self.live_value
        return live if live is not None else self.achieved

    @property
    def progress_percent(self) -> int:
        """Achieved as a share of the goal, in whole percent, capped at 100 for the bar."""
        if not self.goal:
            return 0
        return min(100, int(self.current_value * 100 / self.goal))

    @property
    def is_completed(self) -> bool:
        return self.current_value >= self.goal
