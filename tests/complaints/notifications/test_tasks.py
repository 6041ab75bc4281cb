"""Notifications: queued after commit, sent by email and SMS only with contact and consent."""

import uuid

import pytest
from django.core import mail

from complaints.cases.services.events import case_event_record
from complaints.intake.inputs import ReportInput
from complaints.intake.services.reports import report_submit, report_support
from complaints.models import CaseEvent, ReportState
from complaints.notifications.sms import MemorySmsBackend
from tests.complaints.conftest import category

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def submit(**overrides):
    arguments = {
        "submission_token": uuid.uuid4(),
        "category": category("event", "0102"),
        "description": "垃圾",
        "address": "某路",
        "contact_phone": "13812345678",
        "contact_email": "zhang@example.com",
        "consent_to_contact": True,
    }
    arguments.update(overrides)
    return report_submit(input=ReportInput(**arguments)).report


def test_acknowledgement_by_the_chosen_channel_after_commit(
    reference_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = submit()
        by_email = submit(preferred_channel="email")
    assert mail.outbox == [] and MemorySmsBackend.outbox == []  # nothing before commit
    for callback in callbacks:
        callback()
    # Phone and e-mail given: SMS unless e-mail was chosen, never both.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["zhang@example.com"]
    assert by_email.reference in mail.outbox[0].subject
    assert [m["phone"] for m in MemorySmsBackend.outbox] == ["13812345678"]
    assert report.reference in MemorySmsBackend.outbox[0]["text"]


def test_no_consent_or_anonymous_means_no_message(
    reference_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(consent_to_contact=False)
        submit(is_anonymous=True, contact_phone="", contact_email="")
    assert mail.outbox == [] and MemorySmsBackend.outbox == []


def test_state_change_reaches_consenting_supporters(
    reference_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = submit(contact_email="")
        report_support(
            report=report,
            submission_token=uuid.uuid4(),
            contact_phone="13900000001",
            consent_to_contact=True,
        )
        report_support(
            report=report,
            submission_token=uuid.uuid4(),
            contact_phone="13900000002",
            consent_to_contact=False,
        )
    MemorySmsBackend.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        case_event_record(
            report=report,
            kind=CaseEvent.Kind.STATE_CHANGED,
            from_state=ReportState.RECEIVED,
            to_state=ReportState.REGISTERED,
        )
    assert sorted(m["phone"] for m in MemorySmsBackend.outbox) == ["13812345678", "13900000001"]


def test_internal_events_send_nothing(reference_data, django_capture_on_commit_callbacks):
    report = submit()
    with django_capture_on_commit_callbacks(execute=True):
        case_event_record(report=report, kind=CaseEvent.Kind.NOTE, note="internal", is_public=False)
    assert MemorySmsBackend.outbox == []


class BrokenSms:
    def send(self, *, phone, text):
        raise OSError("gateway down")


def test_a_failing_sms_gateway_never_breaks_the_submission(
    reference_data, django_capture_on_commit_callbacks, settings, client, home, caplog
):
    from django.urls import reverse

    from tests.complaints.conftest import form_data

    settings.COMPLAINTS_SMS_BACKEND = "tests.complaints.notifications.test_tasks.BrokenSms"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("complaints:report_create"), form_data())
    assert response.status_code == 302  # the report is stored; the SMS failure was logged
    assert mail.outbox == []  # SMS is the channel when a phone is given: no e-mail instead


def test_failed_delivery_schedules_a_retry_with_back_off(reference_data, settings):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from complaints.notifications.tasks import notification_deliver

    report = submit()
    event = report.events.get()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.COMPLAINTS_SMS_BACKEND = "tests.complaints.notifications.test_tasks.BrokenSms"
    DBTaskResult.objects.all().delete()
    with pytest.raises(OSError, match="gateway down"):
        notification_deliver.call(event.pk, "reporter", report.pk, "sms", 1)
    retry = DBTaskResult.objects.get()
    assert retry.args_kwargs["args"] == [event.pk, "reporter", report.pk, "sms", 2]
    assert retry.run_after > timezone.now()
    # The last attempt gives up instead of scheduling another.
    DBTaskResult.objects.all().delete()
    with pytest.raises(OSError):
        notification_deliver.call(event.pk, "reporter", report.pk, "sms", 5)
    assert not DBTaskResult.objects.exists()
