"""The inspections in the admin: objects, standard versions (a change is a new version), and the
inspections with their findings (read only)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from inspections.models import Inspection, InspectionObject, Standard


class UsedStandardPermissionPolicy(ModelPermissionPolicy):
    """A standard version used by an inspection is neither changed nor deleted: the bureau adds
    a new version instead, and past inspections keep their deductions."""

    def user_has_permission_for_instance(self, user, action, instance):
        if action in ("change", "delete") and instance.is_used:
            return False
        return super().user_has_permission_for_instance(user, action, instance)


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Inspections are recorded by inspectors, never typed in or edited in the admin."""

    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission(
            [a for a in actions if a not in ("add", "change", "delete")]
        )


class UsedStandardRefusedMixin:
    """The edit and delete views ask the instance: Wagtail's generic views check only the
    model-level permission."""

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)  # type: ignore[misc]
        if obj.is_used:
            raise PermissionDenied
        return obj


class StandardEditView(UsedStandardRefusedMixin, generic.EditView):
    pass


class StandardDeleteView(UsedStandardRefusedMixin, generic.DeleteView):
    pass


class InspectionObjectViewSet(ModelViewSet):
    model = InspectionObject
    icon = "site"
    menu_label = _("Inspection objects")
    name = "inspection_objects"
    url_prefix = "inspections/objects"
    copy_view_enabled = False
    inspect_view_enabled = True
    form_fields = ["kind", "name", "grade", "town", "responsible_unit", "geometry", "active"]
    list_display = ["name", "kind", "grade", "town", "responsible_unit", "active"]
    list_filter = ["kind", "grade", "town", "active"]
    search_fields = ["name"]


class StandardViewSet(ModelViewSet):
    model = Standard
    icon = "list-ul"
    menu_label = _("Inspection standards")
    name = "inspection_standards"
    url_prefix = "inspections/standards"
    edit_view_class = StandardEditView
    delete_view_class = StandardDeleteView
    copy_view_enabled = False
    inspect_view_enabled = True
    panels = [
        FieldPanel("kind"),
        FieldPanel("grade"),
        FieldPanel("valid_from"),
        FieldPanel("note"),
        InlinePanel("items", label=_("Items"), min_num=1),
    ]
    list_display = ["__str__", "kind", "grade", "version", "valid_from", "note"]
    list_filter = ["kind", "grade"]


class InspectionViewSet(ModelViewSet):
    model = Inspection
    icon = "doc-full"
    menu_label = _("Inspections")
    name = "inspections"
    url_prefix = "inspections/inspections"
    copy_view_enabled = False
    inspect_view_enabled = True
    form_fields = ["object", "standard", "inspected_at", "state"]
    list_display = ["object", "standard", "inspector", "inspected_at", "state"]
    list_filter = ["state", "object__kind"]


class InspectionsViewSetGroup(ViewSetGroup):
    menu_label = _("Inspections")
    menu_icon = "doc-full"
    menu_order = 180
    items = (InspectionObjectViewSet, StandardViewSet, InspectionViewSet)


def register_permission_policies() -> None:
    """Before the viewsets register: their views then ask these policies."""
    register_permission_policy(Standard, UsedStandardPermissionPolicy(Standard))
    register_permission_policy(Inspection, ReadOnlyPermissionPolicy(Inspection))
