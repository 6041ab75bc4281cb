"""The hot spots screen in a browser: a supervisor sees the hot spot on the map and in the table,
opens it and reads the cases behind it; no accessibility violation."""

import datetime

import pytest
from django.utils import timezone

from complaints.reference.services.reference_data import (
    categories_load_from_csv,
    demo_geography_load,
)
from portal import roles
from tests.browser.conftest import BROWSER_DB, assert_no_accessibility_violations
from tests.browser.test_case_workflow import staff_page
from tests.indicators.hotspot_builders import cells, spot_case

pytestmark = BROWSER_DB


def moment(days_ago: int) -> str:
    return f"{timezone.localdate() - datetime.timedelta(days=days_ago):%Y-%m-%d} 09:00"


@pytest.fixture
def hot_cell(home):
    categories_load_from_csv()
    demo_geography_load()
    (cell,) = cells(1)
    reports = [spot_case(cell, created=moment(days)) for days in (3, 2, 1)]
    return cell, reports


def test_supervisor_finds_the_hot_spot_on_the_map_and_its_cases(
    hot_cell, make_staff, live_server, browser, artifacts
):
    cell, reports = hot_cell
    make_staff(roles.SUPERVISOR, "supervisor")
    page = staff_page(browser, live_server, "supervisor")
    page.goto(live_server.url + "/admin/indicators/hotspots/")
    # The grid is drawn faintly, the hot spot's cell on top (clickable).
    page.locator("#hotspots-map[data-drawn=true]").wait_for()
    spot = page.locator("#hotspots-map path.leaflet-interactive")
    assert spot.count() == 1
    # Drawn inside the map, not clipped away (an empty path is "M0 0").
    assert spot.get_attribute("d") != "M0 0"
    assert page.locator("#hotspots-map path").count() > 1  # the grid under it
    rows = page.locator("#hotspot-table tbody tr")
    assert rows.count() == 1
    assert cell.name in rows.first.inner_text()
    assert rows.first.locator("svg.hotspots-sparkline").count() == 1
    page.screenshot(path=artifacts / "hotspots.png", full_page=True)
    assert_no_accessibility_violations(page)

    rows.first.locator("th a").click()
    page.wait_for_load_state()
    for report in reports:
        assert page.locator("#hotspot-cases").get_by_text(report.reference).count() == 1
    page.screenshot(path=artifacts / "hotspot.png", full_page=True)
    assert_no_accessibility_violations(page)
