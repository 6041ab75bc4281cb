from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.search import index

from cms.blocks import BaseStreamBlock
from cms.models.base import BasePage


class RewardSchemePage(BasePage):
    """The reward scheme explained: the editors' text around the live rules table.

    Amounts, windows and evidence come from the reward rules in force today (edited in the
    rewards admin), so the page never shows a stale amount.
    """

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)

    search_fields = [*BasePage.search_fields, index.SearchField("intro"), index.SearchField("body")]
    content_panels = [*BasePage.content_panels, FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = _("reward scheme page")
        verbose_name_plural = _("reward scheme pages")

    def get_context(self, request, *args, **kwargs):
        from complaints.rewards.selectors.public import reward_rules_in_force

        context = super().get_context(request, *args, **kwargs)
        context.update(
            rules=reward_rules_in_force(),
            report_url=reverse("complaints:informant_report_create"),
            follow_up_url=reverse("complaints:informant_follow_up"),
            transparency_url=reverse("complaints:reward_transparency"),
            retention_days=settings.REWARD_IDENTITY_RETENTION_DAYS,
        )
        return context
