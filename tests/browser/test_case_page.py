"""The redesigned case page in a browser: the header, the map, the photo gallery, and an action
fired through its dialog by an intake operator and by a supervisor (screenshots kept in
var/test-artifacts/)."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from complaints.cases.services.transitions import report_transition
from complaints.intake.inputs import ReportInput
from complaints.intake.services.reports import report_submit
from complaints.models import DepartmentMembership, Report, ReportState
from complaints.reference.services.reference_data import (
    categories_load_from_csv,
    demo_geography_load,
)
from portal import roles
from tests.browser.conftest import BROWSER_DB
from tests.browser.test_case_workflow import staff_page
from tests.complaints.conftest import POINT, category, jpeg_bytes

pytestmark = BROWSER_DB


@pytest.fixture
def people(home, make_staff):
    from complaints.models import Department

    categories_load_from_csv()
    demo_geography_load()
    handler = make_staff(roles.DEPARTMENT_HANDLER, "handler")
    DepartmentMembership.objects.create(
        user=handler, department=Department.objects.get(key="sanitation")
    )
    return {
        "intake": make_staff(roles.INTAKE_OPERATOR, "intake"),
        "handler": handler,
        "supervisor": make_staff(roles.SUPERVISOR, "supervisor"),
    }


def caption(kind: str) -> str:
    """反映人 / 处置前 / 处置后: the gallery caption of a photo kind, in the staff's Chinese."""
    from complaints.backoffice.cases import PHOTO_CAPTIONS

    with translation.override("zh-hans"):
        return str(PHOTO_CAPTIONS[kind])


def whole_page(page, path):
    """A screenshot of the whole case: the admin scrolls inside <main>, so grow the window."""
    height = page.evaluate("document.getElementById('main').scrollHeight")
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
    page.screenshot(path=path)
    page.set_viewport_size(size)


def new_report() -> Report:
    from complaints.intake.services.uploads import upload_draft_add

    photo = SimpleUploadedFile("evidence.jpg", jpeg_bytes(colour=(180, 90, 40)), "image/jpeg")
    draft = upload_draft_add(token=uuid.uuid4().hex + uuid.uuid4().hex[:8], upload=photo)
    return report_submit(
        input=ReportInput(
            submission_token=uuid.uuid4(),
            category=category("event", "0102"),
            description="菜场门口垃圾成堆，两天没人清理。",
            latitude=POINT[0],
            longitude=POINT[1],
            address="太湖大道 100 号",
            contact_phone="13812345678",
            consent_to_contact=True,
            photo_drafts=[draft],
        )
    ).report


def test_intake_registers_through_the_dialog(people, live_server, browser, artifacts):
    report = new_report()
    page = staff_page(browser, live_server, "intake")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/admin/cases/case/{report.pk}/")

    header = page.locator("header.case-header")
    assert report.reference in header.inner_text()
    assert header.locator(".case-state").inner_text().strip() == "已接收"
    assert page.locator(".case-gallery__caption").all_inner_texts() == [caption("evidence")]
    # The grid cell is drawn even without a tile server.
    page.locator("#case-map[data-drawn=true] path.leaflet-interactive").first.wait_for()
    assert errors == []
    whole_page(page, artifacts / "case-page-intake.png")

    page.locator("a[data-case-action=reject]").click()
    dialog = page.locator("#case-action-reject")
    dialog.wait_for(state="visible")
    # The reason the table requires is a required field: the browser will not send it empty.
    assert dialog.locator("textarea[name='reject-note']").get_attribute("required") is not None
    page.screenshot(path=artifacts / "case-page-reject-dialog.png")
    dialog.locator(".w-dialog__close-button").click()
    dialog.wait_for(state="hidden")

    page.locator("a[data-case-action=register]").click()
    dialog = page.locator("#case-action-register")
    dialog.wait_for(state="visible")
    dialog.locator("button[type=submit]").click()
    page.wait_for_selector(".case[data-state=registered]")
    assert Report.objects.get(pk=report.pk).state == ReportState.REGISTERED
    assert page.locator("header.case-header .case-state").inner_text().strip() == "已立案"
    assert "已接收 → 已立案" in page.locator(".case-timeline").inner_text()
    whole_page(page, artifacts / "case-page-registered.png")
    page.context.close()


