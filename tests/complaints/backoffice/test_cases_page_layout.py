"""The case page and the reward claim page as staff meet them through HTTP: the header (reference,
state label, deadline countdown, department), the actions of the transition table as buttons
opening dialogs with the required fields, the gallery captions, the timeline in Chinese, and the
forms shown in the page when JavaScript is off."""

import re
import uuid
from datetime import timedelta
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from complaints.backoffice.cases import PHOTO_CAPTIONS
from complaints.cases.services.transitions import report_transition
from complaints.cases.workflow import TRANSITIONS, Requirement, actions_from
from complaints.intake.services.uploads import upload_draft_add
from complaints.models import Attachment, Report, ReportState
from complaints.rewards.services.claims import claim_assess
from portal import roles
from tests.complaints.conftest import jpeg_bytes, photo
from tests.support.factories import ReportFactory

# Some tests reach their fixtures through request.getfixturevalue: the marker tells pytest-django
# they use the database, so they run before the transactional tests (whose flush removes the
# role groups), not after them.
pytestmark = pytest.mark.django_db

ROLE_OF = {
    "intake": roles.INTAKE_OPERATOR,
    "handler": roles.DEPARTMENT_HANDLER,
    "supervisor": roles.SUPERVISOR,
}
# The input each requirement of the table puts in an action's form (prefix: the action).
REQUIRED_INPUT = {
    Requirement.REASON: "note",
    Requirement.NOTE: "note",
    Requirement.HANDLING_NOTE: "note",
    Requirement.VERIFICATION: "note",
    Requirement.DEPARTMENT: "department",
    Requirement.DUPLICATE_OF: "duplicate_of",
    Requirement.CATEGORY: "category",
    Requirement.EXTENSION: "extension_amount",
    Requirement.AFTER_PHOTO: "photos",
}


def zh(label) -> str:
    with translation.override("zh-hans"):
        return str(label)


def case_page(client, report, **query):
    response = client.get(reverse("complaints_case", args=[report.pk]), query)
    assert response.status_code == 200
    return response.text


def section(html: str, start: str, end: str) -> str:
    """The markup from the first ``start`` to the next ``end``."""
    begin = html.index(start)
    return html[begin : html.index(end, begin)]


def header_of(html: str) -> str:
    return section(html, '<header class="w-header case-header', "</header>")


