"""The English site is really in English (issue 13): a visitor on a phone walks the demo's
English home, a campaign, the report form, the receipt and tracking, and no Chinese text shows
outside a short allowed list (place names, the site's Chinese name, the language switch)."""

import re

from django.conf import settings as django_settings
from django.core.management import call_command

from complaints.models import Community, GridCell, Report, Town
from tests.browser.conftest import (
    BROWSER_DB,
    PHONE,
    assert_fits_phone_width,
    assert_no_accessibility_violations,
)

pytestmark = BROWSER_DB

# Han characters, CJK punctuation, and full-width forms (e.g. "：", "（").
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")

# Everything a visitor reads: the visible text and the texts of attributes read aloud or shown.
VISIBLE_TEXT = """() => {
  const attrs = ["alt", "title", "placeholder", "aria-label", "aria-description"];
  const parts = [document.title, document.body.innerText];
  for (const el of document.querySelectorAll("*")) {
    for (const name of attrs) {
      const value = el.getAttribute(name);
      if (value) parts.push(`[${name}] ${value}`);
    }
  }
  return parts.join("\\n");
}"""


def allowed_chinese() -> list[str]:
    """Place names, the site's Chinese name and the language switch's own name, longest first."""
    names = {"简体中文", "滨湖区", "城市管理局", "滨湖", django_settings.WAGTAIL_SITE_NAME}
    names.update(Town.objects.values_list("name", flat=True))
    names.update(Community.objects.values_list("name", flat=True))
    names.update(GridCell.objects.values_list("name", flat=True))
    return sorted((n for n in names if n), key=len, reverse=True)


def assert_english(page, allowed: list[str]):
    text = page.evaluate(VISIBLE_TEXT)
    for name in allowed:
        text = text.replace(name, "")
    leaks = [text[max(0, m.start() - 30) : m.end() + 30] for m in CJK.finditer(text)]
    assert not leaks, f"Chinese on {page.url}: {leaks[:8]}"


def load_demo(settings):
    settings.DEBUG = True  # seed_demo's guard; the site itself is served as in production
    call_command("seed_demo")
    settings.DEBUG = False


def test_english_site_home_campaign_report_and_tracking(settings, live_server, page, artifacts):
    load_demo(settings)
    allowed = allowed_chinese()
    page.set_viewport_size(PHONE)

    page.goto(live_server.url + "/en/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text().strip() == (
        "A clean, orderly Binhu, built together"
    )
    assert page.locator(".untranslated-notice").count() == 0
    assert_english(page, allowed)
    assert_fits_phone_width(page)
    page.screenshot(path=artifacts / "english-home-360.png", full_page=True)

    # A current campaign, from the home page's card.
    page.get_by_role("link", name="Joint enforcement on street hot spots").first.click()
    page.wait_for_url(re.compile(r"/en/campaigns/hot-spots-joint-enforcement/$"))
    assert page.locator(".untranslated-notice").count() == 0
    assert_english(page, allowed)
    assert_no_accessibility_violations(page)
    page.screenshot(path=artifacts / "english-campaign-360.png", full_page=True)

    # The report form, from the main navigation.
    page.locator(".site-nav").get_by_role("link", name="File a complaint").click()
    page.wait_for_url(re.compile(r"/en/report/$"))
    assert_english(page, allowed)
    page.locator("select[name=category]").select_option(label="Manhole cover missing or damaged")
    question = page.locator("select[name$=_danger]")
    assert question.is_visible()
    assert_english(page, allowed)  # the category's hint and question, now shown
    question.select_option(label="Yes")
    page.locator("textarea[name=description]").fill(
        "A manhole cover on the pavement is broken at one corner; it is dangerous at night."
    )
    town = Town.objects.order_by("name").first()
    community = Community.objects.filter(town=town).order_by("name").first()
    page.locator("select[name=town]").select_option(label=town.name)
    page.locator("select[name=community]").select_option(label=community.name)
    page.locator("input[name=address]").fill("East side of the crossing")
    page.locator("input[name=is_anonymous]").check()
    page.screenshot(path=artifacts / "english-report-form-360.png", full_page=True)
    page.get_by_role("button", name=re.compile("Send the report")).click()

    page.wait_for_url(re.compile(r"/en/report/BH-\d{4}-\d{6}/receipt/$"))
    reference = page.locator("#receipt-reference").inner_text().strip()
    code = page.locator("#receipt-code").inner_text().strip()
    report = Report.objects.get(reference=reference)
    assert report.extra_answers == {"danger": "是"}  # the answer staff read stays Chinese
    assert_english(page, allowed)

    # Tracking, from the main navigation, with the reference and the code.
    page.locator(".site-nav").get_by_role("link", name="Follow a report").click()
    page.wait_for_url(re.compile(r"/en/track/$"))
    assert_english(page, allowed)
    page.locator("input[name=reference]").fill(reference)
    page.locator("input[name=access_code]").fill(code)
    page.locator("form.track-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/en/track/{reference}/$"))
    assert reference in page.content()
    assert_english(page, allowed)
    assert_no_accessibility_violations(page)
    page.screenshot(path=artifacts / "english-tracking-360.png", full_page=True)


def test_an_untranslated_page_shows_chinese_with_an_english_notice(
    settings, live_server, page, artifacts
):
    load_demo(settings)
    page.goto(live_server.url + "/en/privacy/")
    notice = page.locator(".untranslated-notice")
    assert notice.inner_text().strip() == (
        "This page has not been translated yet; showing the Chinese version."
    )
    assert page.locator("main").get_attribute("lang") == "zh-CN"
    assert "个人信息保护说明" in page.get_by_role("heading", level=1).inner_text()
    assert_no_accessibility_violations(page)
    page.screenshot(path=artifacts / "english-untranslated-360.png", full_page=True)


def test_english_reward_scheme_transparency_and_public_list(settings, live_server, page):
    load_demo(settings)
    allowed = allowed_chinese()
    for path in ("/en/rewards/", "/en/rewards/transparency/", "/en/reports/"):
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator(".untranslated-notice").count() == 0
        assert_english(page, allowed)
