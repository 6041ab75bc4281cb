"""The reward fund's writes: assessing claims, four-eyes approval, payment and the ledger.

Every money movement goes through :func:`ledger_append`, which locks the fund's row, so two
approvers or two payments racing for the same balance are serialised; the database then checks
again (running balance never negative, one payout per claim, unique sequence per fund).
"""

import logging
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from complaints.models import (
    ClaimState,
    Informant,
    LedgerEntry,
    Report,
    ReportState,
    RewardClaim,
    RewardExclusion,
    RewardFund,
    RewardRule,
)
from complaints.rewards import permissions
from complaints.rewards.selectors.claims import (
    claims_committed,
    fund_allocated,
    fund_balance,
    reward_rule_in_force,
)
from complaints.rewards.workflow import (
    COUNTED_STATES,
    ClaimAction,
    ClaimTransition,
    action_permission,
    case_ready,
    transition_for,
)

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
# Case states of a report that was not accepted as a valid case.
NOT_VALID_CASE_STATES = (ReportState.REJECTED, ReportState.DUPLICATE)


@dataclass(frozen=True)
class Reason:
    """One test of the eligibility rules, passed or failed, with what the informant is told."""

    code: str
    ok: bool
    message: str  # the untranslated msgid: translated when shown, in the reader's language
    params: dict = field(default_factory=dict)


def reason_text(reason: dict) -> str:
    """A stored reason (``RewardClaim.reasons`` item) in the active language."""
    return gettext(reason["message"]) % reason.get("params", {})


def _amount(claim: RewardClaim) -> Decimal:
    """The amount of a claim that has one (eligible, approved, paid); refused otherwise."""
    if claim.amount is None:
        raise ValidationError(_("This claim has no amount."))
    return claim.amount


def _locked_claim(claim: RewardClaim) -> RewardClaim:
    return (
        RewardClaim.objects.select_for_update()
        .select_related("report", "report__category", "informant")
        .get(pk=claim.pk)
    )


# --- eligibility -------------------------------------------------------------------------


def claim_eligibility(claim: RewardClaim, *, rule: RewardRule | None) -> list[Reason]:
    """Every rule of the scheme checked against ``claim``; eligible when all are ``ok``."""
    report = claim.report
    informant = claim.informant
    reasons = [
        _reason_rule(report, rule),
        _reason_identity(informant),
        _reason_case_valid(report),
        _reason_first_report(report),
        _reason_not_excluded(informant),
    ]
    if rule is not None:
        reasons += [
            _reason_window(report, rule),
            *_reasons_caps(claim, rule),
        ]
    return reasons


def _reason_rule(report: Report, rule: RewardRule | None) -> Reason:
    if rule is None or not report.category.reward_eligible:
        return Reason(
            "rule",
            False,
            gettext_noop("No reward rule covered this category on the day the report was filed."),
        )
    return Reason(
        "rule",
        True,
        gettext_noop("Reward rule in force from %(day)s."),
        {"day": rule.effective_from.isoformat()},
    )


def _reason_identity(informant: Informant) -> Reason:
    if informant.is_erased or not (
        informant.name and informant.phone and informant.payment_account
    ):
        return Reason(
            "identity", False, gettext_noop("No real name, phone and payment account were given.")
        )
    return Reason("identity", True, gettext_noop("Identity and payment account given."))


def _reason_case_valid(report: Report) -> Reason:
    if report.state == ReportState.CLOSED:
        return Reason(
            "case_valid", True, gettext_noop("The violation was verified and the case closed.")
        )
    if report.state == ReportState.DUPLICATE:
        return Reason(
            "case_valid",
            False,
            gettext_noop("The case was closed as a duplicate of another report."),
        )
    return Reason("case_valid", False, gettext_noop("The report was not accepted as a valid case."))


def _reason_first_report(report: Report) -> Reason:
    """The earliest report of a violation wins: linked duplicates, or same category, cell and day."""
    linked_ids = set(report.duplicates.values_list("pk", flat=True))
    if report.duplicate_of_id:
        linked_ids.add(report.duplicate_of_id)
        linked_ids |= set(
            Report.objects.filter(duplicate_of_id=report.duplicate_of_id).values_list(
                "pk", flat=True
            )
        )
    linked_ids.discard(report.pk)
    if Report.objects.filter(pk__in=linked_ids, created_at__lt=report.created_at).exists():
        return Reason(
            "first_report",
            False,
            gettext_noop("Someone reported this violation earlier (linked report)."),
        )
    if report.grid_cell_id:
        day = timezone.localtime(report.created_at).date()
        earlier = (
            Report.objects.filter(
                category_id=report.category_id,
                grid_cell_id=report.grid_cell_id,
                created_at__date=day,
                created_at__lt=report.created_at,
            )
            .exclude(state__in=NOT_VALID_CASE_STATES)
            .exclude(pk=report.pk)
        )
        if earlier.exists():
            return Reason(
                "first_report",
                False,
                gettext_noop(
                    "The same violation was reported earlier that day in the same grid cell."
                ),
            )
    return Reason("first_report", True, gettext_noop("The first report of this violation."))


