"""The whole case in a browser: intake registers and dispatches, the handler handles with a
photo, the supervisor verifies and closes, and the resident sees it closed and rates it."""

import uuid

import pytest
from django.utils import translation

from complaints.cases.workflow import PublicState
from complaints.intake.inputs import ReportInput
from complaints.intake.services.reports import report_submit
from complaints.models import DepartmentMembership, Report, ReportState, SatisfactionResponse
from complaints.reference.services.reference_data import (
    categories_load_from_csv,
    demo_geography_load,
)
from portal import roles
from tests.browser.conftest import (
    BROWSER_DB,
    assert_fits_phone_width,
    assert_no_accessibility_violations,
)
from tests.complaints.conftest import POINT, category, jpeg_bytes

pytestmark = BROWSER_DB

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def case(home):
    categories_load_from_csv()
    demo_geography_load()
    result = report_submit(
        input=ReportInput(
            submission_token=uuid.uuid4(),
            category=category("event", "0102"),
            description="菜场门口垃圾成堆，两天没人清理。",
            latitude=POINT[0],
            longitude=POINT[1],
            address="太湖大道 100 号",
            contact_phone="13812345678",
            consent_to_contact=True,
        )
    )
    return result.report, result.access_code


@pytest.fixture
def staff(make_staff, case):
    from complaints.models import Department

    handler = make_staff(roles.DEPARTMENT_HANDLER, "handler")
    DepartmentMembership.objects.create(
        user=handler, department=Department.objects.get(key="sanitation")
    )
    return {
        "intake": make_staff(roles.INTAKE_OPERATOR, "intake"),
        "handler": handler,
        "supervisor": make_staff(roles.SUPERVISOR, "supervisor"),
    }


def staff_page(browser, live_server, username):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + "/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("pw")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(live_server.url + "/admin/")
    return page


def fire(page, action, fill=None, files=None):
    """Press the action's button in the case header and submit the form its dialog shows."""
    page.locator(f"a[data-case-action={action}]").click()
    dialog = page.locator(f"#case-action-{action}")
    dialog.wait_for(state="visible")
    form = dialog.locator(f"form[data-action={action}]")
    for name, value in (fill or {}).items():
        form.locator(f"[name='{action}-{name}']").fill(value)
    for name, path in (files or {}).items():
        form.locator(f"[name='{action}-{name}']").set_input_files(str(path))
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_case_from_intake_to_rating(case, staff, live_server, browser, page, tmp_path, artifacts):
    report, access_code = case
    case_url = f"{live_server.url}/admin/cases/case/{report.pk}/"

    intake = staff_page(browser, live_server, "intake")
    intake.goto(live_server.url + "/admin/cases-triage/")
    intake.locator(f"a[href='/admin/cases/case/{report.pk}/']").first.click()
    fire(intake, "register")
    assert Report.objects.get(pk=report.pk).state == ReportState.REGISTERED
    fire(intake, "dispatch")
    assert Report.objects.get(pk=report.pk).state == ReportState.DISPATCHED
    intake.context.close()

    handler = staff_page(browser, live_server, "handler")
    handler.goto(live_server.url + "/admin/cases-department/")
    assert report.reference in handler.locator("main").inner_text()
    handler.goto(case_url)
    assert "13812345678" not in handler.content()
    photo = tmp_path / "after.jpg"
    photo.write_bytes(jpeg_bytes(colour=(30, 160, 60)))
    fire(handler, "handle", fill={"note": "已清运完毕，现场已冲洗。"}, files={"photos": photo})
    assert Report.objects.get(pk=report.pk).state == ReportState.HANDLED
    handler.screenshot(path=artifacts / "case-handled.png", full_page=True)
    handler.context.close()

    supervisor = staff_page(browser, live_server, "supervisor")
    supervisor.goto(live_server.url + "/admin/cases-verification/")
    assert report.reference in supervisor.locator("main").inner_text()
    supervisor.goto(case_url)
    fire(supervisor, "verify_pass", fill={"note": "现场核查合格"})
    fire(supervisor, "close")
    closed = Report.objects.get(pk=report.pk)
    assert closed.state == ReportState.CLOSED and closed.closed_on_time is not None
    supervisor.context.close()

    # The resident, on a phone, opens the tracking link and rates the handling.
    page.goto(f"{live_server.url}/track/{report.reference}/?code={access_code}")
    with translation.override("zh-hans"):
        closed_label = str(PublicState.CLOSED.label)
    assert page.locator(".status-state").inner_text() == closed_label
    assert "已清运完毕" in page.locator("main").inner_text()
    assert_fits_phone_width(page)
    page.locator(f"a[href='/track/{report.reference}/rate/']").click()
    assert_no_accessibility_violations(page)
    page.locator("input[name=rating][value=satisfied]").check()
    page.locator("textarea[name=comment]").fill("处理及时，谢谢！")
    page.locator("form.rating-form button[type=submit]").click()
    page.wait_for_url(f"**/track/{report.reference}/rated/")
    assert_fits_phone_width(page)
    answer = SatisfactionResponse.objects.get(report=report)
    assert (answer.rating, answer.channel) == ("satisfied", "web")
