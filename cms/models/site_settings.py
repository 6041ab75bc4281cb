from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


@register_setting(icon="site")
class PortalSettings(BaseSiteSetting):
    """The district's own details, shown in the header and footer of every page."""

    district_name = models.CharField(_("district name"), max_length=60, default="滨湖区")
    bureau_name = models.CharField(
        _("bureau name"), max_length=80, default="城市管理局", blank=True
    )
    hotline = models.CharField(_("hotline number"), max_length=30, default="12319", blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    footer_text = models.TextField(_("footer text"), max_length=600, blank=True)

    panels = [
        FieldPanel("district_name"),
        FieldPanel("bureau_name"),
        FieldPanel("hotline"),
        FieldPanel("address"),
        FieldPanel("footer_text"),
    ]

    class Meta:
        verbose_name = _("portal settings")

    def __str__(self):
        return f"{self.district_name}{self.bureau_name}"
