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
    fields = models.CharField(_("details shown"), max_length=100)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")

    def __str__(self):
        return f"{self.user} · {self.report_id} · {self.created_at:%Y-%m-%d %H:%M}"
