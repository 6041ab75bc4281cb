from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    """An Open311 API key issued to one partner channel (hotline, WeChat mini-program, app).

    Only a keyed hash is stored; the key itself is shown once, when it is issued. ``prefix``
    (the first characters) finds the row without scanning every hash.
    """

    name = models.CharField(
        _("partner channel"),
        max_length=80,
        unique=True,
        help_text=_("Who uses this key, e.g. 12345 hotline or WeChat mini-program."),
    )
    prefix = models.CharField(_("key prefix"), max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    rate = models.CharField(
        _("rate limit"),
        max_length=20,
        default="60/m",
        validators=[RegexValidator(r"^\d+/\d*[smhd]$", _("Write it like 60/m or 1000/h."))],
        help_text=_("Requests per period for this key, e.g. 60/m or 1000/h."),
    )
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class ApiSubmission(models.Model):
    """Which key filed which report, and the client's own request id (replays find it)."""

    report = models.OneToOneField(
        "complaints.Report",
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="api_submission",
    )
    api_key = models.ForeignKey(
        ApiKey, verbose_name=_("API key"), on_delete=models.PROTECT, related_name="submissions"
    )
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("API submission")
        verbose_name_plural = _("API submissions")

    def __str__(self):
        return f"{self.report_id} via {self.api_key_id}"
