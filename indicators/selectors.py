"""The indicators of docs/indicators.md, computed in the database per town, community,
department or category and period.

Every count comes from one GROUP BY over reports with conditional aggregates, the ratings from
one GROUP BY over satisfaction responses, the handling times from one narrow read of the period's
closures measured on the working clock; the labels and the holiday calendar are one query each.
So a table costs the same handful of queries whatever the number of reports
(tests/indicators/test_selectors.py pins it).
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.cases.services.deadlines import CLOCK_STATES
from complaints.models import (
    CaseEvent,
    Category,
    Community,
    Department,
    Report,
    ReportState,
    SatisfactionRating,
    SatisfactionResponse,
    Town,
)
from indicators.models import DailyRollup, MonthlyRollup, RollupFootprint
from indicators.periods import Period
from indicators.rollups import covered_from, midnight
from indicators.working_hours import WorkingClock

# What a row of the table is grouped by: the report's foreign key and the model it points to.
DIMENSIONS = {
    "town": ("town_id", Town, _("Town")),
    "community": ("community_id", Community, _("Community")),
    "department": ("department_id", Department, _("Department")),
    "category": ("category_id", Category, _("Category")),
}

# Closed for the resident: closed, or closed with a rework request not yet accepted.
CLOSED_STATES = (ReportState.CLOSED, ReportState.REOPEN_REQUESTED)
# Never due: intake decided the report is not a case (or the same case as another).
NOT_CASES = (ReportState.REJECTED, ReportState.DUPLICATE)
SATISFIED = (SatisfactionRating.SATISFIED, SatisfactionRating.BASICALLY_SATISFIED)


def _ratio(numerator, denominator) -> float | None:
    """A percentage, or None when there is nothing to divide by (shown as "—", never 0 %)."""
    if not denominator:
        return None
    return 100.0 * numerator / denominator


# The report counts of the raw query, and the counts the rollups add up (their names).
RAW_COUNTS = (
    "received",
    "awaiting_intake",
    "registered",
    "due",
    "closed_of_due",
    "on_time",
    "closures",
    "reworked",
    "rated_closures",
    "overdue_now",
    "supporters",
)
ROLLED_COUNTS = (
    "received",
    "awaiting_intake",
    "registered",
    "due",
    "closed_of_due",
    "on_time",
    "closures",
    "reworked",
    "rated_closures",
    "supporters",
    "responses",
    "callbacks",
)


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (``share`` 0.9 for the 90th): a value that occurred."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[nearest_rank(share, len(ordered)) - 1]


def nearest_rank(share: float, count: int) -> int:
    """⌈share × count⌉, at least 1, without float drift (0.9 × 70 is 63, not 63.00000000000001)."""
    return max(1, math.ceil(round(share * count, 9)))


@dataclass
class IndicatorRow:
    """The indicators of one town, community, department or category (or the district)."""

    key: int | None
    label: str
    received: int = 0
    awaiting_intake: int = 0
    registered: int = 0
    due: int = 0
    closed_of_due: int = 0
    on_time: int = 0
    closures: int = 0
    reworked: int = 0
    rated_closures: int = 0
    overdue_now: int = 0
    supporters: int = 0
    responses: int = 0
    satisfied: int = 0
    callbacks: int = 0
    hours: list[float] = field(default_factory=list, repr=False)
    # Whole months from the monthly rollups: the sum and number of the closures' handling
    # hours, and their 90th percentile computed in the database (no list of hours).
    hours_sum: float = 0.0
    hours_count: int = 0
    p90_summed: float | None = None

    COUNTS = (
        "received",
        "awaiting_intake",
        "registered",
        "due",
        "closed_of_due",
        "on_time",
        "closures",
        "reworked",
        "rated_closures",
        "overdue_now",
        "supporters",
        "responses",
        "satisfied",
        "callbacks",
    )

    @property
    def registration_rate(self) -> float | None:
        return _ratio(self.registered, self.received - self.awaiting_intake)

    @property
    def closure_rate(self) -> float | None:
        return _ratio(self.closed_of_due, self.due)

    @property
    def on_time_rate(self) -> float | None:
        return _ratio(self.on_time, self.due)

    @property
    def rework_rate(self) -> float | None:
        return _ratio(self.reworked, self.closures)

    @property
    def satisfaction_rate(self) -> float | None:
        return _ratio(self.satisfied, self.responses)

    @property
    def response_rate(self) -> float | None:
        return _ratio(self.rated_closures, self.closures)

    @property
    def supporters_per_report(self) -> float | None:
        return self.supporters / self.received if self.received else None

    @property
    def average_hours(self) -> float | None:
        count = self.hours_count + len(self.hours)
        return (self.hours_sum + sum(self.hours)) / count if count else None

    @property
    def p90_hours(self) -> float | None:
        if self.hours_count:
            return self.p90_summed
        return percentile(self.hours, 0.9)

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in self.COUNTS)

    def add(self, other: "IndicatorRow") -> None:
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.hours.extend(other.hours)
        self.hours_sum += other.hours_sum
        self.hours_count += other.hours_count


@dataclass
class IndicatorTable:
    dimension: str
    period: Period
    rows: list[IndicatorRow]
    total: IndicatorRow
    computed_at: datetime


def _reports(*, town=None, department=None, category=None):
    reports = Report.objects.all()
    if town is not None:
        reports = reports.filter(town=town)
    if department is not None:
        reports = reports.filter(department=department)
    if category is not None:
        reports = reports.filter(category=category)
    return reports


def indicator_table(
    *,
    dimension: str,
    period: Period,
    town=None,
    department=None,
    category=None,
    now: datetime | None = None,
    include_empty: bool = False,
) -> IndicatorTable:
    """The indicators of ``period`` per ``dimension`` (a key of ``DIMENSIONS``), with the total.

    ``town``, ``department`` and ``category`` narrow every figure to reports of theirs. Rows
    with no figure at all are left out unless ``include_empty`` (the ranking lists every town).
    Reports with no value for the dimension (a report without a town) form the row "(none)".
    """
    now = now or timezone.now()
    column, model, _label = DIMENSIONS[dimension]
    reports = _reports(town=town, department=department, category=category)

    # The daily rollups hold every day from the first they cover (indicators/rollups.py);
    # the raw data serves the days before it, and "overdue now", a snapshot, always.
    covered = covered_from()
    if covered is None or covered >= period.end_day:
        raw_end, rolled_first = period.end, None
    else:
        rolled_first = max(covered, period.first)
        raw_end = min(period.end, midnight(rolled_first))
    start = period.start
    raw = start < raw_end

    created = Q(created_at__gte=start, created_at__lt=raw_end)
    due = Q(deadline__gte=start, deadline__lt=raw_end) & ~Q(state__in=NOT_CASES)
    closure = Q(closed_at__gte=start, closed_at__lt=raw_end, state__in=CLOSED_STATES)
    overdue = Q(state__in=CLOCK_STATES, deadline__lt=now)
    was_registered = Exists(
        CaseEvent.objects.filter(
            report=OuterRef("pk"),
            kind=CaseEvent.Kind.STATE_CHANGED,
            to_state=ReportState.REGISTERED,
        )
    )
    closure_rated = Exists(
        SatisfactionResponse.objects.filter(report=OuterRef("pk"), closure=OuterRef("rework_count"))
    )

    rows: dict[int | None, IndicatorRow] = {}

    def row(key) -> IndicatorRow:
        if key not in rows:
            rows[key] = IndicatorRow(key=key, label="")
        return rows[key]

    def add(key, values) -> None:
        target = row(key)
        for name, value in values.items():
            setattr(target, name, getattr(target, name) + (value or 0))

    # 1. Every raw count of reports and of ratings, in one query (a GROUP BY over reports with
    # conditional counts and one over ratings, joined by UNION ALL).
    zero = Value(0, output_field=IntegerField())
    rating_names = ("responses", "satisfied", "callbacks")
    if raw:
        counts = {
            "received": Count("pk", filter=created),
            "awaiting_intake": Count("pk", filter=created & Q(state=ReportState.RECEIVED)),
            "registered": Count("pk", filter=created & Q(was_registered)),
            "due": Count("pk", filter=due),
            "closed_of_due": Count("pk", filter=due & Q(state__in=CLOSED_STATES)),
            "on_time": Count("pk", filter=due & Q(state__in=CLOSED_STATES, closed_on_time=True)),
            "closures": Count("pk", filter=closure),
            "reworked": Count("pk", filter=closure & Q(rework_count__gt=0)),
            "rated_closures": Count("pk", filter=closure & Q(closure_rated)),
            "overdue_now": Count("pk", filter=overdue),
            "supporters": Coalesce(Sum("supporter_count", filter=created), 0),
        }
        counted = (
            reports.filter(created | due | closure | overdue)
            .order_by()
            .values(column)
            .annotate(**counts, **dict.fromkeys(rating_names, zero))
        )
    else:
        # Every day of the period is rolled up: "overdue now" from the footprints' partial
        # index of the cases whose clock runs (kept with the rollups, so as exact).
        counted = (
            RollupFootprint.objects.filter(
                running=True, deadline__lt=now, **_narrowing(town, department, category)
            )
            .order_by()
            .values(dimension)
            .annotate(overdue_now=Count("*"))  # COUNT(*): an index-only scan
        )
    if raw:
        ratings = (
            SatisfactionResponse.objects.filter(
                created_at__gte=start, created_at__lt=raw_end, report__in=reports
            )
            .order_by()
            .values(f"report__{column}")
            .annotate(
                **dict.fromkeys(RAW_COUNTS, zero),
                responses=Count("pk"),
                satisfied=Count("pk", filter=Q(rating__in=SATISFIED)),
                callbacks=Count("pk", filter=Q(channel=SatisfactionResponse.Channel.CALLBACK)),
            )
        )
        counted = counted.union(ratings, all=True).order_by()
    for values in counted:
        add(values.pop(column if raw else dimension) or None, values)

    # 1b. The rolled-up days: one GROUP BY over the period's rollup rows. Whole months (a
    # month or a year covered from its first day, nothing raw) take the handling hours' sum
    # from the monthly rows too (every closure has its hours: their number is the closures').
    summed = (
        rolled_first is not None and not raw and rolled_first.day == 1 and period.end_day.day == 1
    )
    if rolled_first is not None:
        narrowing = _narrowing(town, department, category)
        sums = {name: Sum(name) for name in ROLLED_COUNTS}
        if summed:
            sums["hours_sum"] = Sum("hours_sum")
        rolled = (
            _rollup_rows(rolled_first, period.end_day, narrowing)
            .order_by()
            .values(dimension)
            .annotate(**sums, satisfied=Sum(F("satisfied") + F("basically_satisfied")))
        )
        for values in rolled:
            key = values.pop(dimension) or None
            if summed:
                row(key).hours_sum += values.pop("hours_sum") or 0.0
                row(key).hours_count += values["closures"] or 0
            add(key, values)

    # 2. Handling time of the period's closures: first dispatch (else receipt) to closure;
    # measured here for the raw days, kept in the footprints for the rolled-up days.
    first_dispatch = Subquery(
        CaseEvent.objects.filter(
            report=OuterRef("pk"),
            kind=CaseEvent.Kind.STATE_CHANGED,
            to_state=ReportState.DISPATCHED,
        )
        .order_by()
        .values("report")
        .annotate(first=Min("created_at"))
        .values("first")[:1]
    )
    spans = []
    if raw:
        spans = list(
            reports.filter(closure)
            .order_by()
            .annotate(began=Coalesce(first_dispatch, F("created_at")))
            .values_list(column, "began", "closed_at")
        )
    if spans:
        first_day = min(timezone.localtime(began).date() for _key, began, _closed in spans)
        last_day = max(timezone.localtime(closed).date() for _key, _began, closed in spans)
        clock = WorkingClock(first=first_day, last=last_day + timedelta(days=1))
        for key, began, closed in spans:
            row(key).hours.append(clock.hours_between(began, closed))
    district_p90 = None
    if rolled_first is not None:
        closed = RollupFootprint.objects.filter(
            closed_day__gte=rolled_first,
            closed_day__lt=period.end_day,
            hours__isnull=False,
            **narrowing,
        ).order_by()
        if summed:
            # The 90th percentile in the database: one value per group and one for the
            # district, never the period's list of hours.
            for key, hours in _p90_by(closed, dimension):
                row(key or None).p90_summed = hours
            district_p90 = next((hours for _key, hours in _p90_by(closed, None)), None)
        else:
            for key, hours in closed.values_list(dimension, "hours"):
                row(key or None).hours.append(hours)

    # 3. Labels (every object of the dimension when empty rows are wanted).
    objects = model._default_manager.order_by(*(model._meta.ordering or ["pk"]))
    if not include_empty:
        objects = objects.filter(pk__in=[key for key in rows if key is not None])
    ordered: list[IndicatorRow] = []
    for obj in objects:
        target = rows.pop(obj.pk) if obj.pk in rows else IndicatorRow(key=obj.pk, label="")
        target.label = getattr(obj, "name", "") if dimension != "category" else str(obj)
        ordered.append(target)
    if None in rows:
        unknown = rows.pop(None)
        unknown.label = str(_("(none)"))
        ordered.append(unknown)

    total = IndicatorRow(key=None, label=str(_("Whole district")))
    for item in ordered:
        total.add(item)
    total.p90_summed = district_p90
    return IndicatorTable(
        dimension=dimension, period=period, rows=ordered, total=total, computed_at=now
    )


def _p90_by(closed, dimension: str | None):
    """(group, 90th percentile of ``hours``) per value of ``dimension`` of the footprints
    ``closed`` (the whole set when None): the nearest rank ⌈0.9 n⌉ = (9 n + 9) div 10 in each
    group, by ROW_NUMBER over the hours (one query; PostgreSQL and SQLite alike)."""
    partition = [F(dimension)] if dimension else []
    ranked = closed.annotate(
        rank=Window(RowNumber(), partition_by=partition, order_by=[F("hours").asc()]),
        size=Window(Count("*"), partition_by=partition),
    ).filter(rank=(F("size") * 9 + 9) / 10)
    if dimension is None:
        return [(None, hours) for hours in ranked.values_list("hours", flat=True)]
    return list(ranked.values_list(dimension, "hours"))


def monthly_trend(*, months: list[Period], town=None, department=None, category=None) -> list[dict]:
    """Received, closed and closed on time per month of ``months`` (one query)."""
    from django.db.models.functions import TruncMonth

    if not months:
        return []
    covered = covered_from()
    if covered is not None and covered <= months[0].first:
        return _monthly_trend_rolled(months, _narrowing(town, department, category))
    start, end = months[0].start, months[-1].end
    reports = _reports(town=town, department=department, category=category)
    received = dict(
        reports.filter(created_at__gte=start, created_at__lt=end)
        .order_by()
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    closed = {
        row["month"]: row
        for row in reports.filter(closed_at__gte=start, closed_at__lt=end, state__in=CLOSED_STATES)
        .order_by()
        .annotate(month=TruncMonth("closed_at"))
        .values("month")
        .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(closed_on_time=True)))
    }

    def key(moment):
        return timezone.localtime(moment).date().replace(day=1) if moment else None

    received = {key(month): n for month, n in received.items()}
    closed = {key(month): row for month, row in closed.items()}
    return [
        {
            "period": month,
            "received": received.get(month.first, 0),
            "closed": closed.get(month.first, {}).get("n", 0),
            "on_time": closed.get(month.first, {}).get("on_time", 0),
        }
        for month in months
    ]


def _monthly_trend_rolled(months: list[Period], narrowing: dict) -> list[dict]:
    """``monthly_trend`` from the monthly rollups (one GROUP BY over the span's rows)."""
    by_month: dict[Any, Any] = {
        row["first"]: row
        for row in MonthlyRollup.objects.filter(
            month__gte=months[0].first, month__lt=months[-1].end_day, **narrowing
        )
        .order_by()
        .values(first=F("month"))
        .annotate(received=Sum("received"), closed=Sum("closures"), on_time=Sum("closures_on_time"))
    }
    return [
        {
            "period": month,
            "received": by_month.get(month.first, {}).get("received") or 0,
            "closed": by_month.get(month.first, {}).get("closed") or 0,
            "on_time": by_month.get(month.first, {}).get("on_time") or 0,
        }
        for month in months
    ]


def _rollup_rows(first: date, end: date, narrowing: dict):
    """The rollup rows of the days ``[first, end)``: the monthly rows when they are whole
    months (a month or a year covered from its first day), else the daily ones."""
    if first.day == 1 and end.day == 1:
        return MonthlyRollup.objects.filter(month__gte=first, month__lt=end, **narrowing)
    return DailyRollup.objects.filter(day__gte=first, day__lt=end, **narrowing)


def _narrowing(town, department, category) -> dict[str, int]:
    """The rollup filters of a narrowing to one town, department or category."""
    return {
        name: obj.pk
        for name, obj in (("town", town), ("department", department), ("category", category))
        if obj is not None
    }


def received_by_category(
    *, period: Period, town=None, department=None, category=None, limit: int = 10
) -> list[tuple[str, int]]:
    """The categories with the most reports received in ``period``, most first (one query)."""
    covered = covered_from()
    if covered is not None and covered <= period.first:
        of_category = Category.objects.filter(pk=OuterRef("category"))
        ranked = (
            _rollup_rows(period.first, period.end_day, _narrowing(town, department, category))
            .filter(received__gt=0)
            .order_by()
            .values("category")
            .annotate(
                n=Sum("received"),
                code=Subquery(of_category.values("code")[:1]),
                name=Subquery(of_category.values("name")[:1]),
            )
            .order_by("-n", "code")[:limit]
        )
        return [(f"{row['code']} {row['name']}", row["n"]) for row in ranked]
    rows = (
        _reports(town=town, department=department, category=category)
        .filter(created_at__gte=period.start, created_at__lt=period.end)
        .order_by()
        .values("category__code", "category__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "category__code")[:limit]
    )
    return [(f"{row['category__code']} {row['category__name']}", row["n"]) for row in rows]
