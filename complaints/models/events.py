from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseEvent(models.Model):
    """One entry of a report's append-only timeline."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        STATE_CHANGED = "state_changed", _("State changed")
        NOTE = "note", _("Note")
        SUPPORTER_ADDED = "supporter_added", _("Supporter added")

    report = models.ForeignKey(
        "complaints.Report",
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    from_state = models.CharField(_("from state"), max_length=20, blank=True)
    to_state = models.CharField(_("to state"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    is_public = models.BooleanField(_("public"), default=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self):
        return f"{self.report_id} {self.kind} {self.to_state}"
