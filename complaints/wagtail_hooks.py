from wagtail import hooks
from wagtail.snippets.models import register_snippet

from complaints.backoffice.menu import HotlineMenuItem, RoutingPreviewMenuItem
from complaints.backoffice.queues import CaseQueueViewSetGroup
from complaints.backoffice.settings import CaseSettingsViewSetGroup
from complaints.reference.admin import ReferenceDataViewSetGroup
from complaints.rewards.admin.viewsets import register_reward_permission_policies

# Before any viewset of these models registers: their writes go through services only.
register_reward_permission_policies()

register_snippet(ReferenceDataViewSetGroup)
register_snippet(CaseSettingsViewSetGroup)


@hooks.register("register_admin_viewset")
def register_case_queues():
    return CaseQueueViewSetGroup()


@hooks.register("register_admin_urls")
def register_case_urls():
    from complaints.admin_urls import urlpatterns

    return urlpatterns


@hooks.register("register_admin_menu_item")
def register_hotline_menu_item():
    return HotlineMenuItem()


@hooks.register("register_admin_menu_item")
def register_routing_preview_menu_item():
    return RoutingPreviewMenuItem()


# --- Case-system feed and Open311 keys (issue 5) ---


@hooks.register("register_admin_viewset")
def register_case_feed():
    from complaints.casefeed.admin_views import CaseFeedViewSetGroup

    return CaseFeedViewSetGroup()


@hooks.register("register_admin_urls")
def register_case_feed_urls():
    from complaints.casefeed.admin_views import admin_urlpatterns

    return admin_urlpatterns()


@hooks.register("register_admin_menu_item")
def register_case_feed_health_menu_item():
    from complaints.casefeed.admin_views import CaseFeedHealthMenuItem

    return CaseFeedHealthMenuItem()


# --- The reward fund (issue 6) ---


@hooks.register("register_admin_viewset")
def register_reward_fund():
    from complaints.rewards.admin.viewsets import RewardViewSetGroup

    return RewardViewSetGroup()


@hooks.register("register_admin_viewset")
def register_reward_fund_budgets():
    from complaints.rewards.admin.viewsets import RewardFundViewSet

    return RewardFundViewSet()


@hooks.register("register_log_actions")
def register_reward_log_actions(actions):
    from complaints.rewards.admin.claims import register_reward_log_actions

    register_reward_log_actions(actions)


def _register_reward_menu_items():
    from complaints.rewards.admin.viewsets import REWARD_MENU_HOOK, reward_menu_items

    for item in reward_menu_items():
        hooks.register(REWARD_MENU_HOOK, lambda item=item: item)


_register_reward_menu_items()


# --- Each role's work on the admin home (issue 12) ---


@hooks.register("construct_homepage_panels")
def register_role_home_panels(request, panels):
    from complaints.dashboard.panels import add_role_panels

    add_role_panels(request, panels)
