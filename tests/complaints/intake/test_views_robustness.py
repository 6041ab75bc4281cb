"""Submission robustness through HTTP: what fails after (or while) a report is stored.

A stored report always gets its receipt (in the answer, or on a retry of the same form with the
access code, for an hour); its acknowledgement task is stored with it or not at all; a full or
read-only photo disk keeps the form, stores nothing and leaves no file behind.
"""

import errno
import os
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from complaints.intake.views import BUSY_MESSAGE, STORAGE_MESSAGE
from complaints.models import Attachment, CaseEvent, Report, UploadDraft
from complaints.privacy.codes import access_code_hash
from complaints.privacy.storage import PrivateFileSystemStorage
from tests.complaints.conftest import form_data, photo
from tests.complaints.rewards.test_views import informant_data

pytestmark = pytest.mark.django_db

CODE_RE = re.compile(r'id="receipt-code">([A-Z0-9-]{19})<')
INFORMANT_CODE_RE = re.compile(r'id="receipt-code">([A-Z0-9-]{29})<')
NOTIFY_TASK = "complaints.notifications.tasks.case_event_notify"


@pytest.fixture(autouse=True)
def database_tasks(settings):
    # The production queue: django-tasks-db writes the task row in the caller's transaction.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def browser_session_broken(monkeypatch):
    """The browser's session store fails (the receipt holds, 40-character keys, still work)."""
    original = SessionStore.save

    def save(self, must_create=False):
        if len(self._session_key or "") != 40:
            raise OperationalError("database is locked")
        return original(self, must_create=must_create)

    monkeypatch.setattr(SessionStore, "save", save)


def code_of(response) -> str:
    match = CODE_RE.search(response.content.decode())
    assert match, "no access code on the page"
    return match.group(1)


def acknowledgement_queued(report: Report) -> bool:
    event = CaseEvent.objects.get(report=report, kind=CaseEvent.Kind.SUBMITTED)
    return DBTaskResult.objects.filter(task_path=NOTIFY_TASK, args_kwargs__args=[event.pk]).exists()


def files_under(root) -> list[str]:
    return [os.path.join(d, f) for d, _s, files in os.walk(root) for f in files]


def test_a_broken_session_store_does_not_touch_the_receipt(
    client, site, reference_data, report_url, browser_session_broken
):
    """Filing needs no session (the receipt travels in a signed cookie): a session store
    that fails changes nothing for the resident."""
    data = form_data()
    response = client.post(report_url, data)
    assert response.status_code == 302
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    receipt = client.get(response["Location"])
    report = Report.objects.get()
    code = code_of(receipt)
    assert access_code_hash(code) == report.access_code_hash
    assert report.reference in receipt.content.decode()
    assert acknowledgement_queued(report)
    # A retry of the same form shows the same receipt, nothing stored twice.
    again = client.post(report_url, data, follow=True)
    assert again.status_code == 200 and code_of(again) == code
    assert Report.objects.count() == 1
    assert Session.objects.count() == 1  # the receipt hold; no browser session row


def test_a_lost_answer_is_recovered_by_resending_the_same_form(
    client, site, reference_data, report_url
):
    data = form_data()
    first = client.post(report_url, data)
    assert first.status_code == 302
    code = code_of(client.get(first["Location"]))
    # The answer never arrived (no cookie): the browser sends the same form again.
    retry = Client().post(report_url, data, follow=True)
    assert retry.status_code == 200
    assert code_of(retry) == code
    assert Report.objects.count() == 1
    assert acknowledgement_queued(Report.objects.get())


def test_the_hold_keeps_no_clear_code_and_ends_after_the_hour(
    client, site, reference_data, report_url
):
    data = form_data()
    first = client.post(report_url, data)
    code = code_of(client.get(first["Location"]))
    report = Report.objects.get()
    holds = [row for row in Session.objects.all() if len(row.session_key) == 40]
    assert len(holds) == 1
    assert code not in str(holds[0].get_decoded())
    assert str(report.submission_token) not in holds[0].session_key + str(holds[0].get_decoded())
    # A form of another browser (another token) gets a new report, never this code.
    other = Client().post(report_url, form_data(confirm_new="1"), follow=True)
    assert code_of(other) != code
    # An hour later the hold has expired: the retry leads to tracking, without the code.
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    late = Client().post(report_url, data, follow=True)
    assert late.status_code == 200
    assert code not in late.content.decode()
    assert late.redirect_chain[-1][0].startswith(reverse("complaints:track"))


