from types import SimpleNamespace

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

# The texts that have an English version; the hotline number is the same in both languages.
TRANSLATED_FIELDS = ("district_name", "bureau_name", "address", "footer_text")


@register_setting(icon="site")
class PortalSettings(BaseSiteSetting):
    """The district's own details, shown in the header and footer of every page.

    Each text has an English field beside it, shown on the English site when filled (the
    Chinese text otherwise): one settings row per site, edited on one screen.
    """

    district_name = models.CharField(_("district name"), max_length=60, default="滨湖区")
    bureau_name = models.CharField(
        _("bureau name"), max_length=80, default="城市管理局", blank=True
    )
    hotline = models.CharField(_("hotline number"), max_length=30, default="12319", blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    footer_text = models.TextField(_("footer text"), max_length=600, blank=True)
    district_name_en = models.CharField(
        _("district name in English"), max_length=80, default="Binhu District", blank=True
    )
    bureau_name_en = models.CharField(
        _("bureau name in English"),
        max_length=120,
        default="Urban Management Bureau",
        blank=True,
    )
    address_en = models.CharField(_("address in English"), max_length=200, blank=True)
    footer_text_en = models.TextField(_("footer text in English"), max_length=800, blank=True)

    panels = [
        FieldPanel("district_name"),
        FieldPanel("bureau_name"),
        FieldPanel("hotline"),
        FieldPanel("address"),
        FieldPanel("footer_text"),
        MultiFieldPanel(
            [
                FieldPanel("district_name_en"),
                FieldPanel("bureau_name_en"),
                FieldPanel("address_en"),
                FieldPanel("footer_text_en"),
            ],
            heading=_("English site"),
        ),
    ]

    class Meta:
        verbose_name = _("portal settings")

    def __str__(self):
        return f"{self.district_name}{self.bureau_name}"

    @property
    def localized(self) -> SimpleNamespace:
        """The texts in the active language: English where filled on the English site."""
        english = (get_language() or "").startswith("en")
        texts = {
            name: (english and getattr(self, f"{name}_en")) or getattr(self, name)
            for name in TRANSLATED_FIELDS
        }
        # Chinese runs the district and the bureau together; English needs a space.
        separator = " " if english and self.district_name_en else ""
        full_name = separator.join(p for p in (texts["district_name"], texts["bureau_name"]) if p)
        return SimpleNamespace(**texts, hotline=self.hotline, full_name=full_name)
