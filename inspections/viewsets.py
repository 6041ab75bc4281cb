"""The inspections in the admin: objects, standard versions (a change is a new version), and the
inspections with their findings (read only)."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from inspections.assignments import plan_allocate, plan_assign, plan_objects
from inspections.import_views import may_import_objects
from inspections.models import (
    Assignment,
    Inspection,
    InspectionCompany,
    InspectionObject,
    InspectionPlan,
    Standard,
)
from portal import roles


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


class InspectionObjectIndexView(generic.IndexView):
    """The objects' list, with "Import" beside "Add" for who may import."""

    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if may_import_objects(self.request.user):
            buttons.append(
                HeaderButton(
                    _("Import"), url=reverse("inspections_object_import"), icon_name="upload"
                )
            )
        return buttons


class InspectionObjectViewSet(ModelViewSet):
    model = InspectionObject
    index_view_class = InspectionObjectIndexView
    icon = "site"
    menu_label = _("Inspection objects")
    name = "inspection_objects"
    url_prefix = "inspections/objects"
    copy_view_enabled = False
    inspect_view_enabled = True
    form_fields = [
        "kind",
        "name",
        "code",
        "grade",
        "town",
        "responsible_unit",
        "geometry",
        "active",
    ]
    list_display = [
        "name",
        "code",
        "kind",
        "grade",
        "town",
        "responsible_unit",
        # A mark with "yes"/"no" for screen readers, not Python's True/False.
        BooleanColumn(
            "active",
            label=InspectionObject._meta.get_field("active").verbose_name,
            sort_key="active",
        ),
    ]
    list_filter = ["kind", "grade", "town", "active"]
    search_fields = ["name", "code"]


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


class InspectionInspectView(generic.InspectView):
    """The inspection's fields, then its findings with their flags, cases and photos."""

    template_name = "inspections/admin/inspection_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["findings"] = self.object.findings.select_related(
            "item", "report", "contest"
        ).order_by("pk")
        return context


class InspectionViewSet(ModelViewSet):
    model = Inspection
    icon = "doc-full"
    menu_label = _("Inspections")
    name = "inspections"
    url_prefix = "inspections/inspections"
    inspect_view_class = InspectionInspectView
    copy_view_enabled = False
    inspect_view_enabled = True
    form_fields = ["object", "standard", "inspected_at", "state"]
    list_display = ["object", "standard", "inspector", "inspected_at", "state", "flag_text"]
    list_filter = ["state", "object__kind"]
    inspect_view_fields = [
        "object",
        "standard",
        "inspector",
        "inspected_at",
        "device_at",
        "latitude",
        "longitude",
        "state",
        "flags",
    ]


