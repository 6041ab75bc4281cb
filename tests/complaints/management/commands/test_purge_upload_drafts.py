from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from complaints.models import UploadDraft
from complaints.services.uploads import upload_draft_add
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
