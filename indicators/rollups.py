"""Daily rollups of the indicators (docs/indicators.md, "Cost"), kept exact by footprints.

Every report has a footprint (``RollupFootprint``): what it adds to the rollups as they stand,
its group (town, community, department, category), the counts of each cohort under the day of
that cohort, its handling hours and its ratings per day. When anything about a report changes
(a transition, a rating, a supporter, its intake: each writes a timeline event or a rating in
its transaction, which ``connect`` follows), ``refresh_report`` recomputes the report's
footprint from the raw data, applies the difference to the ``DailyRollup`` rows it touches and
stores the new footprint, in the transaction of the change and with the report's row locked.
So a reopened case, a case moved to another department or a deadline pushed into another month
leaves the old rows and joins the new ones exactly; nothing is approximated.

``rebuild`` recomputes footprints and rollups from the raw data in bulk (``manage.py
rebuild_rollups``) and records the first day the rollups cover (``RollupCoverage``): the
indicators read the rollups from that day on and raw data only before it.
"""

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Min, Q
from django.utils import timezone

from complaints.models import (
    CaseEvent,
    Report,
    ReportState,
    SatisfactionRating,
    SatisfactionResponse,
)
from indicators.models import (
    DailyRollup,
    MonthlyRollup,
    RollupCounts,
    RollupCoverage,
    RollupFootprint,
)
from indicators.working_hours import CLOCK_STATES, WorkingClock

CLOSED_STATES = (ReportState.CLOSED, ReportState.REOPEN_REQUESTED)
NOT_CASES = (ReportState.REJECTED, ReportState.DUPLICATE)
SATISFIED = (SatisfactionRating.SATISFIED, SatisfactionRating.BASICALLY_SATISFIED)
RATING_FIELD = {
    SatisfactionRating.SATISFIED: "satisfied",
    SatisfactionRating.BASICALLY_SATISFIED: "basically_satisfied",
    SatisfactionRating.DISSATISFIED: "dissatisfied",
}
GROUP = ("town", "community", "department", "category")
# The daily rows' key beyond the group: the report's grid cell (the hot spots count by cell).
CELL = "grid_cell"
# The whole-number counts of a rollup row (``hours_sum`` is the one float).
COUNTS = (
    "received",
    "cases",
    "awaiting_intake",
    "registered",
    "supporters",
    "due",
    "closed_of_due",
    "on_time",
    "closures",
    "closures_on_time",
    "reworked",
    "rated_closures",
    "responses",
    "satisfied",
    "basically_satisfied",
    "dissatisfied",
    "callbacks",
)
REPORT_FIELDS = (
    "id",
    "town_id",
    "community_id",
    "department_id",
    "category_id",
    "grid_cell_id",
    "state",
    "created_at",
    "deadline",
    "closed_at",
    "closed_on_time",
    "rework_count",
    "supporter_count",
)
CHUNK = 5000

# A daily row's key: (day, town, community, department, category, grid cell).
Key = tuple[date, int, int, int, int, int]


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# --- One report's footprint -------------------------------------------------------------------