def test_enqueue_failure_stores_nothing_and_the_retry_gets_the_receipt(
    client, site, reference_data, report_url, monkeypatch
):
    data = form_data()

    def broken(self, task, args, kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(DatabaseBackend, "enqueue", broken)
    refused = client.post(report_url, data)
    assert refused.status_code == 503
    assert refused["Retry-After"]
    html = refused.content.decode()
    assert str(BUSY_MESSAGE) in html
    assert data["description"] in html and data["address"] in html  # the form is kept
    assert not Report.objects.exists() and not CaseEvent.objects.exists()

    monkeypatch.undo()
    sent = client.post(report_url, data)
    assert sent.status_code == 302
    report = Report.objects.get()
    assert access_code_hash(code_of(client.get(sent["Location"]))) == report.access_code_hash
    assert acknowledgement_queued(report)


def test_rollback_after_the_photo_moved_leaves_the_draft_and_its_file(
    client, site, reference_data, report_url, monkeypatch, settings
):
    data = form_data(description="")  # refused: the photo is banked as a draft
    assert client.post(report_url, {**data, "photos": [photo()]}).status_code == 200
    draft = UploadDraft.objects.get()
    assert files_under(settings.PORTAL_PRIVATE_MEDIA_ROOT) == [draft.image.path]

    monkeypatch.setattr(
        DatabaseBackend,
        "enqueue",
        lambda *a, **k: (_ for _ in ()).throw(OperationalError("database is locked")),
    )
    data["description"] = "路口垃圾桶旁边堆满了垃圾。"
    assert client.post(report_url, data).status_code == 503
    assert not Attachment.objects.exists()
    assert UploadDraft.objects.get().image.name == draft.image.name
    assert files_under(settings.PORTAL_PRIVATE_MEDIA_ROOT) == [draft.image.path]

    monkeypatch.undo()
    assert client.post(report_url, data).status_code == 302
    attachment = Attachment.objects.get()
    assert not UploadDraft.objects.exists()
    assert files_under(settings.PORTAL_PRIVATE_MEDIA_ROOT) == [attachment.image.path]


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EROFS])
def test_full_or_read_only_disk_keeps_the_form_and_leaves_no_file(
    client, site, reference_data, report_url, monkeypatch, settings, error
):
    def broken_save(self, name, content):
        # What a disk that fills up does: part of the file is written, then the write fails.
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(content.read()[:100])
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr(PrivateFileSystemStorage, "_save", broken_save)
    data = form_data()
    response = client.post(report_url, {**data, "photos": [photo(), photo("b.jpg")]})
    assert response.status_code == 503
    assert response["Retry-After"]
    html = response.content.decode()
    assert str(STORAGE_MESSAGE) in html
    assert data["description"] in html and data["contact_phone"] in html
    assert not Report.objects.exists() and not UploadDraft.objects.exists()
    assert files_under(settings.PORTAL_PRIVATE_MEDIA_ROOT) == []


def test_a_photo_already_held_needs_no_disk_write(
    client, site, reference_data, report_url, monkeypatch, settings
):
    data = form_data(description="")
    client.post(report_url, {**data, "photos": [photo()]})
    assert UploadDraft.objects.count() == 1

    def broken_save(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(PrivateFileSystemStorage, "_save", broken_save)
    data["description"] = "路口垃圾桶旁边堆满了垃圾。"
    assert client.post(report_url, data).status_code == 302
    attachment = Report.objects.get().attachments.get()
    assert files_under(settings.PORTAL_PRIVATE_MEDIA_ROOT) == [attachment.image.path]


def test_informant_session_failure_still_shows_the_receipt_code(
    client, site, reference_data, browser_session_broken
):
    from complaints.reference.services.reference_data import reward_rules_load_from_csv

    reward_rules_load_from_csv()
    url = reverse("complaints:informant_report_create")
    data = informant_data()
    response = client.post(url, data)
    assert response.status_code == 200
    code = INFORMANT_CODE_RE.search(response.content.decode()).group(1)
    report = Report.objects.get()
    assert access_code_hash(code) == report.access_code_hash
    assert acknowledgement_queued(report)
    # The answer was lost: the same form from a browser without a cookie gets the code.
    retry = Client().post(url, data)
    assert INFORMANT_CODE_RE.search(retry.content.decode()).group(1) == code
    assert Report.objects.count() == 1
