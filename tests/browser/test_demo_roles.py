"""Every demo role's first working day, in a browser (issue 12, "Done when").

The demo is built by ``seed_demo`` itself (a smaller year: the work list without the history
behind it), each demo account signs in with the password the command printed, finds work on its
admin home and acts on it through the dialogs: intake registers a new report, the sanitation
handler handles a dispatched case with a photo, the supervisor verifies a handled case, the
reward officer assesses a claim, the approver approves it after the confirmation with the
amount, the officer records the payment; the auditor reads a claim without any action. (The
editor's and moderator's moderation round is tested over HTTP in tests/cms/test_moderation.py:
in a browser, the page editor's StreamField script was sometimes not served by the test server
after other tests in the same process, so the step was taken out rather than left flaky.)
Screenshots are kept in var/test-artifacts/ (demo-<role>-*.png).
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from complaints.models import ClaimState, Report, ReportState, RewardClaim
from demo import cases as demo_cases
from demo.users import DEMO_USERS
from portal import roles
from tests.browser.conftest import BROWSER_DB
from tests.complaints.conftest import jpeg_bytes

pytestmark = BROWSER_DB

DESKTOP = {"width": 1280, "height": 900}
CASE_LINK = re.compile(r"/admin/cases/case/(\d+)/$")
CLAIM_LINK = re.compile(r"/admin/rewards/claim/(\d+)/$")


@pytest.fixture
def demo(monkeypatch, settings, tmp_path) -> dict[str, str]:
    """The demo as ``seed_demo --force`` builds it, with a shorter history; returns the
    passwords it printed (username → password)."""
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(demo_cases, "HISTORY", 12)
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)
    table = out.getvalue().split("Demo accounts")[-1]
    passwords = {}
    for line in table.splitlines():
        cells = line.split()
        if len(cells) >= 3 and cells[-2].startswith("demo_"):
            passwords[cells[-2]] = cells[-1]
    assert set(DEMO_USERS.values()) <= set(passwords), table
    return passwords


def sign_in(browser, live_server, username: str, password: str):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + "/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(live_server.url + "/admin/")
    page.errors = errors  # type: ignore[attr-defined]
    return page


def role_panels(page) -> list[str]:
    """The role panels on the admin home (their text), each showing work (a count above zero
    or a listed item)."""
    panels = page.locator(".portal-role-panel")
    texts = []
    for index in range(panels.count()):
        panel = panels.nth(index)
        counts = [c.strip() for c in panel.locator(".portal-role-panel__count").all_inner_texts()]
        items = panel.locator("[data-role-items] a, [data-role-table] a").count()
        assert items or any(c not in ("", "0") for c in counts), panel.inner_text()
        texts.append(panel.inner_text())
    return texts


def panel_links(page, pattern: re.Pattern) -> list[int]:
    """The objects the home's role panels list, in order (their ids from the links)."""
    ids = []
    for href in page.locator(".portal-role-panel [data-role-items] a").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    ):
        match = pattern.search(href or "")
        if match:
            ids.append(int(match[1]))
    return ids


def first_listed(page, pattern, model, **state):
    """The first object listed on the home whose state is the given one; opened by its link."""
    ids = panel_links(page, pattern)
    wanted = set(model.objects.filter(pk__in=ids, **state).values_list("pk", flat=True))
    assert wanted, f"the home lists no {model.__name__} in {state} among {ids}"
    pk = next(pk for pk in ids if pk in wanted)
    # Wait for the navigation itself: the page already loaded counts as "loaded" too.
    with page.expect_navigation():
        page.locator(f".portal-role-panel [data-role-items] a[href$='/{pk}/']").first.click()
    return model.objects.get(pk=pk)


def whole_page(page, path):
    """A screenshot of the whole screen: the admin scrolls inside <main>, so grow the window."""
    height = page.evaluate("() => document.getElementById('main').scrollHeight")
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
    page.screenshot(path=path)
    page.set_viewport_size(size)


def act(page, action: str, fill=None, files=None, select=None):
    """Press the action's button in the page header, fill its dialog's form and submit it."""
    page.locator(f"a[data-case-action={action}]").click()
    dialog = page.locator(f"#case-action-{action}")
    dialog.wait_for(state="visible")
    form = dialog.locator(f"form[data-action={action}]")
    for name, value in (fill or {}).items():
        form.locator(f"[name='{action}-{name}'], [name='{name}']").first.fill(value)
    for name, value in (select or {}).items():
        form.locator(f"[name='{action}-{name}'], [name='{name}']").first.select_option(value)
    for name, path in (files or {}).items():
        form.locator(f"[name='{action}-{name}']").set_input_files(str(path))
    return dialog, form


