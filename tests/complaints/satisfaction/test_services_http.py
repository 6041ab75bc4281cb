"""The satisfaction loop through HTTP: rating link, tracking page, rework request, decision."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.cases.services.transitions import report_transition
from complaints.cases.workflow import Action
from complaints.models import RatingToken, Report, ReportState, SatisfactionResponse
from complaints.notifications.sms import MemorySmsBackend
from complaints.satisfaction.services import rating_token_issue

pytestmark = pytest.mark.usefixtures("home")


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def closed(report_in, supervisor, django_capture_on_commit_callbacks, immediate_tasks):
    """A verified report closed by the supervisor, with the rating link sent out."""
    report = report_in(ReportState.VERIFIED)
    MemorySmsBackend.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        report_transition(report=report, action=Action.CLOSE, actor=supervisor)
    return report


def link_from_sms() -> str:
    texts = [m["text"] for m in MemorySmsBackend.outbox if "/rate/" in m["text"]]
    assert len(texts) == 1
    return re.search(r"https?://\S+?(/rate/[A-Za-z0-9_-]+/)", texts[0]).group(1)


def test_closure_sends_a_link_stored_hashed(closed):
    link = link_from_sms()
    token = link.rstrip("/").rsplit("/", 1)[1]
    row = RatingToken.objects.get(report=closed)
    assert token not in row.token_hash and len(row.token_hash) == 64
    assert row.expires_at - timezone.now() > timedelta(days=13, hours=23)


def test_no_link_without_consent(report_in, supervisor, django_capture_on_commit_callbacks):
    report = report_in(ReportState.VERIFIED, consent_to_contact=False)
    with django_capture_on_commit_callbacks(execute=True):
        report_transition(report=report, action=Action.CLOSE, actor=supervisor)
    assert not RatingToken.objects.exists()


def test_rate_by_link_once(closed, client):
    link = link_from_sms()
    assert client.get(link).status_code == 200
    response = client.post(link, {"rating": "satisfied", "comment": "很快"})
    assert response.status_code == 302
    answer = SatisfactionResponse.objects.get()
    assert (answer.rating, answer.channel, answer.closure) == ("satisfied", "web", 0)
    # The link is used up: a second visit or post is refused and records nothing.
    again = client.post(link, {"rating": "dissatisfied"})
    assert again.status_code == 410
    assert SatisfactionResponse.objects.count() == 1


def test_expired_link_is_refused(closed, client):
    link = link_from_sms()
    RatingToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(link, {"rating": "satisfied"})
    assert response.status_code == 410
    assert not SatisfactionResponse.objects.exists()


def test_unknown_link_is_404(client, reference_data):
    assert client.get(reverse("complaints:rating_link", args=["x" * 32])).status_code == 404


def test_dissatisfied_rework_request_reaches_supervisor_and_decline_is_public(
    closed, client, supervisor
):
    link = link_from_sms()
    response = client.post(
        link, {"rating": "dissatisfied", "comment": "垃圾还在", "request_rework": "on"}
    )
    assert response.status_code == 302
    closed.refresh_from_db()
    assert closed.state == ReportState.REOPEN_REQUESTED

    # The supervisor's queue of rework requests lists it.
    client.force_login(supervisor)
    assert closed.reference in client.get(reverse("cases-reopen:index")).text
    response = client.post(
        reverse("complaints_case", args=[closed.pk]),
        {
            "action": "decline_reopen",
            "decline_reopen-note": "现场核实已清理完毕",
            "expected_state": "reopen_requested",
        },
    )
    assert response.status_code == 302
    closed.refresh_from_db()
    assert closed.state == ReportState.CLOSED

    # The resident (who proved access through the link) sees the reason on the tracking page.
    client.logout()
    session = client.session
    session["complaints_tracked"] = [closed.reference]
    session.save()
    page = client.get(reverse("complaints:report_status", args=[closed.reference])).text
    assert "现场核实已清理完毕" in page


def test_supervisor_reopens_with_rework_count(closed, supervisor):
    report_transition(report=closed, action=Action.REQUEST_REOPEN, actor=None, note="还是脏")
    report = report_transition(
        report=Report.objects.get(pk=closed.pk), action=Action.REOPEN, actor=supervisor, note="返工"
    )
    assert report.state == ReportState.DISPATCHED and report.rework_count == 1
    assert report.deadline > timezone.now()
    # The old link belongs to the first closure and no longer works.
    assert RatingToken.objects.get().closure == 0


def test_rate_from_tracking_page(report_in, supervisor, client):
    report = report_in(ReportState.VERIFIED, consent_to_contact=False)
    report_transition(report=report, action=Action.CLOSE, actor=supervisor)
    url = reverse("complaints:report_rate", args=[report.reference])
    # Without proving access: sent to the tracking form.
    assert client.get(url).status_code == 302
    session = client.session
    session["complaints_tracked"] = [report.reference]
    session.save()
    status = client.get(reverse("complaints:report_status", args=[report.reference])).text
    assert url in status
    assert client.post(url, {"rating": "basically"}).status_code == 302
    assert SatisfactionResponse.objects.get().rating == "basically"
    # Rated: the page sends back to the report instead of rating twice.
    assert client.post(url, {"rating": "satisfied"}).status_code == 302
    assert SatisfactionResponse.objects.count() == 1
    status = client.get(reverse("complaints:report_status", args=[report.reference])).text
    assert url not in status


def test_token_issued_for_an_old_closure_is_used_up(report_in, supervisor):
    report = report_in(ReportState.CLOSED)
    token = rating_token_issue(report=report)
    Report.objects.filter(pk=report.pk).update(rework_count=1)
    from complaints.satisfaction.services import TokenStatus, rating_token_check

    assert rating_token_check(token=token)[0] == TokenStatus.USED


def test_supervisor_records_callback(report_in, supervisor, client):
    report = report_in(ReportState.CLOSED)
    client.force_login(supervisor)
    response = client.post(
        reverse("complaints_case_callback", args=[report.pk]),
        {"rating": "satisfied", "comment": "电话回访，满意"},
    )
    assert response.status_code == 302
    answer = SatisfactionResponse.objects.get()
    assert (answer.channel, answer.recorded_by) == ("callback", supervisor)
