"""The statistics screen in a browser: a supervisor filters, reads the ranking and the charts;
no accessibility violation (charts carry data tables for screen readers)."""

import pytest

from complaints.models import Town
from complaints.reference.services.reference_data import (
    categories_load_from_csv,
    demo_geography_load,
)
from portal import roles
from tests.browser.conftest import BROWSER_DB, assert_no_accessibility_violations
from tests.browser.test_case_workflow import staff_page
from tests.indicators.builders import case, rate

pytestmark = BROWSER_DB


@pytest.fixture
def march(home):
    categories_load_from_csv()
    demo_geography_load()
    first, second = Town.objects.order_by("code")[:2]
    for town, on_time, rating in ((first, True, "satisfied"), (second, False, "dissatisfied")):
        report = case(
            created="2026-03-02 09:00",
            state="closed",
            town=town,
            registered="2026-03-02 09:10",
            dispatched="2026-03-02 09:30",
            deadline="2026-03-02 17:00",
            closed="2026-03-02 16:00",
            on_time=on_time,
        )
        rate(report, rating, when="2026-03-03 10:00")
    return first, second


def test_supervisor_reads_the_month_ranking(march, make_staff, live_server, browser, artifacts):
    first, second = march
    make_staff(roles.SUPERVISOR, "supervisor")
    page = staff_page(browser, live_server, "supervisor")
    page.goto(live_server.url + "/admin/indicators/")
    page.locator("#id_day").fill("2026-03-15")
    page.get_by_role("button", name="查看").click()
    page.wait_for_load_state()
    ranking = page.locator("#town-ranking tbody tr")
    assert ranking.first.locator("th").inner_text() == first.name
    assert ranking.first.locator(".statistics-grade").inner_text() == "A"
    # Closed late and rated dissatisfied: 20 (closure) + 10 (no rework) of 100.
    assert ranking.nth(1).locator("th").inner_text() == second.name
    assert ranking.nth(1).locator(".statistics-grade").inner_text() == "E"
    assert page.locator("svg.statistics-svg").count() == 3
    page.screenshot(path=artifacts / "statistics.png", full_page=True)
    assert_no_accessibility_violations(page)
