import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from complaints.privacy.storage import private_storage


def attachment_path(instance, filename):
    # Random names: the path reveals neither the report nor the resident's file name.
    return f"complaints/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}.jpg"


def draft_path(instance, filename):
    return f"complaints/drafts/{uuid.uuid4().hex}.jpg"


class Attachment(models.Model):
    """A photo on a report: the resident's evidence or the handler's before/after photos.

    Stored only after ``privacy.uploads.photo_sanitise``: re-encoded JPEG without metadata.
    """

    class Kind(models.TextChoices):
        EVIDENCE = "evidence", _("Evidence from the reporter")
        HANDLING = "handling", _("Photo after the handling")
        BEFORE_HANDLING = "before", _("Photo before the handling")

    report = models.ForeignKey(
        "complaints.Report",
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.EVIDENCE)
    # Private storage (never under MEDIA_ROOT, no URL): see complaints/privacy/storage.py.
    image = models.FileField(
        _("image"), upload_to=attachment_path, storage=private_storage, max_length=200
    )
    sha256 = models.CharField(max_length=64, editable=False)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    size = models.PositiveIntegerField(editable=False)
    is_public = models.BooleanField(
        _("public"), default=False, help_text=_("Handling photos of public reports are shown.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return f"{self.report_id}: {self.get_kind_display()}"


class UploadDraftQuerySet(models.QuerySet):
    def held(self, token: str):
        """The photos a form holds: drafts whose file is written (``size`` above 0)."""
        return self.filter(token=token, size__gt=0)


class UploadDraft(models.Model):
    """A sanitised photo held for a form that is not submitted yet.

    A form re-rendered with errors keeps its photos here, keyed by the form's random draft
    token, so the resident never uploads twice. Drafts are purged after a day.

    The row is written ahead of its file: ``size`` 0 marks a draft whose file is being written
    or deleted. Such a row is never shown or attached; if the process dies half-way, the purge
    removes it and whatever file it names, so no file on disk is ever without a row.
    """

    token = models.CharField(max_length=64, db_index=True)
    image = models.FileField(upload_to=draft_path, storage=private_storage, max_length=200)
    original_name = models.CharField(max_length=100, blank=True)
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = UploadDraftQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("photo draft")
        verbose_name_plural = _("photo drafts")

    def __str__(self):
        return self.original_name or str(self.pk)
