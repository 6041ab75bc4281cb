"""Settings of the case workflow in the admin: holidays, routing, response templates, staff
membership, and the read-only logs (satisfaction responses, contact reveals)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from complaints.models import (
    DepartmentMembership,
    Holiday,
    PiiAccess,
    ResponseTemplate,
    RoutingRule,
    SatisfactionResponse,
)
from complaints.shared.admin_choosers import ReadersOnlyChooserViewSet
from complaints.shared.admin_exports import SnippetViewSet  # formula-safe exports


class HolidayViewSet(SnippetViewSet):
    model = Holiday
    icon = "date"
    menu_label = _("Holiday calendar")
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    list_export = ["date", "kind", "name"]
    ordering = ["-date"]


class RoutingRuleViewSet(SnippetViewSet):
    model = RoutingRule
    icon = "resubmit"
    menu_label = _("Routing rules")
    list_display = ["category", "town", "grid_cell", "department"]
    list_filter = ["town", "department"]
    list_export = ["category", "town", "grid_cell", "department", "note"]


class ResponseTemplateViewSet(SnippetViewSet):
    model = ResponseTemplate
    icon = "openquote"
    menu_label = _("Response templates")
    list_display = ["title", "category", "action"]
    list_filter = ["action"]


class DepartmentMembershipViewSet(SnippetViewSet):
    model = DepartmentMembership
    icon = "user"
    menu_label = _("Department members")
    list_display = ["user", "department"]
    list_filter = ["department"]
    chooser_viewset_class = ReadersOnlyChooserViewSet  # staff names: no form picks them


class SatisfactionResponseViewSet(SnippetViewSet):
    model = SatisfactionResponse
    icon = "pick"
    menu_label = _("Satisfaction responses")
    list_display = [
        "report",
        "closure",
        "rating",
        "channel",
        # A mark with "yes"/"no" for screen readers, not Python's True/False.
        BooleanColumn(
            "rework_requested",
            label=SatisfactionResponse._meta.get_field("rework_requested").verbose_name,
            sort_key="rework_requested",
        ),
        "created_at",
    ]
    list_filter = ["rating", "channel"]
    list_export = ["report", "closure", "rating", "channel", "rework_requested", "created_at"]
    inspect_view_enabled = True
    chooser_viewset_class = ReadersOnlyChooserViewSet  # residents' comments


class PiiAccessFilterSet(WagtailFilterSet):
    informant_opening = django_filters.BooleanFilter(
        label=_("Informant identity opened"),
        field_name="informant",
        lookup_expr="isnull",
        exclude=True,
    )
    created_at = django_filters.DateFromToRangeFilter(label=_("Time"), widget=DateRangePickerWidget)

    class Meta:
        model = PiiAccess
        fields = ["informant_opening", "user", "created_at"]


class PiiAccessViewSet(SnippetViewSet):
    """The log of reporter-contact reveals and informant-identity openings (read-only: see
    ``reward_viewsets.ReadOnlyPermissionPolicy``); auditors read it."""

    model = PiiAccess
    icon = "view"
    menu_label = _("Contact detail reveals")
    list_display = ["created_at", "user", "report", "informant", "fields", "reason"]
    list_export = ["created_at", "user", "report", "informant", "fields", "reason"]
    filterset_class = PiiAccessFilterSet
    inspect_view_enabled = True
    chooser_viewset_class = ReadersOnlyChooserViewSet  # who opened which identity


class CaseSettingsViewSetGroup(SnippetViewSetGroup):
    items = (
        HolidayViewSet,
        RoutingRuleViewSet,
        ResponseTemplateViewSet,
        DepartmentMembershipViewSet,
        SatisfactionResponseViewSet,
        PiiAccessViewSet,
    )
    menu_icon = "cogs"
    menu_label = _("Case workflow settings")
    menu_name = "complaints-case-settings"
