"""Inbound updates move the report through the workflow table as the case system (issue 5).

External statuses map onto the ``external_*`` actions of complaints/cases/workflow.py, fired through
``report_transition``; stale and repeated updates change nothing.
"""

import json

import pytest
from django.urls import reverse
from django.utils import translation

from complaints.casefeed.inbound import case_system_poll
from complaints.casefeed.outbox import deliveries_drain
from complaints.casefeed.signing import signed_headers
from complaints.cases.workflow import PublicState
from complaints.models import CaseEvent, Delivery, InboundUpdate, Report, ReportState
from tests.complaints.casefeed.conftest import file_report

pytestmark = pytest.mark.django_db
URL = "/casefeed/district/updates"


def push(client, delivery, *, key="upd-1", status="IN_PROGRESS", at="10:00", note="", **more):
    body = {
        "idempotency_key": key,
        "case_id": delivery.external_id,
        "status": status,
        "updated_at": f"2026-11-27T{at}:00+08:00",
        "note": note,
        **more,
    }
    raw = json.dumps(body).encode()
    return client.post(
        URL,
        raw,
        content_type="application/json",
        headers=signed_headers(secret=_secret(), body=raw),
    )


def _secret():
    from tests.complaints.casefeed.conftest import SECRET

    return SECRET


def state_of(delivery) -> str:
    return Report.objects.get(pk=delivery.report_id).state


def tracking_page(client, report) -> str:
    session = client.session
    session["complaints_tracked"] = [report.reference]
    session.save()
    return client.get(reverse("complaints:report_status", args=[report.reference])).text


def closed_label() -> str:
    with translation.override("zh-hans"):
        return str(PublicState.CLOSED.label)


@pytest.mark.parametrize("status", ["FIXED", "CLOSED"])
def test_webhook_fixed_or_closed_closes_the_report(client, site, delivered, status, monkeypatch):
    invited = []
    monkeypatch.setattr(
        "complaints.satisfaction.effects.satisfaction_invite_queue",
        lambda *, report: invited.append(report.pk) or True,
    )
    assert push(client, delivered, status="IN_PROGRESS").json() == {"result": "applied"}
    assert state_of(delivered) == ReportState.DISPATCHED
    answer = push(client, delivered, key="upd-2", status=status, at="12:00", note="垃圾已清运完毕")
    assert answer.status_code == 200 and answer.json() == {"result": "applied"}
    report = Report.objects.get(pk=delivered.report_id)
    assert report.state == ReportState.CLOSED
    assert report.closed_at is not None and report.closed_on_time is not None
    event = report.events.get(to_state=ReportState.CLOSED)
    assert event.note == "垃圾已清运完毕" and event.is_public and event.actor is None
    # The rating invitation goes out as for a normal close.
    assert invited == [report.pk]
    page = tracking_page(client, report)
    assert "垃圾已清运完毕" in page and closed_label() in page


def test_open311_poll_closes_the_report(client, site, open311_system, register, fake):
    report = register()
    deliveries_drain(worker="w")
    delivery = Delivery.objects.get(report=report)
    fake.set_status(
        **{
            delivery.external_id: {
                "status": "open",
                "extended": "IN_PROGRESS",
                "updated": "2026-11-27T09:00:00+08:00",
            }
        }
    )
    case_system_poll(case_system=open311_system)
    assert state_of(delivery) == ReportState.DISPATCHED
    fake.set_status(
        **{
            delivery.external_id: {
                "status": "closed",
                "extended": "FIXED",
                "notes": "已清理并复查",
                "updated": "2026-11-27T15:00:00+08:00",
            }
        }
    )
    case_system_poll(case_system=open311_system)
    report.refresh_from_db()
    assert report.state == ReportState.CLOSED
    closing = report.events.get(to_state=ReportState.CLOSED)
    assert "已清理并复查" in closing.note and closing.is_public
    page = tracking_page(client, report)
    assert "已清理并复查" in page and closed_label() in page


