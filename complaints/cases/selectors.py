"""Reads for the staff back office: who sees which case, and the role queues."""

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.cases.workflow import user_roles
from complaints.models import Department, DepartmentMembership, Report, ReportState
from portal import roles

# Queue key → (label, states shown, roles that see the queue).
QUEUES: dict[str, tuple] = {
    "triage": (
        _("Intake triage"),
        (ReportState.RECEIVED, ReportState.REGISTERED, ReportState.RETURNED),
        (roles.INTAKE_OPERATOR, roles.SUPERVISOR),
    ),
    "department": (
        _("My department's cases"),
        (ReportState.DISPATCHED, ReportState.EXTENSION_REQUESTED),
        (roles.DEPARTMENT_HANDLER,),
    ),
    "verification": (
        _("Awaiting verification"),
        (ReportState.HANDLED, ReportState.VERIFIED, ReportState.EXTENSION_REQUESTED),
        (roles.SUPERVISOR,),
    ),
    "overdue": (
        _("Overdue cases"),
        (ReportState.DISPATCHED, ReportState.EXTENSION_REQUESTED),
        (roles.SUPERVISOR, roles.INTAKE_OPERATOR, roles.DEPARTMENT_HANDLER),
    ),
    "reopen": (
        _("Rework requests"),
        (ReportState.REOPEN_REQUESTED,),
        (roles.SUPERVISOR,),
    ),
    "all": (
        _("All cases"),
        None,
        (roles.SUPERVISOR, roles.INTAKE_OPERATOR, roles.DEPARTMENT_HANDLER),
    ),
}


def user_departments(*, user) -> list[Department]:
    """The departments a handler belongs to."""
    return [
        m.department
        for m in DepartmentMembership.objects.filter(user=user).select_related("department")
    ]


def reports_visible_to(*, user) -> QuerySet[Report]:
    """Every case ``user`` may open: all of them for intake and supervisors; a handler only
    the cases dispatched to their department (a town-level department: in its own town)."""
    reports = Report.objects.all()
    held = user_roles(user)
    if held & {roles.INTAKE_OPERATOR, roles.SUPERVISOR}:
        return reports
    if roles.DEPARTMENT_HANDLER not in held:
        return reports.none()
    condition = Q(pk__in=[])
    for department in user_departments(user=user):
        if department.level == Department.Level.TOWN and department.town_id:
            condition |= Q(department=department, town_id=department.town_id)
        else:
            condition |= Q(department=department)
    return reports.filter(condition)


def report_visible_to(*, user, report: Report) -> bool:
    return reports_visible_to(user=user).filter(pk=report.pk).exists()


def queue_allowed(*, user, queue: str) -> bool:
    return bool(user_roles(user) & set(QUEUES[queue][2]))


def queue_reports(*, user, queue: str) -> QuerySet[Report]:
    """The reports of ``queue`` that ``user`` may see, oldest deadline first."""
    _label, states, _roles = QUEUES[queue]
    reports = reports_visible_to(user=user).select_related(
        "category", "town", "department", "community"
    )
    if states is not None:
        reports = reports.filter(state__in=states)
    if queue == "overdue":
        reports = reports.filter(deadline__lt=timezone.now())
    return reports


# The admin menu counts each queue up to here and shows "999+" above: a capped count reads at
# most this many index entries, where a full count of the "all cases" queue scanned the table.
QUEUE_COUNT_CAP = 999


def queue_count(*, user, queue: str, cap: int | None = None) -> int:
    """How many reports ``queue`` holds for ``user``, counted up to ``cap + 1`` at most
    (default ``QUEUE_COUNT_CAP``)."""
    cap = QUEUE_COUNT_CAP if cap is None else cap
    return count_capped(queue_reports(user=user, queue=queue), cap=cap)


def count_capped(queryset: QuerySet, *, cap: int) -> int:
    """``min(queryset.count(), cap + 1)`` in one query that stops after ``cap + 1`` rows."""
    return queryset.select_related(None).order_by()[: cap + 1].count()
