"""Roles are found by their stable key, not by the group's name: renaming a group locks no one out."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from complaints.cases.workflow import user_roles
from portal import roles

pytestmark = pytest.mark.django_db


def test_every_role_group_holds_its_marker_and_its_chinese_label():
    for role in roles.ROLES:
        group = roles.group(role)
        assert group.name == roles.LABELS[role]
        assert group.permissions.filter(
            content_type__app_label="portal", codename=f"role_{role}"
        ).exists()
        assert role.isascii()


def test_renamed_group_keeps_its_members_working(client, make_staff, home):
    intake = make_staff(roles.INTAKE_OPERATOR)
    group = roles.group(roles.INTAKE_OPERATOR)
    group.name = "受理中心（改名后）"
    group.save()
    intake = type(intake).objects.get(pk=intake.pk)
    assert roles.INTAKE_OPERATOR in user_roles(intake)
    client.force_login(intake)
    # The intake queue, which only intake operators (and supervisors) may open.
    response = client.get(reverse("cases-triage:index"))
    assert response.status_code == 200


def test_a_group_merely_named_like_a_role_grants_nothing(make_staff):
    impostor = Group.objects.create(name="奖励审批人（副本）")
    user = make_staff(roles.PUBLICITY_EDITOR)
    user.groups.add(impostor)
    user = type(user).objects.get(pk=user.pk)
    assert roles.user_roles_of(user) == {roles.PUBLICITY_EDITOR}
    assert not Permission.objects.filter(group=impostor).exists()
