"""The demo command: objects per kind from the seed, with geometry inside their towns, one
standard per kind, a few inspections."""

import json

import pytest
from django.core.management import call_command

from complaints.models import GridCell
from inspections.models import Assignment, Inspection, InspectionObject, Standard
from inspections.scores import inspection_score
from portal import roles

pytestmark = pytest.mark.django_db


def test_seed_inspections_is_complete_and_idempotent(reference_data):
    call_command("seed_inspections")
    counts = {
        kind: InspectionObject.objects.filter(kind=kind).count()
        for kind in ("market", "alley", "toilet", "bin")
    }
    assert counts == {"market": 9, "alley": 18, "toilet": 18, "bin": 97}
    assert Standard.objects.count() == 7
    assert all(s.items.exists() for s in Standard.objects.all())
    inspections = Inspection.objects.count()
    assert inspections > 0
    assert all(0 <= inspection_score(i) <= 100 for i in Inspection.objects.all())
    # This month's markets are assigned to the demo inspector, who holds the inspector role.
    assigned = Assignment.objects.filter(inspector__username="demo_inspector")
    assert assigned.count() == 9
    assert roles.user_has_role(assigned.first().inspector, roles.INSPECTOR)
    call_command("seed_inspections")
    assert InspectionObject.objects.count() == 157
    assert Standard.objects.count() == 7 and Inspection.objects.count() == inspections
    assert Assignment.objects.count() == 9


def in_ring(ring, lng: float, lat: float) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > lat) != (y2 > lat) and lng < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def point_in_geometry(*, lat: float, lng: float, geometry: dict) -> bool:
    """Ray casting on the demo grid's Polygon cells (no holes), independent of the code tested."""
    return in_ring([tuple(p[:2]) for p in geometry["coordinates"][0]], lng, lat)


def vertices(geometry: dict) -> list[list[float]]:
    """The [lon, lat] of a Point, the vertices of a LineString, a Polygon's outer ring."""
    kind, coordinates = geometry["type"], geometry["coordinates"]
    return {"Point": [coordinates], "LineString": coordinates, "Polygon": coordinates[0]}[kind]


def test_every_demo_object_lies_inside_its_towns_cells(reference_data):
    call_command("seed_inspections")
    cells: dict[int, list[dict]] = {}
    for town_id, polygon in GridCell.objects.values_list("community__town_id", "polygon"):
        cells.setdefault(town_id, []).append(polygon)
    objects = list(InspectionObject.objects.all())
    assert len(objects) == 157
    kinds = set()
    for obj in objects:
        geometry = json.loads(obj.geometry)
        kinds.add(geometry["type"])
        assert obj.code.startswith("DEMO-"), obj
        for lng, lat in vertices(geometry):
            assert any(
                point_in_geometry(lat=lat, lng=lng, geometry=cell) for cell in cells[obj.town_id]
            ), (obj.code, obj.town.name, lng, lat)
            # ... and in no other town's cells.
            assert not any(
                point_in_geometry(lat=lat, lng=lng, geometry=cell)
                for town_id, polygons in cells.items()
                if town_id != obj.town_id
                for cell in polygons
            ), obj.code
    assert kinds == {"Point", "LineString", "Polygon"}


def test_an_earlier_demo_without_codes_is_taken_over(reference_data):
    """Objects the demo made before the import (no code, no geometry) get both, not twins."""
    from complaints.models import Department, Town

    old = InspectionObject.objects.create(
        kind="market",
        name="菜市场 1",
        town=Town.objects.order_by("code").first(),
        responsible_unit=Department.objects.get(key="town_enforcement"),
    )
    call_command("seed_inspections")
    old.refresh_from_db()
    assert old.code == "DEMO-MKT-001" and json.loads(old.geometry)["type"] == "Point"
    assert InspectionObject.objects.filter(kind="market").count() == 9
