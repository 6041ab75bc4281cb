"""The public performance page in a browser: reached from the home page, figures and charts
drawn, no accessibility violation at 360 and 1280 px, in Chinese and English."""

import pytest
from django.utils import timezone

from complaints.models import Town
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
from tests.indicators.builders import case, rate

pytestmark = BROWSER_DB

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def figures(home):
    categories_load_from_csv()
    demo_geography_load()
    first, second = Town.objects.order_by("code")[:2]
    day = f"{timezone.localdate():%Y-%m-%d}"
    for town, count in ((first, 6), (second, 2)):
        for _number in range(count):
            report = case(
                created=f"{day} 08:00",
                state="closed",
                town=town,
                registered=f"{day} 08:10",
                dispatched=f"{day} 08:30",
                deadline=f"{day} 17:00",
                closed=f"{day} 09:00",
                on_time=True,
            )
            rate(report, "satisfied", when=f"{day} 09:30")
    return first, second


def test_a_visitor_reads_the_performance_page_from_the_home_page(
    figures, live_server, page, artifacts
):
    first, _second = figures
    page.goto(live_server.url + "/")
    page.locator('.figures-slot__more a[href="/performance/"]').click()
    page.wait_for_url("**/performance/")
    page.wait_for_function("() => document.querySelectorAll('.performance-svg').length === 3")
    for language, prefix in (("zh", ""), ("en", "/en")):
        for viewport, name in ((PHONE, "360"), (DESKTOP, "1280")):
            page.set_viewport_size(viewport)
            page.goto(f"{live_server.url}{prefix}/performance/")
            assert page.locator(f'tr[data-town="{first.name}"]').count() == 1
            if name == "360":
                assert_fits_phone_width(page)
            page.screenshot(path=artifacts / f"performance-{language}-{name}.png", full_page=True)
            assert_no_accessibility_violations(page)
