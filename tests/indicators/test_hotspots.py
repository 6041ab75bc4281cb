"""Hot-spot detection on small hand-built data with known answers (docs/indicators.md)."""

from datetime import timedelta

import pytest

from indicators.hotspots import CaseSpan, Rules, detect, history_of
from tests.complaints.conftest import category as taxonomy_category
from tests.complaints.conftest import reference_data  # noqa: F401  (fixture)
from tests.indicators.hotspot_builders import apart, at, cells, chain, many, spot_case

pytestmark = pytest.mark.django_db

# Windows of 28 days ending 2026-06-01 00:00: the current one is [2026-05-04, 2026-06-01).
AS_OF = "2026-06-01 00:00"
RULES = Rules(window_days=28, history_windows=6, min_reports=3, factor=2.0, recurrence_weeks=8)


def found(**kwargs):
    return detect(as_of=at(AS_OF), r=kwargs.pop("r", RULES), **kwargs).hot_spots


# --- the fixes and recurrences of one cell (no database) --------------------------------------


def span(created: str, closed: str | None = None) -> CaseSpan:
    return CaseSpan(created_at=at(created), closed_at=at(closed) if closed else None)


@pytest.mark.django_db(False)
def test_a_case_back_within_the_interval_after_a_fix_is_a_recurrence():
    history = history_of(
        [
            span("2026-05-05 09:00", "2026-05-06 09:00"),
            span("2026-05-10 09:00", "2026-05-11 09:00"),
        ],
        recurrence=timedelta(weeks=1),
    )
    assert history.fixes == [at("2026-05-06 09:00"), at("2026-05-11 09:00")]
    assert history.recurrences == [(at("2026-05-06 09:00"), at("2026-05-10 09:00"))]
    assert history.is_fixed and history.fixed_at == at("2026-05-11 09:00")


@pytest.mark.django_db(False)
def test_a_case_back_after_the_interval_is_not_a_recurrence():
    history = history_of(
        [
            span("2026-05-05 09:00", "2026-05-06 09:00"),
            span("2026-05-20 09:00", "2026-05-21 09:00"),
        ],
        recurrence=timedelta(weeks=1),
    )
    assert len(history.fixes) == 2
    assert history.recurrences == []


@pytest.mark.django_db(False)
def test_overlapping_cases_make_one_fix_and_an_open_case_none():
    overlapping = history_of(
        [
            span("2026-05-05 09:00", "2026-05-09 09:00"),
            span("2026-05-06 09:00", "2026-05-07 09:00"),
        ],
        recurrence=timedelta(weeks=8),
    )
    assert overlapping.fixes == [at("2026-05-09 09:00")]
    assert overlapping.recurrences == []
    still_open = history_of(
        [span("2026-05-05 09:00", "2026-05-06 09:00"), span("2026-05-07 09:00")],
        recurrence=timedelta(weeks=8),
    )
    # Fixed on the 6th, back on the 7th (a recurrence), and open since: not fixed now.
    assert still_open.recurrences == [(at("2026-05-06 09:00"), at("2026-05-07 09:00"))]
    assert not still_open.is_fixed and still_open.open_cases == 1
    assert history_of([], recurrence=timedelta(weeks=8)).is_fixed is False


# --- detection ----------------------------------------------------------------------------


def test_no_reports_no_hot_spots(reference_data):  # noqa: F811
    assert found() == []


def test_a_cell_below_the_threshold_is_no_hot_spot_and_one_at_it_is(reference_data):  # noqa: F811
    below, hot = cells(2)
    for day in ("05", "12"):
        spot_case(below, created=f"2026-05-{day} 09:00")
    for day in ("05", "12", "20"):
        spot_case(hot, created=f"2026-05-{day} 09:00")
    # Outside the window: counts only in the history (a case received on the as-of moment is
    # in the next window).
    spot_case(below, created="2026-06-01 00:00")

    spots = found()
    assert [(s.cell_id, s.count) for s in spots] == [(hot.pk, 3)]
    spot = spots[0]
    assert spot.trend == "new" and spot.baseline == 0
    assert spot.counts == [0, 0, 0, 0, 0, 0, 3]
    assert spot.town_name == hot.community.town.name
    assert spot.history.open_cases == 3 and not spot.is_fixed and not spot.is_recurring