def _reason_not_excluded(informant: Informant) -> Reason:
    if (
        informant.phone_hash
        and RewardExclusion.objects.filter(phone_hash=informant.phone_hash).exists()
    ):
        return Reason(
            "not_excluded", False, gettext_noop("Staff and their relatives cannot receive rewards.")
        )
    return Reason("not_excluded", True, gettext_noop("Not on the exclusion list."))


def _reason_window(report: Report, rule: RewardRule) -> Reason:
    seen = report.observed_at
    if seen is None:
        return Reason(
            "window", False, gettext_noop("The time the violation was seen was not given.")
        )
    if report.created_at - seen > timedelta(days=rule.window_days):
        return Reason(
            "window",
            False,
            gettext_noop("Reported more than %(days)s days after the violation was seen."),
            {"days": rule.window_days},
        )
    return Reason(
        "window", True, gettext_noop("Reported within %(days)s days."), {"days": rule.window_days}
    )


def _reasons_caps(claim: RewardClaim, rule: RewardRule) -> list[Reason]:
    phone_hash = claim.informant.phone_hash
    if not phone_hash:
        return []
    filed = timezone.localtime(claim.report.created_at)
    same_person = RewardClaim.objects.filter(
        informant__phone_hash=phone_hash, state__in=COUNTED_STATES
    ).exclude(pk=claim.pk)
    per_day = same_person.filter(report__created_at__date=filed.date()).count()
    per_month = same_person.filter(
        report__created_at__year=filed.year, report__created_at__month=filed.month
    ).count()
    return [
        Reason(
            "daily_cap",
            per_day < rule.daily_limit,
            gettext_noop("%(count)s of %(limit)s rewards that day."),
            {"count": per_day + 1, "limit": rule.daily_limit},
        ),
        Reason(
            "monthly_cap",
            per_month < rule.monthly_limit,
            gettext_noop("%(count)s of %(limit)s rewards that month."),
            {"count": per_month + 1, "limit": rule.monthly_limit},
        ),
    ]


def reward_amount(*, rule: RewardRule, units: Decimal | None, sharers: int) -> Decimal:
    """The rule's amount (per unit: times ``units``), within its bounds, shared by joint reporters."""
    if rule.amount_kind == RewardRule.AmountKind.PER_UNIT:
        if units is None or units <= 0:
            raise ValidationError(
                {"units": _("Enter the measured quantity in %(unit)s.") % {"unit": rule.unit}}
            )
        total = rule.amount * units
    else:
        total = rule.amount
    if rule.minimum_amount is not None:
        total = max(total, rule.minimum_amount)
    if rule.maximum_amount is not None:
        total = min(total, rule.maximum_amount)
    return (total / max(sharers, 1)).quantize(CENT, rounding=ROUND_DOWN)


def _sharers(report: Report) -> int:
    """Joint reporters share one reward; excluded people (staff) take no share."""
    excluded = RewardExclusion.objects.values("phone_hash")
    return report.informants.exclude(phone_hash__in=excluded).count()


# --- claim actions -----------------------------------------------------------------------

# What each action says when the claim's state is not one the table starts it from.
WRONG_STATE = {
    ClaimAction.ASSESS: lambda: _("This claim has already been assessed."),
    ClaimAction.APPROVE: lambda: _("Only an eligible claim awaiting approval can be approved."),
    ClaimAction.DECLINE: lambda: _("Only an eligible claim awaiting approval can be declined."),
    ClaimAction.PAY: lambda: _("Only an approved claim can be paid, and only once."),
    ClaimAction.CANCEL: lambda: _("This claim is already closed."),
}


def _transition(*, claim: RewardClaim, action: ClaimAction, actor) -> ClaimTransition:
    """The table's row for ``action`` on the (locked) ``claim``; refused when the table forbids
    it from the claim's state, the actor lacks the row's permissions or proposed the reward."""
    transition = transition_for(state=claim.state, action=action)
    if transition is None:
        raise ValidationError(WRONG_STATE[action]())
    permissions.require_transition(actor, transition, claim)
    return transition


