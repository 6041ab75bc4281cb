from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    """Third-party inspections: objects, versioned standards, findings and their scores."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "inspections"
    verbose_name = _("Inspections")

    def ready(self):
        # Registers the rectification deadline on the workflow's dispatch action; and the
        # inspection score as an input of the town and department assessment, which counts
        # once a weights version gives "inspection" a weight (docs/inspections.md).
        from indicators.scores import register_score_input
        from inspections import services  # noqa: F401
        from inspections.scores import assessment_input

        register_score_input("inspection", _("Inspection score"), assessment_input)
