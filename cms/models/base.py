from django.conf import settings
from django.db import models
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Locale, Page
from wagtail.search import index

from cms.forms import BasePageForm
from cms.slugs import ascii_slug, free_slug, needs_ascii_slug


class BasePage(Page):
    """What every public page shares: a listing summary and image for cards and search.

    Two site-wide behaviours live here too: Chinese titles get ASCII (pinyin) slugs, and an
    English URL whose page has no English translation serves the Chinese page (with a notice,
    see ``shown_in_other_language``) instead of a 404.
    """

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
    base_form_class = BasePageForm

    class Meta:
        abstract = True

    def full_clean(self, *args, **kwargs):
        # Pages made in code (the demo, imports) get the same ASCII slug as the editor's form.
        if needs_ascii_slug(self.slug) and (base := ascii_slug(self.slug or self.title)):
            parent = self.get_parent() if self.path else getattr(self, "_cached_parent_obj", None)
            self.slug = free_slug(base, parent=parent, page=self) if parent else base
        super().full_clean(*args, **kwargs)

    def route(self, request, path_components):
        try:
            return super().route(request, path_components)
        except Http404:
            source = self._default_language_source()
            if source is None:
                raise
            # The same path in the Chinese tree: translations keep their source's slugs.
            return source.route(request, path_components)

    def _default_language_source(self):
        """This page in the default language when this one is a translation, else None."""
        if self.locale.language_code == settings.LANGUAGE_CODE:
            return None
        try:
            default_locale = Locale.objects.get(language_code=settings.LANGUAGE_CODE)
        except Locale.DoesNotExist:
            return None
        source = self.get_translation_or_none(default_locale)
        return source.specific if source is not None else None

    @property
    def summary(self) -> str:
        return self.listing_summary or self.search_description

    def shown_in_other_language(self) -> bool:
        """Whether this page is served in a language other than the active one (no translation)."""
        active = (get_language() or settings.LANGUAGE_CODE).lower()
        return self.locale.language_code.lower() != active
