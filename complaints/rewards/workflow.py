"""The reward claim's state machine: the transition table and every grouping of claim states.

The table (``TRANSITIONS``) is the one place that says which action moves a claim from which
state to which, which permission it needs and what it requires, in the style of the case table
(``complaints.cases.workflow``). The reward services (``complaints.rewards.services.claims``)
refuse what it forbids, the claim page offers what it allows, the queues and the admin home's
panels list the claims waiting for an action from ``AWAITING``, and the table in docs/rewards.md
is generated from it (``manage.py describe_claim_workflow``, checked by a test).
"""

from dataclasses import dataclass

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from complaints.cases.workflow import FINAL_CASE_STATES
from complaints.models import ClaimState, LedgerEntry, RewardClaim
from portal import roles


class ClaimAction(models.TextChoices):
    ASSESS = "assess", _("Assess eligibility")
    APPROVE = "approve", _("Approve the reward")
    DECLINE = "decline", _("Decline the proposal")
    PAY = "pay", _("Record the payment")
    CANCEL = "cancel", _("Cancel the claim")


class ClaimRequirement(models.TextChoices):
    """What an action needs; the service refuses the action without it."""

    CASE_FINAL = "case_final", _("the case closed, rejected or a duplicate")
    UNITS = "units", _("the measured quantity, when the rule pays per unit")
    NOTE = "note", _("a note")
    PAYMENT_REFERENCE = "payment_reference", _("the payment's reference")
    REASON = "reason", _("a reason")
    FUND_COVERS = "fund_covers", _("money free in the year's fund")


# The permissions of the table (app label ``complaints``); portal/roles.py says who holds them.
ASSESS = "assess_rewardclaim"
APPROVE = "approve_rewardclaim"
PAY = "pay_rewardclaim"


@dataclass(frozen=True)
class ClaimTransition:
    """One row: ``action`` moves a claim from any of ``sources`` to one of ``targets``.

    ``targets`` has two states when the outcome is decided by the rules (an assessment ends
    eligible or not eligible). The actor needs every one of ``permissions``. ``four_eyes``: never
    the claim's proposer. ``confirmed``: the admin asks for confirmation with the amount first.
    ``ledger``: the ledger entry the action writes (a payout, a reversal), if any.

    An action may have several rows when its permissions differ by state: cancelling a paid
    claim reverses the payment, so it also needs the permission to record payments.
    """

    action: ClaimAction
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    permissions: tuple[str, ...]
    requires: tuple[ClaimRequirement, ...] = ()
    four_eyes: bool = False
    confirmed: bool = False
    ledger: str = ""


S = ClaimState
R = ClaimRequirement

TRANSITIONS: tuple[ClaimTransition, ...] = (
    # Reassessing an ineligible claim is allowed (new facts, a corrected rule).
    ClaimTransition(
        ClaimAction.ASSESS,
        (S.PENDING, S.INELIGIBLE),
        (S.ELIGIBLE, S.INELIGIBLE),
        (ASSESS,),
        (R.CASE_FINAL, R.UNITS),
    ),
    ClaimTransition(
        ClaimAction.APPROVE,
        (S.ELIGIBLE,),
        (S.APPROVED,),
        (APPROVE,),
        (R.FUND_COVERS,),
        four_eyes=True,
        confirmed=True,
    ),
    # The approver sends the proposal back: no money moves, an officer reassesses.
    ClaimTransition(
        ClaimAction.DECLINE, (S.ELIGIBLE,), (S.PENDING,), (APPROVE,), (R.NOTE,), four_eyes=True
    ),
    ClaimTransition(
        ClaimAction.PAY,
        (S.APPROVED,),
        (S.PAID,),
        (PAY,),
        (R.PAYMENT_REFERENCE,),
        confirmed=True,
        ledger=LedgerEntry.Kind.PAYOUT,
    ),
    ClaimTransition(
        ClaimAction.CANCEL,
        (S.PENDING, S.ELIGIBLE, S.APPROVED),
        (S.CANCELLED,),
        (ASSESS,),
        (R.REASON,),
    ),
    ClaimTransition(
        ClaimAction.CANCEL,
        (S.PAID,),
        (S.CANCELLED,),
        (ASSESS, PAY),
        (R.REASON,),
        ledger=LedgerEntry.Kind.REVERSAL,
    ),
)

# The actions in table order, each once.
ACTIONS: tuple[ClaimAction, ...] = tuple(dict.fromkeys(t.action for t in TRANSITIONS))


