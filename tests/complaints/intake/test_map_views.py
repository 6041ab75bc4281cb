"""The maps of the report form and the public list, through HTTP (issue 13, "place on a map")."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from complaints.intake.services.reports import OUTSIDE_DISTRICT_MESSAGE
from complaints.models import GridCell, Report
from portal.page_cache import STATUS_HEADER
from tests.complaints.conftest import POINT, category, cell_at, form_data

pytestmark = pytest.mark.django_db

GRID_URL = "/map/grid.geojson"
MAP_DATA_URL = "/reports/map.json"
# Far east of the demo district, still inside the form's China-wide coordinate bounds.
OUTSIDE = (31.2304, 121.4737)


def file_report(**overrides) -> Report:
    client = Client()
    response = client.post(reverse("complaints:report_create"), form_data(**overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Report.objects.order_by("-pk").first()


def test_grid_geojson_names_every_cell_with_its_community_and_town(site, reference_data):
    response = Client().get(GRID_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = response.json()
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == GridCell.objects.filter(polygon__isnull=False).count() > 0
    cell = cell_at(*POINT)
    feature = next(f for f in data["features"] if f["properties"]["cell"] == cell.pk)
    assert feature["properties"] == {
        "cell": cell.pk,
        "cell_name": cell.name,
        "community": cell.community_id,
        "community_name": cell.community.name,
        "town": cell.community.town_id,
        "town_name": cell.community.town.name,
    }
    assert feature["geometry"] == cell.polygon
    assert len(response.content) < 100_000  # small: one request per page view


def test_grid_geojson_is_public_and_cached(site, reference_data):
    first = Client().get(GRID_URL)
    second = Client().get(GRID_URL)
    assert first[STATUS_HEADER] == "miss" and second[STATUS_HEADER] == "hit"
    assert "public" in second["Cache-Control"]
    assert second.content == first.content


def test_grid_geojson_follows_a_changed_grid(site, reference_data, settings):
    settings.PORTAL_PAGE_CACHE = False  # no copy of the grid is kept past the page cache
    Client().get(GRID_URL)
    cell = cell_at(*POINT)
    cell.name = "新名字网格"
    ring = cell.polygon["coordinates"][0]
    cell.polygon = {"type": "Polygon", "coordinates": [[[x + 0.001, y] for x, y in ring]]}
    cell.save()
    response = Client().get(GRID_URL)
    names = [f["properties"]["cell_name"] for f in response.json()["features"]]
    assert "新名字网格" in names


def test_a_point_outside_the_district_is_refused_with_a_message(client, site, reference_data):
    response = client.post(
        reverse("complaints:report_create"),
        form_data(latitude=str(OUTSIDE[0]), longitude=str(OUTSIDE[1])),
    )
    assert response.status_code == 200
    assert escape(str(OUTSIDE_DISTRICT_MESSAGE)) in response.content.decode()
    assert response.context["form"].errors["latitude"] == [str(OUTSIDE_DISTRICT_MESSAGE)]
    assert not Report.objects.exists()


def test_a_point_inside_fills_town_community_and_cell(site, reference_data):
    report = file_report()
    cell = cell_at(*POINT)
    assert report.grid_cell == cell
    assert report.community == cell.community
    assert report.town == cell.community.town


def test_map_data_is_no_more_precise_than_the_list(site, reference_data):
    report = file_report()
    cell = report.grid_cell
    data = Client().get(MAP_DATA_URL).json()
    assert data["unplaced"] == 0
    [marker] = data["cells"]
    centre = cell.centre
    assert (marker["lat"], marker["lng"]) == (round(centre[0], 5), round(centre[1], 5))
    assert (marker["lat"], marker["lng"]) != (float(report.latitude), float(report.longitude))
    assert marker["place"] == f"{report.town.name} · {report.community.name} · {cell.name}"
    assert marker["count"] == 1
    assert marker["reports"][0]["reference"] == report.reference
    body = Client().get(MAP_DATA_URL).content.decode()
    for private in (str(report.latitude), str(report.longitude), "太湖大道", "13812345678", "张三"):
        assert private not in body
    html = Client().get(reverse("complaints:report_list")).content.decode()
    assert str(report.latitude) not in html and cell.name in html


def test_map_data_counts_reports_of_one_cell_in_one_marker(site, reference_data):
    file_report()
    file_report(
        category=str(category("event", "0104").pk), latitude="31.5551", longitude="120.2551"
    )
    [marker] = Client().get(MAP_DATA_URL).json()["cells"]
    assert marker["count"] == 2 and len(marker["reports"]) == 2


def test_map_data_applies_the_list_filters(site, reference_data):
    here = file_report()
    other_cell = (
        GridCell.objects.exclude(community__town=here.town).filter(polygon__isnull=False).first()
    )
    lat, lng = other_cell.centre
    there = file_report(
        category=str(category("event", "0104").pk), latitude=f"{lat:.6f}", longitude=f"{lng:.6f}"
    )
    assert there.town != here.town

    def references(**params):
        cells = Client().get(MAP_DATA_URL, params).json()["cells"]
        return {r["reference"] for marker in cells for r in marker["reports"]}

    assert references() == {here.reference, there.reference}
    assert references(town=here.town_id) == {here.reference}
    assert references(town=there.town_id) == {there.reference}
    assert references(category=there.category_id) == {there.reference}
    assert references(state="received") == {here.reference, there.reference}
    assert references(state="closed") == set()
    # The list page hands its filters to the map.
    html = Client().get(reverse("complaints:report_list"), {"town": here.town_id}).content.decode()
    assert f'data-markers-url="{MAP_DATA_URL}?town={here.town_id}' in html


def test_private_reports_stay_off_the_map(site, reference_data):
    file_report(is_public="")
    assert Client().get(MAP_DATA_URL).json()["cells"] == []


def test_report_list_keeps_its_map_and_stays_cacheable(site, reference_data):
    file_report()
    url = reverse("complaints:report_list")
    first = Client().get(url)
    second = Client().get(url)
    html = second.content.decode()
    assert 'id="reports-map"' in html and f'data-grid-url="{GRID_URL}"' in html
    assert "/static/js/report-map." in html and "/static/vendor/leaflet/leaflet." in html
    assert "nonce" not in html and "'nonce-" not in first.get("Content-Security-Policy", "")
    assert first[STATUS_HEADER] == "miss" and second[STATUS_HEADER] == "hit"


def test_form_has_the_map_with_tiles_only_when_configured(site, reference_data, settings):
    url = reverse("complaints:report_create")
    html = Client().get(url).content.decode()
    assert 'id="place-map"' in html and f'data-grid-url="{GRID_URL}"' in html
    assert 'data-tiles=""' in html  # no tile server: the grid is the map
    settings.COMPLAINTS_MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    html = Client().get(url).content.decode()
    assert 'data-tiles="https://tiles.example.org/{z}/{x}/{y}.png"' in html