def test_rejected_and_duplicate_reports_do_not_count(reference_data):  # noqa: F811
    (cell,) = cells(1)
    spot_case(cell, created="2026-05-05 09:00")
    spot_case(cell, created="2026-05-06 09:00")
    spot_case(cell, created="2026-05-07 09:00", state="rejected")
    spot_case(cell, created="2026-05-08 09:00", state="duplicate")
    assert found() == []


def test_the_cells_own_history_rising_persistent_or_not_enough(reference_data):  # noqa: F811
    rising, persistent, usual = cells(3)
    # Rising: 3 now against a mean of 4/6 before (3 ≥ 2 × 0.67).
    many(rising, 3, created="2026-05-10 09:00")
    many(rising, 4, created="2026-04-10 09:00")
    # Persistent: 3 now, and 4 in each of three previous windows (half of six): the mean (2)
    # doubled is 4 > 3, so only persistence makes it hot.
    many(persistent, 3, created="2026-05-10 09:00")
    for month_day in ("2026-04-10", "2026-03-12", "2026-02-12"):
        many(persistent, 4, created=f"{month_day} 09:00")
    # Usual for this cell: 3 now against 6 in each of two earlier windows: the mean (2) doubled
    # is 4 > 3, and 2 windows out of 6 are not half: not a hot spot.
    many(usual, 3, created="2026-05-10 09:00")
    many(usual, 6, created="2026-04-10 09:00")
    many(usual, 6, created="2026-03-12 09:00")

    spots = {s.cell_id: s for s in found()}
    assert set(spots) == {rising.pk, persistent.pk}
    assert spots[rising.pk].trend == "rising"
    assert spots[rising.pk].counts[-2:] == [4, 3]
    assert spots[persistent.pk].trend == "persistent"
    assert spots[persistent.pk].baseline == 2.0


def test_a_cell_not_above_the_district_average_is_no_hot_spot(reference_data):  # noqa: F811
    busy, quiet = cells(2)
    from complaints.models import GridCell

    # 90 + 3 cases over the district's cells: an average above 1.5, doubled above 3.
    per_cell = 93 / GridCell.objects.count()
    assert 2 * per_cell > 3
    many(busy, 90, created="2026-05-10 09:00")
    many(quiet, 3, created="2026-05-10 09:00")
    spots = found()
    assert [s.cell_id for s in spots] == [busy.pk]
    assert spots[0].district_average == pytest.approx(per_cell)


def test_categories_are_counted_apart(reference_data):  # noqa: F811
    (cell,) = cells(1)
    other = taxonomy_category("event", "0101")
    for day in ("05", "06"):
        spot_case(cell, created=f"2026-05-{day} 09:00")
    spot_case(cell, created="2026-05-07 09:00", category=other)
    assert found() == []


def test_recurring_after_fix_within_the_interval(reference_data):  # noqa: F811
    recurring, settled = cells(2)
    # Fixed on the 6th, back on the 10th; fixed on the 11th, back on the 20th; fixed since.
    spot_case(recurring, created="2026-05-05 09:00", closed="2026-05-06 09:00")
    spot_case(recurring, created="2026-05-10 09:00", closed="2026-05-11 09:00")
    spot_case(recurring, created="2026-05-20 09:00", closed="2026-05-21 09:00")
    # Three cases open together, closed together: one fix, nothing came back.
    for day in ("05", "06", "07"):
        spot_case(settled, created=f"2026-05-{day} 09:00", closed="2026-05-09 09:00")

    spots = {s.cell_id: s for s in found()}
    assert spots[recurring.pk].is_recurring
    assert spots[recurring.pk].history.recurrences == [
        (at("2026-05-06 09:00"), at("2026-05-10 09:00")),
        (at("2026-05-11 09:00"), at("2026-05-20 09:00")),
    ]
    assert spots[recurring.pk].is_fixed
    assert not spots[settled.pk].is_recurring and spots[settled.pk].is_fixed
    assert [s.cell_id for s in found(recurring_only=True)] == [recurring.pk]
    # With a one-week interval, 9 days is no longer a return (4 days still is).
    short = Rules(**{**RULES.__dict__, "recurrence_weeks": 1})
    spot = {s.cell_id: s for s in found(r=short)}[recurring.pk]
    assert spot.history.recurrences == [(at("2026-05-06 09:00"), at("2026-05-10 09:00"))]


