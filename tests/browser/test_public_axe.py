"""Every public page passes axe (WCAG 2.1 A and AA) on a phone and a desktop, in Chinese and in
English (issue 13): one page of each kind the demo publishes, the resident's forms, the
public list, tracking of a report, the informant pages and the performance page."""

import uuid
from decimal import Decimal

from django.conf import settings as django_settings
from django.core.management import call_command
from wagtail.models import Locale, Page

from complaints.intake.inputs import ReportInput
from complaints.intake.services.reports import report_submit
from complaints.models import Category
from tests.browser.conftest import BROWSER_DB, PHONE, assert_no_accessibility_violations

pytestmark = BROWSER_DB

DESKTOP = {"width": 1280, "height": 900}
APP_PAGES = [
    "/report/",
    "/reports/",
    "/track/",
    "/report-violation/",
    "/rewards/transparency/",
    "/performance/",
    "/search/?q=垃圾",
]


def one_page_of_each_kind() -> list[str]:
    """The path of the first live Chinese page of every page type (the home page first)."""
    chinese = Locale.objects.get(language_code=django_settings.LANGUAGE_CODE)
    paths: dict[int, str] = {}
    for page in Page.objects.live().filter(depth__gte=2, locale=chinese).order_by("path"):
        if page.content_type_id not in paths:
            url = page.get_url()
            if url:
                paths[page.content_type_id] = url
    return list(paths.values())


def test_every_public_page_passes_axe_at_both_widths_in_both_languages(
    settings, live_server, browser
):
    settings.DEBUG = True  # seed_demo's guard; the site itself is served as in production
    call_command("seed_demo")
    settings.DEBUG = False
    filed = report_submit(
        input=ReportInput(
            submission_token=uuid.uuid4(),
            category=Category.objects.filter(is_active=True).order_by("pk").first(),
            description="路口垃圾桶旁边堆满了垃圾。",
            latitude=Decimal("31.555100"),
            longitude=Decimal("120.255100"),
            is_anonymous=True,
        )
    )
    reference, code = filed.report.reference, filed.access_code
    pages = one_page_of_each_kind()
    assert len(pages) >= 8, pages  # home, indexes, campaign, news, targets, rewards, cases ...
    checked = 0
    for viewport in (PHONE, DESKTOP):
        for prefix in ("", "/en"):
            context = browser.new_context(viewport=viewport, locale="zh-CN")
            page = context.new_page()
            for path in [*pages, *APP_PAGES]:
                response = page.goto(f"{live_server.url}{prefix}{path}")
                assert response is not None and response.status == 200, (prefix, path)
                assert_no_accessibility_violations(page)
                checked += 1
            # A report's receipt and tracking, through the tracking form.
            page.goto(f"{live_server.url}{prefix}/track/")
            page.locator("input[name=reference]").fill(reference)
            page.locator("input[name=access_code]").fill(code)
            page.locator("form.track-form button[type=submit]").click()
            page.wait_for_url(f"**{prefix}/track/{reference}/")
            assert_no_accessibility_violations(page)
            context.close()
    assert checked == 4 * (len(pages) + len(APP_PAGES))
