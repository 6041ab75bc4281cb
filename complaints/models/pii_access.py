from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PiiAccess(models.Model):
    """An append-only log entry: who revealed which personal detail of which case, when, why."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    report = models.ForeignKey(
        "complaints.Report",
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="pii_accesses",
    )
    informant = models.ForeignKey(
        "complaints.Informant",
        verbose_name=_("informant"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accesses",
    )
    fields = models.CharField(_("details shown"), max_length=100)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")

    def __str__(self):
        return f"{self.user} · {self.report_id} · {self.created_at:%Y-%m-%d %H:%M}"


class DataExport(models.Model):
    """An append-only log entry: who exported which staff data, how much, with identities or not."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("export"), max_length=100)
    filters = models.CharField(_("filters"), max_length=300, blank=True)
    row_count = models.PositiveIntegerField(_("rows"))
    includes_identity = models.BooleanField(_("includes identities"), default=False)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")

    def __str__(self):
        return f"{self.user} · {self.name} · {self.created_at:%Y-%m-%d %H:%M}"
