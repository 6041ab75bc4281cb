from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.search import index

from cms.blocks import BaseStreamBlock
from cms.models.base import BasePage


class StandardPage(BasePage):
    """A plain page for anything else: about the bureau, how reporting works, privacy."""

    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)

    search_fields = [*BasePage.search_fields, index.SearchField("body")]
    content_panels = [*BasePage.content_panels, FieldPanel("body")]
    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]

    class Meta:
        verbose_name = _("standard page")
        verbose_name_plural = _("standard pages")
