from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from complaints.privacy.fields import EncryptedTextField


class Informant(models.Model):
    """The sealed identity of one person who filed an informant report to claim a reward.

    Name, phone and payment account are encrypted at rest; ``phone_hash`` (a keyed hash) lets
    caps, duplicate checks and the staff exclusion list work without decrypting. Joint reporters
    of one violation are several informants on the same report and share its reward. Handlers
    never see this model: only reward officers and approvers may open it, and each opening is
    logged in :class:`~complaints.models.PiiAccess`.
    """

    report = models.ForeignKey(
        "complaints.Report",
        verbose_name=_("report"),
        on_delete=models.PROTECT,
        related_name="informants",
    )
    name = EncryptedTextField(_("real name"), max_length=60, blank=True)
    phone = EncryptedTextField(_("phone"), max_length=20, blank=True)
    payment_account = EncryptedTextField(_("payment account"), max_length=100, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    erased_at = models.DateTimeField(_("identity erased at"), null=True, blank=True)

    class Meta:
        ordering = ["report", "pk"]
        verbose_name = _("informant")
        verbose_name_plural = _("informants")
        permissions = [("reveal_informant", "Can open an informant's sealed identity")]

    def __str__(self):
        # Never the name: this string shows up in logs and admin breadcrumbs.
        return f"{self.report.reference} · #{self.pk}"

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class RewardExclusion(models.Model):
    """A phone number that may not earn rewards (staff and their relatives), kept as a hash."""

    phone_hash = models.CharField(max_length=64, unique=True, editable=False)
    label = models.CharField(
        _("who"),
        max_length=100,
        help_text=_("E.g. 'staff, town law-enforcement team' - no names needed."),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("excluded phone number")
        verbose_name_plural = _("excluded phone numbers")

    def __str__(self):
        return self.label


class IdentityErasure(models.Model):
    """What the retention command erased, and when: the record outlives the identity."""

    informant = models.OneToOneField(
        Informant,
        verbose_name=_("informant"),
        on_delete=models.PROTECT,
        related_name="erasure",
    )
    report_reference = models.CharField(_("report"), max_length=20)
    fields = models.CharField(_("fields erased"), max_length=200)
    claim_state = models.CharField(_("claim state"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("erased at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("identity erasure")
        verbose_name_plural = _("identity erasures")

    def __str__(self):
        return f"{self.report_reference} · {self.created_at:%Y-%m-%d}"
