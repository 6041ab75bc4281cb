"""Listings of the reward scheme in the admin: the claims queue, rules, the staff exclusion
list, the funds' budgets and the read-only logs (data exports, identity erasures).

Money and claims change only through the reward services: the permission policies below
refuse add/edit/delete on claims, ledger entries and the logs to everyone, superusers too, so
no generic admin screen can bypass them. ``register_reward_permission_policies`` must run
before any viewset of these models registers (the top of wagtail_hooks.py).
"""

import django_filters
from django.urls import path, reverse, reverse_lazy
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from complaints.models import (
    ClaimState,
    DataExport,
    IdentityErasure,
    LedgerEntry,
    PiiAccess,
    RewardClaim,
    RewardExclusion,
    RewardFund,
    RewardRule,
)
from complaints.rewards import permissions
from complaints.rewards.admin.forms import RewardExclusionForm
from complaints.rewards.selectors.claims import claims_for_staff, claims_needing_action
from complaints.shared.admin_exports import ModelViewSet  # formula-safe exports

WRITE_ACTIONS = frozenset({"add", "change", "delete"})


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """View permission as granted; every write refused, to superusers as well."""

    refused = WRITE_ACTIONS

    def user_has_permission(self, user, action):
        if action in self.refused:
            return False
        return super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission(set(actions) - self.refused)


class NoDeletePermissionPolicy(ReadOnlyPermissionPolicy):
    """Add and edit as granted; nothing is ever deleted (the ledger refers to it)."""

    refused = frozenset({"delete"})


_registered = False


def register_reward_permission_policies() -> None:
    global _registered
    if _registered:
        return
    for model in (RewardClaim, LedgerEntry, PiiAccess, DataExport, IdentityErasure):
        register_permission_policy(model, ReadOnlyPermissionPolicy(model), exact_class=True)
    for model in (RewardFund, RewardRule):
        register_permission_policy(model, NoDeletePermissionPolicy(model), exact_class=True)
    _registered = True


# --- the claims queue --------------------------------------------------------------------

SHOW_ACTION, SHOW_ALL = "action", "all"


class ClaimFilterSet(WagtailFilterSet):
    show = django_filters.ChoiceFilter(
        label=_("Show"),
        choices=[(SHOW_ACTION, _("Needing my action")), (SHOW_ALL, _("All claims"))],
        empty_label=None,
        method="filter_show",
    )
    state = django_filters.ChoiceFilter(label=_("Claim state"), choices=ClaimState.choices)

    class Meta:
        model = RewardClaim
        fields = ["show", "state"]

    def filter_show(self, queryset, name, value):
        return queryset  # applied by the view (it needs the user)


QUEUE_LABELS = {
    "report.reference": _("Reference"),
    "report.category": _("Category"),
    "report.town": _("Town"),
    "get_state_display": _("Claim state"),
}


class ClaimQueueIndexView(IndexView):
    """Claims with their case, never the informant. Default: the claims needing my role."""

    any_permission_required = ["view"]

    def get_base_queryset(self):
        user = self.request.user
        # A role that takes no claim action (the auditor) sees every claim by default.
        acts = permissions.acts_on_claims(user)
        show = self.request.GET.get("show") or (SHOW_ACTION if acts else SHOW_ALL)
        if show == SHOW_ACTION and not self.request.GET.get("state"):
            return claims_needing_action(user=user)
        return claims_for_staff()

    @property
    def is_searchable(self):
        return True

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return queryset.filter(report__reference__icontains=self.search_query.strip())

    @cached_property
    def columns(self):
        # "report reference" etc.: the report's fields are the claim's, say them plainly.
        columns = super().columns
        for column in columns:
            column.label = QUEUE_LABELS.get(column.name, column.label)
        return columns

    def get_edit_url(self, instance):
        return reverse("rewards_claim", args=[instance.pk])

    def get_inspect_url(self, instance):
        return None

    def get_list_more_buttons(self, instance):
        return []


class RewardClaimViewSet(ModelViewSet):
    model = RewardClaim
    name = "reward-claims"
    icon = "tag"
    menu_label = _("Reward claims")
    menu_order = 1
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = ClaimQueueIndexView
    filterset_class = ClaimFilterSet
    list_display = [
        "report__reference",
        "report__category",
        "report__town",
        Column(
            "filed", label=_("Filed"), accessor="report.created_at", sort_key="report__created_at"
        ),
        Column("case_state", label=_("Case state"), accessor="report.get_state_display"),
        "state",
        "amount",
    ]
    ordering = ["created_at"]
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return None  # claims change only through the reward actions

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]


