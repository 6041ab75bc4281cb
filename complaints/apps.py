from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints and cases")

    def ready(self):
        # System checks, and the workflow effects the features register on import.
        from complaints.casefeed import effects  # noqa: F401
        from complaints.notifications import effects as notification_effects  # noqa: F401
        from complaints.privacy import checks  # noqa: F401
        from complaints.satisfaction import effects as satisfaction_effects  # noqa: F401
