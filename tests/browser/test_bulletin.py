"""The monthly bulletins in a browser: a supervisor asks for March's bulletin, the worker makes
it, the printable page passes axe (WCAG 2.1 A and AA) and the PDF link answers a PDF."""

from django.core.management import call_command

from portal import roles
from tests.browser.conftest import BROWSER_DB, assert_no_accessibility_violations
from tests.browser.test_case_workflow import staff_page
from tests.browser.test_statistics import march  # noqa: F401  (fixture)

pytestmark = BROWSER_DB


def test_supervisor_makes_opens_and_downloads_a_bulletin(
    march,  # noqa: F811
    make_staff,
    live_server,
    browser,
    artifacts,
):
    first, _second = march
    make_staff(roles.SUPERVISOR, "supervisor")
    page = staff_page(browser, live_server, "supervisor")
    page.goto(live_server.url + "/admin/indicators/bulletins/")
    page.locator("#id_month").fill("2026-03")
    page.locator("form.statistics-filters button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#bulletin-list tr[data-month='2026-03']").count() == 0  # queued
    call_command("run_worker", "--batch", "--interval", "0", verbosity=0)

    page.reload()
    row = page.locator("#bulletin-list tr[data-month='2026-03']")
    row.wait_for()
    pdf_url = row.locator("a[href$='/pdf/']").get_attribute("href")
    row.locator("a").first.click()
    page.wait_for_load_state()
    assert first.name in page.locator("main, body").first.inner_text()
    page.screenshot(path=artifacts / "bulletin.png", full_page=True)
    assert_no_accessibility_violations(page)

    download = page.context.request.get(live_server.url + pdf_url)
    assert download.status == 200
    assert download.headers["content-type"] == "application/pdf"
    assert download.body().startswith(b"%PDF")
