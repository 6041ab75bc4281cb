"""Reads of the reward scheme used by services and staff screens."""

from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum

from complaints.models import ClaimState, LedgerEntry, RewardClaim, RewardFund, RewardRule


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
    return total or Decimal("0.00")


def claims_committed() -> Decimal:
    """Money promised by approved claims that are not paid yet."""
    total = RewardClaim.objects.filter(state=ClaimState.APPROVED).aggregate(total=Sum("amount"))[
        "total"
    ]
    return total or Decimal("0.00")
