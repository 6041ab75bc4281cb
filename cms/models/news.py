from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.search import index

from cms.blocks import BaseStreamBlock
from cms.models.base import BasePage


class NewsIndexPage(BasePage):
    """Notices and news, newest first, with RSS and Atom feeds."""

    subpage_types = ["cms.NewsPage"]
    parent_page_types = ["cms.HomePage"]
    max_count = 1
    page_size = 10

    class Meta:
        verbose_name = _("news index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        items = NewsPage.objects.child_of(self).live().order_by("-date", "-pk")
        context["news_items"] = Paginator(items, self.page_size).get_page(request.GET.get("page"))
        return context


class NewsPage(BasePage):
    """A notice or a news item."""

    class Kind(models.TextChoices):
        NOTICE = "notice", _("Notice")
        NEWS = "news", _("News")

    date = models.DateField(_("date"), default=timezone.localdate)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.NEWS)
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"))

    search_fields = [*BasePage.search_fields, index.SearchField("body"), index.FilterField("date")]
    content_panels = [
        *BasePage.content_panels,
        FieldPanel("date"),
        FieldPanel("kind"),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("news or notice")
        verbose_name_plural = _("news and notices")