def test_not_councils_responsibility_rejects(client, delivered):
    push(client, delivered, status="NOT_COUNCILS_RESPONSIBILITY", note="属市政公司管辖")
    report = Report.objects.get(pk=delivered.report_id)
    assert report.state == ReportState.REJECTED
    assert report.events.get(to_state=ReportState.REJECTED).note == "属市政公司管辖"


def test_in_progress_dispatches(client, delivered):
    push(client, delivered, status="in progress")
    report = Report.objects.get(pk=delivered.report_id)
    assert report.state == ReportState.DISPATCHED
    assert report.dispatched_at and report.deadline
    assert report.events.get(to_state=ReportState.DISPATCHED).note  # a default public note


def test_stale_update_after_a_newer_one_changes_nothing(client, delivered):
    push(client, delivered, key="new", status="FIXED", at="12:00")
    assert state_of(delivered) == ReportState.CLOSED
    events = CaseEvent.objects.count()
    older = push(client, delivered, key="old", status="REOPEN", at="11:00", note="旧的")
    assert older.json() == {"result": "stale"}
    assert state_of(delivered) == ReportState.CLOSED
    assert CaseEvent.objects.count() == events
    assert Report.objects.get(pk=delivered.report_id).rework_count == 0


def test_duplicate_delivery_of_the_same_update_changes_nothing(client, delivered):
    push(client, delivered, key="a", status="IN_PROGRESS", note="已派遣")
    events = CaseEvent.objects.count()
    # The same update again: under the same key it is a replay ...
    assert push(client, delivered, key="a", status="IN_PROGRESS", note="已派遣").status_code == 409
    # ... and re-sent under a new key it does not move anything forward.
    again = push(client, delivered, key="b", status="IN_PROGRESS", note="已派遣")
    assert again.json() == {"result": "unchanged"}
    assert state_of(delivered) == ReportState.DISPATCHED
    assert CaseEvent.objects.count() == events
    assert InboundUpdate.objects.count() == 2


def test_reopen_after_close_reworks(client, delivered):
    push(client, delivered, key="1", status="FIXED", at="10:00")
    push(client, delivered, key="2", status="REOPEN", at="11:00", note="复查未清理干净")
    report = Report.objects.get(pk=delivered.report_id)
    assert report.state == ReportState.DISPATCHED and report.rework_count == 1
    assert report.closed_at is None


def test_duplicate_of_a_known_case_links_it(client, delivered, register):
    original = register(file_report(description="同一堆垃圾，早前已报"))
    push(client, delivered, status="DUPLICATE", duplicate_of=original.reference)
    report = Report.objects.get(pk=delivered.report_id)
    assert report.state == ReportState.DUPLICATE and report.duplicate_of_id == original.pk


def test_duplicate_of_an_unknown_case_is_a_note_only(client, delivered):
    push(client, delivered, status="DUPLICATE", duplicate_of="CS-404", note="与他案重复")
    assert state_of(delivered) == ReportState.REGISTERED
    notes = CaseEvent.objects.filter(report=delivered.report_id, kind=CaseEvent.Kind.NOTE)
    assert any("与他案重复" in n.note for n in notes)


def test_status_not_allowed_from_the_current_state_is_a_note_only(client, delivered):
    push(client, delivered, key="1", status="REOPEN", note="重新处理")  # registered: no reopen
    assert state_of(delivered) == ReportState.REGISTERED
    notes = CaseEvent.objects.filter(report=delivered.report_id, kind=CaseEvent.Kind.NOTE)
    assert [n for n in notes if "重新处理" in n.note]


def test_only_delivered_reports_move(client, delivered):
    """A report not delivered to the case system cannot be moved by it."""
    from django.core.exceptions import PermissionDenied

    from complaints.cases.services.transitions import report_transition
    from complaints.cases.workflow import Action

    other = Report.objects.get(pk=file_report().pk)
    Report.objects.filter(pk=other.pk).update(state=ReportState.REGISTERED)
    with pytest.raises(PermissionDenied):
        report_transition(
            report=other, action=Action.EXTERNAL_PROGRESS, actor=delivered.case_system
        )
