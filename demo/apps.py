from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo content (pages, accounts, a year of cases, the reward fund) and its commands.

    Allowed to import every app; nothing imports it (.importlinter).
    """

    name = "demo"
    verbose_name = _("Demo content")
