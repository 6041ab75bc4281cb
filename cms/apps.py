from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Public site")

    def ready(self):
        from cms import signals

        # Purge the page cache when published content changes (portal/page_cache.py).
        signals.connect()