def test_filters_narrow_the_list_not_the_averages(reference_data):  # noqa: F811
    first, second = cells(2)
    many(first, 3, created="2026-05-10 09:00")
    many(second, 4, created="2026-05-10 09:00")
    everything = found()
    assert [s.cell_id for s in everything] == [second.pk, first.pk]
    narrowed = found(town_id=first.community.town_id)
    expected = [s for s in everything if s.town_id == first.community.town_id]
    assert [(s.cell_id, s.district_average) for s in narrowed] == [
        (s.cell_id, s.district_average) for s in expected
    ]
    assert found(category_id=taxonomy_category("event", "0101").pk) == []
    only_first = found(cell_id=first.pk)
    assert [(s.cell_id, s.district_average) for s in only_first] == [
        (s.cell_id, s.district_average) for s in everything if s.cell_id == first.pk
    ]


# --- clusters of neighbouring cells -------------------------------------------------------


def test_two_touching_hot_cells_are_one_cluster(reference_data):  # noqa: F811
    first, second, _third = chain()
    many(first, 3, created="2026-05-10 09:00")
    many(second, 4, created="2026-05-11 09:00")
    detection = detect(as_of=at(AS_OF), r=RULES)
    assert len(detection.hot_spots) == 2
    (cluster,) = detection.clusters
    assert [spot.cell_id for spot in cluster.spots] == [second.pk, first.pk]  # biggest first
    assert cluster.count == 7 and cluster.counts[-1] == 7
    assert cluster.key == (second.pk, cluster.category_id)


def test_two_hot_cells_apart_are_two_clusters(reference_data):  # noqa: F811
    one, other = apart(2)
    many(one, 3, created="2026-05-10 09:00")
    many(other, 4, created="2026-05-10 09:00")
    clusters = detect(as_of=at(AS_OF), r=RULES).clusters
    assert [[spot.cell_id for spot in cluster.spots] for cluster in clusters] == [
        [other.pk],
        [one.pk],
    ]


def test_a_chain_of_three_is_one_cluster_though_its_ends_do_not_touch(reference_data):  # noqa: F811
    first, middle, last = chain()
    for cell in (first, middle, last):
        many(cell, 3, created="2026-05-10 09:00")
    (cluster,) = detect(as_of=at(AS_OF), r=RULES).clusters
    assert {spot.cell_id for spot in cluster.spots} == {first.pk, middle.pk, last.pk}
    assert cluster.count == 9


def test_touching_cells_of_different_categories_are_not_merged(reference_data):  # noqa: F811
    first, second, _third = chain()
    many(first, 3, created="2026-05-10 09:00")
    many(second, 3, created="2026-05-10 09:00", category=taxonomy_category("event", "0101"))
    # The other category has no cases elsewhere: its district average is low, both are hot.
    clusters = detect(as_of=at(AS_OF), r=RULES).clusters
    assert sorted(len(cluster.spots) for cluster in clusters) == [1, 1]


def test_a_cluster_is_recurring_if_a_cell_is_and_fixed_if_all_are(reference_data):  # noqa: F811
    first, second, _third = chain()
    spot_case(first, created="2026-05-05 09:00", closed="2026-05-06 09:00")
    spot_case(first, created="2026-05-10 09:00", closed="2026-05-11 09:00")
    spot_case(first, created="2026-05-20 09:00", closed="2026-05-21 09:00")
    many(second, 3, created="2026-05-10 09:00")  # open
    (cluster,) = detect(as_of=at(AS_OF), r=RULES).clusters
    assert cluster.is_recurring and not cluster.is_fixed and cluster.open_cases == 3
