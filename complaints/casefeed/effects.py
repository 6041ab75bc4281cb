"""The case feed's part in the workflow: a registered report is queued for the case system.

Registered on the workflow's transition table (``complaints.cases.workflow.on_transition``); the
workflow service runs it inside the registration's transaction, so the outbox row commits or
rolls back with the registration and the workflow core imports nothing of the case feed.
"""

from complaints.casefeed.outbox import delivery_enqueue
from complaints.cases.workflow import Action, on_transition
from complaints.models import Report


@on_transition(Action.REGISTER)
def delivery_on_registration(*, report: Report, transition) -> None:
    delivery_enqueue(report=report)
