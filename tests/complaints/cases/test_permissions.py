"""complaints.cases.permissions answers by role key, whatever the group is called."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

from complaints.cases import permissions
from portal import roles

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "reveal", "callbacks"),
    [
        (roles.INTAKE_OPERATOR, True, False),
        (roles.SUPERVISOR, True, True),
        (roles.DEPARTMENT_HANDLER, False, False),
        (roles.REWARD_OFFICER, False, False),
        (roles.AUDITOR, False, False),
    ],
)
def test_who_may_do_what(make_staff, role, reveal, callbacks):
    user = make_staff(role)
    assert permissions.may_reveal_contact(user) is reveal
    assert permissions.may_record_callbacks(user) is callbacks
    is_case_staff = role in (roles.INTAKE_OPERATOR, roles.SUPERVISOR, roles.DEPARTMENT_HANDLER)
    assert permissions.has_staff_role(user) is is_case_staff
    if is_case_staff:
        permissions.require_staff_role(user)
    else:
        with pytest.raises(PermissionDenied):
            permissions.require_staff_role(user)


def test_renaming_a_group_locks_nobody_out(make_staff):
    user = make_staff(roles.SUPERVISOR)
    Group.objects.filter(pk=roles.group(roles.SUPERVISOR).pk).update(name="Supervisors (renamed)")
    user = type(user).objects.get(pk=user.pk)  # no cached roles
    assert permissions.may_reveal_contact(user)
    assert permissions.may_record_callbacks(user)


def test_a_handler_opens_only_their_departments_cases(handler, other_handler, report_in):
    report = report_in("dispatched")
    assert permissions.may_open_report(user=handler, report=report)
    assert not permissions.may_open_report(user=other_handler, report=report)