class CompanyForm(WagtailAdminModelForm):
    """The members are picked from the users holding the inspector role, with checkboxes."""

    class Meta:
        model = InspectionCompany
        fields = ["name", "department", "members"]
        widgets = {"members": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = roles.users_in(roles.INSPECTOR).order_by("username")
        self.fields["members"].label_from_instance = lambda user: (
            user.get_full_name() or user.get_username()
        )


class CompanyViewSet(ModelViewSet):
    model = InspectionCompany
    icon = "group"
    menu_label = _("Inspection companies")
    name = "inspection_companies"
    url_prefix = "inspections/companies"
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["name", "department"]
    search_fields = ["name"]

    def get_form_class(self, for_update=False):
        return CompanyForm


class PlanForm(WagtailAdminModelForm):
    """A new plan picks its objects and their inspectors before anything is stored: a plan an
    inspector could not take for a conflict of interest is refused with its reason. Once made,
    only its name changes (its assignments are edited one by one)."""

    class Meta:
        model = InspectionPlan
        fields = ["name", "month", "kind", "grade", "sample_size", "company"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.allocation: list[tuple] = []
        if self.instance.pk:
            for name in ("month", "kind", "grade", "sample_size", "company"):
                self.fields[name].disabled = True

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk or self.errors:
            return cleaned
        plan = InspectionPlan(
            name=cleaned.get("name", ""),
            month=cleaned["month"],
            kind=cleaned["kind"],
            grade=cleaned["grade"],
            sample_size=cleaned.get("sample_size"),
            company=cleaned["company"],
        )
        try:
            self.allocation = plan_allocate(plan, plan_objects(plan))
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


class BegunPlanPermissionPolicy(ModelPermissionPolicy):
    """A plan some of whose inspections have begun is not deleted (its assignments would go)."""

    def user_has_permission_for_instance(self, user, action, instance):
        if action == "delete" and instance.assignments.filter(inspection__isnull=False).exists():
            return False
        return super().user_has_permission_for_instance(user, action, instance)


class PlanDeleteView(generic.DeleteView):
    def get_object(self, queryset=None):
        plan = super().get_object(queryset)
        if plan.assignments.filter(inspection__isnull=False).exists():
            raise PermissionDenied
        return plan


class PlanCreateView(generic.CreateView):
    def save_instance(self):
        plan = self.form.instance
        plan.created_by = self.request.user
        plan = super().save_instance()
        plan_assign(plan, allocation=self.form.allocation)
        return plan


class PlanViewSet(ModelViewSet):
    model = InspectionPlan
    icon = "date"
    menu_label = _("Inspection plans")
    name = "inspection_plans"
    url_prefix = "inspections/plans"
    add_view_class = PlanCreateView
    delete_view_class = PlanDeleteView
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["name", "month", "kind", "grade", "sample_size", "company"]
    list_filter = ["kind", "grade", "company"]
    inspect_view_fields = [
        "name",
        "month",
        "kind",
        "grade",
        "sample_size",
        "company",
        "created_by",
        "created_at",
    ]

    def get_form_class(self, for_update=False):
        return PlanForm


class AssignmentForm(WagtailAdminModelForm):
    """Another inspector for one object: the model's clean refuses a conflict of interest."""

    class Meta:
        model = Assignment
        fields = ["inspector"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["inspector"]
        if self.instance.plan_id:
            field.queryset = self.instance.plan.company.members.order_by("username")
        else:
            field.queryset = get_user_model().objects.none()
        field.label_from_instance = lambda user: user.get_full_name() or user.get_username()


class AssignmentPermissionPolicy(ModelPermissionPolicy):
    """Assignments come from their plan (never added one by one); one whose inspection has begun
    keeps its inspector."""

    def user_has_permission(self, user, action):
        if action == "add":
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        if action in ("change", "delete") and instance.inspection_id:
            return False
        return super().user_has_permission_for_instance(user, action, instance)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a != "add"])


class StartedAssignmentRefusedMixin:
    def get_object(self, queryset=None):
        obj = super().get_object(queryset)  # type: ignore[misc]
        if obj.inspection_id:
            raise PermissionDenied
        return obj


class AssignmentEditView(StartedAssignmentRefusedMixin, generic.EditView):
    pass


class AssignmentDeleteView(StartedAssignmentRefusedMixin, generic.DeleteView):
    pass


class AssignmentViewSet(ModelViewSet):
    model = Assignment
    icon = "user"
    menu_label = _("Assignments")
    name = "inspection_assignments"
    url_prefix = "inspections/assignments"
    edit_view_class = AssignmentEditView
    delete_view_class = AssignmentDeleteView
    copy_view_enabled = False
    list_display = ["object", "inspector", "plan", "inspection"]
    list_filter = ["plan", "inspector"]

    def get_form_class(self, for_update=False):
        return AssignmentForm


class InspectionsViewSetGroup(ViewSetGroup):
    menu_label = _("Inspections")
    menu_icon = "doc-full"
    menu_order = 180
    items = (
        InspectionObjectViewSet,
        StandardViewSet,
        CompanyViewSet,
        PlanViewSet,
        AssignmentViewSet,
        InspectionViewSet,
    )


def register_permission_policies() -> None:
    """Before the viewsets register: their views then ask these policies."""
    register_permission_policy(Standard, UsedStandardPermissionPolicy(Standard))
    register_permission_policy(Inspection, ReadOnlyPermissionPolicy(Inspection))
    register_permission_policy(Assignment, AssignmentPermissionPolicy(Assignment))
    register_permission_policy(InspectionPlan, BegunPlanPermissionPolicy(InspectionPlan))