def _footprint(report: dict, *, registered: bool, began, ratings: list[dict], clock):
    """The unsaved footprint of ``report`` (a dict of ``REPORT_FIELDS``)."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    state = report["state"]
    closed = state in CLOSED_STATES

    received = counts[local_day(report["created_at"]).isoformat()]
    received["received"] += 1
    received["cases"] += state not in NOT_CASES
    received["awaiting_intake"] += state == ReportState.RECEIVED
    received["registered"] += registered
    received["supporters"] += report["supporter_count"]

    if report["deadline"] is not None and state not in NOT_CASES:
        due = counts[local_day(report["deadline"]).isoformat()]
        due["due"] += 1
        due["closed_of_due"] += closed
        due["on_time"] += closed and report["closed_on_time"] is True

    closed_day = hours = None
    if closed and report["closed_at"] is not None:
        closed_day = local_day(report["closed_at"])
        closure = counts[closed_day.isoformat()]
        closure["closures"] += 1
        closure["closures_on_time"] += report["closed_on_time"] is True
        closure["reworked"] += report["rework_count"] > 0
        closure["rated_closures"] += any(r["closure"] == report["rework_count"] for r in ratings)
        hours = clock().hours_between(began or report["created_at"], report["closed_at"])

    for rating in ratings:
        day = counts[local_day(rating["created_at"]).isoformat()]
        day["responses"] += 1
        day["satisfied"] += rating["rating"] == SatisfactionRating.SATISFIED
        day["basically_satisfied"] += rating["rating"] == SatisfactionRating.BASICALLY_SATISFIED
        day["dissatisfied"] += rating["rating"] == SatisfactionRating.DISSATISFIED
        day["callbacks"] += rating["channel"] == SatisfactionResponse.Channel.CALLBACK

    return RollupFootprint(
        report_id=report["id"],
        town=report["town_id"] or 0,
        community=report["community_id"] or 0,
        department=report["department_id"] or 0,
        category=report["category_id"] or 0,
        grid_cell=report["grid_cell_id"] or 0,
        closed_day=closed_day,
        hours=hours,
        deadline=report["deadline"],
        running=state in CLOCK_STATES,
        counts={
            day: {name: int(n) for name, n in values.items() if n}
            for day, values in sorted(counts.items())
        },
    )


def contribution(footprint: RollupFootprint | None) -> dict[Key, dict[str, float]]:
    """What ``footprint`` adds to each daily rollup row (by day, group and grid cell)."""
    if footprint is None:
        return {}
    group = tuple(getattr(footprint, name) for name in (*GROUP, CELL))
    rows: dict[Key, dict[str, float]] = {}
    for day, values in footprint.counts.items():
        key = (date.fromisoformat(day), *group)
        rows[key] = dict(values)
    if footprint.closed_day is not None and footprint.hours:
        key = (footprint.closed_day, *group)
        rows.setdefault(key, {})["hours_sum"] = footprint.hours
    return rows


def footprints(reports) -> list[RollupFootprint]:
    """The footprints of the reports of the queryset ``reports`` (a chunk: four queries, the
    holiday calendar only when one of them is closed)."""
    rows = list(reports.order_by().values(*REPORT_FIELDS))
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    low, high = min(ids), max(ids)
    registered: set[int] = set()
    dispatched: dict[int, datetime] = {}
    for report_id, to_state, first in (
        CaseEvent.objects.filter(
            report_id__gte=low,
            report_id__lte=high,
            kind=CaseEvent.Kind.STATE_CHANGED,
            to_state__in=(ReportState.REGISTERED, ReportState.DISPATCHED),
        )
        .order_by()
        .values("report_id", "to_state")
        .annotate(first=Min("created_at"))
        .values_list("report_id", "to_state", "first")
    ):
        if to_state == ReportState.REGISTERED:
            registered.add(report_id)
        else:
            dispatched[report_id] = first
    ratings: dict[int, list] = defaultdict(list)
    for rating in (
        SatisfactionResponse.objects.filter(report_id__gte=low, report_id__lte=high)
        .order_by()
        .values("report_id", "created_at", "rating", "channel", "closure")
    ):
        ratings[rating["report_id"]].append(rating)

    clocks: list[WorkingClock] = []

    def clock() -> WorkingClock:
        # One clock for the chunk, over the days of its closures (one query, only if needed).
        if not clocks:
            spans = [
                (dispatched.get(row["id"]) or row["created_at"], row["closed_at"])
                for row in rows
                if row["closed_at"] is not None
            ]
            first = min(local_day(began) for began, _closed in spans)
            last = max(local_day(closed) for _began, closed in spans)
            clocks.append(WorkingClock(first=min(first, last), last=last + timedelta(days=1)))
        return clocks[0]

    return [
        _footprint(
            row,
            registered=row["id"] in registered,
            began=dispatched.get(row["id"]),
            ratings=ratings.get(row["id"], []),
            clock=clock,
        )
        for row in rows
    ]


# --- Keeping the rollups current --------------------------------------------------------------


def _apply(delta: dict[Key, dict[str, float]]) -> None:
    """Add ``delta`` to the daily rows and to their months' rows (by group, the cells summed),
    creating the missing ones (in key order, days first, so two transactions never wait on
    each other's rows crosswise)."""
    changed = sorted(key for key, values in delta.items() if any(values.values()))
    if not changed:
        return
    monthly: dict[tuple, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for key in changed:
        month = monthly[(key[0].replace(day=1), *key[1 : 1 + len(GROUP)])]
        for name, value in delta[key].items():
            month[name] += value
    targets: tuple[tuple[type[RollupCounts], tuple[str, ...], dict], ...] = (
        (DailyRollup, ("day", *GROUP, CELL), {key: delta[key] for key in changed}),
        (MonthlyRollup, ("month", *GROUP), monthly),
    )
    for model, fields, rows in targets:
        for key in sorted(key for key, values in rows.items() if any(values.values())):
            _upsert(model, fields, key, {name: v for name, v in rows[key].items() if v})


def _upsert(
    model: type[RollupCounts], fields: tuple[str, ...], key: tuple, values: dict[str, float]
) -> None:
    """Add ``values`` to the row of ``key`` (the values of ``fields``), creating it: one
    statement (INSERT ... ON CONFLICT DO UPDATE, which both SQLite and PostgreSQL speak),
    atomic against a concurrent insert."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = [*fields, *values]
    columns = ", ".join(connection.ops.quote_name(name) for name in names)
    placeholders = ", ".join(["%s"] * len(names))
    conflict = ", ".join(connection.ops.quote_name(name) for name in fields)
    additions = ", ".join(
        f"{q} = {table}.{q} + excluded.{q}"
        for q in (connection.ops.quote_name(name) for name in values)
    )
    defaults = {
        f.column: f.get_default()
        for f in model._meta.concrete_fields
        if f.column and not f.primary_key and f.column not in names
    }
    columns += "".join(f", {connection.ops.quote_name(name)}" for name in defaults)
    placeholders += ", %s" * len(defaults)
    # Table and column names are the model's own, quoted; every value is a parameter.
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "  # noqa: S608  # nosec B608
        f"ON CONFLICT ({conflict}) DO UPDATE SET {additions}"
    )
    params = [*key, *values.values(), *defaults.values()]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _difference(new, old) -> dict[Key, dict[str, float]]:
    delta: dict[Key, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for key, values in contribution(new).items():
        for name, value in values.items():
            delta[key][name] += value
    for key, values in contribution(old).items():
        for name, value in values.items():
            delta[key][name] -= value
    return delta


def refresh_report(report_id: int) -> None:
    """Bring the rollups up to date with report ``report_id`` as it is now (its row locked)."""
    with transaction.atomic():
        locked = Report.objects.select_for_update().filter(pk=report_id)
        new = footprints(locked)
        old = RollupFootprint.objects.filter(report_id=report_id).first()
        footprint = new[0] if new else None
        _apply(_difference(footprint, old))
        if footprint is None:
            RollupFootprint.objects.filter(report_id=report_id).delete()
        else:
            footprint.save()


# Fields of a report the rollups read: a partial save of one of them by another feature (an
# inspection case's department at intake, its rectification deadline on dispatch) is followed.
FOLLOWED_FIELDS = frozenset(
    {
        "state",
        "town",
        "community",
        "department",
        "category",
        "grid_cell",
        "deadline",
        "closed_at",
        "closed_on_time",
        "rework_count",
        "supporter_count",
        "created_at",
    }
)


def on_event_saved(sender, instance, created, **kwargs) -> None:
    """Every change of a case writes its timeline in the change's transaction, after the
    report: each transition (its state change or note, after the report row is saved), the
    intake ("submitted"), a new supporter. The report is followed from there."""
    if not created:
        return
    if instance.kind == CaseEvent.Kind.SUBMITTED:
        _follow_new_report(instance)
    else:
        refresh_report(instance.report_id)


def _follow_new_report(event: CaseEvent) -> None:
    """Intake: the report was stored just now, in this transaction, with "submitted" as its
    first event, so it has no footprint, no other event and no rating yet; its footprint comes
    from the row itself (three statements rather than a refresh's dozen)."""
    report = event.report
    row = {name: getattr(report, name) for name in REPORT_FIELDS}
    footprint = _footprint(row, registered=False, began=None, ratings=[], clock=_no_clock)
    with transaction.atomic(savepoint=False):
        _apply(_difference(footprint, None))
        footprint.save(force_insert=True)


def _no_clock() -> WorkingClock:
    raise AssertionError("a report just received is not closed")


def on_report_saved(sender, instance, created, update_fields=None, **kwargs) -> None:
    """A partial save of a followed field outside the workflow service (whose full save is
    followed by the event it writes next)."""
    if not created and update_fields and FOLLOWED_FIELDS.intersection(update_fields):
        refresh_report(instance.pk)


def on_rating_saved(sender, instance, **kwargs) -> None:
    """A rating (web link or staff callback) is recorded outside the transitions."""
    refresh_report(instance.report_id)


def on_rating_deleted(sender, instance, **kwargs) -> None:
    transaction.on_commit(lambda: _refresh_if_exists(instance.report_id))


def _refresh_if_exists(report_id: int) -> None:
    if Report.objects.filter(pk=report_id).exists():
        refresh_report(report_id)


def on_report_deleted(sender, instance, **kwargs) -> None:
    """A deleted report leaves the rollups (its footprint goes with it)."""
    old = RollupFootprint.objects.filter(report_id=instance.pk).first()
    if old is not None:
        _apply(_difference(None, old))
        old.delete()


def connect() -> None:
    """Follow the case data through model signals (complaints never imports indicators, and
    its service registries are not for the indicators to import)."""
    from django.db.models.signals import post_delete, post_save, pre_delete

    post_save.connect(on_event_saved, sender=CaseEvent, dispatch_uid="indicators_rollup_event")
    post_save.connect(on_report_saved, sender=Report, dispatch_uid="indicators_rollup_report")
    post_save.connect(
        on_rating_saved, sender=SatisfactionResponse, dispatch_uid="indicators_rollup_rating"
    )
    post_delete.connect(
        on_rating_deleted, sender=SatisfactionResponse, dispatch_uid="indicators_rollup_unrate"
    )
    pre_delete.connect(on_report_deleted, sender=Report, dispatch_uid="indicators_rollup_delete")


# --- Rebuilding from the raw data -------------------------------------------------------------


def _months_from_days(first_month: date | None) -> None:
    """The monthly rows as the sums of their daily rows (from ``first_month`` on)."""
    from django.db.models import Sum
    from django.db.models.functions import TruncMonth

    days = DailyRollup.objects.order_by()
    if first_month is not None:
        days = days.filter(day__gte=first_month)
    names = (*COUNTS, "hours_sum")
    sums = (
        days.annotate(first=TruncMonth("day"))
        .values("first", *GROUP)
        .annotate(**{f"sum_{name}": Sum(name) for name in names})
    )
    MonthlyRollup.objects.bulk_create(
        (
            MonthlyRollup(
                month=row["first"],
                **{name: row[name] for name in GROUP},
                **{name: row[f"sum_{name}"] for name in names},
            )
            for row in sums.iterator(chunk_size=5000)
        ),
        batch_size=2000,
    )


def covered_from() -> date | None:
    """The first day the rollups cover, or None before the first rebuild (one query)."""
    return RollupCoverage.objects.order_by().values_list("first_day", flat=True).first()


def cells_covered_from() -> date | None:
    """The first day the daily rows hold each grid cell's cases (None: read the raw reports)."""
    return RollupCoverage.objects.order_by().values_list("cells_from", flat=True).first()


def rebuild(
    *, since: date | None = None, progress: Callable[[int, int], None] | None = None
) -> int:
    """Recompute the footprints and the rollup rows from the raw data, for every day or for
    ``since`` and after; returns the number of reports read. One transaction."""
    reports = Report.objects.all()
    if since is not None:
        start = midnight(since)
        # The reports touching a day from ``since`` on as they are now, and those whose stored
        # footprint still says so (a deadline or a closure moved before it, a case closed
        # behind the footprints' back while its clock was running), so no footprint is left
        # that a later change would subtract from rows it is no longer in.
        stale = RollupFootprint.objects.filter(
            Q(deadline__gte=start) | Q(closed_day__gte=since) | Q(running=True)
        )
        reports = reports.filter(
            Q(created_at__gte=start)
            | Q(deadline__gte=start)
            | Q(closed_at__gte=start)
            | Q(pk__in=SatisfactionResponse.objects.filter(created_at__gte=start).values("report"))
            | Q(pk__in=stale.values("report_id"))
        )
    ids = list(reports.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        RollupCoverage.objects.select_for_update().first()
        if since is None:
            DailyRollup.objects.all().delete()
            MonthlyRollup.objects.all().delete()
            RollupFootprint.objects.all().delete()
        else:
            DailyRollup.objects.filter(day__gte=since).delete()
            MonthlyRollup.objects.filter(month__gte=since.replace(day=1)).delete()
            RollupFootprint.objects.filter(report_id__in=reports.values("pk")).delete()
            # Footprints of reports deleted behind their back (no foreign key constraint).
            RollupFootprint.objects.exclude(report_id__in=Report.objects.values("pk")).delete()
        totals: dict[Key, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        done = 0
        for offset in range(0, len(ids), CHUNK):
            chunk = ids[offset : offset + CHUNK]
            made = footprints(
                Report.objects.filter(pk__gte=chunk[0], pk__lte=chunk[-1], pk__in=chunk)
            )
            RollupFootprint.objects.bulk_create(made, batch_size=1000)
            for footprint in made:
                for key, values in contribution(footprint).items():
                    if since is not None and key[0] < since:
                        continue
                    row = totals[key]
                    for name, value in values.items():
                        row[name] += value
            done += len(chunk)
            if progress is not None:
                progress(done, len(ids))
        DailyRollup.objects.bulk_create(
            (
                DailyRollup(day=key[0], **dict(zip((*GROUP, CELL), key[1:], strict=True)), **values)
                for key, values in totals.items()
            ),
            batch_size=2000,
        )
        _months_from_days(None if since is None else since.replace(day=1))
        first = since
        if first is None:
            earliest = Report.objects.order_by("created_at").values_list("created_at", flat=True)
            first = local_day(earliest[0]) if earliest else timezone.localdate()
        coverage = RollupCoverage.objects.first()
        if coverage is None:
            RollupCoverage.objects.create(
                first_day=first, built_at=timezone.now(), cells_from=first
            )
        else:
            coverage.first_day = min(coverage.first_day, first) if since else first
            # The grid cells are exact from here on (from before, if an earlier rebuild since
            # the cells joined the key already covered it).
            cells = coverage.cells_from
            coverage.cells_from = min(cells, first) if since and cells else first
            coverage.built_at = timezone.now()
            coverage.save()
    return len(ids)


# --- The public performance figures from the monthly rows -------------------------------------


def public_counts(*, month_first: date, year_first: date) -> dict | None:
    """The counts of ``complaints.performance.selectors`` for this month and this year
    per town, from the monthly rollups (two queries: the coverage, one GROUP BY), or None
    when the rollups do not cover the year from its first day (the raw data answers then)."""
    from django.db.models import Sum

    covered = covered_from()
    if covered is None or covered > year_first:
        return None
    rows = (
        MonthlyRollup.objects.filter(
            month__gte=year_first, month__lt=year_first.replace(year=year_first.year + 1)
        )
        .order_by()
        .values("town", "month")
        .annotate(
            received=Sum("received"),
            closed=Sum("closures"),
            due=Sum("due"),
            on_time=Sum("on_time"),
            responses=Sum("responses"),
            satisfied=Sum("satisfied"),
            basically=Sum("basically_satisfied"),
        )
    )
    found: dict[int | None, dict[str, int]] = {}
    for row in rows:
        counts = found.setdefault(row["town"] or None, defaultdict(int))
        periods = ("year", "month") if row["month"] == month_first else ("year",)
        for period in periods:
            counts[f"{period}_received_count"] += row["received"] or 0
            counts[f"{period}_closed_count"] += row["closed"] or 0
            counts[f"{period}_due_count"] += row["due"] or 0
            counts[f"{period}_on_time_count"] += row["on_time"] or 0
            counts[f"{period}_responses_count"] += row["responses"] or 0
            counts[f"{period}_satisfied_count"] += (row["satisfied"] or 0) + (row["basically"] or 0)
    return found
