import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from complaints.privacy.fields import EncryptedTextField


class ConnectorKind(models.TextChoices):
    BUILTIN = "builtin", _("Built-in workflow")
    OPEN311 = "open311", _("Open311 GeoReport v2")
    WEBHOOK = "webhook", _("Signed JSON webhook")


class CoordinateSystem(models.TextChoices):
    WGS84 = "wgs84", _("WGS84 (GPS)")
    GCJ02 = "gcj02", _("GCJ-02 (Chinese national base maps)")
    BD09 = "bd09", _("BD-09 (Baidu)")


class CaseSystem(models.Model):
    """An external city-management case system that registered reports are fed to.

    A category uses the case system that lists it; otherwise the active default one; with
    neither, the built-in workflow (no delivery at all).
    """

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(
        _("key"), max_length=40, unique=True, help_text=_("Used in the callback URL.")
    )
    kind = models.CharField(_("connector"), max_length=10, choices=ConnectorKind)
    endpoint = models.URLField(
        _("endpoint"),
        blank=True,
        help_text=_("Open311: the base URL ending in /v2. Webhook: the URL deliveries go to."),
    )
    api_key = EncryptedTextField(_("API key"), blank=True)
    secret = EncryptedTextField(
        _("shared secret"), blank=True, help_text=_("Signs webhook deliveries and callbacks.")
    )
    jurisdiction_id = models.CharField(_("jurisdiction id"), max_length=80, blank=True)
    service_codes = models.JSONField(
        _("service code map"),
        default=dict,
        blank=True,
        help_text=_('Our category code to theirs, e.g. {"E0102": "garbage"}.'),
    )
    coordinate_system = models.CharField(
        _("coordinate system"),
        max_length=6,
        choices=CoordinateSystem,
        default=CoordinateSystem.WGS84,
    )
    categories = models.ManyToManyField(
        "complaints.Category",
        verbose_name=_("categories"),
        blank=True,
        related_name="case_systems",
        help_text=_("Reports in these categories go to this system."),
    )
    is_default = models.BooleanField(_("default for all other categories"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    timeout = models.PositiveSmallIntegerField(_("timeout (seconds)"), default=10)

    class Meta:
        ordering = ["name"]
        verbose_name = _("case system")
        verbose_name_plural = _("case systems")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="casesystem_one_default",
            )
        ]

    def __str__(self):
        return self.name


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    IN_FLIGHT = "in_flight", _("Being delivered")
    DELIVERED = "delivered", _("Delivered")
    DEAD = "dead", _("Dead-lettered")


class Delivery(models.Model):
    """Outbox row: one registered report to be created as a case in one case system."""

    report = models.ForeignKey(
        "complaints.Report",
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    case_system = models.ForeignKey(
        CaseSystem,
        verbose_name=_("case system"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    # Sent on every attempt: the receiver creates at most one case per key.
    idempotency_key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True)
    state = models.CharField(
        _("state"), max_length=10, choices=DeliveryState, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), db_index=True)
    claimed_by = models.CharField(_("worker"), max_length=80, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    external_id = models.CharField(_("external case id"), max_length=80, blank=True)
    external_token = models.CharField(_("external token"), max_length=80, blank=True)
    external_status = models.CharField(_("external status"), max_length=40, blank=True)
    external_updated_at = models.DateTimeField(_("external update time"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "case_system"], name="delivery_once_per_case_system"
            )
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="delivery_due")]

    def __str__(self):
        return f"{self.report_id} → {self.case_system_id} ({self.state})"


class DeliveryAttempt(models.Model):
    """One try of a delivery: started when claimed, finished when its result is recorded."""

    class Outcome(models.TextChoices):
        STARTED = "started", _("Started (no result recorded)")
        SUCCESS = "success", _("Success")
        FAILURE = "failure", _("Failure")

    delivery = models.ForeignKey(
        Delivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="log"
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    worker = models.CharField(_("worker"), max_length=80)
    outcome = models.CharField(_("result"), max_length=10, choices=Outcome, default=Outcome.STARTED)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["delivery", "number", "pk"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self):
        return f"{self.delivery_id} #{self.number} {self.outcome}"


class InboundUpdate(models.Model):
    """A status update from a case system, stored raw before it is verified and applied."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Applied")
        STALE = "stale", _("Older than the last applied update")
        UNCHANGED = "unchanged", _("No change")

    case_system = models.ForeignKey(
        CaseSystem,
        verbose_name=_("case system"),
        on_delete=models.PROTECT,
        related_name="inbound_updates",
    )
    delivery = models.ForeignKey(
        Delivery,
        verbose_name=_("delivery"),
        on_delete=models.CASCADE,
        related_name="inbound_updates",
    )
    # The sender's idempotency key (webhook) or update id (Open311): seen once only.
    key = models.CharField(_("update key"), max_length=120)
    raw = models.TextField(_("raw body"))
    verified = models.BooleanField(_("verified"), default=False)
    external_status = models.CharField(_("external status"), max_length=40)
    external_updated_at = models.DateTimeField(_("external update time"))
    note = models.TextField(_("note"), blank=True, max_length=2000)
    outcome = models.CharField(_("result"), max_length=10, choices=Outcome)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("inbound update")
        verbose_name_plural = _("inbound updates")
        constraints = [
            models.UniqueConstraint(fields=["case_system", "key"], name="inbound_update_once")
        ]

    def __str__(self):
        return f"{self.case_system_id}:{self.key}"
