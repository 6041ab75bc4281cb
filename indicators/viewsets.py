"""The score weights in the admin: a list of versions, a new version, never an edit."""

from django.forms import modelform_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from indicators.models import ScoreWeights
from portal.exports import FormulaSafeExportViewSetMixin


class VersionedPermissionPolicy(ModelPermissionPolicy):
    """Add and view as the user's permissions say; change and delete for nobody: a used
    version must stay as it was, so a change is a new version."""

    def user_has_permission(self, user, action):
        if action in ("change", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission(
            [a for a in actions if a not in ("change", "delete")]
        )


class ScoreWeightsForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk is None:
            # Start from the version in effect: an administrator changes one weight at a time.
            latest = ScoreWeights.objects.order_by("-version").first()
            if latest is not None:
                for name in [*ScoreWeights.BUILT_IN, "other_weights"]:
                    self.initial.setdefault(name, getattr(latest, name))
            self.initial.setdefault("effective_from", timezone.localdate().replace(day=1))

    def clean(self):
        # Wagtail's create action saves the instance itself, not through form.save().
        self.instance.created_by = self.for_user
        return super().clean()


class ScoreWeightsViewSet(FormulaSafeExportViewSetMixin, ModelViewSet):
    model = ScoreWeights
    icon = "table"
    menu_label = _("Score weights")
    add_to_admin_menu = True
    menu_order = 176
    name = "score_weights"
    url_prefix = "indicators/weights"
    copy_view_enabled = False
    inspect_view_enabled = True
    form_fields = [
        "effective_from",
        *ScoreWeights.BUILT_IN,
        "other_weights",
        "note",
    ]
    list_display = [
        "version",
        "effective_from",
        *ScoreWeights.BUILT_IN,
        "note",
        "created_by",
        "created_at",
    ]
    list_export = list_display
    export_filename = "score-weights"

    def get_form_class(self, for_update=False):
        return modelform_factory(self.model, form=ScoreWeightsForm, fields=self.form_fields)


def register_versioned_permission_policy() -> None:
    """Before the viewset registers: its views then ask the versioned policy."""
    register_permission_policy(ScoreWeights, VersionedPermissionPolicy(ScoreWeights))
