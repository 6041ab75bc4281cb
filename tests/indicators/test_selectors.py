"""The indicators on small hand-built data with known answers (docs/indicators.md)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.models import Holiday, Town
from indicators.periods import Period
from indicators.selectors import indicator_table, monthly_trend, percentile
from tests.complaints.conftest import reference_data  # noqa: F401  (fixture)
from tests.indicators.builders import at, case, copies, rate

MARCH = Period.containing("month", date(2026, 3, 1))
NOW = at("2026-03-25 12:00")


@pytest.fixture
def towns(reference_data):  # noqa: F811
    first, second = Town.objects.order_by("code")[:2]
    return first, second


@pytest.fixture
def march(towns):
    """Town one: four reports received in March and one from February due in March."""
    one, two = towns
    r1 = case(
        created="2026-03-02 08:00",
        state="closed",
        town=one,
        registered="2026-03-02 08:30",
        dispatched="2026-03-02 09:00",
        deadline="2026-03-02 17:00",
        closed="2026-03-03 10:00",
        on_time=False,
    )
    r2 = case(
        created="2026-03-05 09:00",
        state="closed",
        town=one,
        registered="2026-03-05 09:30",
        dispatched="2026-03-05 14:00",
        deadline="2026-03-06 10:00",
        closed="2026-03-05 16:00",
        on_time=True,
        rework=1,
        supporters=2,
    )
    case(created="2026-03-10 10:00", state="rejected", town=one)
    case(created="2026-03-11 10:00", state="received", town=one)
    case(
        created="2026-02-25 10:00",
        state="dispatched",
        town=one,
        registered="2026-02-25 11:00",
        dispatched="2026-02-26 09:00",
        deadline="2026-03-20 17:00",
    )
    # Town two: registered, then found to be a duplicate (a registration, never due).
    case(
        created="2026-03-15 10:00",
        state="duplicate",
        town=two,
        registered="2026-03-15 11:00",
        deadline="2026-03-18 10:00",
    )
    rate(r1, "satisfied", when="2026-03-04 10:00")
    rate(r2, "dissatisfied", when="2026-03-06 10:00", channel="callback", closure=1)
    rate(r2, "basically", when="2026-03-07 10:00", channel="callback", closure=1)
    # Outside March: not counted.
    case(created="2026-04-01 10:00", state="received", town=one)
    return r1, r2


def test_each_indicator_of_a_month_has_its_known_value(towns, march):
    one, two = towns
    table = indicator_table(dimension="town", period=MARCH, now=NOW)
    rows = {row.key: row for row in table.rows}
    first = rows[one.pk]
    assert first.label == one.name
    assert first.received == 4
    assert first.registration_rate == pytest.approx(100 * 2 / 3)
    assert first.due == 3
    assert first.closure_rate == pytest.approx(100 * 2 / 3)
    assert first.on_time_rate == pytest.approx(100 / 3)
    assert first.rework_rate == pytest.approx(50)
    # Working hours: Mon 09:00-17:30 is 7 h, Tue 08:30-10:00 1.5 h; Thu 14:00-16:00 2 h.
    assert sorted(first.hours) == pytest.approx([2.0, 8.5])
    assert first.average_hours == pytest.approx(5.25)
    assert first.p90_hours == pytest.approx(8.5)
    assert first.overdue_now == 1
    assert first.satisfaction_rate == pytest.approx(100 * 2 / 3)
    assert first.response_rate == pytest.approx(100)
    assert first.callbacks == 2
    assert first.supporters_per_report == pytest.approx(0.5)

    second = rows[two.pk]
    assert (second.received, second.registered, second.due) == (1, 1, 0)
    assert second.registration_rate == 100
    assert second.closure_rate is None  # nothing due: no rate, not 0 %

    assert table.total.received == 5
    assert table.total.registration_rate == pytest.approx(75)
    assert table.total.closures == 2


def test_filters_narrow_every_figure(towns, march):
    _one, two = towns
    table = indicator_table(dimension="category", period=MARCH, town=two, now=NOW)
    assert table.total.received == 1
    assert table.total.responses == 0


def test_no_reports_gives_an_empty_table_without_rates(reference_data):  # noqa: F811
    table = indicator_table(dimension="department", period=MARCH, now=NOW)
    assert table.rows == []
    assert table.total.received == 0
    assert table.total.closure_rate is None
    assert table.total.satisfaction_rate is None
    assert table.total.average_hours is None
    ranking = indicator_table(dimension="town", period=MARCH, now=NOW, include_empty=True)
    assert len(ranking.rows) == Town.objects.count()
    assert all(row.is_empty for row in ranking.rows)


def test_handling_time_skips_a_holiday_and_the_weekend(towns):
    one, _two = towns
    Holiday.objects.create(date=date(2026, 4, 6), kind=Holiday.Kind.HOLIDAY, name="清明节")
    # Fri 16:00 to Tue 09:30: 1.5 h on Friday, Sat-Sun off, Monday a holiday, 1 h on Tuesday.
    case(
        created="2026-04-03 15:00",
        state="closed",
        town=one,
        registered="2026-04-03 15:30",
        dispatched="2026-04-03 16:00",
        deadline="2026-04-07 12:00",
        closed="2026-04-07 09:30",
        on_time=True,
    )
    table = indicator_table(
        dimension="town", period=Period.containing("month", date(2026, 4, 1)), now=NOW
    )
    assert table.total.hours == [pytest.approx(2.5)]


def test_a_reopened_case_counts_once_with_its_rework(towns):
    one, _two = towns
    # Closed, reopened by the resident and closed again: one closure with rework.
    case(
        created="2026-03-02 09:00",
        state="closed",
        town=one,
        registered="2026-03-02 09:10",
        dispatched="2026-03-02 09:30",
        deadline="2026-03-12 17:30",
        closed="2026-03-10 09:00",
        on_time=True,
        rework=1,
    )
    total = indicator_table(dimension="town", period=MARCH, now=NOW).total
    assert (total.closures, total.reworked, total.due, total.on_time) == (1, 1, 1, 1)


def test_weekly_and_yearly_periods(towns, march):
    week = Period.containing("week", date(2026, 3, 4))
    assert week.first == date(2026, 3, 2)
    weekly = indicator_table(dimension="town", period=week, now=NOW).total
    assert weekly.received == 2  # 2 and 5 March
    year = indicator_table(
        dimension="town", period=Period.containing("year", date(2026, 7, 1)), now=NOW
    ).total
    assert year.received == 7


def test_monthly_trend(towns, march):
    months = [Period.containing("month", date(2026, m, 1)) for m in (2, 3, 4)]
    trend = monthly_trend(months=months)
    assert [(p["received"], p["closed"], p["on_time"]) for p in trend] == [
        (1, 0, 0),
        (5, 2, 1),
        (1, 0, 0),
    ]


def test_percentile_is_a_value_that_occurred():
    assert percentile([], 0.9) is None
    assert percentile([5.0], 0.9) == 5.0
    assert percentile([float(n) for n in range(1, 11)], 0.9) == 9.0


def _queries(**kwargs) -> int:
    with CaptureQueriesContext(connection) as queries:
        indicator_table(period=MARCH, now=NOW, **kwargs)
    return len(queries)


@pytest.mark.parametrize("dimension", ["town", "community", "department", "category"])
def test_query_count_does_not_grow_with_the_reports(towns, dimension):
    one, _two = towns

    template = case(
        created="2026-03-02 09:00",
        state="closed",
        town=one,
        registered="2026-03-02 09:10",
        dispatched="2026-03-02 09:30",
        deadline="2026-03-02 17:00",
        closed="2026-03-02 16:00",
        on_time=True,
    )
    rate(template, "satisfied", when="2026-03-03 10:00")

    copies(template, 9)
    few = _queries(dimension=dimension)
    copies(template, 190)
    many = _queries(dimension=dimension)
    assert indicator_table(dimension=dimension, period=MARCH, now=NOW).total.closures == 200
    # Counts, ratings, handling times, holiday calendar, labels.
    assert few == many == 5
