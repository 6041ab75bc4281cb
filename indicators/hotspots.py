"""Hot spots: grid cells where one category keeps being reported (docs/indicators.md, "Hot spots").

Computed on demand from the reports, never stored: a detection is one GROUP BY over the reports
of the look-back span (the current window and the cell's previous windows, on the index of
``Report.created_at``) with one conditional count per window, one GROUP BY for the district's
per-category totals, one count of grid cells, and one narrow read of the candidates' cases for
their fixes and recurrences. So a list costs the same few queries whatever the number of reports
or hot spots, and it is always as current as the cases behind it.

The thresholds are settings (``INDICATORS_HOTSPOT_*``, read through :func:`rules`).
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from complaints.models import Category, GridCell, Report, ReportState
from indicators.models import DailyRollup
from indicators.rollups import cells_covered_from, midnight
from indicators.selectors import CLOSED_STATES, NOT_CASES

# Cases not closed yet (neither closed for the resident nor decided not to be cases).
UNFINISHED_STATES = tuple(
    state for state in ReportState.values if state not in (*CLOSED_STATES, *NOT_CASES)
)


@dataclass(frozen=True)
class Rules:
    """The detection's parameters (settings ``INDICATORS_HOTSPOT_*``)."""

    window_days: int = 28
    history_windows: int = 6
    min_reports: int = 3
    factor: float = 2.0
    recurrence_weeks: int = 8

    @property
    def window(self) -> timedelta:
        return timedelta(days=self.window_days)

    @property
    def recurrence(self) -> timedelta:
        return timedelta(weeks=self.recurrence_weeks)


def rules() -> Rules:
    return Rules(
        window_days=getattr(settings, "INDICATORS_HOTSPOT_WINDOW_DAYS", 28),
        history_windows=getattr(settings, "INDICATORS_HOTSPOT_HISTORY_WINDOWS", 6),
        min_reports=getattr(settings, "INDICATORS_HOTSPOT_MIN_REPORTS", 3),
        factor=getattr(settings, "INDICATORS_HOTSPOT_FACTOR", 2.0),
        recurrence_weeks=getattr(settings, "INDICATORS_HOTSPOT_RECURRENCE_WEEKS", 8),
    )


# --- fixes and recurrences of one cell and category ------------------------------------------


@dataclass(frozen=True)
class CaseSpan:
    """One case of a hot spot: received, and closed (None while it is open)."""

    created_at: datetime
    closed_at: datetime | None


@dataclass
class History:
    """The fixes and recurrences of one cell and category, from its cases.

    A *fix* is a moment when every case received so far is closed (the last closure of a run of
    overlapping cases). A *recurrence* is a new case received within the recurrence interval
    after a fix.
    """

    fixes: list[datetime] = field(default_factory=list)
    recurrences: list[tuple[datetime, datetime]] = field(default_factory=list)  # (fix, return)
    open_cases: int = 0

    @property
    def is_fixed(self) -> bool:
        return bool(self.fixes) and self.open_cases == 0

    @property
    def fixed_at(self) -> datetime | None:
        return self.fixes[-1] if self.is_fixed else None

    def recurred_since(self, moment: datetime) -> bool:
        return any(returned >= moment for _fix, returned in self.recurrences)


def history_of(spans: list[CaseSpan], *, recurrence: timedelta) -> History:
    """Walk the cases in the order received: a gap after every earlier case closed is a fix."""
    history = History()
    covered_until: datetime | None = None  # the last closure so far; None before any case
    is_open = False
    for span in sorted(spans, key=lambda s: s.created_at):
        if covered_until is not None and not is_open and span.created_at > covered_until:
            history.fixes.append(covered_until)
            if span.created_at - covered_until <= recurrence:
                history.recurrences.append((covered_until, span.created_at))
        if span.closed_at is None:
            is_open = True
            history.open_cases += 1
        else:
            end = max(span.closed_at, span.created_at)
            covered_until = end if covered_until is None else max(covered_until, end)
    if spans and not is_open and covered_until is not None:
        history.fixes.append(covered_until)
    return history


