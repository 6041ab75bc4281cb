from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable
from wagtail.search import index

from cms import live_figures
from cms.blocks import BaseStreamBlock
from cms.models.base import BasePage


class CampaignIndexPage(BasePage):
    """Lists the special campaigns, current ones first."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*BasePage.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.CampaignPage"]
    max_count = 1

    class Meta:
        verbose_name = _("campaign index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        campaigns = (
            CampaignPage.objects.child_of(self)
            .live()
            .select_related("listing_image")
            .order_by("-start_date")
        )
        today = timezone.localdate()
        context["current_campaigns"] = [c for c in campaigns if c.is_current(today)]
        context["other_campaigns"] = [c for c in campaigns if not c.is_current(today)]
        return context


class CampaignPage(BasePage):
    """A special campaign: joint enforcement of hot spots, grid management, the three disorders."""

    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    responsible_departments = ParentalManyToManyField(
        "complaints.Department",
        verbose_name=_("responsible departments"),
        blank=True,
        related_name="campaigns",
    )
    lead_unit = models.CharField(
        _("lead unit"),
        max_length=120,
        blank=True,
        help_text=_("The unit that leads the campaign, if it is not a department listed below."),
    )
    goals = RichTextField(_("goals"), features=["bold", "ol", "ul", "link"])
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)
    categories = ParentalManyToManyField(
        "complaints.Category",
        verbose_name=_("complaint categories concerned"),
        blank=True,
        related_name="campaigns",
        help_text=_("Residents can report problems in these categories from the campaign page."),
    )
    hot_spot_target = models.PositiveIntegerField(
        _("hot spots to fix"),
        null=True,
        blank=True,
        help_text=_(
            "How many of the hot spots attached to the campaign should be fixed and not come "
            "back. Supervisors attach hot spots on the hot spots screen."
        ),
    )

    search_fields = [
        *BasePage.search_fields,
        index.SearchField("goals"),
        index.SearchField("body"),
        index.FilterField("start_date"),
    ]
    content_panels = [
        *BasePage.content_panels,
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")])],
            heading=_("Period"),
        ),
        FieldPanel("lead_unit"),
        FieldPanel("responsible_departments"),
        FieldPanel("goals"),
        FieldPanel("body"),
        InlinePanel("gallery_images", label=_("Gallery"), max_num=24),
        FieldPanel("categories"),
        FieldPanel("hot_spot_target"),
    ]
    parent_page_types = ["cms.CampaignIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("campaign page")

    def clean(self):
        super().clean()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The campaign cannot end before it starts.")})

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        from cms.selectors import reporting_entries

        context["report_categories"] = self.categories.filter(is_active=True)
        context.update(reporting_entries())
        context["hot_spot_progress"] = self.hot_spot_progress()
        return context

    def hot_spot_progress(self) -> dict | None:
        """The attached hot spots, how many are fixed and not back, against the target (live).

        None when no figure is registered or nothing is attached and no target is set.
        """
        year = timezone.localdate().year
        attached = live_figures.value(live_figures.CAMPAIGN_HOT_SPOTS, year=year, campaign=self)
        fixed = live_figures.value(live_figures.CAMPAIGN_HOT_SPOTS_FIXED, year=year, campaign=self)
        if attached is None or fixed is None or not (attached or self.hot_spot_target):
            return None
        goal = self.hot_spot_target
        return {
            "attached": int(attached),
            "fixed": int(fixed),
            "target": goal,
            "percent": min(100, int(fixed * 100 / goal)) if goal else None,
            "done": bool(goal) and fixed >= goal,
        }

    def is_current(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.start_date <= today and (self.end_date is None or today <= self.end_date)


class CampaignGalleryImage(Orderable):
    page = ParentalKey(CampaignPage, on_delete=models.CASCADE, related_name="gallery_images")
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("image"), on_delete=models.CASCADE, related_name="+"
    )
    alt_text = models.CharField(
        _("alternative text"),
        max_length=200,
        help_text=_("Describe the picture for people who cannot see it."),
    )
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    panels = [FieldPanel("image"), FieldPanel("alt_text"), FieldPanel("caption")]

    class Meta(Orderable.Meta):
        verbose_name = _("gallery image")
        verbose_name_plural = _("gallery images")