def transitions_of(action: str) -> tuple[ClaimTransition, ...]:
    """The rows of ``action`` (one, or one per group of states with other permissions)."""
    return tuple(t for t in TRANSITIONS if t.action == action)


def transition_for(*, state: str, action: str) -> ClaimTransition | None:
    """The row for ``action`` from ``state``, or None when the table forbids it."""
    for transition in TRANSITIONS:
        if transition.action == action and state in transition.sources:
            return transition
    return None


def actions_from(state: str) -> list[ClaimTransition]:
    """Every row the table allows from ``state``, in table order."""
    return [t for t in TRANSITIONS if state in t.sources]


def action_sources(action: str) -> tuple[str, ...]:
    """Every state ``action`` may start from (over all its rows)."""
    return tuple(dict.fromkeys(s for t in transitions_of(action) for s in t.sources))


def action_permission(action: str) -> str:
    """The permission every row of ``action`` needs: checked before anything is read."""
    common = set.intersection(*(set(t.permissions) for t in transitions_of(action)))
    # Table order, so the answer does not depend on set ordering.
    return next(p for p in transitions_of(action)[0].permissions if p in common)


def case_ready(*, transition: ClaimTransition, claim: RewardClaim) -> bool:
    """Whether the claim's case allows the row (an assessment waits for the case to end)."""
    if ClaimRequirement.CASE_FINAL in transition.requires:
        return claim.report.state in FINAL_CASE_STATES
    return True


# --- Groupings of claim states ---------------------------------------------------------------

# What a claim in each state waits for: the queues ("needing my action") and the admin home's
# panels list a claim under the action its state awaits (cancelling is never awaited).
AWAITING: dict[str, ClaimAction] = {
    S.PENDING: ClaimAction.ASSESS,
    S.ELIGIBLE: ClaimAction.APPROVE,
    S.APPROVED: ClaimAction.PAY,
}


def awaiting_states(action: str) -> tuple[str, ...]:
    """The states in which a claim waits for ``action``."""
    return tuple(state for state, awaited in AWAITING.items() if awaited == action)


# A proposed amount: shown to the informant and counted towards the informant's caps.
COUNTED_STATES = (S.ELIGIBLE, S.APPROVED, S.PAID)
# Money promised and not paid yet: held back from what the fund can still approve.
COMMITTED_STATES = (S.APPROVED,)
# A decision that closes the claim (``closed_at`` is set): the identity's retention runs from it.
CLOSED_STATES = (S.PAID, S.INELIGIBLE, S.CANCELLED)


# --- The documentation -----------------------------------------------------------------------


def _holders(transition: ClaimTransition) -> str:
    """The roles of portal/roles.py that hold every permission of ``transition``."""
    needed = {f"complaints.{p}" for p in transition.permissions}
    held = [role for role, granted in roles.MODEL_PERMISSIONS.items() if needed <= set(granted)]
    return ", ".join(f"{roles.label(role)} (`{role}`)" for role in held) or "—"


def _notes(transition: ClaimTransition) -> str:
    notes = []
    if transition.four_eyes:
        notes.append("never the proposer")
    if transition.confirmed:
        notes.append("confirmation page with the amount")
    if transition.ledger:
        notes.append(f"ledger: {LedgerEntry.Kind(transition.ledger).label}")
    return "; ".join(notes) or "—"


def claim_workflow_markdown() -> str:
    """The claim transition table and the state groupings, in English, as Markdown."""
    with translation.override("en"):
        lines = [
            "<!-- Generated by `manage.py describe_claim_workflow`; do not edit by hand. -->",
            "",
            "| action | from | to | who (permission) | requires | also |",
            "|---|---|---|---|---|---|",
        ]
        for t in TRANSITIONS:
            lines.append(
                "| {action} (`{code}`) | {sources} | {targets} | {who} ({perms}) | {requires} "
                "| {notes} |".format(
                    action=t.action.label,
                    code=t.action.value,
                    sources=", ".join(f"`{s}`" for s in t.sources),
                    targets=" or ".join(f"`{s}`" for s in t.targets),
                    who=_holders(t),
                    perms=", ".join(f"`{p}`" for p in t.permissions),
                    requires="; ".join(str(r.label) for r in t.requires) or "—",
                    notes=_notes(t),
                )
            )
        lines += ["", "| state | label | waits for |", "|---|---|---|"]
        for state in ClaimState:
            awaited = AWAITING.get(state)
            lines.append(
                f"| `{state.value}` | {state.label} | "
                f"{f'{awaited.label} (`{awaited.value}`)' if awaited else '—'} |"
            )
    return "\n".join(lines) + "\n"
