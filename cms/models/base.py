from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page
from wagtail.search import index


class BasePage(Page):
    """What every public page shares: a listing summary and image for cards and search."""

    listing_summary = models.CharField(
        _("listing summary"),
        max_length=240,
        blank=True,
        help_text=_("One or two sentences shown on cards, in search results and in feeds."),
    )
    listing_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("listing image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    search_fields = [*Page.search_fields, index.SearchField("listing_summary")]
    promote_panels = [
        *Page.promote_panels,
        FieldPanel("listing_summary"),
        FieldPanel("listing_image"),
    ]

    class Meta:
        abstract = True

    @property
    def summary(self) -> str:
        return self.listing_summary or self.search_description
