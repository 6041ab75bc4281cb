"""Public reads of the reward scheme: the rules in force, an informant's own claims, and the
monthly transparency figures. Nothing here returns an identity, a handler or a staff note."""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from complaints.models import (
    CategoryKind,
    ClaimState,
    Report,
    ReportKind,
    RewardClaim,
    RewardRule,
)
from complaints.privacy.codes import access_code_hash


def reward_rules_in_force(*, on: date | None = None) -> list[RewardRule]:
    """One rule per active, reward-eligible violation: the version in force on ``on`` (today).

    Violations are event categories (事件); a component (部件, e.g. 绿地) is a public facility,
    and reports about one are complaints, never rewarded, even if an old rule names it.
    """
    on = on or timezone.localdate()
    rules = (
        RewardRule.objects.filter(
            category__is_active=True,
            category__reward_eligible=True,
            category__kind=CategoryKind.EVENT,
            effective_from__lte=on,
        )
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .select_related("category")
        .order_by("category__kind", "category__code", "-effective_from")
    )
    chosen: dict[int, RewardRule] = {}
    for rule in rules:
        chosen.setdefault(rule.category_id, rule)  # rules never overlap; the newest wins anyway
    return list(chosen.values())


def informant_report_for_receipt(*, code: str) -> Report | None:
    """The informant report whose receipt code is ``code``, or None."""
    return (
        Report.objects.filter(kind=ReportKind.INFORMANT, access_code_hash=access_code_hash(code))
        .select_related("category")
        .first()
    )


def informant_claims(*, report: Report) -> QuerySet[RewardClaim]:
    """The report's reward claims, in filing order (joint reporters each have one)."""
    return report.reward_claims.order_by("pk").only(
        "state", "amount", "reasons", "paid_at", "payment_reference", "report_id"
    )


@dataclass
class PayoutRow:
    category_name: str
    reports: int
    amount: Decimal
    # Shown instead of the Chinese name on the English site (portal/content_language.py).
    category_name_en: str = ""


@dataclass
class PayoutMonth:
    month: date
    rows: list[PayoutRow] = field(default_factory=list)

    @property
    def reports(self) -> int:
        return sum(row.reports for row in self.rows)

    @property
    def amount(self) -> Decimal:
        return sum((row.amount for row in self.rows), Decimal("0.00"))


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def _months(first: date, last: date) -> list[date]:
    months, month = [], _month_start(first)
    while month <= last:
        months.append(month)
        month = _next_month(month)
    return months


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def reward_payouts_by_month(
    *, year: int | None = None, today: date | None = None
) -> list[PayoutMonth]:
    """Rewarded reports and the amount paid per month and category, newest month first.

    ``year``: that calendar year's months (up to the current month); otherwise the last 12
    months. Only claims that are paid count: a payout reversed later leaves the claim
    cancelled, so it drops out. Joint reporters of one report count as one rewarded report.
    """
    today = today or timezone.localdate()
    if year is not None:
        first, last = date(year, 1, 1), min(date(year, 12, 1), _month_start(today))
    else:
        last = _month_start(today)
        first = _next_month(date(last.year - 1, last.month, 1))
    months = {month: PayoutMonth(month=month) for month in _months(first, last)}
    if not months:
        return []
    rows = (
        RewardClaim.objects.filter(
            state=ClaimState.PAID,
            paid_at__gte=_local_midnight(first),
            paid_at__lt=_local_midnight(_next_month(last)),
        )
        .annotate(month=TruncMonth("paid_at"))
        .values(
            "month",
            "report__category__name",
            "report__category__name_en",
            "report__category__code",
        )
        .annotate(reports=Count("report", distinct=True), amount=Sum("amount"))
        .order_by("month", "report__category__code")
    )
    for row in rows:
        month = row["month"]
        month = month.date() if hasattr(month, "date") else month
        if month in months:
            months[month].rows.append(
                PayoutRow(
                    category_name=row["report__category__name"],
                    category_name_en=row["report__category__name_en"],
                    reports=row["reports"],
                    amount=row["amount"] or Decimal("0.00"),
                )
            )
    return sorted(months.values(), key=lambda m: m.month, reverse=True)


def reward_payout_years() -> list[int]:
    """Years with at least one paid reward, newest first, and always the current year."""
    years = {
        paid.year
        for paid in RewardClaim.objects.filter(state=ClaimState.PAID).datetimes("paid_at", "year")
    }
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)
