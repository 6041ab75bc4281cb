"""Reads of the reward scheme used by services and staff screens."""

from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from complaints.cases.workflow import FINAL_CASE_STATES
from complaints.models import LedgerEntry, RewardClaim, RewardFund, RewardRule
from complaints.rewards import permissions
from complaints.rewards.workflow import (
    AWAITING,
    COMMITTED_STATES,
    ClaimAction,
    ClaimRequirement,
    transition_for,
)


def reward_rule_in_force(*, category_id: int, on: date) -> RewardRule | None:
    """The rule of ``category_id`` in force on day ``on`` (rules never overlap)."""
    return (
        RewardRule.objects.filter(category_id=category_id, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by("-effective_from")
        .first()
    )


def fund_balance(fund: RewardFund) -> Decimal:
    """The running balance after the fund's last entry (zero when it has none)."""
    last = LedgerEntry.objects.filter(fund=fund).order_by("-sequence").first()
    return last.balance_after if last else Decimal("0.00")


def fund_allocated(fund: RewardFund) -> Decimal:
    total = LedgerEntry.objects.filter(fund=fund, kind=LedgerEntry.Kind.ALLOCATION).aggregate(
        total=Sum("amount")
    )["total"]
    return _money(total)


def claims_committed() -> Decimal:
    """Money promised by approved claims that are not paid yet."""
    total = RewardClaim.objects.filter(state__in=COMMITTED_STATES).aggregate(total=Sum("amount"))[
        "total"
    ]
    return _money(total)


# --- staff screens (claims queue, funds, ledger, monthly report, finance export) ---------


def _awaiting(state: str, action: ClaimAction) -> Q:
    """Claims in ``state`` that can take ``action`` now (an assessment waits for the case)."""
    condition = Q(state=state)
    transition = transition_for(state=state, action=action)
    if transition is not None and ClaimRequirement.CASE_FINAL in transition.requires:
        condition &= Q(report__state__in=FINAL_CASE_STATES)
    return condition


def claims_awaiting(*, action: ClaimAction) -> QuerySet[RewardClaim]:
    """The claims waiting for ``action`` (the claim table's ``AWAITING``), whoever takes it."""
    condition = Q(pk__in=[])
    for state, awaited in AWAITING.items():
        if awaited == action:
            condition |= _awaiting(state, action)
    return claims_for_staff().filter(condition)


def claims_needing_action(*, user) -> QuerySet[RewardClaim]:
    """The claims waiting for something ``user``'s role does.

    Officers assess pending claims once the case is final and record payment of approved ones;
    approvers approve eligible claims (their own proposals too: the approve screen refuses
    them, but they still see the claim is waiting for a colleague).
    """
    condition = Q(pk__in=[])
    for state, action in AWAITING.items():
        transition = transition_for(state=state, action=action)
        if transition is not None and permissions.holds(user, transition):
            condition |= _awaiting(state, action)
    return claims_for_staff().filter(condition)


def claims_for_staff() -> QuerySet[RewardClaim]:
    """Every claim with what the staff listing shows (never the informant's identity)."""
    return RewardClaim.objects.select_related("report", "report__category", "report__town", "rule")


def fund_summary(fund: RewardFund) -> dict:
    """Budget, allocated, paid out, reversed, balance, committed and available of one year."""
    totals = {
        row["kind"]: row["total"]
        for row in LedgerEntry.objects.filter(fund=fund)
        .values("kind")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    balance = fund_balance(fund)
    committed = claims_committed()
    allocated = _money(totals.get(LedgerEntry.Kind.ALLOCATION))
    return {
        "fund": fund,
        "year": fund.year,
        "budget": fund.budget,
        "allocated": allocated,
        "paid_out": -_money(totals.get(LedgerEntry.Kind.PAYOUT)),
        "reversed": _money(totals.get(LedgerEntry.Kind.REVERSAL)),
        "balance": balance,
        "committed": committed,
        "available": balance - committed,
        "unallocated": fund.budget - allocated,
    }


def _money(value) -> Decimal:
    """Two decimals (SQLite's SUM drops them), zero for None."""
    return Decimal(value or 0).quantize(Decimal("0.01"))


def fund_summaries() -> list[dict]:
    return [fund_summary(fund) for fund in RewardFund.objects.order_by("-year")]


def ledger_rows(*, fund: RewardFund) -> QuerySet[LedgerEntry]:
    """The fund's entries in order, with the claim's report reference and who recorded each."""
    return (
        LedgerEntry.objects.filter(fund=fund)
        .select_related("claim", "claim__report", "created_by")
        .order_by("sequence")
    )


def payouts_by_month(*, year: int) -> list[dict]:
    """Per month of ``year``: payouts net of reversals, in total, by category and by town.

    A reversal counts against the month it was recorded in, so a month's figures never change
    once the month is over.
    """
    entries = (
        LedgerEntry.objects.filter(
            fund__year=year, kind__in=[LedgerEntry.Kind.PAYOUT, LedgerEntry.Kind.REVERSAL]
        )
        .select_related("claim__report__category", "claim__report__town")
        .order_by("sequence")
    )
    months: dict[int, dict] = {}
    for entry in entries:
        month = timezone.localtime(entry.created_at).month
        row = months.setdefault(
            month,
            {"month": month, "count": 0, "amount": Decimal("0.00"), "categories": {}, "towns": {}},
        )
        sign = 1 if entry.kind == LedgerEntry.Kind.PAYOUT else -1
        paid = -entry.amount  # payouts are negative, reversals positive
        if entry.claim is None:  # payouts and reversals always name their claim
            continue
        report = entry.claim.report
        row["count"] += sign
        row["amount"] += paid
        for key, label in (
            ("categories", str(report.category)),
            ("towns", report.town.name if report.town else "—"),
        ):
            bucket = row[key].setdefault(label, {"label": label, "count": 0, "amount": Decimal(0)})
            bucket["count"] += sign
            bucket["amount"] += paid
    result = []
    for month in sorted(months):
        row = months[month]
        row["categories"] = sorted(row["categories"].values(), key=lambda b: b["label"])
        row["towns"] = sorted(row["towns"].values(), key=lambda b: b["label"])
        result.append(row)
    return result


def claims_paid_between(*, start: date, end: date) -> QuerySet[RewardClaim]:
    """Claims whose payment was recorded from ``start`` to ``end`` (both days included), in
    payment order; a payment reversed later is still listed (its state says cancelled)."""
    return (
        RewardClaim.objects.filter(
            paid_at__date__gte=start, paid_at__date__lte=end, paid_at__isnull=False
        )
        .select_related("report", "report__category", "report__town", "informant")
        .order_by("paid_at", "pk")
    )
