"""Holding sanitised photos for a form that is not submitted yet."""

import logging
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from complaints.models import UploadDraft
from complaints.privacy.uploads import photo_sanitise

logger = logging.getLogger(__name__)

DRAFT_LIFETIME = timedelta(days=1)
# Far longer than any request may run (gunicorn's timeout): a draft pending this long belongs
# to a process that died.
PENDING_LIFETIME = timedelta(minutes=10)


def upload_draft_add(*, token: str, upload) -> UploadDraft:
    """Sanitise one uploaded photo and keep it under the form's draft token.

    Raises ``PhotoRejected`` (with the resident-facing message) for anything that is not an
    acceptable photo, and ``StorageUnavailable`` when the disk refuses the file (full or
    read-only); nothing is stored then.

    The row is committed before the file is written (``size`` 0: pending) and marked held
    only once the file is complete, so a process killed at any point leaves a pending row the
    purge clears, never a file that no row names.
    """
    photo = photo_sanitise(upload=upload)
    draft = UploadDraft(
        token=token,
        original_name=(getattr(upload, "name", "") or "")[:100],
        sha256=photo.sha256,
        width=photo.width,
        height=photo.height,
        size=0,
    )
    storage = draft.image.storage
    # The name is random (see draft_path), chosen before anything is written.
    draft.image.name = draft.image.field.generate_filename(draft, "photo.jpg")
    draft.save()
    try:
        saved = storage.save(draft.image.name, ContentFile(photo.content))
    except BaseException as exc:
        _discard_file(storage, draft.image.name)
        UploadDraft.objects.filter(pk=draft.pk).delete()
        if isinstance(exc, OSError):
            raise StorageUnavailable from exc
        raise
    draft.image.name, draft.size = saved, len(photo.content)
    draft.save(update_fields=["image", "size"])
    return draft


class StorageUnavailable(Exception):
    """The photo store cannot take files now (disk full, read-only, gone); nothing was kept."""


def _discard_file(storage, name: str) -> None:
    try:
        if name and storage.exists(name):
            storage.delete(name)
    except OSError:
        # A read-only disk refuses the deletion too; the file (if any) is then beyond reach.
        logger.exception("could not remove the partial upload %s", name)


def upload_draft_remove(*, token: str, draft_ids) -> int:
    """Drop the resident's chosen photos from a draft; returns how many went."""
    drafts = list(UploadDraft.objects.held(token).filter(pk__in=list(draft_ids)))
    for draft in drafts:
        _delete_draft(draft)
    return len(drafts)


def upload_drafts_purge(
    *, older_than: timedelta = DRAFT_LIFETIME, pending_older_than: timedelta = PENDING_LIFETIME
) -> int:
    """Delete drafts of forms abandoned for longer than ``older_than``, and drafts left
    pending (a process died while writing or deleting their file) for ``pending_older_than``."""
    now = timezone.now()
    drafts = list(
        UploadDraft.objects.filter(
            Q(created_at__lt=now - older_than) | Q(size=0, created_at__lt=now - pending_older_than)
        )
    )
    for draft in drafts:
        _delete_draft(draft)
    return len(drafts)


def _delete_draft(draft: UploadDraft) -> None:
    """Mark the draft pending, then (once that is committed) delete its file, then its row:
    dying at any step leaves a pending row for the purge, never an unnamed file."""
    UploadDraft.objects.filter(pk=draft.pk).update(size=0)
    name, storage, pk = draft.image.name, draft.image.storage, draft.pk

    def delete_file_then_row() -> None:
        if name:
            _discard_file(storage, name)
        UploadDraft.objects.filter(pk=pk).delete()

    transaction.on_commit(delete_file_then_row)


def upload_drafts_accept(
    *, token: str, uploads, remove_ids=()
) -> tuple[list[UploadDraft], list[str]]:
    """Bank the good photos of one form POST under its draft token, before anything else.

    Returns (all drafts now held for the form, messages for the photos that were refused).
    Raises ``StorageUnavailable`` when the disk refuses a photo (the ones before it are kept).
    Limits: ``COMPLAINTS_MAX_PHOTOS`` per report, ``COMPLAINTS_REPORT_MAX_BYTES`` for the
    photos of one request together, ``COMPLAINTS_PHOTO_MAX_BYTES`` and the pixel ceiling
    per photo (see privacy.uploads).
    """
    from django.conf import settings
    from django.template.defaultfilters import filesizeformat
    from django.utils.translation import gettext as _

    from complaints.privacy.uploads import PhotoRejected

    if remove_ids:
        upload_draft_remove(token=token, draft_ids=remove_ids)
    errors: list[str] = []
    # An empty file (a failed camera save, a cloud placeholder) is refused out loud, never
    # dropped in silence: the resident would think the photo went with the report. (A file
    # input left blank sends no file at all: Django skips parts without a file name.)
    for upload in uploads:
        if not getattr(upload, "size", 0):
            errors.append(
                _("%(name)s is empty (0 bytes). Please choose the photo again.")
                % {"name": getattr(upload, "name", "") or _("the photo")}
            )
    uploads = [u for u in uploads if getattr(u, "size", 0)]
    held = UploadDraft.objects.held(token).count()
    room = settings.COMPLAINTS_MAX_PHOTOS - held
    if len(uploads) > room:
        errors.append(
            _("You can send at most %(max)s photos; %(extra)s were not kept.")
            % {"max": settings.COMPLAINTS_MAX_PHOTOS, "extra": len(uploads) - max(room, 0)}
        )
        uploads = uploads[: max(room, 0)]
    total = sum(u.size for u in uploads)
    if total > settings.COMPLAINTS_REPORT_MAX_BYTES:
        errors.append(
            _("The photos together are larger than %(limit)s. Please send fewer or smaller ones.")
            % {"limit": filesizeformat(settings.COMPLAINTS_REPORT_MAX_BYTES)}
        )
        uploads = []
    for upload in uploads:
        try:
            upload_draft_add(token=token, upload=upload)
        except PhotoRejected as exc:
            errors.append(str(exc))
    return list(UploadDraft.objects.held(token)), errors