def text_of(markup: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def required_in(form_html: str, name: str) -> bool:
    """The field is marked required (asterisk) and cannot be sent empty: the ``required``
    attribute, or a select without an empty choice."""
    label = re.search(
        rf'<label class="w-field__label"[^>]*for="id_{name}"[^>]*>(.*?)</label>', form_html, re.S
    )
    if not label or "w-required-mark" not in label.group(1):
        return False
    element = re.search(rf'<(input|select|textarea)\b[^>]*name="{name}"[^>]*>', form_html)
    if element is None:
        return False
    if " required" in element.group(0):
        return True
    if element.group(1) != "select":
        return False
    options = section(form_html[element.start() :], "<select", "</select>")
    return 'value=""' not in options


# --- the header ------------------------------------------------------------------------------


def test_header_shows_reference_category_state_deadline_and_department(client, handler, report_in):
    report = report_in(ReportState.DISPATCHED)
    client.force_login(handler)
    header = header_of(case_page(client, report))
    text = text_of(header)
    assert report.reference in text and str(report.category) in text
    assert re.search(r'<dd data-state="dispatched">\s*<span class="w-status[^"]*case-state', header)
    assert "已派遣" in text  # the state's label, never the stored value
    deadline = timezone.localtime(report.deadline).strftime("%Y-%m-%d %H:%M")
    assert deadline in text
    assert 'data-overdue="false"' in header and "case-deadline--overdue" not in header
    assert "case-countdown" in header  # time left while the clock runs
    assert report.department.name in section(header, 'class="case-department"', "</dd>")


def test_overdue_case_is_marked_in_red(client, handler, report_in):
    report = report_in(ReportState.DISPATCHED)
    Report.objects.filter(pk=report.pk).update(deadline=timezone.now() - timedelta(hours=5))
    client.force_login(handler)
    header = header_of(case_page(client, report))
    deadline = section(header, '<dd class="case-deadline', "</dd>")
    assert "case-deadline--overdue" in deadline and 'data-overdue="true"' in deadline
    assert '<span class="w-status case-overdue">' in deadline
    assert "case-countdown" in deadline


# --- actions: buttons, dialogs, required fields ----------------------------------------------


STAFF_STATES = list(ReportState)


@pytest.mark.parametrize("role", list(ROLE_OF))
@pytest.mark.parametrize("state", STAFF_STATES)
def test_actions_offered_are_the_tables_with_required_fields(role, state, client, request):
    report = request.getfixturevalue("report_in")(state)
    client.force_login(request.getfixturevalue(role))
    html = case_page(client, report)
    expected = [t for t in actions_from(state) if ROLE_OF[role] in t.roles]

    buttons = re.findall(r'<a [^>]*data-case-action="([a-z_]+)"', header_of(html))
    assert buttons == [t.action.value for t in expected]
    for transition in expected:
        action = transition.action.value
        # Each button opens its dialog, which holds the action's plain POST form.
        dialog = section(html, f'<div id="case-action-{action}"', "</template>")
        form = re.search(
            rf'<form method="post" action="([^"]+)"[^>]*data-action="{action}"', dialog
        )
        assert form and form.group(1) == reverse("complaints_case", args=[report.pk])
        assert 'name="csrfmiddlewaretoken"' in dialog
        assert zh(transition.action.label) in text_of(section(dialog, "w-dialog__title", "</h2>"))
        for requirement in transition.requires:
            name = f"{action}-{REQUIRED_INPUT[requirement]}"
            assert required_in(dialog, name), (action, requirement)
    if not expected:
        assert "case-no-actions" in html and "w-dialog" not in section(
            html, '<div class="case"', "</main>"
        )


def test_every_staff_transition_is_reachable_from_some_page():
    # The parametrisation above covers every row staff may fire.
    staff = {t.action.value for t in TRANSITIONS if set(t.roles) & set(ROLE_OF.values())}
    covered = {
        t.action.value
        for state in STAFF_STATES
        for t in actions_from(state)
        if set(t.roles) & set(ROLE_OF.values())
    }
    assert staff == covered


def test_without_javascript_the_button_shows_its_form_in_the_page(client, intake, report_in):
    report = report_in(ReportState.RECEIVED)
    client.force_login(intake)
    header = header_of(case_page(client, report))
    case_url = reverse("complaints_case", args=[report.pk])
    assert re.search(
        rf'<a href="{case_url}\?action=reject#case-active-action"[^>]*data-case-action="reject"',
        header,
    )

    html = case_page(client, report, action="reject")
    inline = section(html, 'id="case-active-action"', "</section>")
    assert 'data-action="reject"' in inline and "<template" not in inline
    assert 'id="case-action-reject"' not in html  # not a second copy in a dialog
    response = client.post(
        reverse("complaints_case", args=[report.pk]),
        {"action": "reject", "expected_state": "received", "reject-note": "不属于城管范围"},
    )
    assert response.status_code == 302
    assert Report.objects.get(pk=report.pk).state == ReportState.REJECTED


def test_a_refused_action_shows_its_errors_in_the_page(client, intake, report_in):
    report = report_in(ReportState.RECEIVED)
    client.force_login(intake)
    response = client.post(
        reverse("complaints_case", args=[report.pk]),
        {"action": "reject", "expected_state": "received", "reject-note": ""},
    )
    assert response.status_code == 400
    inline = section(response.text, 'id="case-active-action"', "</section>")
    assert 'data-action="reject"' in inline and "error-message" in inline
    assert Report.objects.get(pk=report.pk).state == ReportState.RECEIVED


def test_buttons_lead_to_the_case_from_the_page_a_reveal_answers(client, intake, report_in):
    """The page shown after a reveal lives at ``.../reveal/`` (POST only): a button followed
    without JavaScript must still lead to the case's own form, not to the reveal URL."""
    report = report_in(ReportState.RECEIVED)
    client.force_login(intake)
    revealed = client.post(
        reverse("complaints_case_reveal", args=[report.pk]), {"reason": "核实现场位置"}
    )
    assert revealed.status_code == 200 and "13812345678" in revealed.text
    links = dict(
        re.findall(r'<a href="([^"]+)"[^>]*data-case-action="([a-z_]+)"', header_of(revealed.text))
    )
    assert links, "no action buttons after the reveal"
    link = next(href for href, action in links.items() if action == "register")
    path, _sep, query = unescape(link).partition("?")
    assert path == reverse("complaints_case", args=[report.pk])
    page = client.get(path + "?" + query.split("#")[0])
    assert page.status_code == 200
    inline = section(page.text, 'id="case-active-action"', "</section>")
    assert 'data-action="register"' in inline
    # Every dialog's form on the revealed page posts to the case, never to the reveal URL.
    actions = set(
        re.findall(r'<form method="post" action="([^"]+)"[^>]*data-action=', revealed.text)
    )
    assert actions == {reverse("complaints_case", args=[report.pk])}


# --- photos ----------------------------------------------------------------------------------


def test_photos_carry_who_and_when_captions_and_open_the_checked_photo_view(
    client, handler, other_handler, reference_data
):
    draft = upload_draft_add(token=uuid.uuid4().hex + uuid.uuid4().hex[:8], upload=photo())
    report = ReportFactory(state=ReportState.DISPATCHED, photo_drafts=[draft])
    report_transition(
        report=report,
        action="handle",
        actor=handler,
        note="已清理",
        photos=[SimpleUploadedFile("after.jpg", jpeg_bytes(), "image/jpeg")],
        before_photos=[SimpleUploadedFile("before.jpg", jpeg_bytes(), "image/jpeg")],
    )
    client.force_login(handler)
    gallery = section(case_page(client, report), 'class="case-gallery"', "</ul>")
    items = re.findall(
        r'<li class="case-gallery__item" data-kind="(\w+)">.*?<a href="([^"]+)".*?'
        r'<figcaption class="case-gallery__caption">(.*?)</figcaption>',
        gallery,
        re.S,
    )
    assert sorted(kind for kind, _url, _caption in items) == ["before", "evidence", "handling"]
    for kind, url, caption in items:
        assert caption == zh(PHOTO_CAPTIONS[kind])
        attachment = Attachment.objects.get(report=report, kind=kind)
        assert url == reverse("complaints_case_photo", args=[report.pk, attachment.pk])
        assert client.get(url).status_code == 200
    # The larger view is checked like the case: another department's handler gets nothing.
    client.force_login(other_handler)
    assert client.get(items[0][1]).status_code == 404


# --- the timeline ----------------------------------------------------------------------------


def test_timeline_uses_state_labels_and_marks_internal_notes(client, intake, report_in, sanitation):
    from complaints.models import Category

    report = report_in(ReportState.RECEIVED)
    other = report_in(ReportState.DUPLICATE, duplicate_of=report)
    new_category = Category.objects.filter(is_active=True).exclude(pk=report.category_id).first()
    client.force_login(intake)
    url = reverse("complaints_case", args=[report.pk])
    for data in (
        {"action": "register", "expected_state": "received"},
        {
            "action": "change_category",
            "expected_state": "registered",
            "change_category-category": new_category.pk,
            "change_category-note": "内部核对",
        },
        {
            "action": "dispatch",
            "expected_state": "registered",
            "dispatch-department": sanitation.pk,
        },
    ):
        assert client.post(url, data).status_code == 302, data
    html = case_page(client, Report.objects.get(pk=report.pk))
    timeline = section(html, 'class="case-panel case-timeline"', "</section>")
    text = text_of(timeline)
    assert "已接收 → 已立案" in text and "已立案 → 已派遣" in text
    raw = "|".join(state.value for state in ReportState)
    assert not re.search(rf"\b({raw})\b", text), text
    internal = re.findall(r'<li class="case-event" data-kind="\w+" data-public="false">', timeline)
    assert len(internal) == 1  # the category change
    assert "case-event__visibility--internal" in timeline
    side = section(html, 'class="case-panel case-supporters"', "</section>")
    assert reverse("complaints_case", args=[other.pk]) in side and other.reference in side


# --- the reward claim page -------------------------------------------------------------------


def test_claim_page_header_checklist_and_actions_in_dialogs(staff, client, closed_claim):
    claim = claim_assess(claim=closed_claim, actor=staff["officer"], note="核实无误")
    client.force_login(staff["approver"])
    html = client.get(reverse("rewards_claim", args=[claim.pk])).text
    header = section(html, '<header class="w-header case-header claim-header', "</header>")
    assert claim.report.reference in text_of(header)
    assert zh(claim.get_state_display()) in text_of(header)
    assert "¥50.00" in text_of(header)
    checklist = section(html, 'class="claim-reasons claim-checklist"', "</ul>")
    assert len(
        re.findall(r'<li class="claim-reason" data-code="\w+" data-ok="true"', checklist)
    ) == len(claim.reasons)
    buttons = re.findall(r'data-case-action="(\w+)"', header)
    assert buttons == ["approve", "decline"]
    approve = section(html, '<div id="case-action-approve"', "</template>")
    confirm = reverse("rewards_claim_confirm", args=[claim.pk, "approve"])
    assert f'<form method="post" action="{confirm}"' in approve and "¥50.00" in text_of(approve)
    decline = section(html, '<div id="case-action-decline"', "</template>")
    assert required_in(decline, "decline-note")

    # Without JavaScript the same confirmation shows in the page, and confirming approves.
    page = client.get(reverse("rewards_claim", args=[claim.pk]), {"action": "approve"}).text
    inline = section(page, 'id="case-active-action"', "</section>")
    assert f'action="{confirm}"' in inline and "¥50.00" in text_of(inline)
    assert client.post(confirm).status_code == 302
    claim.refresh_from_db()
    assert claim.state == "approved"


def test_claim_buttons_lead_to_the_claim_from_the_page_a_reveal_answers(
    staff, client, closed_claim
):
    claim = claim_assess(claim=closed_claim, actor=staff["officer"], note="核实无误")
    client.force_login(staff["officer"])
    revealed = client.post(
        reverse("rewards_claim_reveal", args=[claim.pk]), {"reason": "核对收款账户"}
    )
    assert revealed.status_code == 200 and 'data-identity="shown"' in revealed.text
    header = section(revealed.text, '<header class="w-header case-header claim-header', "</header>")
    links = re.findall(r'<a href="([^"]+)"[^>]*data-case-action="(\w+)"', header)
    assert [action for _href, action in links] == ["cancel"]
    claim_url = reverse("rewards_claim", args=[claim.pk])
    assert all(unescape(href).startswith(claim_url + "?action=") for href, _action in links)
    page = client.get(claim_url, {"action": "cancel"}).text
    assert 'data-action="cancel"' in section(page, 'id="case-active-action"', "</section>")
