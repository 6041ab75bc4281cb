"""The daily rollups (indicators/rollups.py): kept exact by the workflow, rebuilt by a command,
and read by the indicator table with the same results as the raw data."""

import random
import uuid
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from complaints.cases.services.transitions import TransitionNotAllowed, report_transition
from complaints.cases.workflow import RESIDENT, actions_from
from complaints.intake.services.reports import report_support
from complaints.models import CaseSystem, ConnectorKind, Report, SatisfactionRating
from complaints.satisfaction.services import satisfaction_callback_record, satisfaction_submit
from indicators.models import DailyRollup, MonthlyRollup, RollupCoverage, RollupFootprint
from indicators.periods import Period
from indicators.rollups import COUNTS, public_counts
from indicators.selectors import (
    DIMENSIONS,
    IndicatorRow,
    indicator_table,
    monthly_trend,
    received_by_category,
)
from portal import roles
from tests.complaints.cases.services.test_transitions import CASE_SYSTEM, actor_for, inputs_for
from tests.complaints.conftest import reference_data  # noqa: F401  (fixture)
from tests.indicators.builders import at, case, rate
from tests.support.cases import (  # noqa: F401  (fixtures)
    handler,
    intake,
    sanitation,
    submit,
    supervisor,
)

ENDINGS = ("reject", "mark_duplicate", "external_reject", "external_duplicate")


@pytest.fixture
def actors(intake, handler, supervisor, reference_data):  # noqa: F811
    system = CaseSystem.objects.create(
        name="区数字城管平台",
        slug="district",
        kind=ConnectorKind.WEBHOOK,
        endpoint="http://127.0.0.1:9/webhook",
        secret="s",
    )
    return {
        roles.INTAKE_OPERATOR: intake,
        roles.DEPARTMENT_HANDLER: handler,
        roles.SUPERVISOR: supervisor,
        RESIDENT: None,
        CASE_SYSTEM: system,
    }


@pytest.fixture
def clock(monkeypatch):
    """A settable "now" for everything that stamps a moment (the workflow, auto_now_add)."""
    moment = [at("2026-02-24 09:00")]
    monkeypatch.setattr(timezone, "now", lambda: moment[0])
    return moment


def rollup_rows() -> dict:
    """The rollup rows with a figure, by day and group (hours rounded against float drift)."""
    rows = {}
    for rollup in DailyRollup.objects.all():
        counts = {name: getattr(rollup, name) for name in COUNTS}
        counts["hours"] = round(rollup.hours_sum, 6)
        if any(counts.values()):
            key = (
                rollup.day,
                rollup.town,
                rollup.community,
                rollup.department,
                rollup.category,
                rollup.grid_cell,
            )
            rows[key] = counts
    return rows


def monthly_rows() -> tuple[dict, dict]:
    """The monthly rows with a figure, and the sums of the daily rows by month."""
    from collections import Counter

    kept, summed = {}, {}
    for rollup in MonthlyRollup.objects.all():
        counts = {name: getattr(rollup, name) for name in COUNTS}
        counts["hours"] = round(rollup.hours_sum, 6)
        if any(counts.values()):
            kept[
                (rollup.month, rollup.town, rollup.community, rollup.department, rollup.category)
            ] = counts
    sums: dict = {}
    for (day, *group, _cell), counts in rollup_rows().items():
        total = sums.setdefault((day.replace(day=1), *group), Counter())
        total.update(counts)
    for key, total in sums.items():
        counts = {name: total[name] for name in COUNTS}
        counts["hours"] = round(total["hours"], 6)
        if any(counts.values()):
            summed[key] = counts
    return kept, summed


def figures(row: IndicatorRow) -> dict:
    values = {name: getattr(row, name) for name in IndicatorRow.COUNTS}
    values["average_hours"] = None if row.average_hours is None else round(row.average_hours, 6)
    values["p90_hours"] = None if row.p90_hours is None else round(row.p90_hours, 6)
    return values


