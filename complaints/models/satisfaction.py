from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SatisfactionRating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Not satisfied")


class SatisfactionResponse(models.Model):
    """The resident's rating of one closure, by web link or a supervisor's callback (回访).

    ``closure`` is the report's rework count when it was closed, so a case closed, reopened and
    closed again gets one rating per closure. Satisfaction rate = (satisfied + basically) / all.
    """

    class Channel(models.TextChoices):
        WEB = "web", _("Web link")
        CALLBACK = "callback", _("Staff callback (回访)")

    report = models.ForeignKey(
        "complaints.Report",
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="satisfaction_responses",
    )
    closure = models.PositiveSmallIntegerField(_("closure number"), default=0)
    rating = models.CharField(_("rating"), max_length=12, choices=SatisfactionRating)
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    rework_requested = models.BooleanField(_("rework requested"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("satisfaction response")
        verbose_name_plural = _("satisfaction responses")
        constraints = [
            # One web rating per closure; callbacks may be recorded several times.
            models.UniqueConstraint(
                fields=["report", "closure"],
                condition=models.Q(channel="web"),
                name="satisfaction_one_web_rating_per_closure",
            )
        ]

    def __str__(self):
        return f"{self.report_id} #{self.closure}: {self.get_rating_display()}"


class RatingToken(models.Model):
    """A one-time rating link: only the keyed hash of the token is stored."""

    report = models.ForeignKey(
        "complaints.Report",
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="rating_tokens",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    closure = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("rating link")
        verbose_name_plural = _("rating links")

    def __str__(self):
        return f"{self.report_id} #{self.closure}"
