import os
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from complaints.intake.services.uploads import (
    PENDING_LIFETIME,
    upload_draft_add,
    upload_draft_remove,
)
from complaints.models import UploadDraft
from tests.complaints.conftest import photo

pytestmark = pytest.mark.django_db


def test_old_drafts_and_their_files_go(django_capture_on_commit_callbacks):
    old = upload_draft_add(token="a" * 40, upload=photo())
    fresh = upload_draft_add(token="b" * 40, upload=photo())
    UploadDraft.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    storage, old_name = old.image.storage, old.image.name
    assert storage.exists(old_name)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_upload_drafts")
    assert list(UploadDraft.objects.all()) == [fresh]
    assert not storage.exists(old_name)
    assert storage.exists(fresh.image.name)


def files_without_a_row(storage) -> set[str]:
    named = set(UploadDraft.objects.values_list("image", flat=True))
    on_disk = {
        os.path.relpath(os.path.join(directory, name), storage.location)
        for directory, _dirs, files in os.walk(storage.path("complaints/drafts"))
        for name in files
    }
    return on_disk - named


@pytest.fixture
def draft_storage():
    return UploadDraft._meta.get_field("image").storage


def test_a_process_killed_while_writing_or_deleting_leaves_no_unnamed_file(
    monkeypatch, draft_storage, django_capture_on_commit_callbacks
):
    """The moments a kill could strike: just after the file is written, and just after it is
    deleted. At each, every file on disk is named by a row, and that row is pending (hidden
    from the form), so the purge can finish what the process began."""
    seen = []
    save, delete = draft_storage.save, draft_storage.delete

    def save_then_look(name, content, **kwargs):
        saved = save(name, content, **kwargs)
        seen.append(("written", files_without_a_row(draft_storage), _pending(saved)))
        return saved

    def delete_then_look(name):
        delete(name)
        seen.append(("deleted", files_without_a_row(draft_storage), _pending(name)))

    monkeypatch.setattr(draft_storage, "save", save_then_look)
    monkeypatch.setattr(draft_storage, "delete", delete_then_look)
    token = "c" * 40
    draft = upload_draft_add(token=token, upload=photo())
    assert list(UploadDraft.objects.held(token)) == [draft]
    with django_capture_on_commit_callbacks(execute=True):
        assert upload_draft_remove(token=token, draft_ids=[draft.pk]) == 1
    assert seen == [("written", set(), True), ("deleted", set(), True)]
    assert not UploadDraft.objects.exists()


def _pending(name: str) -> bool:
    return UploadDraft.objects.filter(image=name, size=0).exists()


def test_a_draft_left_pending_is_hidden_and_purged_with_its_file(
    draft_storage, django_capture_on_commit_callbacks
):
    token = "d" * 40
    draft = upload_draft_add(token=token, upload=photo())
    # As a process killed after writing the file and before marking the draft held leaves it.
    UploadDraft.objects.filter(pk=draft.pk).update(size=0)
    assert not UploadDraft.objects.held(token).exists()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_upload_drafts")
    assert UploadDraft.objects.filter(pk=draft.pk).exists(), "a pending draft may be in use"
    UploadDraft.objects.filter(pk=draft.pk).update(
        created_at=timezone.now() - PENDING_LIFETIME - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_upload_drafts")
    assert not UploadDraft.objects.exists()
    assert not draft_storage.exists(draft.image.name)
    assert files_without_a_row(draft_storage) == set()


def test_a_pending_draft_whose_file_never_came_is_purged(django_capture_on_commit_callbacks):
    """Killed after the row was committed and before the file was written."""
    draft = upload_draft_add(token="e" * 40, upload=photo())
    draft.image.storage.delete(draft.image.name)
    UploadDraft.objects.filter(pk=draft.pk).update(
        size=0, created_at=timezone.now() - timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_upload_drafts")
    assert not UploadDraft.objects.exists()


def test_the_worker_purges_drafts_on_its_schedule():
    from portal.management.commands.run_worker import SCHEDULED_COMMANDS

    assert ("purge_upload_drafts",) in SCHEDULED_COMMANDS
