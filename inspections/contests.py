"""Contractors' view of their own objects' findings, and contests (docs/inspections.md
"Contests").

A responsible unit's staff (the users who are members of the unit, ``DepartmentMembership``,
and hold ``inspections.contest_finding``) see the findings of submitted inspections of the
objects their unit is responsible for, and may contest one within the contest window after the
inspection (``INSPECTIONS_CONTEST_WINDOW_DAYS``, default 3 days), with a reason. Whoever holds
``inspections.decide_contest`` (the supervisor of the 督查管理 role) upholds or rejects it with
a note; never the one who contested. An upheld contest takes the finding out of the deductions
(inspections/scores.py). Every contest and decision goes to Wagtail's audit log.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from complaints.models import DepartmentMembership
from inspections.models import Contest, Finding, Inspection

CONTEST_PERMISSION = "inspections.contest_finding"
DECIDE_PERMISSION = "inspections.decide_contest"
DEFAULT_WINDOW_DAYS = 3

LOG_FILE = "inspections.contest.file"
LOG_UPHOLD = "inspections.contest.uphold"
LOG_REJECT = "inspections.contest.reject"
LOG_ACTIONS = (
    (LOG_FILE, gettext_lazy("Finding contested")),
    (LOG_UPHOLD, gettext_lazy("Contest upheld")),
    (LOG_REJECT, gettext_lazy("Contest rejected")),
)


def register_contest_log_actions(actions) -> None:
    """Labels of the contests and decisions in Wagtail's audit log."""
    for action, label in LOG_ACTIONS:
        actions.register_action(action, label, label)


def contest_window() -> timedelta:
    return timedelta(days=getattr(settings, "INSPECTIONS_CONTEST_WINDOW_DAYS", DEFAULT_WINDOW_DAYS))


def contest_deadline(finding: Finding) -> datetime:
    """Until when ``finding`` may be contested: the window after its inspection."""
    return finding.inspection.inspected_at + contest_window()


def may_contest(user) -> bool:
    return bool(user.is_active and user.has_perm(CONTEST_PERMISSION))


def may_decide(user) -> bool:
    return bool(user.is_active and user.has_perm(DECIDE_PERMISSION))


def own_unit_ids(user) -> set[int]:
    """The departments (or contractors) ``user`` works for."""
    return set(
        DepartmentMembership.objects.filter(user=user).values_list("department_id", flat=True)
    )


def own_findings(user) -> QuerySet[Finding]:
    """The findings of submitted inspections of the objects of ``user``'s units (none without
    the contest permission)."""
    if not may_contest(user):
        return Finding.objects.none()
    return (
        Finding.objects.filter(
            inspection__state=Inspection.State.SUBMITTED,
            inspection__object__responsible_unit__in=own_unit_ids(user),
        )
        .select_related("inspection__object", "item", "contest")
        .order_by("-inspection__inspected_at", "pk")
    )


def contest_refusal(finding: Finding, *, now: datetime | None = None) -> str | None:
    """Why ``finding`` cannot be contested any more (None: it can)."""
    if hasattr(finding, "contest"):
        return _("This finding has already been contested.")
    if (now or timezone.now()) > contest_deadline(finding):
        return _("The contest window closed on %(deadline)s.") % {
            "deadline": f"{timezone.localtime(contest_deadline(finding)):%Y-%m-%d %H:%M}"
        }
    return None


@transaction.atomic
def contest_file(*, finding: Finding, user, reason: str, now: datetime | None = None) -> Contest:
    """``user`` contests ``finding`` of one of their unit's objects with ``reason``."""
    if not own_findings(user).filter(pk=finding.pk).exists():
        raise PermissionDenied
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    refusal = contest_refusal(finding, now=now)
    if refusal:
        raise ValidationError(refusal)
    if not reason.strip():
        raise ValidationError(_("Give the reason of the contest."))
    contest = Contest.objects.create(finding=finding, reason=reason.strip(), contested_by=user)
    log(
        instance=contest,
        action=LOG_FILE,
        user=user,
        data={"finding": finding.pk, "reason": contest.reason[:300]},
    )
    return contest


@transaction.atomic
def contest_decide(*, contest: Contest, user, uphold: bool, note: str) -> Contest:
    """A supervisor upholds (the deduction goes) or rejects (it stays) a pending contest."""
    if not may_decide(user):
        raise PermissionDenied
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    if contest.state != Contest.State.PENDING:
        raise ValidationError(_("This contest has already been decided."))
    if contest.contested_by_id == user.pk:
        raise ValidationError(_("Someone else decides a contest you filed."))
    if not note.strip():
        raise ValidationError(_("Give a note with the decision."))
    contest.state = Contest.State.UPHELD if uphold else Contest.State.REJECTED
    contest.decided_by = user
    contest.decided_at = timezone.now()
    contest.decision_note = note.strip()
    contest.save()
    log(
        instance=contest,
        action=LOG_UPHOLD if uphold else LOG_REJECT,
        user=user,
        data={"finding": contest.finding_id, "note": contest.decision_note[:300]},
    )
    return contest
