"""Hot-spot detection from the daily rollups equals detection from the reports (known data).

The daily rows hold the cases per grid cell, category and day; the detection reads them for
whole days and the reports for the partial days at the windows' ends (a window ending "now")
and the days before the rollups hold the grid cells (docs/indicators.md, "Hot spots").
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.models import Report
from indicators.hotspots import Rules, detect
from indicators.models import DailyRollup, RollupCoverage
from tests.complaints.conftest import category as taxonomy_category
from tests.complaints.conftest import reference_data  # noqa: F401  (fixture)
from tests.indicators.hotspot_builders import at, cells, many, spot_case

pytestmark = pytest.mark.django_db

RULES = Rules(window_days=28, history_windows=6, min_reports=3, factor=2.0, recurrence_weeks=8)
# The end of a day (windows of whole days), and a moment inside one (partial days at each end).
AS_OF = ("2026-06-01 00:00", "2026-05-31 14:30", "2026-05-21 09:00")


def answers(**kwargs) -> list[tuple]:
    """Everything a detection says about its hot spots, comparable."""
    return [
        (
            spot.cell_id,
            spot.category_id,
            spot.counts,
            round(spot.baseline, 9),
            round(spot.district_average, 9),
            spot.trend,
            spot.history.fixes,
            spot.history.recurrences,
            spot.history.open_cases,
        )
        for spot in detect(r=RULES, **kwargs).hot_spots
    ]


def build():
    """A recurring hot spot, a rising one, a persistent one, a cell below the threshold, a
    rejected case, cases of another category, cases on the windows' boundary days, and a case
    with no grid cell (it counts in the district)."""
    recurring, rising, persistent, below, boundary = cells(5)
    spot_case(recurring, created="2026-05-05 09:00", closed="2026-05-06 09:00")
    spot_case(recurring, created="2026-05-10 09:00", closed="2026-05-11 09:00")
    spot_case(recurring, created="2026-05-20 09:00", closed="2026-05-21 09:00")
    spot_case(recurring, created="2026-05-31 16:00")
    many(rising, 3, created="2026-05-10 09:00")
    many(rising, 4, created="2026-04-10 09:00")
    many(persistent, 3, created="2026-05-12 09:00")
    for month_day in ("2026-04-12", "2026-03-14", "2026-02-14"):
        many(persistent, 4, created=f"{month_day} 09:00")
    for day in ("05", "12"):
        spot_case(below, created=f"2026-05-{day} 09:00")
    spot_case(below, created="2026-05-13 09:00", state="rejected")
    spot_case(below, created="2026-05-14 09:00", category=taxonomy_category("event", "0101"))
    # On the days a mid-day window starts and ends: before and after the moment.
    for moment in ("2026-05-03 10:00", "2026-05-03 16:00", "2026-05-31 10:00", "2026-05-31 15:00"):
        spot_case(boundary, created=moment)
    many(boundary, 3, created="2026-05-21 08:00")
    spot_case(boundary, created="2026-05-21 10:00")
    no_cell = spot_case(below, created="2026-05-15 09:00")
    Report.objects.filter(pk=no_cell.pk).update(grid_cell=None)
    return recurring, rising, persistent, below, boundary


def from_raw_and_from_rollups(**kwargs) -> tuple[list, list]:
    RollupCoverage.objects.all().delete()
    raw = answers(**kwargs)
    call_command("rebuild_rollups", verbosity=0)
    rolled = answers(**kwargs)
    return raw, rolled


@pytest.mark.parametrize("as_of", AS_OF)
def test_detection_from_rollups_equals_detection_from_raw_data(reference_data, as_of):  # noqa: F811
    recurring, rising, persistent, below, boundary = build()
    raw, rolled = from_raw_and_from_rollups(as_of=at(as_of))
    assert rolled == raw
    found = {spot[0] for spot in raw}
    if as_of == "2026-06-01 00:00":
        # The known answers: the cell below the threshold and the others are not hot spots.
        assert found == {recurring.pk, rising.pk, persistent.pk, boundary.pk}
        recurring_spot = next(spot for spot in raw if spot[0] == recurring.pk)
        assert recurring_spot[2][-1] == 4 and len(recurring_spot[7]) == 3
    assert below.pk not in found
    for narrowed in (
        {"town_id": recurring.community.town_id},
        {"category_id": raw[0][1]},
        {"cell_id": boundary.pk},
        {"recurring_only": True},
    ):
        RollupCoverage.objects.all().delete()
        expected = answers(as_of=at(as_of), **narrowed)
        call_command("rebuild_rollups", verbosity=0)
        assert answers(as_of=at(as_of), **narrowed) == expected


def test_whole_days_are_read_from_the_rollups_alone(reference_data):  # noqa: F811
    build()
    call_command("rebuild_rollups", verbosity=0)
    # The rollups cover from the first report (February); nothing was received before it.
    RollupCoverage.objects.update(first_day="2025-01-01", cells_from="2025-01-01")
    with CaptureQueriesContext(connection) as queries:
        detect(as_of=at("2026-06-01 00:00"), r=RULES)
    sql = [query["sql"] for query in queries.captured_queries]
    grouped = [q for q in sql if "GROUP BY" in q]
    # The windows' counts and the district's totals, both over the daily rows; the reports are
    # read only for the hot spots' own cases (their fixes), never grouped.
    assert len([q for q in grouped if "indicators_dailyrollup" in q]) == 2
    assert not [q for q in grouped if "complaints_report" in q]


def test_days_before_the_rollups_hold_the_cells_are_read_raw(reference_data):  # noqa: F811
    """After the migration that added the cell to the daily rows, only a rebuild fills it: the
    days before ``cells_from`` are read from the reports, the same answers either way."""
    recurring, *_rest = build()
    call_command("rebuild_rollups", verbosity=0)
    expected = answers(as_of=at("2026-06-01 00:00"))
    # As if the rows before May 10th had been kept from before the migration.
    DailyRollup.objects.filter(day__lt="2026-05-10").update(cases=0)
    RollupCoverage.objects.update(cells_from="2026-05-10")
    assert answers(as_of=at("2026-06-01 00:00")) == expected
    assert recurring.pk in {spot[0] for spot in expected}


def test_a_cell_moved_by_another_feature_moves_its_cases(reference_data):  # noqa: F811
    """A partial save of the grid cell (outside the workflow) is followed by the rollups."""
    first, second = cells(2)
    reports = [spot_case(first, created=f"2026-05-{day} 09:00") for day in ("05", "06", "07")]
    call_command("rebuild_rollups", verbosity=0)
    assert [spot[0] for spot in answers(as_of=at("2026-06-01 00:00"))] == [first.pk]
    for report in reports:
        report.grid_cell = second
        report.save(update_fields=["grid_cell"])
    assert [spot[0] for spot in answers(as_of=at("2026-06-01 00:00"))] == [second.pk]
    RollupCoverage.objects.all().delete()
    assert [spot[0] for spot in answers(as_of=at("2026-06-01 00:00"))] == [second.pk]
