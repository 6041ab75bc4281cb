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