def tables(now) -> dict:
    """Every dimension's table for the days, weeks and months the random walk spans."""
    periods = [Period.containing("month", date(2026, m, 1)) for m in (2, 3, 4)]
    periods += [Period.containing("week", date(2026, 3, 2))]
    periods += [Period.containing("day", date(2026, 2, 24) + timedelta(days=n)) for n in (0, 7)]
    periods += [Period.containing("year", date(2026, 1, 1))]
    found: dict = {
        (dimension, period.slug()): {
            row.key: figures(row)
            for row in indicator_table(dimension=dimension, period=period, now=now).rows
        }
        for dimension in DIMENSIONS
        for period in periods
    }
    found["trend"] = monthly_trend(months=periods[:3])
    found["categories"] = [received_by_category(period=period) for period in periods]
    return found


def random_walk(actors, clock, *, steps: int, seed: int) -> list[Report]:
    """Reports taken through a random sequence of the workflow's transitions, ratings and
    supporters, over five weeks across a month's end (reopened cases included)."""
    rng = random.Random(seed)  # noqa: S311  (a test's reproducible walk)
    reports = [submit() for _ in range(4)]
    for _step in range(steps):
        clock[0] += timedelta(hours=rng.choice([1, 2, 5, 20, 50]))
        choice = rng.random()
        if choice < 0.08:
            reports.append(submit())
            continue
        report = rng.choice(reports)
        report.refresh_from_db()
        try:
            if choice < 0.14:
                report_support(report=report, submission_token=uuid.uuid4())
            elif choice < 0.22:
                satisfaction_callback_record(
                    report=report,
                    rating=rng.choice(SatisfactionRating.values),
                    comment="回访",
                    actor=actors[roles.SUPERVISOR],
                )
            elif choice < 0.30:
                satisfaction_submit(
                    report=report,
                    token=None,
                    rating=rng.choice(SatisfactionRating.values),
                    comment="还是不行",
                    request_rework=rng.random() < 0.5,
                )
            else:
                options = actions_from(report.state)
                if rng.random() < 0.9:  # a case mostly goes on (ending it is rarer)
                    options = [t for t in options if t.action not in ENDINGS]
                if not options:
                    continue
                transition = rng.choice(options)
                report_transition(
                    report=report,
                    action=transition.action,
                    actor=actor_for(actors, transition.roles[0], report),
                    **inputs_for(transition, report),
                )
        except (TransitionNotAllowed, PermissionDenied, ValidationError, TypeError):
            continue
    return reports


@pytest.mark.parametrize("seed", [14, 2026])
def test_rollups_equal_a_rebuild_from_the_raw_data_after_random_transitions(actors, clock, seed):
    reports = random_walk(actors, clock, steps=90, seed=seed)
    states = set(Report.objects.values_list("state", flat=True))
    assert len(states) >= 4, states  # the walk went somewhere
    kept = rollup_rows()
    assert sum(row["received"] for row in kept.values()) == len(
        {r.pk for r in reports} | set(Report.objects.values_list("pk", flat=True))
    )
    # The random walk's reworks and closures spread over more than one month.
    assert len({day.month for day, *_group in kept}) >= 2

    kept_months, summed = monthly_rows()
    assert kept_months == summed

    call_command("rebuild_rollups", verbosity=0)
    assert rollup_rows() == kept
    assert monthly_rows() == (kept_months, summed)


def test_the_table_from_rollups_equals_the_table_from_raw_data(actors, clock):
    random_walk(actors, clock, steps=90, seed=7)
    now = clock[0]
    raw = tables(now)
    assert any(rows for rows in raw.values())
    call_command("rebuild_rollups", verbosity=0)
    assert RollupCoverage.objects.get().first_day == date(2026, 2, 24)
    # More changes after the rebuild are followed by the transition effects.
    random_walk(actors, clock, steps=40, seed=8)
    now = clock[0]
    rolled = tables(now)
    RollupCoverage.objects.all().delete()  # back to the raw data
    assert tables(now) == rolled


