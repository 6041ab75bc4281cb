"""The case state machine: states, what the public sees of them, and the transition table.

The table (``TRANSITIONS``) is the one place that says which action moves a report from which
state to which, who may fire it and what it needs. ``complaints.cases.services.transitions`` is the one
service that applies it; admin buttons, form fields, tests and docs/workflow.md derive from it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from complaints.models import CaseSystem, ReportState
from portal import roles


class PublicState(models.TextChoices):
    RECEIVED = "received", _("Received")
    REGISTERED = "registered", _("Registered")
    REJECTED = "rejected", _("Not registered")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")


PUBLIC_STATE = {
    ReportState.RECEIVED: PublicState.RECEIVED,
    ReportState.REGISTERED: PublicState.REGISTERED,
    ReportState.REJECTED: PublicState.REJECTED,
    ReportState.DUPLICATE: PublicState.REJECTED,
    ReportState.DISPATCHED: PublicState.IN_PROGRESS,
    ReportState.HANDLED: PublicState.IN_PROGRESS,
    ReportState.VERIFIED: PublicState.IN_PROGRESS,
    ReportState.CLOSED: PublicState.CLOSED,
    # Back at intake after a department returned it: still being dealt with.
    ReportState.RETURNED: PublicState.IN_PROGRESS,
    ReportState.EXTENSION_REQUESTED: PublicState.IN_PROGRESS,
    # Closed until a supervisor accepts the rework request (the timeline says it was asked).
    ReportState.REOPEN_REQUESTED: PublicState.CLOSED,
}


# A case that will not move any more (what a reward decision waits for).
FINAL_CASE_STATES = (ReportState.CLOSED, ReportState.REJECTED, ReportState.DUPLICATE)


def public_state(state: str) -> PublicState:
    return PUBLIC_STATE[ReportState(state)]


REWORK_PENDING_LABEL = _("Rework request under review")


def report_public_label(*, state: str) -> str:
    """What the resident is told a report in the internal ``state`` is (page, SMS, e-mail)."""
    if state == ReportState.REOPEN_REQUESTED:
        return str(REWORK_PENDING_LABEL)
    return str(public_state(state).label)


def internal_states_for(public: str) -> list[str]:
    """The internal states shown to the public as ``public`` (for filters)."""
    return [internal.value for internal, shown in PUBLIC_STATE.items() if shown == public]


# --- The transition table -------------------------------------------------------------------
#
# Roles are the group names of portal.roles; RESIDENT is the person who filed the report,
# acting through a rating link or the tracking page (no user account).

RESIDENT = "resident"
# An external city-management case system acting through the case feed (complaints/casefeed).
# Its actor is the ``CaseSystem`` row the update came from (not a user): it holds this role
# only, no staff role holds it, and it may act only on reports delivered to that system.
CASE_SYSTEM = "case_system"


class Requirement(models.TextChoices):
    """What the form of an action must provide; the service refuses the action without it."""

    REASON = "reason", _("a reason")
    NOTE = "note", _("a note")
    DEPARTMENT = "department", _("a department")
    DUPLICATE_OF = "duplicate_of", _("the original report")
    CATEGORY = "category", _("a category")
    HANDLING_NOTE = "handling_note", _("a handling note")
    AFTER_PHOTO = "after_photo", _("an after photo")
    EXTENSION = "extension", _("the extra time")
    VERIFICATION = "verification", _("a verification result")


class Action(models.TextChoices):
    REGISTER = "register", _("Register")
    REJECT = "reject", _("Reject (not registered)")
    MARK_DUPLICATE = "mark_duplicate", _("Mark as duplicate")
    CHANGE_CATEGORY = "change_category", _("Change category")
    DISPATCH = "dispatch", _("Dispatch to a department")
    RETURN = "return", _("Return to intake")
    REQUEST_EXTENSION = "request_extension", _("Request an extension")
    APPROVE_EXTENSION = "approve_extension", _("Approve the extension")
    DECLINE_EXTENSION = "decline_extension", _("Decline the extension")
    HANDLE = "handle", _("Mark as handled")
    VERIFY_PASS = "verify_pass", _("Verification passed")
    VERIFY_FAIL = "verify_fail", _("Verification failed: rework")
    CLOSE = "close", _("Close")
    REQUEST_REOPEN = "request_reopen", _("Request rework")
    REOPEN = "reopen", _("Reopen for rework")
    DECLINE_REOPEN = "decline_reopen", _("Decline the rework request")
    EXTERNAL_PROGRESS = "external_progress", _("Case system: in progress")
    EXTERNAL_RESOLVE = "external_resolve", _("Case system: resolved")
    EXTERNAL_REJECT = "external_reject", _("Case system: not our responsibility")
    EXTERNAL_DUPLICATE = "external_duplicate", _("Case system: duplicate")
    EXTERNAL_REOPEN = "external_reopen", _("Case system: reopened")


@dataclass(frozen=True)
class Transition:
    """One row of the table: ``action`` moves a report from any of ``sources`` to ``target``.

    ``target`` None keeps the state (an edit recorded on the timeline). ``roles`` may fire it
    (superusers may fire anything staff may). ``requires`` lists what the action needs;
    ``public`` says whether its note is shown on the resident's timeline. ``system`` marks
    the rows fired by a case system (role ``CASE_SYSTEM``): the staff requirements (handling
    note, after photo, verification ...) do not apply to them; the service supplies a default
    public note when the case system sent none.
    """

    action: Action
    sources: tuple[str, ...]
    target: str | None
    roles: tuple[str, ...]
    requires: tuple[Requirement, ...] = ()
    public: bool = True
    system: bool = False


S = ReportState
INTAKE, HANDLER, SUPERVISOR = roles.INTAKE_OPERATOR, roles.DEPARTMENT_HANDLER, roles.SUPERVISOR
R = Requirement

TRANSITIONS: tuple[Transition, ...] = (
    Transition(Action.REGISTER, (S.RECEIVED, S.RETURNED), S.REGISTERED, (INTAKE,)),
    Transition(Action.REJECT, (S.RECEIVED, S.RETURNED), S.REJECTED, (INTAKE,), (R.REASON,)),
    Transition(
        Action.MARK_DUPLICATE,
        (S.RECEIVED, S.REGISTERED, S.RETURNED),
        S.DUPLICATE,
        (INTAKE,),
        (R.DUPLICATE_OF,),
    ),
    Transition(
        Action.CHANGE_CATEGORY,
        (S.RECEIVED, S.REGISTERED, S.RETURNED),
        None,
        (INTAKE,),
        (R.CATEGORY,),
        public=False,
    ),
    Transition(
        Action.DISPATCH, (S.REGISTERED, S.RETURNED), S.DISPATCHED, (INTAKE,), (R.DEPARTMENT,)
    ),
    Transition(Action.RETURN, (S.DISPATCHED,), S.RETURNED, (HANDLER,), (R.REASON,), public=False),
    Transition(
        Action.REQUEST_EXTENSION,
        (S.DISPATCHED,),
        S.EXTENSION_REQUESTED,
        (HANDLER,),
        (R.EXTENSION, R.REASON),
        public=False,
    ),
    Transition(
        Action.APPROVE_EXTENSION,
        (S.EXTENSION_REQUESTED,),
        S.DISPATCHED,
        (SUPERVISOR,),
        public=False,
    ),
    Transition(
        Action.DECLINE_EXTENSION,
        (S.EXTENSION_REQUESTED,),
        S.DISPATCHED,
        (SUPERVISOR,),
        (R.REASON,),
        public=False,
    ),
    Transition(
        Action.HANDLE,
        (S.DISPATCHED, S.EXTENSION_REQUESTED),
        S.HANDLED,
        (HANDLER,),
        (R.HANDLING_NOTE, R.AFTER_PHOTO),
    ),
    # Verification is the bureau's check on the department: the resident hears of the closure.
    Transition(
        Action.VERIFY_PASS, (S.HANDLED,), S.VERIFIED, (SUPERVISOR,), (R.VERIFICATION,), public=False
    ),
    Transition(
        Action.VERIFY_FAIL,
        (S.HANDLED,),
        S.DISPATCHED,
        (SUPERVISOR,),
        (R.VERIFICATION,),
        public=False,
    ),
    Transition(Action.CLOSE, (S.VERIFIED,), S.CLOSED, (SUPERVISOR,)),
    Transition(Action.REQUEST_REOPEN, (S.CLOSED,), S.REOPEN_REQUESTED, (RESIDENT,), (R.REASON,)),
    Transition(Action.REOPEN, (S.REOPEN_REQUESTED,), S.DISPATCHED, (SUPERVISOR,), (R.REASON,)),
    Transition(Action.DECLINE_REOPEN, (S.REOPEN_REQUESTED,), S.CLOSED, (SUPERVISOR,), (R.REASON,)),
    # --- Fired by an external case system (inbound updates, complaints/casefeed/inbound.py).
    # No staff requirement applies (``system=True``); only the original of a duplicate is
    # needed, because the link is data, not paperwork.
    Transition(
        Action.EXTERNAL_PROGRESS,
        (S.REGISTERED, S.RETURNED),
        S.DISPATCHED,
        (CASE_SYSTEM,),
        system=True,
    ),
    Transition(
        Action.EXTERNAL_RESOLVE,
        (S.REGISTERED, S.DISPATCHED, S.HANDLED, S.VERIFIED),
        S.CLOSED,
        (CASE_SYSTEM,),
        system=True,
    ),
    Transition(
        Action.EXTERNAL_REJECT,
        (S.REGISTERED, S.DISPATCHED, S.RETURNED),
        S.REJECTED,
        (CASE_SYSTEM,),
        system=True,
    ),
    Transition(
        Action.EXTERNAL_DUPLICATE,
        (S.REGISTERED, S.DISPATCHED, S.RETURNED),
        S.DUPLICATE,
        (CASE_SYSTEM,),
        (R.DUPLICATE_OF,),
        system=True,
    ),
    Transition(
        Action.EXTERNAL_REOPEN,
        (S.CLOSED, S.REOPEN_REQUESTED),
        S.DISPATCHED,
        (CASE_SYSTEM,),
        system=True,
    ),
)

TRANSITION_BY_ACTION: dict[str, Transition] = {t.action.value: t for t in TRANSITIONS}
STAFF_ROLES = (INTAKE, HANDLER, SUPERVISOR)


def transition_for(*, state: str, action: str) -> Transition | None:
    """The table row for firing ``action`` in ``state``, or None when the table forbids it."""
    transition = TRANSITION_BY_ACTION.get(action)
    if transition is None or state not in transition.sources:
        return None
    return transition


def actions_from(state: str) -> list[Transition]:
    """Every transition the table allows from ``state``, in table order."""
    return [t for t in TRANSITIONS if state in t.sources]


def user_roles(user) -> set[str]:
    """The workflow roles a user holds (superusers hold every staff role, not CASE_SYSTEM).

    A ``CaseSystem`` row as the actor holds ``CASE_SYSTEM`` and nothing else.
    """
    if user is None:
        return {RESIDENT}
    if isinstance(user, CaseSystem):
        return {CASE_SYSTEM} if user.is_active else set()
    if not user.is_active:
        return set()
    if user.is_superuser:
        return set(STAFF_ROLES)
    cached = getattr(user, "_workflow_roles", None)
    if cached is None:
        cached = roles.user_roles_of(user) & set(STAFF_ROLES)
        user._workflow_roles = cached
    return cached


def role_may_fire(*, user, transition: Transition) -> bool:
    """Whether ``user`` (None: the resident) holds a role that may fire ``transition``."""
    return bool(user_roles(user) & set(transition.roles))


# --- Side effects of transitions, registered by the features that own them -----------------
# The workflow core knows nothing of the case feed, ratings or notifications: each feature
# registers what must happen when an action fires (queue a delivery, invite a rating ...), and
# report_transition runs the effects inside its transaction, on the locked row after the state
# change and its event are written, so an outbox row commits or rolls back with the change.

TransitionEffect = Callable[..., None]  # effect(*, report, transition) -> None
_EFFECTS: dict[str, list[TransitionEffect]] = {}


def on_transition(*actions: str) -> Callable[[TransitionEffect], TransitionEffect]:
    """Register the decorated ``effect(*, report, transition)`` for each of ``actions``."""

    def register(effect: TransitionEffect) -> TransitionEffect:
        for action in actions:
            effects = _EFFECTS.setdefault(str(action), [])
            if effect not in effects:
                effects.append(effect)
        return effect

    return register


def transition_effects(action: str) -> tuple[TransitionEffect, ...]:
    """The effects registered for ``action``, in registration order."""
    return tuple(_EFFECTS.get(str(action), ()))