class ReadOnlyViewSet(ModelViewSet):
    """A listing and an inspect page, no form at all (the policy refuses writes as well)."""

    copy_view_enabled = False
    inspect_view_enabled = True

    def get_form_class(self, for_update=False):
        return None

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<str:pk>/", self.inspect_view, name="inspect"),
        ]


# --- rules, exclusions, funds ------------------------------------------------------------


class RewardRuleViewSet(ModelViewSet):
    model = RewardRule
    name = "reward-rules"
    icon = "clipboard-list"
    menu_label = _("Reward rules")
    menu_order = 6
    copy_view_enabled = False
    form_fields = [
        "category",
        "amount_kind",
        "amount",
        "unit",
        "minimum_amount",
        "maximum_amount",
        "daily_limit",
        "monthly_limit",
        "window_days",
        "effective_from",
        "effective_to",
        "evidence_note",
        "evidence_note_en",
    ]
    list_display = [
        "category",
        "amount_kind",
        "amount",
        "unit",
        "minimum_amount",
        "maximum_amount",
        "daily_limit",
        "monthly_limit",
        "window_days",
        "effective_from",
        "effective_to",
    ]
    list_filter = ["amount_kind"]
    list_export = [*list_display, "evidence_note"]


class RewardExclusionViewSet(ModelViewSet):
    model = RewardExclusion
    name = "reward-exclusions"
    icon = "lock"
    menu_label = _("Excluded phone numbers")
    menu_order = 7
    copy_view_enabled = False
    form_class = RewardExclusionForm
    list_display = ["label", "added_by", "created_at"]

    def get_edit_handler(self):
        return None

    def get_form_class(self, for_update=False):
        return RewardExclusionForm


class RewardFundViewSet(ModelViewSet):
    """Budgets per year (approvers). Listed with their money on the funds screen."""

    model = RewardFund
    name = "reward-funds"
    icon = "table"
    menu_label = _("Fund budgets")
    copy_view_enabled = False
    form_fields = ["year", "budget", "note"]
    list_display = ["year", "budget", "note"]


class DataExportViewSet(ReadOnlyViewSet):
    model = DataExport
    name = "data-exports"
    icon = "download"
    menu_label = _("Data exports")
    menu_order = 9
    list_display = [
        "created_at",
        "user",
        "name",
        "filters",
        "row_count",
        # A mark with "yes"/"no" for screen readers, not Python's True/False.
        BooleanColumn(
            "includes_identity",
            label=DataExport._meta.get_field("includes_identity").verbose_name,
            sort_key="includes_identity",
        ),
    ]
    list_filter = ["includes_identity", "name"]
    list_export = ["created_at", "user", "name", "filters", "row_count", "includes_identity"]


class IdentityErasureViewSet(ReadOnlyViewSet):
    model = IdentityErasure
    name = "identity-erasures"
    icon = "bin"
    menu_label = _("Identity erasures")
    menu_order = 10
    list_display = ["created_at", "report_reference", "fields", "claim_state"]
    list_export = list_display


# --- the menu ----------------------------------------------------------------------------

REWARD_MENU_HOOK = "register_reward_fund_menu_item"


class PermissionMenuItem(MenuItem):
    permission = ""

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


def reward_menu_items() -> list[MenuItem]:
    """The screens of the group that are not listings (registered on ``REWARD_MENU_HOOK``)."""
    entries = [
        ("rewards_funds", _("Funds"), "table", 2, "complaints.view_rewardfund"),
        ("rewards_ledger", _("Ledger"), "list-ol", 3, "complaints.view_ledgerentry"),
        ("rewards_report", _("Monthly payouts"), "doc-full", 4, "complaints.view_ledgerentry"),
        ("rewards_export", _("Export for finance"), "download", 5, "complaints.view_rewardclaim"),
        (
            "wagtailsnippets_complaints_piiaccess:list",
            _("Identity and contact openings"),
            "view",
            8,
            "complaints.view_piiaccess",
        ),
    ]
    return [
        type("RewardMenuItem", (PermissionMenuItem,), {"permission": permission})(
            label,
            reverse_lazy(url_name),
            name=url_name.replace("_", "-"),
            icon_name=icon,
            order=order,
        )
        for url_name, label, icon, order, permission in entries
    ]


class RewardViewSetGroup(ModelViewSetGroup):
    menu_label = _("Reward fund")
    menu_icon = "tag"
    menu_name = "reward-fund"
    menu_order = 170
    submenu_hook = REWARD_MENU_HOOK
    items = (
        RewardClaimViewSet,
        RewardRuleViewSet,
        RewardExclusionViewSet,
        DataExportViewSet,
        IdentityErasureViewSet,
    )
