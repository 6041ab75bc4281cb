"""The staff account page (/admin/account/) loads without a script error.

Wagtail labels each time-zone option in the browser with ``Intl.DateTimeFormat``; by default it
offers every file of the system's zoneinfo, "localtime" included, and Chromium throws
``RangeError: Invalid time zone specified: localtime`` on it.
"""

from django.conf import settings

from portal import roles
from tests.browser.conftest import BROWSER_DB
from tests.browser.test_case_workflow import staff_page

pytestmark = BROWSER_DB


def test_account_page_has_no_console_error(make_staff, home, live_server, browser):
    make_staff(roles.INTAKE_OPERATOR, "intake")
    page = staff_page(browser, live_server, "intake")
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(live_server.url + "/admin/account/")
    page.wait_for_load_state("networkidle")

    assert errors == [], errors
    # The time-zone choice is still offered, only with zones a browser knows.
    zone_select = page.locator("select[name$=current_time_zone]")
    assert zone_select.count() == 1
    offered = set(zone_select.locator("option").evaluate_all("(os) => os.map((o) => o.value)"))
    assert settings.TIME_ZONE in offered and "localtime" not in offered
    # Each option was labelled by the script (it stops at the first zone it cannot format).
    labels = zone_select.locator("option").all_text_contents()
    assert all(":" in label for label in labels if label.strip()), labels