def fire(actors, report, action: str) -> Report:
    """``action`` on ``report`` by the first role the table gives it, with valid inputs."""
    from complaints.cases.workflow import transition_for

    report.refresh_from_db()
    transition = transition_for(state=report.state, action=action)
    assert transition is not None, (report.state, action)
    return report_transition(
        report=report,
        action=action,
        actor=actor_for(actors, transition.roles[0], report),
        **inputs_for(transition, report),
    )


def test_a_reopened_case_leaves_its_first_closure_day(actors, clock):
    report = submit()
    for action in ("register", "dispatch"):
        fire(actors, report, action)
    clock[0] = at("2026-02-27 10:00")
    for action in ("handle", "verify_pass", "close"):
        fire(actors, report, action)
    day_one = DailyRollup.objects.get(day=date(2026, 2, 27), closures=1)
    assert day_one.hours_sum > 0

    clock[0] = at("2026-03-03 10:00")
    report.refresh_from_db()
    satisfaction_submit(
        report=report, token=None, rating="dissatisfied", comment="没修好", request_rework=True
    )
    fire(actors, report, "reopen")
    day_one.refresh_from_db()
    assert (day_one.closures, day_one.hours_sum) == (0, 0)
    # The rating stays on the day it was given; the closure is gone with the reopening.
    march_third = DailyRollup.objects.get(day=date(2026, 3, 3))
    assert (march_third.dissatisfied, march_third.responses) == (1, 1)
    footprint = RollupFootprint.objects.get(report=report)
    assert footprint.closed_day is None and footprint.hours is None


def test_rebuild_command_reports_its_progress_and_honours_since(reference_data):  # noqa: F811
    from io import StringIO

    one = case(created="2026-03-02 08:00", state="received")
    two = case(
        created="2026-03-10 09:00",
        state="closed",
        dispatched="2026-03-10 10:00",
        deadline="2026-03-11 17:00",
        closed="2026-03-11 16:00",
        on_time=True,
    )
    rate(two, "satisfied", when="2026-03-12 10:00")
    out = StringIO()
    call_command("rebuild_rollups", stdout=out)
    assert "2/2 reports (100 %)" in out.getvalue()
    assert RollupCoverage.objects.get().first_day == date(2026, 3, 2)
    assert DailyRollup.objects.get(day=date(2026, 3, 11)).closures == 1
    assert DailyRollup.objects.get(day=date(2026, 3, 12)).satisfied == 1

    # Written behind the workflow's back, then rebuilt from the 10th on: only that span moves.
    Report.objects.filter(pk=two.pk).update(closed_on_time=False)
    Report.objects.filter(pk=one.pk).update(supporter_count=3)
    out = StringIO()
    call_command("rebuild_rollups", since="2026-03-10", stdout=out)
    assert "1/1 reports" in out.getvalue()
    assert DailyRollup.objects.get(day=date(2026, 3, 11)).on_time == 0
    assert DailyRollup.objects.get(day=date(2026, 3, 2)).supporters == 0
    assert RollupCoverage.objects.get().first_day == date(2026, 3, 2)


def test_rebuild_command_refuses_a_bad_day(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("rebuild_rollups", since="March")


def test_the_screen_from_rollups_keeps_its_query_count(client, make_staff, reference_data):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from complaints.models import Town
    from tests.indicators.builders import copies
    from tests.indicators.test_views import MARCH, URL, closed_case

    template = closed_case(Town.objects.order_by("code").first())
    client.force_login(make_staff(roles.SUPERVISOR))
    copies(template, 9)  # bulk inserts pass no workflow: the command catches them up
    call_command("rebuild_rollups", since="2026-03-01", verbosity=0)
    client.get(URL, MARCH)  # warm the session and the user's permissions
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, MARCH).status_code == 200
    copies(template, 190)
    call_command("rebuild_rollups", since="2026-03-01", verbosity=0)
    with CaptureQueriesContext(connection) as many:
        page = client.get(URL, MARCH).content.decode()
    assert len(few) == len(many)
    assert any("indicators_monthlyrollup" in query["sql"] for query in many.captured_queries)
    assert ">200<" in page  # received, in the town row


