from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    """Performance indicators, scores and rankings: reads the case data, writes none of it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "indicators"
    verbose_name = _("Performance indicators")

    def ready(self):
        # The figures public pages and self-counting targets ask cms/live_figures.py for.
        from indicators.live_figures import register_figures

        register_figures()
        # The daily rollups follow every transition, intake, supporter and rating
        # (indicators/rollups.py); complaints never imports indicators.
        from complaints.performance.selectors import register_counts_provider
        from indicators.rollups import connect, public_counts

        connect()
        # The public performance page and the home page's figures read the monthly rows.
        register_counts_provider(public_counts)
