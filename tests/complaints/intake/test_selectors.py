import uuid

import pytest

from complaints.intake.inputs import ReportInput
from complaints.intake.selectors import report_for_tracking, reports_nearby_open
from complaints.intake.services.reports import report_submit
from complaints.models import GridCell, ReportState
from complaints.reference.selectors.geography import grid_cell_for_point, grid_cell_neighbour_ids
from tests.complaints.conftest import POINT, category, cell_at
from tests.support.factories import report_walk

pytestmark = pytest.mark.django_db


def file_report(**overrides):
    arguments = {
        "submission_token": uuid.uuid4(),
        "category": category("event", "0102"),
        "description": "垃圾",
        "is_anonymous": True,
        "latitude": POINT[0],
        "longitude": POINT[1],
    }
    arguments.update(overrides)
    return report_submit(input=ReportInput(**arguments))


def test_point_in_polygon_finds_the_cell_and_outside_none(reference_data):
    cell = grid_cell_for_point(lat=POINT[0], lng=POINT[1])
    assert cell is not None and cell.code.startswith("320211")
    assert grid_cell_for_point(lat=40.0, lng=116.4) is None


def test_neighbours_touch_the_cell(reference_data):
    cell = cell_at(*POINT)
    neighbours = GridCell.objects.filter(pk__in=grid_cell_neighbour_ids(cell=cell))
    assert cell in neighbours
    assert 2 <= neighbours.count() <= 9
    far = GridCell.objects.exclude(pk__in=neighbours.values("pk")).first()
    assert (
        far.min_lat > cell.max_lat + 0.001
        or far.max_lat < cell.min_lat - 0.001
        or (far.min_lng > cell.max_lng + 0.001 or far.max_lng < cell.min_lng - 0.001)
    )


def test_nearby_within_250_m_same_category_open_only(reference_data):
    report = file_report().report
    # ~110 m north: found by distance.
    found = reports_nearby_open(
        category=report.category, latitude=POINT[0] + 0.001, longitude=POINT[1]
    )
    assert found == [report]
    # ~2 km away, outside any neighbouring cell: not found.
    assert (
        reports_nearby_open(category=report.category, latitude=POINT[0] + 0.02, longitude=POINT[1])
        == []
    )
    # Another category: not found.
    assert (
        reports_nearby_open(
            category=category("event", "0104"), latitude=POINT[0], longitude=POINT[1]
        )
        == []
    )
    # Closed: not found.
    report_walk(report, ReportState.CLOSED)
    assert (
        reports_nearby_open(category=report.category, latitude=POINT[0], longitude=POINT[1]) == []
    )


def test_nearby_by_neighbouring_cell_without_coordinates(reference_data):
    report = file_report().report
    neighbour_ids = grid_cell_neighbour_ids(cell=report.grid_cell) - {report.grid_cell_id}
    neighbour = GridCell.objects.get(pk=sorted(neighbour_ids)[0])
    assert reports_nearby_open(category=report.category, grid_cell=neighbour) == [report]


def test_tracking_needs_the_matching_code(reference_data):
    result = file_report()
    reference = result.report.reference
    assert report_for_tracking(reference=reference, access_code=result.access_code) == result.report
    assert report_for_tracking(reference=reference.lower(), access_code=result.access_code.lower())
    assert report_for_tracking(reference=reference, access_code="2222-3333-4444-5555") is None
    assert report_for_tracking(reference="BH-1999-000001", access_code=result.access_code) is None
