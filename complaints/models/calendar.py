from django.db import models
from django.utils.translation import gettext_lazy as _


class Holiday(models.Model):
    """A day that breaks the Monday–Friday rule: a public holiday, or a make-up working day (调休).

    Deadlines in working hours or working days skip holidays and count make-up days as working
    days, even when they fall on a weekend.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday (no work)")
        WORKDAY = "workday", _("Make-up working day (调休)")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.HOLIDAY)
    name = models.CharField(_("name"), max_length=40, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday or make-up day")
        verbose_name_plural = _("holiday calendar")

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()
