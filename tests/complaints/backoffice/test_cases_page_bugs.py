"""Bugs found on the case and claim pages by new staff, each through HTTP as a user meets it.

1. After a reveal the page's action forms posted to ``.../reveal/`` (no ``action`` URL).
2. A pending rework request was shown to the resident as "closed" (page, SMS, e-mail).
3. The callback form came pre-set to "satisfied" and hid the resident's own answer.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from django.core import mail
from django.urls import reverse

from complaints.cases.services.transitions import report_transition
from complaints.cases.workflow import REWORK_PENDING_LABEL, Action, PublicState
from complaints.models import (
    ClaimState,
    LedgerEntry,
    Report,
    ReportState,
    SatisfactionResponse,
)
from complaints.notifications.sms import MemorySmsBackend
from complaints.rewards.services.claims import claim_approve, claim_assess
from complaints.satisfaction.services import rating_token_issue
from tests.support.rewards_admin import PHONE

pytestmark = pytest.mark.usefixtures("home")


class _Forms(HTMLParser):
    """Every <form> of a page: its attributes and the values of its named inputs."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._current: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = {"attrs": attrs, "fields": {}}
            self.forms.append(self._current)
        elif (
            tag == "input"
            and self._current is not None
            and attrs.get("name")
            and attrs.get("type") not in ("file", "checkbox", "radio", "submit")
        ):
            self._current["fields"][attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def form_on(html: str, **wanted) -> dict:
    parser = _Forms()
    parser.feed(html)
    found = [f for f in parser.forms if all(f["attrs"].get(k) == v for k, v in wanted.items())]
    assert len(found) == 1, (wanted, [f["attrs"] for f in parser.forms])
    return found[0]


def submit_as_browser(client, page_url: str, html: str, extra=None, **wanted):
    """Post a form of the page the way a browser does: to its action, resolved against the
    address of the page it sits on (an absent action means that page's own address)."""
    form = form_on(html, **wanted)
    target = urljoin("http://testserver" + page_url, form["attrs"].get("action") or "")
    target = target.removeprefix("http://testserver")
    data = {**form["fields"], **(extra or {})}
    if form["attrs"].get("method", "get").lower() == "get":
        return target, client.get(target, data)
    return target, client.post(target, data)


# --- 1. actions after a reveal -------------------------------------------------------------


def test_register_from_the_page_shown_after_revealing_the_contact(client, intake, report_in):
    report = report_in(ReportState.RECEIVED)
    client.force_login(intake)
    reveal_url = reverse("complaints_case_reveal", args=[report.pk])
    revealed = client.post(reveal_url, {"reason": "核实现场位置"})
    assert revealed.status_code == 200 and "13812345678" in revealed.text

    _url, response = submit_as_browser(
        client, reveal_url, revealed.text, **{"data-action": "register"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("complaints_case", args=[report.pk])
    assert Report.objects.get(pk=report.pk).state == ReportState.REGISTERED


def test_actions_after_a_refused_callback_still_reach_the_case(client, supervisor, report_in):
    report = report_in(ReportState.REOPEN_REQUESTED)
    client.force_login(supervisor)
    callback_url = reverse("complaints_case_callback", args=[report.pk])
    refused = client.post(callback_url, {"comment": "电话无人接听"})
    assert refused.status_code == 400
    _url, response = submit_as_browser(
        client,
        callback_url,
        refused.text,
        extra={"decline_reopen-note": "现场已清理"},
        **{"data-action": "decline_reopen"},
    )
    assert response.status_code == 302
    assert Report.objects.get(pk=report.pk).state == ReportState.CLOSED


def test_record_payment_from_the_page_shown_after_revealing_the_identity(
    staff, client, closed_claim
):
    officer = staff["officer"]
    claim_assess(claim=closed_claim, actor=officer, units=None, note="核实无误")
    claim_approve(claim=closed_claim, actor=staff["approver"])
    closed_claim.refresh_from_db()
    assert closed_claim.state == ClaimState.APPROVED

    client.force_login(officer)
    reveal_url = reverse("rewards_claim_reveal", args=[closed_claim.pk])
    revealed = client.post(reveal_url, {"reason": "核对收款账户"})
    assert revealed.status_code == 200 and PHONE in revealed.text

    url, response = submit_as_browser(
        client,
        reveal_url,
        revealed.text,
        extra={"pay-payment_reference": "TXN-20261201-07"},
        **{"data-action": "pay"},
    )
    if response.status_code == 200 and "claim-confirm-form" in response.text:
        # Money moves after a confirmation page: confirm it as the officer would.
        _url, response = submit_as_browser(
            client, url, response.text, **{"class": "claim-confirm-form"}
        )
    assert response.status_code == 302
    closed_claim.refresh_from_db()
    assert closed_claim.state == ClaimState.PAID
    assert closed_claim.payment_reference == "TXN-20261201-07"
    assert LedgerEntry.objects.filter(claim=closed_claim, kind=LedgerEntry.Kind.PAYOUT).count() == 1


# --- 2. a pending rework request is not "closed" for the resident --------------------------


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def test_rework_request_is_shown_as_under_review(
    report_in, supervisor, client, immediate_tasks, django_capture_on_commit_callbacks
):
    report = report_in(ReportState.VERIFIED)
    report_transition(report=report, action=Action.CLOSE, actor=supervisor)
    token = rating_token_issue(report=Report.objects.get(pk=report.pk))
    mail.outbox = []
    MemorySmsBackend.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("complaints:rating_link", args=[token]),
            {"rating": "dissatisfied", "comment": "垃圾还在", "request_rework": "on"},
        )
    assert response.status_code == 302
    assert Report.objects.get(pk=report.pk).state == ReportState.REOPEN_REQUESTED

    pending, closed = str(REWORK_PENDING_LABEL), str(PublicState.CLOSED.label)
    # The message about the request (SMS, or e-mail when that is the resident's channel)
    # says it is under review, not closed.
    texts = [m["text"] for m in MemorySmsBackend.outbox]
    texts += [f"{m.subject}\n{m.body}" for m in mail.outbox]
    assert texts and all(pending in text and closed not in text for text in texts), texts

    # So does the tracking page (the resident proved access through the link).
    page = client.get(reverse("complaints:report_status", args=[report.reference])).text
    state = re.search(r'<span class="status-state">(.*?)</span>', page).group(1)
    assert state == pending


# --- 3. the callback form -------------------------------------------------------------------


def test_callback_form_has_no_preset_answer_and_shows_the_residents_own(
    report_in, supervisor, client
):
    report = report_in(ReportState.REOPEN_REQUESTED)
    SatisfactionResponse.objects.create(
        report=report,
        closure=report.rework_count,
        rating="dissatisfied",
        comment="门口垃圾还在",
        channel=SatisfactionResponse.Channel.WEB,
        rework_requested=True,
    )
    client.force_login(supervisor)
    page = client.get(reverse("complaints_case", args=[report.pk]))
    assert page.status_code == 200
    html = page.text
    callback = html[html.index('id="case-callback"') :]
    callback = callback[: callback.index("</section>")]
    radios = re.findall(r'<input type="radio" name="rating"[^>]*>', callback)
    assert len(radios) == 3 and not any("checked" in radio for radio in radios)
    assert "<select" not in callback
    assert re.search(r'class="case-resident-rating" data-rating="dissatisfied"', callback)
    assert '<span class="case-resident-reason">门口垃圾还在</span>' in callback

    # Sent without an answer, nothing is recorded.
    url = reverse("complaints_case_callback", args=[report.pk])
    assert client.post(url, {"comment": "电话回访"}).status_code == 400
    assert not SatisfactionResponse.objects.filter(channel="callback").exists()
    assert client.post(url, {"rating": "basically", "comment": "电话回访"}).status_code == 302
    assert SatisfactionResponse.objects.get(channel="callback").rating == "basically"
