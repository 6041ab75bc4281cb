"""System checks of the production configuration (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def base_url_is_set(app_configs, **kwargs):
    """Links in SMS, e-mail, case-feed media and Wagtail's own e-mails are absolute on
    PORTAL_BASE_URL: unset in production, they point at a development address."""
    if settings.DEBUG or getattr(settings, "PORTAL_BASE_URL", ""):
        return []
    return [
        Warning(
            "PORTAL_BASE_URL is not set: links in SMS, e-mail and case-feed messages would "
            f"point at {settings.WAGTAILADMIN_BASE_URL}.",
            hint="Set PORTAL_BASE_URL to the public address, e.g. https://portal.example.gov.cn.",
            id="portal.W001",
        )
    ]
