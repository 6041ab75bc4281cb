"""Who may do what on a case: the one place the case loop's views and services ask.

Roles are found by their stable keys (portal/roles.py), never by a group's name. Which role may
fire which action is in the transition table (``complaints.cases.workflow``); this module
answers for a given user: the roles they hold, whether they may fire a row, open a case, see a
reporter's contact details or record a callback.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied

from complaints.cases.selectors import report_visible_to
from complaints.cases.workflow import STAFF_ROLES, role_may_fire, user_roles
from complaints.models import Report
from portal import roles

__all__ = [
    "has_staff_role",
    "may_open_report",
    "may_record_callbacks",
    "may_reveal_contact",
    "require_staff_role",
    "role_may_fire",
    "user_roles",
]


def has_staff_role(user, wanted: Iterable[str] = STAFF_ROLES) -> bool:
    """Whether ``user`` holds one of the case roles ``wanted`` (superusers hold them all)."""
    return bool(user_roles(user) & set(wanted))


def require_staff_role(user, wanted: Iterable[str] = STAFF_ROLES) -> None:
    """A case screen for ``wanted`` only: a bare 403 for everyone else."""
    if not has_staff_role(user, wanted):
        raise PermissionDenied


def may_open_report(*, user, report: Report) -> bool:
    """Whether ``user`` may open ``report``'s case page (a handler: their department's only)."""
    return report_visible_to(user=user, report=report)


def may_reveal_contact(user) -> bool:
    """Whether ``user`` may show a reporter's contact details (logged in PiiAccess)."""
    return has_staff_role(user, roles.CONTACT_REVEAL_ROLES)


def may_record_callbacks(user) -> bool:
    """Whether ``user`` records callbacks (回访) to residents: supervisors."""
    return has_staff_role(user, (roles.SUPERVISOR,))
