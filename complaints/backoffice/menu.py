"""Admin menu entries of the case back office that are not listings."""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem

from complaints.cases.permissions import has_staff_role
from portal import roles


class _RoleMenuItem(MenuItem):
    roles: tuple[str, ...] = ()

    def is_shown(self, request):
        return has_staff_role(request.user, self.roles)


class HotlineMenuItem(_RoleMenuItem):
    roles = (roles.INTAKE_OPERATOR,)

    def __init__(self):
        super().__init__(
            _("New hotline report"),
            reverse_lazy("complaints_hotline"),
            name="complaints-hotline",
            icon_name="mail",
            order=151,
        )


class RoutingPreviewMenuItem(_RoleMenuItem):
    roles = (roles.INTAKE_OPERATOR, roles.SUPERVISOR)

    def __init__(self):
        super().__init__(
            _("Routing preview"),
            reverse_lazy("complaints_routing_preview"),
            name="complaints-routing-preview",
            icon_name="resubmit",
            order=152,
        )
