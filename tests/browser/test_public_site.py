"""Smoke test in headless Chromium at a phone's width: the home page and a campaign page."""

from django.core.management import call_command

from cms.models import CampaignPage
from tests.browser.conftest import (
    BROWSER_DB,
    assert_fits_phone_width,
    assert_no_accessibility_violations,
)

pytestmark = BROWSER_DB


def load_demo(settings):
    settings.DEBUG = True  # seed_demo's guard; the site itself is served as in production
    call_command("seed_demo")
    settings.DEBUG = False


def test_home_and_campaign_pages_on_a_phone(settings, live_server, page, artifacts):
    load_demo(settings)
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") in {"zh-Hans", "zh-CN"}
    assert page.get_by_role("heading", level=1).first.inner_text()
    assert page.locator("main").count() == 1
    assert page.locator("nav").count() >= 1
    assert "共建整洁有序的美丽滨湖" in page.content()
    assert_fits_phone_width(page)
    page.screenshot(path=artifacts / "home-360.png", full_page=True)
    assert_no_accessibility_violations(page)

    campaign = CampaignPage.objects.live().get(
        slug="hot-spots-joint-enforcement", locale__language_code="zh-hans"
    )
    page.goto(live_server.url + campaign.url)
    assert campaign.title in page.get_by_role("heading", level=1).inner_text()
    assert page.locator("main img").count() >= 1  # the gallery
    assert_fits_phone_width(page)
    page.screenshot(path=artifacts / "campaign-360.png", full_page=True)
    assert_no_accessibility_violations(page)


def test_language_switch_in_the_browser(settings, live_server, page):
    load_demo(settings)
    page.goto(live_server.url + "/about/")
    page.get_by_role("link", name="English").click()
    page.wait_for_url(live_server.url + "/en/about/")
    assert page.locator("html").get_attribute("lang") == "en"
