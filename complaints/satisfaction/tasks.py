"""Background task of the evaluation stage (django.tasks, run by the worker)."""

from django.tasks import task

from complaints.satisfaction.services import satisfaction_invite_send


@task
def satisfaction_invite(report_id: int) -> str | None:
    """Send the rating link of a closed case (the token is made here, never stored in clear)."""
    return satisfaction_invite_send(report_id=report_id)
