from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExtensionRequest(models.Model):
    """A handler's request for more time (延时), decided by a supervisor."""

    report = models.ForeignKey(
        "complaints.Report",
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="extension_requests",
    )
    amount = models.PositiveIntegerField(_("extra time"))
    unit = models.CharField(_("unit"), max_length=16)
    reason = models.TextField(_("reason"), max_length=1000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved = models.BooleanField(_("approved"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")

    def __str__(self):
        return f"{self.report_id} +{self.amount} {self.unit}"
