"""External case states (Open311 and its extended statuses) as the resident sees them."""

from complaints.workflow import PublicState

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


def external_status_normalise(status: str) -> str:
    return (status or "").strip().upper().replace(" ", "_").replace("-", "_")


def external_status_public(status: str) -> PublicState | None:
    """Our public state for an external status, or None when we do not know it."""
    return EXTERNAL_STATUS.get(external_status_normalise(status))