def _apply(claim: RewardClaim, transition: ClaimTransition, state: str) -> None:
    """Set the claim's new state, one the table allows ``transition`` to reach."""
    if state not in transition.targets:  # a bug in this module, never the user's doing
        raise AssertionError(f"{transition.action}: {claim.state} → {state} is not in the table")
    claim.state = state


# The claim's history, in Wagtail's audit log (ModelLogEntry): who decided what, with the note.
LOG_APPROVE = "complaints.reward_claim.approve"
LOG_DECLINE = "complaints.reward_claim.decline"
LOG_PAY = "complaints.reward_claim.pay"


def _log(claim: RewardClaim, action: str, actor, *, amount=None, **data) -> None:
    if amount is not None:
        data["amount"] = str(amount)
    log(instance=claim, action=action, user=actor, data=data)


@transaction.atomic
def claim_assess(
    *, claim: RewardClaim, actor, units: Decimal | None = None, note: str = ""
) -> RewardClaim:
    """Check every rule; eligible claims are proposed by ``actor`` for approval by someone else."""
    permissions.require(actor, action_permission(ClaimAction.ASSESS))
    claim = _locked_claim(claim)
    transition = _transition(claim=claim, action=ClaimAction.ASSESS, actor=actor)
    report = claim.report
    if not case_ready(transition=transition, claim=claim):
        raise ValidationError(
            _("The case is still being handled; assess the claim once it is closed.")
        )
    rule = reward_rule_in_force(
        category_id=report.category_id, on=timezone.localtime(report.created_at).date()
    )
    reasons = claim_eligibility(claim, rule=rule)
    now = timezone.now()
    claim.reasons = [asdict(reason) for reason in reasons]
    claim.rule = rule
    claim.note = note
    claim.proposed_by = actor
    claim.proposed_at = now
    amount = None
    if rule is not None and all(reason.ok for reason in reasons):
        amount = reward_amount(rule=rule, units=units, sharers=_sharers(report))
        if amount <= 0:
            reasons.append(
                Reason("amount", False, gettext_noop("The reward share rounds down to nothing."))
            )
            claim.reasons = [asdict(reason) for reason in reasons]
    if all(reason.ok for reason in reasons):
        claim.units = units
        claim.amount = amount
        _apply(claim, transition, ClaimState.ELIGIBLE)
        claim.closed_at = None
    else:
        claim.amount = None
        _apply(claim, transition, ClaimState.INELIGIBLE)
        claim.closed_at = now
    claim.save()
    logger.info("reward claim %s assessed: %s", claim.pk, claim.state)
    return claim


@transaction.atomic
def claim_approve(*, claim: RewardClaim, actor) -> RewardClaim:
    """The second pair of eyes: never the proposer, and only while the fund can cover it."""
    permissions.require(actor, action_permission(ClaimAction.APPROVE))
    fund = _locked_fund(year=timezone.localdate().year)
    claim = _locked_claim(claim)
    transition = _transition(claim=claim, action=ClaimAction.APPROVE, actor=actor)
    available = fund_balance(fund) - claims_committed()
    if _amount(claim) > available:
        raise ValidationError(
            _(
                "The fund has %(available)s yuan left after approved rewards; this one is %(amount)s."
            )
            % {"available": available, "amount": claim.amount}
        )
    _apply(claim, transition, ClaimState.APPROVED)
    claim.approved_by = actor
    claim.approved_at = timezone.now()
    claim.save()
    _log(claim, LOG_APPROVE, actor, amount=claim.amount)
    return claim


@transaction.atomic
def claim_decline(*, claim: RewardClaim, actor, note: str) -> RewardClaim:
    """The approver sends a proposed reward back to the officers with a note: eligible → pending.

    Nothing is closed and no money moves: an officer reassesses the claim (and may propose again,
    for another approver's decision). The note is kept in the claim's history for the officers.
    """
    permissions.require(actor, action_permission(ClaimAction.DECLINE))
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Say why the proposal is declined.")})
    claim = _locked_claim(claim)
    transition = _transition(claim=claim, action=ClaimAction.DECLINE, actor=actor)
    proposed_amount = claim.amount
    _apply(claim, transition, ClaimState.PENDING)
    claim.amount = None
    claim.closed_at = None
    claim.save()
    _log(claim, LOG_DECLINE, actor, amount=proposed_amount, note=note[:300])
    logger.info("reward claim %s declined by the approver", claim.pk)
    return claim


