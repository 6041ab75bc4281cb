"""The inspector's phone screen in a browser at phone width: sign in, open the next object,
start, record a finding with a photo, record one more while the connection is down (kept on the
phone, sent when it is back), submit; the score is shown and the rectification case is filed."""

import json

import pytest

from complaints.models import Department, Report, ReportChannel
from complaints.reference.services.reference_data import (
    categories_load_from_csv,
    demo_geography_load,
)
from inspections.models import Finding, Inspection
from portal import roles
from tests.browser.conftest import BROWSER_DB, PHONE, assert_fits_phone_width
from tests.complaints.conftest import category, jpeg_bytes

pytestmark = BROWSER_DB

LAT, LON = 31.5, 120.3


@pytest.fixture
def assignment(home, make_staff):
    from tests.inspections.builders import market, standard
    from tests.inspections.test_phone import assign

    categories_load_from_csv()
    demo_geography_load()
    from complaints.reference.services.reference_data import departments_load

    departments_load()
    standard(
        ("地面垃圾", "2", "10", True, 8, category("event", "0102")),
        ("标识褪色", "1", "3"),
    )
    obj = market("菜市场 甲", unit="greening")
    obj.geometry = json.dumps({"type": "Point", "coordinates": [LON, LAT]})
    obj.save()
    return assign(obj, make_staff(roles.INSPECTOR, "inspector1"))


def test_an_inspector_completes_an_assignment_on_a_phone(
    assignment, live_server, browser, artifacts, tmp_path
):
    context = browser.new_context(
        viewport=PHONE,
        locale="zh-CN",
        permissions=["geolocation"],
        geolocation={"latitude": LAT + 0.0005, "longitude": LON},
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/inspector/")
    # Not signed in: the staff sign-in page, then back to the list.
    page.locator("#id_username").fill("inspector1")
    page.locator("#id_password").fill("pw")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/inspector/")
    assert_fits_phone_width(page)
    page.screenshot(path=artifacts / "inspector-list.png", full_page=True)

    with page.expect_navigation():
        page.locator(".inspector__next a").click()
    assert "地面垃圾" in page.locator(".inspector-checklist").inner_text()
    with page.expect_navigation():
        page.locator(".inspector__start button").click()
    form = page.locator("form[data-finding-form]")
    form.wait_for()
    queue = f"inspector-findings-v1:{assignment.inspector.pk}"  # one queue per inspector
    assert_fits_phone_width(page)

    # A finding with a photo: sent at once and acknowledged.
    photo = tmp_path / "litter.jpg"
    photo.write_bytes(jpeg_bytes(gps=True))
    form.locator("select[name=item]").select_option(index=0)
    form.locator("input[name=occurrences]").fill("2")
    form.locator("textarea[name=note]").fill("入口两处")
    form.locator("input[name=photo]").set_input_files(str(photo))
    form.locator("button[type=submit]").click()
    page.wait_for_function("() => document.querySelectorAll('[data-findings] li').length === 1")
    page.wait_for_function(f"() => localStorage.getItem('{queue}') === '[]'")

    # The connection drops: the next finding waits on the phone, then goes when it is back.
    context.set_offline(True)
    form.locator("select[name=item]").select_option(index=1)
    form.locator("input[name=occurrences]").fill("5")
    form.locator("button[type=submit]").click()
    page.wait_for_function(
        f"() => JSON.parse(localStorage.getItem('{queue}') || '[]').length === 1"
    )
    assert page.locator("[data-queue]").is_visible()
    assert Finding.objects.count() == 1
    page.screenshot(path=artifacts / "inspector-offline.png", full_page=True)
    context.set_offline(False)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-findings] li').length === 2", timeout=40000
    )
    page.wait_for_function(f"() => localStorage.getItem('{queue}') === '[]'")
    assert Finding.objects.count() == 2

    with page.expect_navigation():
        page.locator("form[data-submit-form] button").click()
    score = page.locator(".inspector__score").inner_text()
    assert "93" in score  # 100 − 2×2 − min(1×5, 3)
    assert_fits_phone_width(page)
    page.screenshot(path=artifacts / "inspector-submitted.png", full_page=True)
    assert errors == []

    inspection = Inspection.objects.get()
    assert inspection.state == Inspection.State.SUBMITTED
    litter = Finding.objects.get(item__text="地面垃圾")
    assert litter.photo and litter.latitude is not None and litter.device_at is not None
    assert inspection.flags == []  # on time and 55 m from the market
    case = Report.objects.get(channel=ReportChannel.INSPECTION)
    assert case.department == Department.objects.get(key="greening")
    context.close()
