"""Reporting periods (day, week, month, year) in the portal's local time zone."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    DAY = "day", _("Day")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


@dataclass(frozen=True)
class Period:
    """A calendar period ``[first, end)`` of local days; a week starts on Monday."""

    kind: str
    first: date  # first day of the period

    @classmethod
    def containing(cls, kind: str, day: date) -> "Period":
        if kind == PeriodKind.DAY:
            first = day
        elif kind == PeriodKind.WEEK:
            first = day - timedelta(days=day.weekday())
        elif kind == PeriodKind.MONTH:
            first = day.replace(day=1)
        elif kind == PeriodKind.YEAR:
            first = day.replace(month=1, day=1)
        else:
            raise ValueError(f"Unknown period kind {kind!r}")
        return cls(kind=str(kind), first=first)

    @property
    def end_day(self) -> date:
        """The first day after the period."""
        if self.kind == PeriodKind.DAY:
            return self.first + timedelta(days=1)
        if self.kind == PeriodKind.WEEK:
            return self.first + timedelta(days=7)
        if self.kind == PeriodKind.MONTH:
            year, month = divmod(self.first.month, 12)
            return date(self.first.year + year, month + 1, 1)
        return date(self.first.year + 1, 1, 1)

    @property
    def last_day(self) -> date:
        return self.end_day - timedelta(days=1)

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end_day, time.min))

    def previous(self) -> "Period":
        return Period.containing(self.kind, self.first - timedelta(days=1))

    def label(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return f"{self.first:%Y}"
        if self.kind == PeriodKind.MONTH:
            return f"{self.first:%Y-%m}"
        if self.kind == PeriodKind.WEEK:
            return f"{self.first:%Y-%m-%d} – {self.last_day:%Y-%m-%d}"
        return f"{self.first:%Y-%m-%d}"

    def slug(self) -> str:
        return f"{self.kind}-{self.first:%Y%m%d}"
