"""A resident on a phone files a report with a photo, gets the receipt and follows the report."""

import re

import pytest

from complaints.models import Report
from complaints.reference.services.reference_data import (
    categories_load_from_csv,
    demo_geography_load,
)
from tests.browser.conftest import (
    BROWSER_DB,
    assert_fits_phone_width,
    assert_no_accessibility_violations,
)
from tests.complaints.conftest import jpeg_bytes

pytestmark = BROWSER_DB


@pytest.fixture
def ready(home):
    categories_load_from_csv()
    demo_geography_load()
    return home


def test_file_a_report_with_a_photo_then_track_it(ready, live_server, page, browser, artifacts):
    page.goto(live_server.url + "/report/")
    assert page.get_by_role("heading", level=1).inner_text()
    assert_fits_phone_width(page)
    assert_no_accessibility_violations(page)

    page.locator("select[name=category]").select_option(label="井盖")
    # The chosen category's required question appears (JavaScript enhancement).
    question = page.locator("select[name$=_danger]")
    assert question.is_visible()
    question.select_option("是")
    page.locator("textarea[name=description]").fill("人行道上的井盖缺了一角，晚上很危险。")
    page.locator("select[name=town]").select_option(label="太湖街道")
    page.locator("select[name=community]").select_option(label="太湖社区")
    page.locator("input[name=address]").fill("太湖大道与金石路路口东侧")
    page.locator("input[name=photos]").set_input_files(
        [{"name": "manhole.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(gps=True)}]
    )
    page.locator("input[name=contact_phone]").fill("13812345678")
    page.locator("input[name=consent_to_contact]").check()
    page.screenshot(path=artifacts / "report-form-360.png", full_page=True)
    page.get_by_role("button", name=re.compile("Send the report|提交")).click()

    page.wait_for_url(re.compile(r"/report/BH-\d{4}-\d{6}/receipt/$"))
    reference = page.locator("#receipt-reference").inner_text().strip()
    code = page.locator("#receipt-code").inner_text().strip()
    assert re.fullmatch(r"BH-\d{4}-\d{6}", reference)
    assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){3}", code)
    assert page.locator("img[src^='data:image/svg+xml']").is_visible()  # the QR code
    assert_fits_phone_width(page)
    page.screenshot(path=artifacts / "report-receipt-360.png", full_page=True)
    assert_no_accessibility_violations(page)
    report = Report.objects.get(reference=reference)
    assert report.attachments.count() == 1
    assert report.extra_answers == {"danger": "是"}

    # Another phone opens the tracking page with the reference and the access code.
    other = browser.new_context(viewport={"width": 360, "height": 780}, locale="zh-CN")
    tracker = other.new_page()
    tracker.goto(live_server.url + "/track/")
    tracker.locator("input[name=reference]").fill(reference)
    tracker.locator("input[name=access_code]").fill(code.lower())
    tracker.locator("form.track-form button[type=submit]").click()
    tracker.wait_for_url(re.compile(rf"/track/{reference}/$"))
    assert reference in tracker.content()
    assert "13812345678" not in tracker.content()
    assert tracker.locator(".photos img").count() == 1
    assert tracker.locator(".photos img").evaluate("img => img.naturalWidth") > 0
    assert_fits_phone_width(tracker)
    tracker.screenshot(path=artifacts / "report-status-360.png", full_page=True)
    assert_no_accessibility_violations(tracker)
    other.close()

    # A third phone scans the receipt's QR link: the code travels in the fragment only, never
    # to the server, and the page fills it in and shows the report.
    link = page.locator("a.receipt__link").get_attribute("href")
    assert f"?reference={reference}#code={code}" in link and "?code=" not in link
    scanner_context = browser.new_context(viewport={"width": 360, "height": 780}, locale="zh-CN")
    scanner = scanner_context.new_page()
    requested = []
    scanner.on("request", lambda r: requested.append(r.url))
    scanner.goto(link)
    scanner.wait_for_url(re.compile(rf"/track/{reference}/$"))
    assert reference in scanner.content()
    assert not [url for url in requested if code in url.split("#")[0]]
    scanner_context.close()


def test_use_my_location_finds_the_grid_cell(ready, live_server, browser, artifacts):
    context = browser.new_context(
        viewport={"width": 360, "height": 780},
        locale="zh-CN",
        geolocation={"latitude": 31.5551, "longitude": 120.2551},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.goto(live_server.url + "/report/")
    page.locator("select[name=category]").select_option(label="暴露垃圾")
    page.locator("textarea[name=description]").fill("垃圾桶周围堆满了垃圾。")
    page.locator(".locate__button").click()
    page.wait_for_function("() => document.querySelector('input[name=latitude]').value !== ''")
    assert page.locator("input[name=latitude]").input_value() == "31.555100"
    page.locator("input[name=is_anonymous]").check()
    page.get_by_role("button", name=re.compile("Send the report|提交")).click()
    page.wait_for_url(re.compile(r"/receipt/$"))
    report = Report.objects.get()
    assert report.grid_cell is not None
    assert report.town.name == "太湖街道"
    page.screenshot(path=artifacts / "report-located-receipt-360.png", full_page=True)

    # The public list shows it, place rounded to the grid cell.
    page.goto(live_server.url + "/reports/")
    assert report.reference in page.content()
    assert report.grid_cell.name in page.content()
    assert_fits_phone_width(page)
    page.screenshot(path=artifacts / "report-list-360.png", full_page=True)
    assert_no_accessibility_violations(page)
    context.close()
