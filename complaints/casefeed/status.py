"""External case states (Open311 and its extended statuses) as the resident sees them."""

from complaints.cases.workflow import Action, PublicState

# Open311's open/closed plus the extended statuses in common use (FixMyStreet, Open311 wiki).
EXTERNAL_STATUS: dict[str, PublicState] = {
    "OPEN": PublicState.REGISTERED,
    "CONFIRMED": PublicState.REGISTERED,
    "INVESTIGATING": PublicState.IN_PROGRESS,
    "IN_PROGRESS": PublicState.IN_PROGRESS,
    "ACTION_SCHEDULED": PublicState.IN_PROGRESS,
    "REOPEN": PublicState.IN_PROGRESS,
    "REOPENED": PublicState.IN_PROGRESS,
    "INTERNAL_REFERRAL": PublicState.IN_PROGRESS,
    "FIXED": PublicState.CLOSED,
    "CLOSED": PublicState.CLOSED,
    "NO_FURTHER_ACTION": PublicState.CLOSED,
    "DUPLICATE": PublicState.REJECTED,
    "NOT_COUNCILS_RESPONSIBILITY": PublicState.REJECTED,
    "UNABLE_TO_FIX": PublicState.CLOSED,
}


# The workflow action (a ``CASE_SYSTEM`` row of complaints/cases/workflow.py) each external status
# fires; a status not listed here (OPEN, CONFIRMED, unknown ones) only adds a timeline note.
# inbound.py fires the action only when the table allows it from the report's current state.
EXTERNAL_ACTION: dict[str, Action] = {
    "INVESTIGATING": Action.EXTERNAL_PROGRESS,
    "IN_PROGRESS": Action.EXTERNAL_PROGRESS,
    "ACTION_SCHEDULED": Action.EXTERNAL_PROGRESS,
    "INTERNAL_REFERRAL": Action.EXTERNAL_PROGRESS,
    "FIXED": Action.EXTERNAL_RESOLVE,
    "CLOSED": Action.EXTERNAL_RESOLVE,
    "NO_FURTHER_ACTION": Action.EXTERNAL_RESOLVE,
    "UNABLE_TO_FIX": Action.EXTERNAL_RESOLVE,
    "NOT_COUNCILS_RESPONSIBILITY": Action.EXTERNAL_REJECT,
    "DUPLICATE": Action.EXTERNAL_DUPLICATE,
    "REOPEN": Action.EXTERNAL_REOPEN,
    "REOPENED": Action.EXTERNAL_REOPEN,
}


def external_status_normalise(status: str) -> str:
    return (status or "").strip().upper().replace(" ", "_").replace("-", "_")


def external_status_public(status: str) -> PublicState | None:
    """Our public state for an external status, or None when we do not know it."""
    return EXTERNAL_STATUS.get(external_status_normalise(status))


def external_status_action(status: str) -> Action | None:
    """The case-system action an external status fires, or None for a note only."""
    return EXTERNAL_ACTION.get(external_status_normalise(status))
