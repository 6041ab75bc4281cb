"""A resident on a phone places a report by tapping the map, files it and finds tracking again
from the home page; the same report is filed without JavaScript (issue 13)."""

import re

import pytest

from complaints.models import GridCell, Report
from complaints.reference.selectors.geography import grid_cell_for_point
from complaints.reference.services.reference_data import (
    categories_load_from_csv,
    demo_geography_load,
)
from tests.browser.conftest import (
    BROWSER_DB,
    PHONE,
    assert_fits_phone_width,
    assert_no_accessibility_violations,
)

pytestmark = BROWSER_DB

SUBMIT = re.compile("Send the report|提交")
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def ready(home):
    categories_load_from_csv()
    demo_geography_load()
    return home


def phone(browser, **options):
    return browser.new_context(viewport=PHONE, locale="zh-CN", has_touch=True, **options)


def wait_for_grid(page):
    page.locator("#place-map").wait_for(state="visible")
    page.wait_for_function(
        "() => document.querySelectorAll('#place-map .leaflet-overlay-pane path').length > 0"
    )


def largest_cell_centre(page) -> tuple[float, float]:
    """Page coordinates of the middle of the biggest drawn cell inside the map's box."""
    return page.evaluate(
        """() => {
          const box = document.getElementById('place-map').getBoundingClientRect();
          let best = null;
          for (const path of document.querySelectorAll('#place-map .leaflet-overlay-pane path')) {
            const r = path.getBoundingClientRect();
            const x = r.left + r.width / 2, y = r.top + r.height / 2;
            if (x < box.left + 20 || x > box.right - 20 || y < box.top + 20 || y > box.bottom - 40) {
              continue;
            }
            if (!best || r.width * r.height > best.area) best = {x, y, area: r.width * r.height};
          }
          return [best.x, best.y];
        }"""
    )


def other_cell_centre(page, away_from: tuple[float, float]) -> tuple[float, float]:
    """Page coordinates of the middle of a drawn cell well away from a point, inside the map."""
    return page.evaluate(
        """([ax, ay]) => {
          const box = document.getElementById('place-map').getBoundingClientRect();
          for (const path of document.querySelectorAll('#place-map .leaflet-overlay-pane path')) {
            const r = path.getBoundingClientRect();
            const x = r.left + r.width / 2, y = r.top + r.height / 2;
            const inside = x > box.left + 20 && x < box.right - 20 && y > box.top + 60
              && y < box.bottom - 40;
            if (inside && Math.hypot(x - ax, y - ay) > Math.max(r.width, r.height)) return [x, y];
          }
          return null;
        }""",
        list(away_from),
    )


def selected_label(page, name: str) -> str:
    return page.locator(f"select[name={name}] option:checked").inner_text().strip()


def test_tap_the_map_file_and_find_tracking_from_home(ready, live_server, browser, artifacts):
    context = phone(browser)
    page = context.new_page()
    page.goto(live_server.url + "/report/")
    wait_for_grid(page)
    assert_fits_phone_width(page)

    # A point outside the district fills nothing and says so.
    page.locator("details.coordinates summary").click()
    page.locator("input[name=latitude]").fill("31.2304")
    page.locator("input[name=longitude]").fill("121.4737")
    page.locator("input[name=longitude]").dispatch_event("change")
    status = page.locator("#place-map-status")
    assert "网格" in status.inner_text() or "grid" in status.inner_text()
    assert "place-map__status--error" in status.get_attribute("class")
    assert page.locator("input[name=latitude]").input_value() == ""

    # Tap inside a cell: the point is marked, town, community and cell are filled and named.
    page.locator("#place-map").scroll_into_view_if_needed()
    x, y = largest_cell_centre(page)
    page.touchscreen.tap(x, y)
    page.wait_for_function("() => document.querySelector('input[name=latitude]').value !== ''")
    latitude = float(page.locator("input[name=latitude]").input_value())
    longitude = float(page.locator("input[name=longitude]").input_value())
    cell = grid_cell_for_point(lat=latitude, lng=longitude)
    assert cell is not None
    cell = GridCell.objects.select_related("community__town").get(pk=cell.pk)
    assert page.locator("select[name=grid_cell]").input_value() == str(cell.pk)
    assert page.locator("select[name=community]").input_value() == str(cell.community_id)
    assert page.locator("select[name=town]").input_value() == str(cell.community.town_id)
    assert selected_label(page, "town") == cell.community.town.name
    assert selected_label(page, "community") == cell.community.name
    named = status.inner_text()
    assert cell.name in named and cell.community.name in named
    assert cell.community.town.name in named
    assert page.locator("#place-map .leaflet-marker-icon").count() == 1
    assert_no_accessibility_violations(page)

    # Drag the marker into another cell: the place follows it.
    icon = page.locator("#place-map .leaflet-marker-icon").bounding_box()
    grab = (icon["x"] + icon["width"] / 2, icon["y"] + icon["height"] / 2)
    tip = (grab[0], icon["y"] + icon["height"])  # the marked point is the pin's tip
    target = other_cell_centre(page, tip)
    page.mouse.move(*grab)
    page.mouse.down()
    page.mouse.move(target[0], target[1] - (tip[1] - grab[1]), steps=12)
    page.mouse.up()
    page.wait_for_function(
        f"() => document.querySelector('select[name=grid_cell]').value !== '{cell.pk}'"
    )
    moved = grid_cell_for_point(
        lat=float(page.locator("input[name=latitude]").input_value()),
        lng=float(page.locator("input[name=longitude]").input_value()),
    )
    assert moved is not None and moved.pk != cell.pk
    assert page.locator("select[name=grid_cell]").input_value() == str(moved.pk)
    assert moved.name in status.inner_text()
    cell = GridCell.objects.select_related("community__town").get(pk=moved.pk)

    page.locator("select[name=category]").select_option(label="暴露垃圾")
    page.locator("textarea[name=description]").fill("垃圾桶周围堆满了垃圾。")
    page.locator("input[name=is_anonymous]").check()
    page.screenshot(path=artifacts / "report-map-form-360.png", full_page=True)
    page.get_by_role("button", name=SUBMIT).click()
    page.wait_for_url(re.compile(r"/report/BH-\d{4}-\d{6}/receipt/$"))
    reference = page.locator("#receipt-reference").inner_text().strip()
    code = page.locator("#receipt-code").inner_text().strip()
    report = Report.objects.get(reference=reference)
    assert (report.grid_cell, report.community, report.town) == (
        cell,
        cell.community,
        cell.community.town,
    )

    # Later, from the home page: the main navigation leads to tracking.
    page.goto(live_server.url + "/")
    page.locator("nav.site-nav").get_by_role("link", name="进度查询").click()
    page.wait_for_url(live_server.url + "/track/")
    page.locator("input[name=reference]").fill(reference.lower().replace("-", " "))
    page.locator("input[name=access_code]").fill(code)
    page.locator("form.track-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/track/{reference}/$"))
    assert cell.name in page.content()
    assert_fits_phone_width(page)
    context.close()