def test_a_partial_save_by_another_feature_moves_the_due_day(actors, clock):
    """Like an inspection case's rectification deadline, set after the dispatch."""
    report = submit()
    for action in ("register", "dispatch"):
        report = fire(actors, report, action)
    first_due = DailyRollup.objects.get(due=1)
    report.deadline = at("2026-03-20 17:00")
    report.save(update_fields=["deadline"])
    first_due.refresh_from_db()
    assert first_due.due == 0
    assert DailyRollup.objects.get(day=date(2026, 3, 20)).due == 1


def test_the_public_figures_from_rollups_equal_those_from_raw_data(client, actors, clock):
    from complaints.performance.selectors import public_performance

    random_walk(actors, clock, steps=90, seed=11)
    today = clock[0].date()

    def figures_of(performance) -> list:
        return [
            (row.town_id, row.name, row.month, row.year)
            for row in [*performance.towns, performance.district]
        ]

    raw = figures_of(public_performance(today=today, use_cache=False))
    assert raw[-1][3].received_count > 0
    # Covered from the year's first day: the monthly rows answer.
    call_command("rebuild_rollups", since="2026-01-01", verbosity=0)
    random_walk(actors, clock, steps=30, seed=12)  # followed after the rebuild too
    today = clock[0].date()
    assert public_counts(month_first=today.replace(day=1), year_first=date(2026, 1, 1))
    rolled = public_performance(today=today, use_cache=False)
    RollupCoverage.objects.all().delete()
    assert figures_of(rolled) == figures_of(public_performance(today=today, use_cache=False))


