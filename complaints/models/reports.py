import uuid

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from complaints.privacy.fields import EncryptedTextField


class ReportKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    INFORMANT = "informant", _("Informant report")


class ReportChannel(models.TextChoices):
    WEB = "web", _("Web form")
    OPEN311 = "open311", _("Open311 API")
    HOTLINE = "hotline", _("Hotline (entered by staff)")
    INSPECTION = "inspection", _("Third-party inspection")


class ReportState(models.TextChoices):
    RECEIVED = "received", _("Received")
    REGISTERED = "registered", _("Registered")
    REJECTED = "rejected", _("Rejected")
    DUPLICATE = "duplicate", _("Duplicate")
    DISPATCHED = "dispatched", _("Dispatched")
    HANDLED = "handled", _("Handled")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", _("Closed")
    # Side branches of the workflow (see complaints/cases/workflow.py).
    RETURNED = "returned", _("Returned to intake")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    REOPEN_REQUESTED = "reopen_requested", _("Rework requested")


OPEN_STATES = (
    ReportState.RECEIVED,
    ReportState.REGISTERED,
    ReportState.DISPATCHED,
    ReportState.HANDLED,
    ReportState.VERIFIED,
    ReportState.RETURNED,
    ReportState.EXTENSION_REQUESTED,
)


class ReferenceCounter(models.Model):
    """The last public reference number handed out per year (BH-<year>-<number>)."""

    year = models.PositiveIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference counter")

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class Report(models.Model):
    """A complaint or informant report, from intake to closure.

    Not in Wagtail's search index: staff find a report by its reference (an ORM lookup in the
    queues, complaints/backoffice/queues.py), so indexing every new report only cost a background
    task per submission.
    """

    class ContactChannel(models.TextChoices):
        """How a resident who gave both a phone and an e-mail address wants to be told."""

        SMS = "sms", _("Text message")
        EMAIL = "email", _("E-mail")

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    access_code_hash = models.CharField(max_length=64, editable=False, db_index=True)
    submission_token = models.UUIDField(
        unique=True,
        default=uuid.uuid4,
        editable=False,
        help_text="One per form: a second POST of the same form finds this report.",
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=ReportKind, default=ReportKind.COMPLAINT
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=ReportChannel, default=ReportChannel.WEB
    )
    category = models.ForeignKey(
        "complaints.Category",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    description = models.TextField(_("what happened"), max_length=4000)
    observed_at = models.DateTimeField(_("seen at"), null=True, blank=True)
    extra_answers = models.JSONField(_("answers to the category's questions"), default=dict)

    town = models.ForeignKey(
        "complaints.Town",
        verbose_name=_("town"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
    )
    community = models.ForeignKey(
        "complaints.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
    )
    grid_cell = models.ForeignKey(
        "complaints.GridCell",
        verbose_name=_("grid cell"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    contact_name = EncryptedTextField(_("name"), max_length=60, blank=True)
    contact_phone = EncryptedTextField(_("phone"), max_length=20, blank=True)
    contact_email = EncryptedTextField(_("email"), max_length=254, blank=True)
    contact_phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    consent_to_contact = models.BooleanField(_("may be contacted"), default=False)
    # Empty: the default rule (text message when a phone was given), see notification_recipients.
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=5, choices=ContactChannel, blank=True
    )
    is_public = models.BooleanField(_("may be shown publicly"), default=True)

    state = models.CharField(
        _("state"), max_length=20, choices=ReportState, default=ReportState.RECEIVED
    )
    department = models.ForeignKey(
        "complaints.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
    )
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    rework_count = models.PositiveSmallIntegerField(_("rework count"), default=0)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_on_time = models.BooleanField(_("closed on time"), null=True, blank=True)
    supporter_count = models.PositiveIntegerField(_("supporters"), default=0)
    external_case_id = models.CharField(_("external case id"), max_length=64, blank=True)
    case_system = models.CharField(_("case system"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [
            models.Index(fields=["category", "state"], name="report_category_state"),
            # The staff queues filter by state and sort by deadline, then age; their menu
            # counts filter by state alone (docs/performance.md).
            models.Index(fields=["state", "deadline", "created_at"], name="report_state_deadline"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_anonymous=False)
                | models.Q(contact_name="", contact_phone="", contact_email=""),
                name="report_anonymous_has_no_contact",
            ),
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("complaints:report_status", kwargs={"reference": self.reference})

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def has_contact(self) -> bool:
        return not self.is_anonymous and bool(self.contact_phone or self.contact_email)


class ReportSupporter(models.Model):
    """A resident who added their voice to an existing report instead of filing a new one."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="supporters"
    )
    submission_token = models.UUIDField(unique=True, editable=False)
    contact_name = EncryptedTextField(_("name"), max_length=60, blank=True)
    contact_phone = EncryptedTextField(_("phone"), max_length=20, blank=True)
    contact_email = EncryptedTextField(_("email"), max_length=254, blank=True)
    contact_phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    consent_to_contact = models.BooleanField(_("may be contacted"), default=False)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=5, choices=Report.ContactChannel, blank=True
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("supporter")
        verbose_name_plural = _("supporters")

    def __str__(self):
        return f"{self.report.reference} +1"
