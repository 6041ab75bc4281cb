"""Notifications' part in the timeline: public changes are announced to the people following.

Registered on ``complaints.cases.services.events.on_case_event``, so the timeline imports nothing of
notifications. Acknowledgements and public state changes queue a background task that the
database backend writes in the event's transaction: a rollback sends nothing, a commit never
loses one, and a slow mail server never holds up the request.
"""

from django.db import transaction
from django_tasks_db import DatabaseBackend

from complaints.cases.services.events import on_case_event
from complaints.cases.workflow import public_state
from complaints.models import CaseEvent
from complaints.notifications.tasks import case_event_notify


@on_case_event
def notification_on_event(event: CaseEvent) -> None:
    if not event.is_public or event.kind not in (
        CaseEvent.Kind.SUBMITTED,
        CaseEvent.Kind.STATE_CHANGED,
    ):
        return
    # A step the resident sees as the same state (dispatched → handled, both "in
    # progress") is announced only when it carries a public note for them.
    same = (
        event.from_state
        and event.to_state
        and public_state(event.from_state) == public_state(event.to_state)
    )
    if same and not event.note:
        return
    if isinstance(case_event_notify.get_backend(), DatabaseBackend):
        # The task row is written in this transaction: it exists exactly when the event
        # does (the worker only sees it after commit), and a failure to write it rolls
        # the whole change back instead of losing the message in silence.
        case_event_notify.enqueue(event.pk)
    else:
        # A queue outside the database (immediate or dummy backends, used in development
        # and tests) cannot join the transaction: queue after commit, log a failure.
        transaction.on_commit(lambda: case_event_notify.enqueue(event.pk), robust=True)
