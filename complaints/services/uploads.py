"""Holding sanitised photos for a form that is not submitted yet."""

import logging
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from complaints.models import UploadDraft
from complaints.privacy.uploads import photo_sanitise

logger = logging.getLogger(__name__)

DRAFT_LIFETIME = timedelta(days=1)


def upload_draft_add(*, token: str, upload) -> UploadDraft:
    """Sanitise one uploaded photo and keep it under the form's draft token.

    Raises ``PhotoRejected`` (with the resident-facing message) for anything that is not an
    acceptable photo, and ``StorageUnavailable`` when the disk refuses the file (full or
    read-only); nothing is stored then.
    """
    photo = photo_sanitise(upload=upload)
    draft = UploadDraft(
        token=token,
        original_name=(getattr(upload, "name", "") or "")[:100],
        sha256=photo.sha256,
        width=photo.width,
        height=photo.height,
        size=len(photo.content),
    )
    storage = draft.image.storage
    # The name is chosen first (random, see draft_path) so that a write that fails half-way
    # (disk full, read-only disk) can remove what it left behind.
    name = draft.image.field.generate_filename(draft, "photo.jpg")
    written = False
    try:
        draft.image.name = storage.save(name, ContentFile(photo.content))
        written = True
        draft.save()
    except BaseException as exc:
        _discard_file(storage, draft.image.name if written else name)
        if isinstance(exc, OSError):
            raise StorageUnavailable from exc
        raise
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
    drafts = list(UploadDraft.objects.filter(token=token, pk__in=list(draft_ids)))
    for draft in drafts:
        _delete_draft(draft)
    return len(drafts)


def upload_drafts_purge(*, older_than: timedelta = DRAFT_LIFETIME) -> int:
    """Delete drafts of forms abandoned for longer than ``older_than``."""
    drafts = list(UploadDraft.objects.filter(created_at__lt=timezone.now() - older_than))
    for draft in drafts:
        _delete_draft(draft)
    return len(drafts)


def _delete_draft(draft: UploadDraft) -> None:
    name, storage = draft.image.name, draft.image.storage
    draft.delete()
    # The file goes only once the row's deletion is committed.
    transaction.on_commit(lambda: storage.delete(name))


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
    held = UploadDraft.objects.filter(token=token).count()
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
    return list(UploadDraft.objects.filter(token=token)), errors
