"""Satisfaction's part in the workflow: a closed case invites its reporter to rate the handling.

Registered on ``complaints.cases.workflow.on_transition``, so the workflow core imports nothing
of satisfaction.
"""

from django.db import transaction

from complaints.cases.workflow import Action, on_transition
from complaints.models import Report
from complaints.satisfaction.tasks import satisfaction_invite


def satisfaction_invite_queue(*, report: Report) -> bool:
    """After commit, send the rating link to a reporter who left contact details and consent.

    The token is made inside the task, so the clear token never sits in the task table.
    """
    if not (report.has_contact and report.consent_to_contact):
        return False
    report_id = report.pk
    transaction.on_commit(lambda: satisfaction_invite.enqueue(report_id))
    return True


@on_transition(Action.CLOSE, Action.EXTERNAL_RESOLVE)
def satisfaction_invite_on_closure(*, report: Report, transition) -> None:
    """Registered effect: a closed case invites its reporter to rate the handling."""
    satisfaction_invite_queue(report=report)