@transaction.atomic
def claim_pay(*, claim: RewardClaim, actor, payment_reference: str) -> LedgerEntry:
    """Record that an approved reward was paid: one payout entry, never a second."""
    permissions.require(actor, action_permission(ClaimAction.PAY))
    payment_reference = payment_reference.strip()
    if not payment_reference:
        raise ValidationError({"payment_reference": _("Enter the payment's reference.")})
    fund = _locked_fund(year=timezone.localdate().year)
    claim = _locked_claim(claim)
    transition = _transition(claim=claim, action=ClaimAction.PAY, actor=actor)
    entry = ledger_append(
        fund=fund,
        kind=transition.ledger,
        amount=-_amount(claim),
        actor=actor,
        claim=claim,
        reference=payment_reference,
    )
    now = timezone.now()
    _apply(claim, transition, ClaimState.PAID)
    claim.paid_by = actor
    claim.paid_at = now
    claim.payment_reference = payment_reference
    claim.closed_at = now
    claim.save()
    _log(claim, LOG_PAY, actor, amount=claim.amount, payment_reference=payment_reference)
    return entry


@transaction.atomic
def claim_cancel(*, claim: RewardClaim, actor, reason: str) -> RewardClaim:
    """Withdraw an unpaid claim, or reverse a paid one (the money goes back to the fund)."""
    permissions.require(actor, action_permission(ClaimAction.CANCEL))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the claim is cancelled.")})
    # Locks in the same order as approval and payment (fund, then claim): no deadlock.
    fund = RewardFund.objects.select_for_update().filter(year=timezone.localdate().year).first()
    claim = _locked_claim(claim)
    # A paid claim's row also needs the permission to record payments: the money goes back.
    transition = _transition(claim=claim, action=ClaimAction.CANCEL, actor=actor)
    if transition.ledger:
        if fund is None:
            fund = _locked_fund(year=timezone.localdate().year)
        ledger_append(
            fund=fund,
            kind=transition.ledger,
            amount=_amount(claim),
            actor=actor,
            claim=claim,
            reference=claim.payment_reference,
            note=reason[:200],
        )
    _apply(claim, transition, ClaimState.CANCELLED)
    claim.note = reason[:300]
    claim.closed_at = timezone.now()
    claim.save()
    return claim


# --- the fund ----------------------------------------------------------------------------


def _locked_fund(*, year: int) -> RewardFund:
    fund = RewardFund.objects.select_for_update().filter(year=year).first()
    if fund is None:
        raise ValidationError(
            _("There is no reward fund for %(year)s yet: an approver sets its budget first.")
            % {"year": year}
        )
    return fund


@transaction.atomic
def fund_allocate(*, year: int, amount: Decimal, actor, note: str = "") -> LedgerEntry:
    """Put money into the year's fund, up to its budget."""
    permissions.require(actor, permissions.ALLOCATE)
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("Allocate a positive amount.")})
    fund = _locked_fund(year=year)
    if fund_allocated(fund) + amount > fund.budget:
        raise ValidationError(
            {
                "amount": _("This would allocate more than the year's budget of %(budget)s yuan.")
                % {"budget": fund.budget}
            }
        )
    return ledger_append(
        fund=fund, kind=LedgerEntry.Kind.ALLOCATION, amount=amount, actor=actor, note=note
    )


def ledger_append(
    *,
    fund: RewardFund,
    kind: str,
    amount: Decimal,
    actor,
    claim: RewardClaim | None = None,
    reference: str = "",
    note: str = "",
) -> LedgerEntry:
    """Append one entry to a fund whose row the caller holds locked (see ``_locked_fund``)."""
    last = LedgerEntry.objects.filter(fund=fund).order_by("-sequence").first()
    balance = (last.balance_after if last else Decimal("0.00")) + amount
    if balance < 0:
        raise ValidationError(
            _("The fund holds %(balance)s yuan, not enough for %(amount)s.")
            % {"balance": last.balance_after if last else 0, "amount": -amount}
        )
    try:
        with transaction.atomic():
            return LedgerEntry.objects.create(
                fund=fund,
                sequence=(last.sequence if last else 0) + 1,
                kind=kind,
                amount=amount,
                balance_after=balance,
                claim=claim,
                reference=reference,
                note=note,
                created_by=actor,
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("The ledger changed meanwhile or this claim already has this movement.")
        ) from exc