def _spans(pairs: set[tuple[int, int]], *, since: datetime) -> dict[tuple[int, int], list]:
    """The cases of each (cell, category) pair received since ``since`` or still open: one read."""
    found: dict[tuple[int, int], list[CaseSpan]] = {pair: [] for pair in pairs}
    if not pairs:
        return found
    cells = {cell for cell, _category in pairs}
    categories = {category for _cell, category in pairs}
    reports = Report.objects.filter(grid_cell_id__in=cells, category_id__in=categories)
    fields = ("grid_cell_id", "category_id", "created_at", "state", "closed_at")
    # Two reads, each on an index (received since; older but still open, by state) rather than
    # one OR that the database can only answer by scanning every report.
    rows = [
        *reports.filter(created_at__gte=since).exclude(state__in=NOT_CASES).values_list(*fields),
        *reports.filter(created_at__lt=since, state__in=UNFINISHED_STATES).values_list(*fields),
    ]
    for cell, category, created_at, state, closed_at in rows:
        spans = found.get((cell, category))
        if spans is None:
            continue
        closed = (closed_at or created_at) if state in CLOSED_STATES else None
        spans.append(CaseSpan(created_at=created_at, closed_at=closed))
    return found


def histories(
    pairs: set[tuple[int, int]], *, since: datetime, recurrence: timedelta | None = None
) -> dict[tuple[int, int], History]:
    """The history of each (cell, category) pair from its cases since ``since``."""
    recurrence = recurrence if recurrence is not None else rules().recurrence
    return {
        pair: history_of(spans, recurrence=recurrence)
        for pair, spans in _spans(pairs, since=since).items()
    }


# --- detection --------------------------------------------------------------------------------


@dataclass
class HotSpot:
    cell_id: int
    cell_code: str
    cell_name: str
    town_id: int | None
    town_name: str
    community_name: str
    category_id: int
    category_name: str
    count: int  # cases received in the current window
    counts: list[int]  # per window, oldest first; the last is the current window
    baseline: float  # the cell's mean over its previous windows
    district_average: float  # the category's cases per grid cell in the current window
    trend: str  # "new", "rising" or "persistent"
    history: History
    # The cell's bounding box (min lat, min lng, max lat, max lng), None without a polygon.
    box: tuple[float, float, float, float] | None = None

    @property
    def key(self) -> tuple[int, int]:
        return (self.cell_id, self.category_id)

    @property
    def is_recurring(self) -> bool:
        return bool(self.history.recurrences)

    @property
    def is_fixed(self) -> bool:
        return self.history.is_fixed


# Cells drawn edge to edge rarely share coordinates exactly: boxes this close touch (about
# 10 m, the tolerance of the duplicate search's neighbouring cells).
TOUCH_TOLERANCE_DEG = 0.0001


def cells_touch(one: HotSpot, other: HotSpot) -> bool:
    """Neighbouring cells: their bounding boxes touch or overlap (within the tolerance), the
    rule of ``complaints.reference.selectors.geography.grid_cell_neighbour_ids``. A cell
    without a polygon touches none."""
    if one.box is None or other.box is None:
        return False
    t = TOUCH_TOLERANCE_DEG
    (a_lat, a_lng, a_lat2, a_lng2), (b_lat, b_lng, b_lat2, b_lng2) = one.box, other.box
    return (
        a_lat <= b_lat2 + t and b_lat <= a_lat2 + t and a_lng <= b_lng2 + t and b_lng <= a_lng2 + t
    )


@dataclass
class Cluster:
    """Hot cells of one category that touch, directly or through each other: one hot spot of
    one or more cells (docs/indicators.md, "Clusters of neighbouring cells")."""

    spots: list[HotSpot]  # biggest first

    @property
    def lead(self) -> HotSpot:
        return self.spots[0]

    @property
    def key(self) -> tuple[int, int]:
        return self.lead.key

    @property
    def category_id(self) -> int:
        return self.lead.category_id

    @property
    def category_name(self) -> str:
        return self.lead.category_name

    @property
    def count(self) -> int:
        return sum(spot.count for spot in self.spots)

    @property
    def counts(self) -> list[int]:
        return [sum(values) for values in zip(*(spot.counts for spot in self.spots), strict=True)]

    @property
    def town_names(self) -> list[str]:
        return sorted({spot.town_name for spot in self.spots if spot.town_name})

    @property
    def is_recurring(self) -> bool:
        return any(spot.is_recurring for spot in self.spots)

    @property
    def is_fixed(self) -> bool:
        return all(spot.is_fixed for spot in self.spots)

    @property
    def open_cases(self) -> int:
        return sum(spot.history.open_cases for spot in self.spots)

    @property
    def recurrences(self) -> int:
        return sum(len(spot.history.recurrences) for spot in self.spots)


