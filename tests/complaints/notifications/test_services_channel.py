"""A resident is told of progress by one channel: the one they chose, else SMS when a phone was
given. Before, everyone who gave both a phone and an e-mail address got every message twice."""

import uuid

import pytest
from django.core import mail

from complaints.cases.services.events import case_event_record
from complaints.intake.inputs import ReportInput
from complaints.intake.services.reports import report_submit, report_support
from complaints.models import CaseEvent, Report, ReportState
from complaints.notifications.sms import MemorySmsBackend
from tests.complaints.conftest import category, form_data

pytestmark = pytest.mark.django_db

PHONE, EMAIL = "13812345678", "zhang@example.com"


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def submit(**overrides) -> Report:
    arguments = {
        "submission_token": uuid.uuid4(),
        "category": category("event", "0102"),
        "description": "路口垃圾没人清理",
        "address": "太湖大道 100 号",
        "contact_phone": PHONE,
        "contact_email": EMAIL,
        "consent_to_contact": True,
    }
    arguments.update(overrides)
    return report_submit(input=ReportInput(**arguments)).report


def register(report: Report) -> None:
    case_event_record(
        report=report,
        kind=CaseEvent.Kind.STATE_CHANGED,
        from_state=ReportState.RECEIVED,
        to_state=ReportState.REGISTERED,
    )


def sent() -> tuple[list[str], list[str]]:
    return [to for m in mail.outbox for to in m.to], [m["phone"] for m in MemorySmsBackend.outbox]


def test_form_offers_the_choice_only_when_both_contacts_are_given(
    client, site, reference_data, report_url
):
    blank = client.get(report_url).text
    assert 'name="preferred_channel"' in blank
    assert "data-preferred-channel hidden" in blank  # nothing typed yet: not shown

    # A refused submission with both contacts shows the choice again, phone only does not.
    both = client.post(report_url, form_data(description=""))
    assert both.status_code == 200 and 'name="preferred_channel"' in both.text
    assert "data-preferred-channel hidden" not in both.text
    phone_only = client.post(report_url, form_data(description="", contact_email=""))
    assert "data-preferred-channel hidden" in phone_only.text


def test_both_contacts_without_a_choice_get_sms_only(
    client, site, reference_data, report_url, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(report_url, form_data())
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.contact_phone == PHONE and report.contact_email == EMAIL
    assert sent() == ([], [PHONE])  # the acknowledgement, once

    MemorySmsBackend.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        register(report)
    assert sent() == ([], [PHONE])


def test_chosen_email_through_the_form(
    client, site, reference_data, report_url, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(report_url, form_data(preferred_channel="email"))
    assert response.status_code == 302
    assert Report.objects.get().preferred_channel == "email"
    assert sent() == ([EMAIL], [])


def test_chosen_email_is_stored_and_used(reference_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = submit(preferred_channel="email")
    assert report.preferred_channel == Report.ContactChannel.EMAIL
    assert sent() == ([EMAIL], [])
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        register(report)
    assert sent() == ([EMAIL], [])


def test_a_choice_without_both_contacts_is_ignored(
    reference_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        phone_only = submit(contact_email="", preferred_channel="email")
        email_only = submit(contact_phone="", preferred_channel="sms")
    assert phone_only.preferred_channel == "" and email_only.preferred_channel == ""
    assert sent() == ([EMAIL], [PHONE])


def test_supporters_follow_the_same_rule(reference_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = submit(contact_email="")
        for phone, email, choice in [
            ("13900000001", "a@example.com", ""),
            ("13900000002", "b@example.com", "email"),
            ("", "c@example.com", ""),
        ]:
            report_support(
                report=report,
                submission_token=uuid.uuid4(),
                contact_phone=phone,
                contact_email=email,
                consent_to_contact=True,
                preferred_channel=choice,
            )
    mail.outbox, MemorySmsBackend.outbox = [], []
    with django_capture_on_commit_callbacks(execute=True):
        register(report)
    emails, phones = sent()
    assert sorted(emails) == ["b@example.com", "c@example.com"]
    assert sorted(phones) == [PHONE, "13900000001"]