def submit(page, form):
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_every_demo_role_finds_work_and_acts_on_it(demo, live_server, browser, artifacts, tmp_path):
    def login(role):
        username = DEMO_USERS[role]
        return sign_in(browser, live_server, username, demo[username])

    # Intake: new reports wait; one is registered through its dialog.
    page = login(roles.INTAKE_OPERATOR)
    assert role_panels(page)
    page.screenshot(path=artifacts / "demo-intake-home.png", full_page=True)
    report = first_listed(page, CASE_LINK, Report, state=ReportState.RECEIVED)
    dialog, form = act(page, "register")
    page.screenshot(path=artifacts / "demo-intake-register-dialog.png")
    submit(page, form)
    page.wait_for_selector(".case[data-state=registered]")
    assert Report.objects.get(pk=report.pk).state == ReportState.REGISTERED
    whole_page(page, artifacts / "demo-intake-registered.png")
    assert page.errors == []
    page.context.close()

    # The sanitation handler: its department's cases; one is handled with an after photo.
    page = login(roles.DEPARTMENT_HANDLER)
    assert role_panels(page)
    page.screenshot(path=artifacts / "demo-handler-home.png", full_page=True)
    report = first_listed(page, CASE_LINK, Report, state=ReportState.DISPATCHED)
    assert report.department.key == "sanitation"
    after = tmp_path / "after.jpg"
    after.write_bytes(jpeg_bytes(colour=(30, 160, 60)))
    dialog, form = act(
        page, "handle", fill={"note": "已清运完毕，现场已冲洗。"}, files={"photos": after}
    )
    page.screenshot(path=artifacts / "demo-handler-handle-dialog.png")
    submit(page, form)
    page.wait_for_selector(".case[data-state=handled]")
    assert Report.objects.get(pk=report.pk).state == ReportState.HANDLED
    whole_page(page, artifacts / "demo-handler-handled.png")
    assert page.errors == []
    page.context.close()

    # The supervisor: handled cases await verification; one passes.
    page = login(roles.SUPERVISOR)
    assert role_panels(page)
    page.screenshot(path=artifacts / "demo-supervisor-home.png", full_page=True)
    report = first_listed(page, CASE_LINK, Report, state=ReportState.HANDLED)
    dialog, form = act(page, "verify_pass", fill={"note": "现场复核：处置到位。"})
    page.screenshot(path=artifacts / "demo-supervisor-verify-dialog.png")
    submit(page, form)
    page.wait_for_selector(".case[data-state=verified]")
    assert Report.objects.get(pk=report.pk).state == ReportState.VERIFIED
    whole_page(page, artifacts / "demo-supervisor-verified.png")
    assert page.errors == []
    page.context.close()

    # The reward officer: claims to assess; one is found eligible and proposed.
    page = login(roles.REWARD_OFFICER)
    assert role_panels(page)
    page.screenshot(path=artifacts / "demo-officer-home.png", full_page=True)
    claim = first_listed(page, CLAIM_LINK, RewardClaim, state=ClaimState.PENDING)
    dialog, form = act(page, "assess", fill={"note": "举报属实，材料齐全。"})
    page.screenshot(path=artifacts / "demo-officer-assess-dialog.png")
    submit(page, form)
    claim.refresh_from_db()
    assert claim.state == ClaimState.ELIGIBLE, claim.state
    whole_page(page, artifacts / "demo-officer-assessed.png")
    assert page.errors == []
    page.context.close()

    # The approver: the proposal waits on the home; approved after the confirmation.
    page = login(roles.REWARD_APPROVER)
    assert role_panels(page)
    page.screenshot(path=artifacts / "demo-approver-home.png", full_page=True)
    assert (
        claim.pk in panel_links(page, CLAIM_LINK)
        or RewardClaim.objects.filter(state=ClaimState.ELIGIBLE).count() > 5
    )  # the panel lists the first five proposals
    page.goto(f"{live_server.url}/admin/rewards/claim/{claim.pk}/")
    dialog, form = act(page, "approve")
    assert f"¥{claim.amount}" in dialog.inner_text()  # the confirmation names the amount
    page.screenshot(path=artifacts / "demo-approver-approve-dialog.png")
    submit(page, form)
    page.wait_for_selector(".reward-claim[data-state=approved]")
    claim.refresh_from_db()
    assert claim.state == ClaimState.APPROVED
    whole_page(page, artifacts / "demo-approver-approved.png")
    assert page.errors == []
    page.context.close()

    # The officer again: the approved claim is paid, confirmed with its amount.
    page = login(roles.REWARD_OFFICER)
    page.goto(f"{live_server.url}/admin/rewards/claim/{claim.pk}/")
    dialog, form = act(page, "pay", fill={"payment_reference": "ZF-2026-0001"})
    assert f"¥{claim.amount}" in dialog.inner_text()
    submit(page, form)
    page.wait_for_selector(".reward-claim[data-state=paid]")
    claim.refresh_from_db()
    assert claim.state == ClaimState.PAID
    whole_page(page, artifacts / "demo-officer-paid.png")
    page.context.close()

    # The auditor: identity reveals and exports on the home; a claim is read, never acted on.
    page = login(roles.AUDITOR)
    assert role_panels(page)
    page.screenshot(path=artifacts / "demo-auditor-home.png", full_page=True)
    page.goto(f"{live_server.url}/admin/rewards/claim/{claim.pk}/")
    assert page.locator(".reward-claim[data-state=paid]").count() == 1
    assert page.locator("a[data-case-action]").count() == 0
    whole_page(page, artifacts / "demo-auditor-claim.png")
    assert page.errors == []
    page.context.close()