def test_the_yearly_table_reads_handling_hours_from_the_monthly_rollups(
    client,
    make_staff,
    reference_data,  # noqa: F811
):
    """A year (and a month) covered from its first day: the average handling time from the
    monthly rows' sums, the 90th percentile computed in the database (one value per row), the
    same figures as from the raw data, and the same queries on 10 and 200 reports."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from complaints.models import Town
    from tests.indicators.builders import copies
    from tests.indicators.test_views import URL

    towns = list(Town.objects.order_by("code")[:2])
    made = []
    # Handling times of 1 to 7 working hours, in three months and two towns.
    for index, (month, hour) in enumerate(
        [(1, 10), (1, 12), (2, 11), (2, 16), (3, 10), (3, 15), (3, 13), (4, 14)]
    ):
        made.append(
            case(
                created=f"2026-{month:02d}-05 08:00",
                state="closed",
                town=towns[index % 2],
                dispatched=f"2026-{month:02d}-05 09:00",
                deadline=f"2026-{month:02d}-09 17:00",
                closed=f"2026-{month:02d}-05 {hour}:00",
                on_time=True,
            )
        )
    year = Period.containing("year", date(2026, 3, 10))

    def hours_figures():
        found = {}
        for dimension in ("town", "department"):
            table = indicator_table(dimension=dimension, period=year)
            for item in [*table.rows, table.total]:
                found[(dimension, item.key)] = (
                    item.closures,
                    round(item.average_hours, 6) if item.average_hours is not None else None,
                    item.p90_hours,
                )
        return found

    raw = hours_figures()
    call_command("rebuild_rollups", verbosity=0)
    RollupCoverage.objects.update(first_day=date(2025, 1, 1))
    with CaptureQueriesContext(connection) as read:
        rolled = hours_figures()
    assert rolled == raw
    # 20 working hours over 8 closures; the 90th percentile is the 8th of 8, the longest
    # (dispatched 9:00, closed 16:00, less the lunch break of the working periods).
    assert raw[("town", None)] == (8, pytest.approx(2.5), 5.5)
    footprint_reads = [
        q["sql"]
        for q in read.captured_queries
        if "indicators_rollupfootprint" in q["sql"] and '"hours"' in q["sql"]
    ]
    assert footprint_reads and all("ROW_NUMBER" in sql for sql in footprint_reads)
    assert any(
        "indicators_monthlyrollup" in q["sql"] and "hours_sum" in q["sql"]
        for q in read.captured_queries
    )

    client.force_login(make_staff(roles.SUPERVISOR))
    screen = {"period": "year", "day": "2026-03-10", "dimension": "town"}
    copies(made[0], 2)  # 10 reports
    call_command("rebuild_rollups", verbosity=0)
    RollupCoverage.objects.update(first_day=date(2025, 1, 1))
    client.get(URL, screen)  # warm the session and the user's permissions
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, screen).status_code == 200
    copies(made[3], 190)
    call_command("rebuild_rollups", verbosity=0)
    RollupCoverage.objects.update(first_day=date(2025, 1, 1))
    with CaptureQueriesContext(connection) as many:
        page = client.get(URL, screen).content.decode()
    assert len(few) == len(many)
    assert ">200<" in page  # received in the year, the district's line


def test_rebuild_since_catches_up_bulk_writes_and_leaves_earlier_rows_alone(
    reference_data,  # noqa: F811
):
    """Writes behind the rollups' back (bulk updates and inserts, like seed_volume or an
    import), then ``rebuild_rollups --since``: from that day on the rows equal a rebuild from
    scratch, the rows before it are untouched, the monthly rows are their days' sums, and no
    footprint is left that a later change would subtract from rows it is no longer in."""
    from tests.indicators.builders import copies

    february = case(
        created="2026-02-10 09:00",
        state="closed",
        dispatched="2026-02-10 10:00",
        deadline="2026-02-12 17:00",
        closed="2026-02-11 16:00",
        on_time=True,
    )
    rate(february, "satisfied", when="2026-02-12 10:00")
    running = case(
        created="2026-03-02 09:00",
        state="dispatched",
        dispatched="2026-03-02 10:00",
        deadline="2026-03-20 17:00",
    )
    moved = case(
        created="2026-02-20 09:00",
        state="dispatched",
        dispatched="2026-02-20 10:00",
        deadline="2026-03-12 17:00",
    )
    call_command("rebuild_rollups", verbosity=0)
    since = date(2026, 3, 10)
    before = {key: row for key, row in rollup_rows().items() if key[0] < since}
    months_before = {
        key: row for key, row in monthly_rows()[0].items() if key[0] < date(2026, 3, 1)
    }

    # Behind the back: a running case closed late, a deadline moved from after the day to
    # before it, and forty reports inserted in bulk.
    Report.objects.filter(pk=running.pk).update(
        state="closed", closed_at=at("2026-03-22 11:00"), closed_on_time=False
    )
    Report.objects.filter(pk=moved.pk).update(deadline=at("2026-03-05 17:00"))
    copies(running, 40)
    Report.objects.filter(reference__startswith="T-").update(
        created_at=at("2026-03-15 09:00"), state="received", deadline=None, closed_at=None
    )

    call_command("rebuild_rollups", since="2026-03-10", verbosity=0)
    caught_up = rollup_rows()
    months = monthly_rows()
    footprint = RollupFootprint.objects.get(report=moved)
    assert {key: row for key, row in caught_up.items() if key[0] < since} == before
    assert {key: row for key, row in months[0].items() if key[0] < date(2026, 3, 1)} == (
        months_before
    )
    assert months[0] == months[1]  # every monthly row is the sum of its days
    assert footprint.deadline == at("2026-03-05 17:00")  # no longer due on the 12th
    assert not RollupFootprint.objects.get(report=running).running
    assert sum(row["received"] for key, row in caught_up.items() if key[0] >= since) == 40
    assert RollupCoverage.objects.get().first_day == date(2026, 2, 10)

    # From scratch: the same rows from the 10th on (and before it too, but for the moved
    # deadline's new day, the 5th, which --since leaves as it was).
    call_command("rebuild_rollups", verbosity=0)
    scratch = rollup_rows()
    assert {k: r for k, r in scratch.items() if k[0] >= since} == {
        k: r for k, r in caught_up.items() if k[0] >= since
    }
    assert {k: r for k, r in scratch.items() if k[0] != date(2026, 3, 5)} == {
        k: r for k, r in caught_up.items() if k[0] != date(2026, 3, 5)
    }
    assert scratch[next(k for k in scratch if k[0] == date(2026, 3, 5))]["due"] == 1
    assert not any(k[0] == date(2026, 3, 5) for k in caught_up)
