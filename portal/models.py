"""The portal app's one model: no table, only the marker permissions that identify the roles."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.roles import LABELS, marker_codename


class RoleMarker(models.Model):
    """Carries one permission per staff role (``portal.role_<key>``), held by the role's group.

    The permission, not the group's name, says which group is which role: renaming a group in
    the admin keeps everyone's access.
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [(marker_codename(key), f"角色：{label}") for key, label in LABELS.items()]
        verbose_name = _("role marker")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
