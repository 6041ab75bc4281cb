"""The public performance figures: received, closed, on-time closure and satisfaction, this
month and this year, per town and for the district. One read serves the home page's live
figures (cms) and the public performance page (indicators), so the two always agree.

It lives here, below both, because the public pages may not import the indicators app
(.importlinter). The formulas are those of docs/indicators.md (``indicators.selectors`` computes
the same counts for staff; tests/indicators/test_public.py checks that they agree):

- received: reports created in the period;
- closed: closures in the period (``closed_at``, state closed or rework requested);
- on-time closure rate: closed on time ÷ due to close (deadline in the period, not rejected
  nor duplicate);
- satisfaction rate: (满意 + 基本满意) ÷ ratings recorded in the period.

Aggregates only, and no figure from fewer than ``MINIMUM_REPORTS`` reports: a count below it,
or a rate whose denominator is below it, is withheld (``None``, shown as "—").

Cost: one GROUP BY over reports and one over ratings for both periods and every town, plus the
town names; the result is kept in the shared cache for ``CACHE_SECONDS``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import pgettext

from complaints.cases.workflow import PublicState, internal_states_for
from complaints.models import (
    Report,
    ReportState,
    SatisfactionRating,
    SatisfactionResponse,
    Town,
)

MINIMUM_REPORTS = 5
CACHE_SECONDS = 60
CACHE_KEY = "performance_public:v1"

CLOSED_STATES = tuple(internal_states_for(PublicState.CLOSED))
NOT_CASES = (ReportState.REJECTED, ReportState.DUPLICATE)
SATISFIED = (SatisfactionRating.SATISFIED, SatisfactionRating.BASICALLY_SATISFIED)
PERIODS = ("month", "year")


def _withheld(value: int) -> int | None:
    return value if value >= MINIMUM_REPORTS else None


def _rate(numerator: int, denominator: int) -> float | None:
    if denominator < MINIMUM_REPORTS:
        return None
    return 100.0 * numerator / denominator


@dataclass
class PublicCounts:
    """The raw counts of one town (or the district) in one period. Never shown as they are:
    the properties below withhold what rests on fewer than ``MINIMUM_REPORTS`` reports."""

    received_count: int = 0
    closed_count: int = 0
    due_count: int = 0
    on_time_count: int = 0
    responses_count: int = 0
    satisfied_count: int = 0

    @property
    def received(self) -> int | None:
        return _withheld(self.received_count)

    @property
    def closed(self) -> int | None:
        return _withheld(self.closed_count)

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.on_time_count, self.due_count)

    @property
    def satisfaction_rate(self) -> float | None:
        return _rate(self.satisfied_count, self.responses_count)

    def add(self, other: "PublicCounts") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class PublicTownRow:
    town_id: int | None
    name: str
    month: PublicCounts = field(default_factory=PublicCounts)
    year: PublicCounts = field(default_factory=PublicCounts)


@dataclass
class PublicPerformance:
    """This month's and this year's figures, per town (every town, in code order) and for
    the whole district, as of ``today``."""

    today: date
    month_first: date
    year_first: date
    towns: list[PublicTownRow]
    district: PublicTownRow
    computed_at: datetime


# A feature that keeps the same counts pre-aggregated (the indicators' rollups) registers a
# provider here; complaints never imports it. ``provider(month_first=, year_first=)`` returns
# {town id: {"month_received_count": n, ..., "year_satisfied_count": n}} with the names of
# ``PublicCounts`` prefixed by the period, or None when it cannot answer (then the raw data is
# read). tests/indicators/test_rollups.py checks that both give the same figures.
_COUNTS_PROVIDERS: list[Callable[..., dict | None]] = []


def register_counts_provider(provider: Callable[..., dict | None]) -> None:
    if provider not in _COUNTS_PROVIDERS:
        _COUNTS_PROVIDERS.append(provider)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _compute(today: date) -> PublicPerformance:
    month_first, year_first = today.replace(day=1), today.replace(month=1, day=1)
    for provider in _COUNTS_PROVIDERS:
        provided = provider(month_first=month_first, year_first=year_first)
        if provided is not None:
            return _performance(today, month_first, year_first, provided.items())
    bounds = {
        "month": (_midnight(month_first), _midnight(_next_month(month_first))),
        "year": (_midnight(year_first), _midnight(date(today.year + 1, 1, 1))),
    }
    aggregates = {}
    wide = Q()
    for key, (start, end) in bounds.items():
        created = Q(created_at__gte=start, created_at__lt=end)
        closure = Q(closed_at__gte=start, closed_at__lt=end, state__in=CLOSED_STATES)
        due = Q(deadline__gte=start, deadline__lt=end) & ~Q(state__in=NOT_CASES)
        wide |= created | closure | due
        aggregates.update(
            {
                f"{key}_received_count": Count("pk", filter=created),
                f"{key}_closed_count": Count("pk", filter=closure),
                f"{key}_due_count": Count("pk", filter=due),
                f"{key}_on_time_count": Count(
                    "pk", filter=due & Q(state__in=CLOSED_STATES, closed_on_time=True)
                ),
            }
        )
    counted = Report.objects.filter(wide).order_by().values("town_id").annotate(**aggregates)

    start, end = bounds["year"]
    rating_aggregates = {}
    for key, (p_start, p_end) in bounds.items():
        recorded = Q(created_at__gte=p_start, created_at__lt=p_end)
        rating_aggregates[f"{key}_responses_count"] = Count("pk", filter=recorded)
        rating_aggregates[f"{key}_satisfied_count"] = Count(
            "pk", filter=recorded & Q(rating__in=SATISFIED)
        )
    rated = (
        SatisfactionResponse.objects.filter(created_at__gte=start, created_at__lt=end)
        .order_by()
        .values("report__town_id")
        .annotate(**rating_aggregates)
    )

    found: list[tuple[Any, Any]] = [(counts["town_id"], counts) for counts in counted]
    found += [(ratings["report__town_id"], ratings) for ratings in rated]
    return _performance(today, month_first, year_first, found)


def _performance(today: date, month_first: date, year_first: date, found) -> PublicPerformance:
    """The rows of every town (and the district) from ``(town id, {period_count: n})`` pairs."""
    rows: dict[int | None, PublicTownRow] = {}

    for town_id, values in found:
        row = rows.setdefault(town_id, PublicTownRow(town_id=town_id, name=""))
        for name, value in values.items():
            if name in ("town_id", "report__town_id"):
                continue
            period, attribute = name.split("_", 1)
            setattr(
                getattr(row, period), attribute, getattr(getattr(row, period), attribute) + value
            )

    towns = []
    for town in Town.objects.order_by("code").only("pk", "name"):
        row = rows.pop(town.pk) if town.pk in rows else PublicTownRow(town_id=town.pk, name="")
        row.name = town.name
        towns.append(row)
    district = PublicTownRow(town_id=None, name="")
    for row in [*towns, *rows.values()]:  # reports without a town count too
        district.month.add(row.month)
        district.year.add(row.year)
    return PublicPerformance(
        today=today,
        month_first=month_first,
        year_first=year_first,
        towns=towns,
        district=district,
        computed_at=timezone.now(),
    )


def public_performance(*, today: date | None = None, use_cache: bool = True) -> PublicPerformance:
    """The public figures as of ``today`` (default: the local date), from the shared cache
    when a copy younger than ``CACHE_SECONDS`` is there."""
    today = today or timezone.localdate()
    if not use_cache:
        return _compute(today)
    key = f"{CACHE_KEY}:{today:%Y%m%d}"
    found = cache.get(key)
    if isinstance(found, PublicPerformance):
        return found
    computed = _compute(today)
    cache.set(key, computed, CACHE_SECONDS)
    return computed


def display_count(value: int | None) -> str:
    return "—" if value is None else str(value)


def display_rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def public_headline(counts: PublicCounts) -> list[dict]:
    """The four figures of one period as text, each {key, value, label, withheld}: the home
    page's live slot and the performance page show exactly these."""
    figures = [
        (
            "received",
            display_count(counts.received),
            pgettext("public performance", "reports received"),
        ),
        ("closed", display_count(counts.closed), pgettext("public performance", "reports closed")),
        (
            "on_time",
            display_rate(counts.on_time_rate),
            pgettext("public performance", "closed on time"),
        ),
        (
            "satisfaction",
            display_rate(counts.satisfaction_rate),
            pgettext("public performance", "residents satisfied"),
        ),
    ]
    return [
        {"key": key, "value": value, "label": label, "withheld": value == "—"}
        for key, value, label in figures
    ]
