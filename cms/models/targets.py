from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable

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

    def overall_progress(self) -> int:
        """Mean progress of the targets, in whole percent (each target capped at 100)."""
        targets = list(self.targets.all())
        if not targets:
            return 0
        return round(sum(t.progress_percent for t in targets) / len(targets))

    def completed_count(self) -> int:
        return sum(1 for t in self.targets.all() if t.is_completed)


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

    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("goal"), FieldPanel("achieved"), FieldPanel("unit")]),
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

    @property
    def progress_percent(self) -> int:
        """Achieved as a share of the goal, in whole percent, capped at 100 for the bar."""
        if not self.goal:
            return 0
        return min(100, int(self.achieved * 100 / self.goal))

    @property
    def is_completed(self) -> bool:
        return self.achieved >= self.goal