def test_file_the_same_report_without_javascript(ready, live_server, browser, artifacts):
    context = phone(browser, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/report/")
    assert not page.locator("#place-map").is_visible()  # the map needs JavaScript
    cell = GridCell.objects.select_related("community__town").filter(polygon__isnull=False)[0]
    page.locator("select[name=category]").select_option(label="暴露垃圾")
    page.locator("textarea[name=description]").fill("垃圾桶周围堆满了垃圾。")
    page.locator("select[name=town]").select_option(label=cell.community.town.name)
    page.locator("select[name=community]").select_option(str(cell.community_id))
    page.locator("select[name=grid_cell]").select_option(str(cell.pk))
    page.locator("input[name=is_anonymous]").check()
    assert_fits_phone_width(page)
    page.screenshot(path=artifacts / "report-form-nojs-360.png", full_page=True)
    page.get_by_role("button", name=SUBMIT).click()
    page.wait_for_url(re.compile(r"/report/BH-\d{4}-\d{6}/receipt/$"))
    report = Report.objects.get()
    assert (report.grid_cell, report.community, report.town) == (
        cell,
        cell.community,
        cell.community.town,
    )
    context.close()


def test_list_map_shows_the_reports_beside_the_list(ready, live_server, browser, artifacts):
    cell = GridCell.objects.filter(polygon__isnull=False)[0]
    lat, lng = cell.centre
    client_context = phone(browser)
    page = client_context.new_page()
    # File one report through the form (no JavaScript needed for that part).
    page.goto(live_server.url + "/report/")
    page.locator("select[name=category]").select_option(label="暴露垃圾")
    page.locator("textarea[name=description]").fill("垃圾桶周围堆满了垃圾。")
    page.locator("details.coordinates summary").click()
    page.locator("input[name=latitude]").fill(f"{lat:.6f}")
    page.locator("input[name=longitude]").fill(f"{lng:.6f}")
    page.locator("input[name=longitude]").dispatch_event("change")
    page.wait_for_function("() => document.querySelector('select[name=grid_cell]').value !== ''")
    page.locator("input[name=is_anonymous]").check()
    page.get_by_role("button", name=SUBMIT).click()
    page.wait_for_url(re.compile(r"/receipt/$"))

    for viewport, name in ((PHONE, "360"), (DESKTOP, "1280")):
        page.set_viewport_size(viewport)
        page.goto(live_server.url + "/reports/")
        page.locator("#reports-map .map-count").first.wait_for(state="visible")
        assert page.locator("#reports-map .map-count").count() == 1
        assert page.locator("#reports-map .map-count").inner_text().strip() == "1"
        if name == "360":
            assert_fits_phone_width(page)
        else:
            map_box = page.locator("#reports-map").bounding_box()
            list_box = page.locator(".reports-layout__list").bounding_box()
            assert list_box["x"] > map_box["x"] + map_box["width"] - 1  # side by side
        page.screenshot(path=artifacts / f"report-list-map-{name}.png", full_page=True)
        assert_no_accessibility_violations(page)
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/report/")
    wait_for_grid(page)
    page.screenshot(path=artifacts / "report-form-1280.png", full_page=True)
    client_context.close()


def test_map_pages_pass_axe_at_both_widths_in_both_languages(ready, live_server, browser):
    """The form and the list with their maps drawn, on a phone and a desktop, 中文 and English."""
    for viewport in (PHONE, DESKTOP):
        for prefix in ("", "/en"):
            context = browser.new_context(viewport=viewport, locale="zh-CN")
            page = context.new_page()
            page.goto(f"{live_server.url}{prefix}/report/")
            wait_for_grid(page)
            assert_no_accessibility_violations(page)
            page.goto(f"{live_server.url}{prefix}/reports/")
            page.wait_for_function(
                "() => document.querySelectorAll('#reports-map .leaflet-overlay-pane path').length > 0"
            )
            assert_no_accessibility_violations(page)
            context.close()
