"""Writing the report timeline; the features that follow it (notifications) register on it."""

from collections.abc import Callable

from complaints.models import CaseEvent, Report

CaseEventEffect = Callable[[CaseEvent], None]
_EVENT_EFFECTS: list[CaseEventEffect] = []


def on_case_event(effect: CaseEventEffect) -> CaseEventEffect:
    """Register ``effect(event)`` to run for every event recorded, inside its transaction."""
    if effect not in _EVENT_EFFECTS:
        _EVENT_EFFECTS.append(effect)
    return effect


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
    """Append one event to the report's timeline and run the registered effects with it.

    The notifications feature registers the announcement of public changes
    (``complaints.notifications.effects``); effects run in the caller's transaction, so what
    they write (a task row) commits or rolls back with the event.
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
    for effect in _EVENT_EFFECTS:
        effect(event)
    return event
