from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField

from cms.models.base import BasePage


class HomePage(BasePage):
    """The district portal's front page: the two reporting entries, campaigns, cases, notices."""

    hero_title = models.CharField(_("headline"), max_length=80)
    hero_text = models.CharField(_("sub-headline"), max_length=200, blank=True)
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [
        *BasePage.content_panels,
        FieldPanel("hero_title"),
        FieldPanel("hero_text"),
        FieldPanel("intro"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "cms.CampaignIndexPage",
        "cms.CaseStudyIndexPage",
        "cms.NewsIndexPage",
        "cms.TargetsPage",
        "cms.StandardPage",
        "cms.RewardSchemePage",
    ]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import home_page_sections

        context = super().get_context(request, *args, **kwargs)
        context.update(home_page_sections(home=self))
        return context