def test_supervisor_verifies_through_the_dialog(people, live_server, browser, artifacts):
    report = new_report()
    department = report.category.default_department
    report_transition(report=report, action="register", actor=people["intake"])
    report_transition(
        report=report, action="dispatch", actor=people["intake"], department=department
    )
    before = SimpleUploadedFile("before.jpg", jpeg_bytes(colour=(120, 120, 120)), "image/jpeg")
    after = SimpleUploadedFile("after.jpg", jpeg_bytes(colour=(30, 160, 60)), "image/jpeg")
    report_transition(
        report=report,
        action="handle",
        actor=people["handler"],
        note="已清运完毕，现场已冲洗。",
        photos=[after],
        before_photos=[before],
    )
    page = staff_page(browser, live_server, "supervisor")
    page.goto(f"{live_server.url}/admin/cases/case/{report.pk}/")
    captions = page.locator(".case-gallery__caption").all_inner_texts()
    assert sorted(captions) == sorted(caption(kind) for kind in ("evidence", "before", "handling"))
    assert page.locator("a[data-case-action]").evaluate_all(
        "links => links.map(l => l.dataset.caseAction)"
    ) == ["verify_pass", "verify_fail"]

    # The larger view of a photo opens (the permission-checked photo view).
    with page.expect_popup() as popup:
        page.locator(".case-gallery__item[data-kind=handling] a").click()
    assert popup.value.wait_for_load_state() is None
    popup.value.close()

    page.locator("a[data-case-action=verify_pass]").click()
    dialog = page.locator("#case-action-verify_pass")
    dialog.wait_for(state="visible")
    # Sent empty, the browser refuses: the verification result is required.
    dialog.locator("button[type=submit]").click()
    assert Report.objects.get(pk=report.pk).state == ReportState.HANDLED
    dialog.locator("textarea[name='verify_pass-note']").fill("现场核查合格")
    page.screenshot(path=artifacts / "case-page-verify-dialog.png")
    dialog.locator("button[type=submit]").click()
    page.wait_for_selector(".case[data-state=verified]")
    assert Report.objects.get(pk=report.pk).state == ReportState.VERIFIED
    assert page.locator("header.case-header .case-state").inner_text().strip() == "已核查"
    whole_page(page, artifacts / "case-page-verified.png")
    page.context.close()


def test_approver_approves_a_claim_through_the_dialog(
    people, make_staff, live_server, browser, artifacts
):
    from complaints.models import ClaimState
    from complaints.rewards.services.claims import claim_assess
    from tests.support.rewards import close, dumping, fund, inform, rule

    officer = make_staff(roles.REWARD_OFFICER, "officer")
    approver = make_staff(roles.REWARD_APPROVER, "approver")
    rule(dumping(), amount="50.00")
    fund(approver, budget="10000.00", allocate="5000.00")
    report = inform()
    close(report, people["supervisor"])
    claim = claim_assess(claim=report.reward_claims.get(), actor=officer, note="核实无误")

    page = staff_page(browser, live_server, "approver")
    page.goto(f"{live_server.url}/admin/rewards/claim/{claim.pk}/")
    header = page.locator("header.claim-header")
    assert report.reference in header.inner_text() and "¥50.00" in header.inner_text()
    assert page.locator(".claim-reason[data-ok=true]").count() == len(claim.reasons)
    whole_page(page, artifacts / "claim-page-approver.png")

    page.locator("a[data-case-action=approve]").click()
    dialog = page.locator("#case-action-approve")
    dialog.wait_for(state="visible")
    assert "¥50.00" in dialog.inner_text()
    page.screenshot(path=artifacts / "claim-page-approve-dialog.png")
    dialog.locator("button[type=submit]").click()
    page.wait_for_selector(".reward-claim[data-state=approved]")
    claim.refresh_from_db()
    assert claim.state == ClaimState.APPROVED
    whole_page(page, artifacts / "claim-page-approved.png")
    page.context.close()


def test_approver_declines_a_claim_with_a_note_through_the_dialog(
    people, make_staff, live_server, browser, artifacts
):
    from complaints.models import ClaimState
    from complaints.rewards.services.claims import claim_assess
    from tests.support.rewards import close, dumping, fund, inform, rule

    officer = make_staff(roles.REWARD_OFFICER, "officer")
    approver = make_staff(roles.REWARD_APPROVER, "approver")
    rule(dumping(), amount="50.00")
    fund(approver, budget="10000.00", allocate="5000.00")
    report = inform()
    close(report, people["supervisor"])
    claim = claim_assess(claim=report.reward_claims.get(), actor=officer, note="核实无误")

    page = staff_page(browser, live_server, "approver")
    page.goto(f"{live_server.url}/admin/rewards/claim/{claim.pk}/")
    page.locator("a[data-case-action=decline]").click()
    dialog = page.locator("#case-action-decline")
    dialog.wait_for(state="visible")
    note = dialog.locator("textarea[name='decline-note']")
    # The note is required: sent empty, the browser keeps the dialog and nothing changes.
    assert note.get_attribute("required") is not None
    dialog.locator("button[type=submit]").click()
    assert dialog.is_visible()
    claim.refresh_from_db()
    assert claim.state == ClaimState.ELIGIBLE

    note.fill("现场照片不足，请补充核实。")
    page.screenshot(path=artifacts / "claim-page-decline-dialog.png")
    dialog.locator("button[type=submit]").click()
    page.wait_for_selector(".reward-claim[data-state=pending]")
    claim.refresh_from_db()
    assert claim.state == ClaimState.PENDING
    # The officers see why, on the claim page itself.
    assert "现场照片不足，请补充核实。" in page.locator(".claim-declined-note").inner_text()
    whole_page(page, artifacts / "claim-page-declined.png")
    page.context.close()
