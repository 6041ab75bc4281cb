from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from portal import deploy_checks  # noqa: F401 - registers the checks
        from portal.admin_widgets import install_checkbox_multiselects
        from portal.exports import install_formula_safe_exports

        install_formula_safe_exports()
        install_checkbox_multiselects()
