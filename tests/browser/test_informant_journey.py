"""An informant on a phone reports a violation with evidence, keeps the receipt code, follows up
with it, and after the staff's decision sees the reward paid."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from complaints.cases.services.transitions import report_transition
from complaints.models import DepartmentMembership, Informant, Report, RewardClaim, RewardFund
from complaints.reference.services.reference_data import (
    categories_load_from_csv,
    demo_geography_load,
    reward_rules_load_from_csv,
)
from complaints.rewards.services.claims import claim_approve, claim_assess, claim_pay, fund_allocate
from portal import roles
from tests.browser.conftest import (
    BROWSER_DB,
    PHONE,
    assert_fits_phone_width,
    assert_no_accessibility_violations,
)
from tests.complaints.conftest import jpeg_bytes

pytestmark = BROWSER_DB


@pytest.fixture
def ready(home, settings):
    settings.COMPLAINTS_RATE_INFORMANT_IP = "100/h"
    settings.COMPLAINTS_RATE_INFORMANT_LOOKUP_IP = "100/h"
    categories_load_from_csv()
    demo_geography_load()
    reward_rules_load_from_csv()
    return home


def close_and_pay(report: Report, make_staff) -> RewardClaim:
    """The staff's part, through the services the admin screens call."""
    intake = make_staff(roles.INTAKE_OPERATOR)
    supervisor = make_staff(roles.SUPERVISOR)
    handler = make_staff(roles.DEPARTMENT_HANDLER)
    department = report.category.default_department
    DepartmentMembership.objects.create(user=handler, department=department)
    report_transition(report=report, action="register", actor=intake)
    report_transition(report=report, action="dispatch", actor=intake, department=department)
    after = SimpleUploadedFile("after.jpg", jpeg_bytes(), "image/jpeg")
    report_transition(report=report, action="handle", actor=handler, note="已清运", photos=[after])
    report_transition(report=report, action="verify_pass", actor=supervisor, note="已核实")
    report_transition(report=report, action="close", actor=supervisor)
    officer = make_staff(roles.REWARD_OFFICER)
    approver = make_staff(roles.REWARD_APPROVER)
    year = timezone.localdate().year
    RewardFund.objects.create(year=year, budget=Decimal("10000"))
    fund_allocate(year=year, amount=Decimal("1000"), actor=approver)
    claim = claim_assess(claim=report.reward_claims.get(), actor=officer)
    claim_approve(claim=claim, actor=approver)
    claim_pay(claim=claim, actor=officer, payment_reference="ZF-20261127-01")
    claim.refresh_from_db()
    return claim


def test_report_a_violation_then_follow_up_to_the_payment(
    ready, live_server, page, browser, artifacts, make_staff
):
    page.goto(live_server.url + "/report-violation/")
    assert page.get_by_role("heading", level=1).inner_text()
    assert page.locator(".reward-rule").count() == 13  # violations only: 绿地 is a facility
    assert_fits_phone_width(page)
    assert_no_accessibility_violations(page)
    page.screenshot(path=artifacts / "informant-form-360.png", full_page=True)

    page.locator("select[name=category]").select_option(label="偷倒垃圾")
    page.locator("textarea[name=description]").fill("一辆小货车在河边倾倒建筑垃圾。")
    seen = timezone.localtime(timezone.now() - timedelta(hours=2))
    page.locator("input[name=observed_at]").fill(seen.strftime("%Y-%m-%dT%H:%M"))
    page.locator("select[name=town]").select_option(label="太湖街道")
    page.locator("select[name=community]").select_option(label="太湖社区")
    page.locator("input[name=address]").fill("太湖大道东侧河边")
    page.locator("input[name=photos]").set_input_files(
        [
            {"name": "near.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(gps=True)},
            {"name": "far.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()},
        ]
    )
    # Choosing "no reward" hides the identity fields; choosing the reward shows them again.
    page.locator("input[name=reward][value=none]").check()
    assert not page.locator("input[name=payment_account]").is_visible()
    page.locator("input[name=reward][value=claim]").check()
    page.locator("input[name=name]").fill("李秀英")
    page.locator("input[name=phone]").fill("13912345678")
    page.locator("input[name=payment_account]").fill("6222020200112233445")
    page.locator("form.informant-form button[type=submit]").click()

    page.wait_for_url(re.compile(r"/report-violation/receipt/$"))
    code = page.locator("#receipt-code").inner_text().strip()
    reference = page.locator("#receipt-reference").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){5}", code)
    assert_fits_phone_width(page)
    assert_no_accessibility_violations(page)
    page.screenshot(path=artifacts / "informant-receipt-360.png", full_page=True)
    report = Report.objects.get(reference=reference)
    assert report.attachments.count() == 2 and not report.is_public
    assert Informant.objects.get(report=report).name == "李秀英"
    # Reloading does not show the code again.
    page.reload()
    assert page.locator("#receipt-code").count() == 0

    # Another phone follows up with the code alone.
    other = browser.new_context(viewport=PHONE, locale="zh-CN")
    phone = other.new_page()
    phone.goto(live_server.url + "/report-violation/follow-up/")
    assert_no_accessibility_violations(phone)
    phone.locator("input[name=code]").fill(code.lower())
    phone.locator("form.informant-lookup button[type=submit]").click()
    phone.wait_for_selector("#informant-status")
    assert phone.locator("#status-reference").inner_text().strip() == reference
    assert phone.locator("[data-claim-state]").get_attribute("data-claim-state") == "pending"
    assert "13912345678" not in phone.content()

    claim = close_and_pay(report, make_staff)
    assert claim.amount == Decimal("500.00")

    phone.goto(live_server.url + "/report-violation/follow-up/")
    phone.locator("input[name=code]").fill(code)
    phone.locator("form.informant-lookup button[type=submit]").click()
    phone.wait_for_selector("#informant-status")
    assert phone.locator("#informant-status").get_attribute("data-state") == "closed"
    assert phone.locator("[data-claim-state]").get_attribute("data-claim-state") == "paid"
    assert phone.locator("[data-amount]").get_attribute("data-amount") == "500.00"
    assert "ZF-20261127-01" in phone.content()
    assert "李秀英" not in phone.content() and "已清运" not in phone.content()
    assert_fits_phone_width(phone)
    assert_no_accessibility_violations(phone)
    phone.screenshot(path=artifacts / "informant-follow-up-paid-360.png", full_page=True)

    # The transparency page counts it, without anybody's name.
    phone.goto(live_server.url + "/rewards/transparency/")
    total = phone.locator("#transparency-total")
    assert total.get_attribute("data-reports") == "1"
    assert total.get_attribute("data-amount") == "500.00"
    assert_fits_phone_width(phone)
    assert_no_accessibility_violations(phone)
    phone.screenshot(path=artifacts / "reward-transparency-360.png", full_page=True)
    other.close()


def test_scheme_page_on_a_phone(ready, live_server, page, artifacts):
    from cms.models import RewardSchemePage
    from tests.conftest import publish

    scheme = publish(
        ready,
        RewardSchemePage(title="有奖举报", slug="rewards", intro="<p>欢迎实名举报。</p>"),
    )
    page.goto(live_server.url + scheme.url)
    assert page.locator(".reward-rule").count() == 13  # violations only: 绿地 is a facility
    page.locator("a.reward-scheme__report").click()
    page.wait_for_url(re.compile(r"/report-violation/$"))
    page.go_back()
    assert_fits_phone_width(page)
    assert_no_accessibility_violations(page)
    page.screenshot(path=artifacts / "reward-scheme-page-360.png", full_page=True)
