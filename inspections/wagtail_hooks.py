"""Connects the inspections to the admin."""

from wagtail import hooks

from inspections.viewsets import InspectionsViewSetGroup, register_permission_policies

register_permission_policies()


@hooks.register("register_admin_viewset")
def register_inspections():
    return InspectionsViewSetGroup()


@hooks.register("register_admin_urls")
def register_inspections_urls():
    from inspections.admin_views import urlpatterns

    return urlpatterns


@hooks.register("register_admin_urls")
def register_contest_urls():
    from inspections.contest_views import urlpatterns

    return urlpatterns


@hooks.register("register_admin_urls")
def register_bulletin_urls():
    from inspections.bulletin_views import urlpatterns

    return urlpatterns


@hooks.register("register_log_actions")
def register_contest_log_actions(actions):
    from inspections.contests import register_contest_log_actions

    register_contest_log_actions(actions)


@hooks.register("register_admin_menu_item")
def register_results_menu_item():
    from inspections.contest_views import results_menu_item

    return results_menu_item()


@hooks.register("register_admin_menu_item")
def register_contests_menu_item():
    from inspections.contest_views import contests_menu_item

    return contests_menu_item()


@hooks.register("register_admin_menu_item")
def register_bulletin_menu_item():
    from inspections.bulletin_views import bulletin_menu_item

    return bulletin_menu_item()