def clusters_of(hot_spots: list[HotSpot]) -> list[Cluster]:
    """The hot spots merged into clusters: same category and cells that touch, transitively
    (a chain of three cells is one cluster); biggest first, like the hot spots."""
    parent = list(range(len(hot_spots)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for i, one in enumerate(hot_spots):
        for j in range(i + 1, len(hot_spots)):
            other = hot_spots[j]
            if one.category_id == other.category_id and cells_touch(one, other):
                parent[root(j)] = root(i)
    groups: dict[int, list[HotSpot]] = {}
    for index, spot in enumerate(hot_spots):
        groups.setdefault(root(index), []).append(spot)
    found = [
        Cluster(spots=sorted(spots, key=lambda s: (-s.count, s.cell_code)))
        for spots in groups.values()
    ]
    found.sort(key=lambda c: (-c.count, -c.recurrences, c.lead.cell_code))
    return found


@dataclass
class Detection:
    as_of: datetime
    rules: Rules
    windows: list[tuple[datetime, datetime]]  # oldest first
    hot_spots: list[HotSpot]
    cell_count: int

    @property
    def start(self) -> datetime:
        return self.windows[0][0]

    @property
    def clusters(self) -> list[Cluster]:
        return clusters_of(self.hot_spots)


def windows_before(as_of: datetime, r: Rules) -> list[tuple[datetime, datetime]]:
    """The current window ``[as_of − window, as_of)`` and the previous ones, oldest first."""
    return [
        (as_of - (index + 1) * r.window, as_of - index * r.window)
        for index in reversed(range(r.history_windows + 1))
    ]


def end_of_day(day: date) -> datetime:
    """The moment a day ends (local time): a detection "as of" a day counts that whole day."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), datetime.min.time()))


def is_hot(count: int, *, baseline: float, history: list[int], district: float, r: Rules) -> bool:
    """The rule of docs/indicators.md: many, above the district, and up or staying up."""
    if count < r.min_reports or count < r.factor * district:
        return False
    return count >= r.factor * baseline or _persistent(history, r)


def _persistent(history: list[int], r: Rules) -> bool:
    return bool(history) and 2 * sum(1 for n in history if n >= r.min_reports) >= len(history)


def _trend(count: int, *, baseline: float, history: list[int], r: Rules) -> str:
    if not any(history):
        return "new"
    if count >= r.factor * baseline:
        return "rising"
    return "persistent"


@dataclass(frozen=True)
class Narrowing:
    """A detection narrowed to one town (the cell's), category or cell."""

    town_id: int | None = None
    category_id: int | None = None
    cell_id: int | None = None

    def admits(self, *, town_id, category_id, cell_id) -> bool:
        return (
            (not self.town_id or town_id == self.town_id)
            and (not self.category_id or category_id == self.category_id)
            and (not self.cell_id or cell_id == self.cell_id)
        )


Range = tuple[datetime, datetime]


def split_window(lo: datetime, hi: datetime, cells_from: date | None):
    """The whole local days of ``[lo, hi)`` the daily rollups answer (``(first, end)``, or
    None) and the moments left for the raw reports: the partial days at either end (a window
    ending "now"), and every day before the rollups hold the grid cells."""
    if cells_from is None:
        return None, [(lo, hi)]
    first = timezone.localtime(lo).date()
    if midnight(first) < lo:
        first += timedelta(days=1)
    first = max(first, cells_from)
    end = timezone.localtime(hi).date()
    if first >= end:
        return None, [(lo, hi)]
    ranges = []
    if lo < midnight(first):
        ranges.append((lo, midnight(first)))
    if midnight(end) < hi:
        ranges.append((midnight(end), hi))
    return (first, end), ranges


def window_counts(
    windows: list[Range], narrowing: Narrowing, *, min_reports: int
) -> tuple[dict[tuple[int, int], list[int]], dict[int, int]]:
    """The cases per window of each (cell, category) with at least ``min_reports`` in the
    current (last) window, and the district's cases per category in the current window.

    Whole days come from the daily rollups (one GROUP BY over the span's rows per cell and
    category, one per category for the district); the partial days at the windows' ends and
    the days before the rollups hold the grid cells from the reports (one GROUP BY, on the
    index of ``Report.created_at``). Before any rebuild, everything from the reports as before.
    """
    current = len(windows) - 1
    cells_from = cells_covered_from()
    parts = [split_window(lo, hi, cells_from) for lo, hi in windows]
    series: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0] * len(windows))
    district: dict[int, int] = defaultdict(int)
    raw = {index: ranges for index, (_days, ranges) in enumerate(parts) if ranges}
    rolled = {index: days for index, (days, _ranges) in enumerate(parts) if days is not None}

    if raw:
        within = Q()
        for ranges in raw.values():
            for lo, hi in ranges:
                within |= Q(created_at__gte=lo, created_at__lt=hi)
        counts = {
            f"w{index}": Count("pk", filter=Q(created_at__gte=lo, created_at__lt=hi))
            for index, (lo, hi) in enumerate(windows)
            if index in raw
        }
        cases = Report.objects.exclude(state__in=NOT_CASES).filter(within)
        if not rolled:
            # All from the reports: the candidates cut in SQL, the district apart.
            return _raw_counts(cases, counts, narrowing, min_reports, windows[current])
        raw_rows: list[dict[str, Any]] = [
            dict(values)
            for values in cases.values(
                "grid_cell_id", "grid_cell__community__town_id", "category_id"
            )
            .annotate(**counts)
            .order_by()
        ]
        for raw_row in raw_rows:
            district[raw_row["category_id"]] += raw_row.get(f"w{current}", 0)
            cell, category = raw_row["grid_cell_id"], raw_row["category_id"]
            if cell is None or not narrowing.admits(
                town_id=raw_row["grid_cell__community__town_id"], category_id=category, cell_id=cell
            ):
                continue
            for index in raw:
                series[(cell, category)][index] += raw_row[f"w{index}"]

    if rolled:
        first = min(days[0] for days in rolled.values())
        end = max(days[1] for days in rolled.values())
        rows = DailyRollup.objects.filter(day__gte=first, day__lt=end, cases__gt=0).order_by()
        sums = {
            f"w{index}": Sum("cases", filter=Q(day__gte=lo, day__lt=hi))
            for index, (lo, hi) in rolled.items()
        }
        grouped = rows.filter(grid_cell__gt=0)
        if narrowing.town_id:
            grouped = grouped.filter(
                grid_cell__in=GridCell.objects.filter(community__town_id=narrowing.town_id).values(
                    "pk"
                )
            )
        if narrowing.category_id:
            grouped = grouped.filter(category=narrowing.category_id)
        if narrowing.cell_id:
            grouped = grouped.filter(grid_cell=narrowing.cell_id)
        by_pair = grouped.values("grid_cell", "category").annotate(**sums)
        # The cut in SQL, lowered by what the partial days may add to a pair.
        threshold = min_reports - max((found[current] for found in series.values()), default=0)
        if current in rolled and threshold > 0:
            by_pair = by_pair.filter(**{f"w{current}__gte": threshold})
        rolled_rows: list[dict[str, Any]] = [dict(values) for values in by_pair]
        for rolled_row in rolled_rows:
            found = series[(rolled_row["grid_cell"], rolled_row["category"])]
            for index in rolled:
                found[index] += rolled_row[f"w{index}"] or 0
        if current in rolled:
            lo, hi = rolled[current]
            for category, n in (
                rows.filter(day__gte=lo, day__lt=hi)
                .values_list("category")
                .annotate(n=Sum("cases"))
                .order_by()
            ):
                district[category] += n or 0

    return (
        {pair: counts for pair, counts in series.items() if counts[current] >= min_reports},
        dict(district),
    )


def _raw_counts(cases, counts, narrowing, min_reports, current_window):
    """The windows' counts from the reports alone (before the rollups hold the grid cells)."""
    current = len(counts) - 1
    grouped = cases.filter(grid_cell__isnull=False)
    if narrowing.town_id:
        grouped = grouped.filter(grid_cell__community__town_id=narrowing.town_id)
    if narrowing.category_id:
        grouped = grouped.filter(category_id=narrowing.category_id)
    if narrowing.cell_id:
        grouped = grouped.filter(grid_cell_id=narrowing.cell_id)
    # Grouped by the keys alone (labels are read for the hot spots only).
    series = {
        (row["grid_cell_id"], row["category_id"]): [
            row[f"w{index}"] for index in range(len(counts))
        ]
        for row in grouped.values("grid_cell_id", "category_id")
        .annotate(**counts)
        .filter(**{f"w{current}__gte": min_reports})
        .order_by()
    }
    lo, hi = current_window
    district = dict(
        cases.filter(created_at__gte=lo, created_at__lt=hi)
        .values_list("category_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return series, district


def detect(
    *,
    as_of: datetime | None = None,
    town_id: int | None = None,
    category_id: int | None = None,
    cell_id: int | None = None,
    recurring_only: bool = False,
    r: Rules | None = None,
) -> Detection:
    """The hot spots as of a moment (now by default), biggest first.

    Narrowing to a town, a category or a cell keeps the district's averages (a hot spot is the
    same whichever filter finds it).
    """
    r = r or rules()
    as_of = as_of or timezone.now()
    windows = windows_before(as_of, r)
    start = windows[0][0]
    narrowing = Narrowing(town_id=town_id, category_id=category_id, cell_id=cell_id)
    series_of, district = window_counts(windows, narrowing, min_reports=r.min_reports)
    cell_count = GridCell.objects.count() or 1
    candidates = []
    for (cell_key, category_key), series in series_of.items():
        row = {"grid_cell_id": cell_key, "category_id": category_key}
        count, previous = series[-1], series[:-1]
        baseline = sum(previous) / len(previous) if previous else 0.0
        average = district.get(row["category_id"], 0) / cell_count
        if is_hot(count, baseline=baseline, history=previous, district=average, r=r):
            candidates.append((row, series, baseline, average))
    found = histories(
        {(row["grid_cell_id"], row["category_id"]) for row, *_rest in candidates},
        since=start - r.recurrence,
        recurrence=r.recurrence,
    )
    cells = (
        {
            cell["pk"]: cell
            for cell in GridCell.objects.filter(
                pk__in={row["grid_cell_id"] for row, *_rest in candidates}
            ).values(
                "pk",
                "code",
                "name",
                "community__name",
                "community__town_id",
                "community__town__name",
                "min_lat",
                "min_lng",
                "max_lat",
                "max_lng",
            )
        }
        if candidates
        else {}
    )
    categories = (
        dict(
            Category.objects.filter(
                pk__in={row["category_id"] for row, *_rest in candidates}
            ).values_list("pk", "name")
        )
        if candidates
        else {}
    )
    hot_spots = []
    for row, series, baseline, average in candidates:
        history = found[(row["grid_cell_id"], row["category_id"])]
        cell = cells[row["grid_cell_id"]]
        # Recurrences before the look-back span are old news: keep those that came back in it.
        history.recurrences = [(fix, back) for fix, back in history.recurrences if back >= start]
        spot = HotSpot(
            cell_id=row["grid_cell_id"],
            cell_code=cell["code"],
            cell_name=cell["name"],
            town_id=cell["community__town_id"],
            town_name=cell["community__town__name"] or "",
            community_name=cell["community__name"] or "",
            category_id=row["category_id"],
            category_name=categories.get(row["category_id"], ""),
            count=series[-1],
            counts=series,
            baseline=baseline,
            district_average=average,
            trend=_trend(series[-1], baseline=baseline, history=series[:-1], r=r),
            history=history,
            box=_box(cell),
        )
        if not recurring_only or spot.is_recurring:
            hot_spots.append(spot)
    hot_spots.sort(key=lambda s: (-s.count, -len(s.history.recurrences), s.cell_code))
    return Detection(
        as_of=as_of, rules=r, windows=windows, hot_spots=hot_spots, cell_count=cell_count
    )


def _box(cell: Mapping[str, Any]) -> tuple[float, float, float, float] | None:
    edges = (cell["min_lat"], cell["min_lng"], cell["max_lat"], cell["max_lng"])
    if any(edge is None for edge in edges):
        return None
    return (float(edges[0]), float(edges[1]), float(edges[2]), float(edges[3]))


def hot_spot_cases(*, cell_id: int, category_id: int, since: datetime):
    """The cases behind a hot spot, newest first: received since ``since`` or still open."""
    return (
        Report.objects.filter(grid_cell_id=cell_id, category_id=category_id)
        .filter(Q(created_at__gte=since) | Q(state__in=UNFINISHED_STATES))
        .select_related("department")
        .order_by("-created_at")
    )


def category_and_cell(*, cell_id: int, category_id: int) -> tuple[GridCell, Category]:
    cell = GridCell.objects.select_related("community__town").get(pk=cell_id)
    return cell, Category.objects.get(pk=category_id)
