"""Writing the report timeline; every public change is announced to the people following it."""

from django.db import transaction

from complaints.models import CaseEvent, Report


def case_event_record(
    *,
    report: Report,
    kind: str,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    is_public: bool = True,
    actor=None,
) -> CaseEvent:
    """Append one event to the report's timeline and queue its notifications after commit.

    Notifications go out for the submission acknowledgement and for public state changes;
    they run in a background task once the transaction has committed, so a rollback sends
    nothing and a slow mail server never holds up the request.
    """
    event = CaseEvent.objects.create(
        report=report,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        note=note,
        is_public=is_public,
        actor=actor,
    )
    if is_public and kind in (CaseEvent.Kind.SUBMITTED, CaseEvent.Kind.STATE_CHANGED):
        from complaints.tasks import case_event_notify
        from complaints.workflow import public_state

        # A step the resident sees as the same state (dispatched → handled, both "in
        # progress") is announced only when it carries a public note for them.
        same = from_state and to_state and public_state(from_state) == public_state(to_state)
        if same and not note:
            return event

        # robust: a task queue that is down must not turn an accepted report into an error.
        transaction.on_commit(lambda: case_event_notify.enqueue(event.pk), robust=True)
    return event
