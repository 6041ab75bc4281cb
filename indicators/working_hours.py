"""Working hours between two moments, on the deadline code's calendar.

Deadlines (``complaints.cases.services.deadlines``) count working periods of working days (weekdays,
minus holidays, plus make-up days). Handling times are measured on the same clock: a
``WorkingClock`` for a span of days loads the holiday calendar once (one query) and then answers
each measurement with two dictionary look-ups, so thousands of cases cost no extra query.
"""

from datetime import date, datetime, timedelta

from django.utils import timezone

from complaints.cases.services.deadlines import CLOCK_STATES, WorkingCalendar, working_periods

__all__ = ["CLOCK_STATES", "WorkingClock"]


def _minutes(moment) -> int:
    return moment.hour * 60 + moment.minute


class WorkingClock:
    """Cumulative working minutes from ``first`` on, for moments between ``first`` and ``last``."""

    def __init__(self, *, first: date, last: date):
        self.first = first
        days = (last - first).days + 1
        calendar = WorkingCalendar.load(start=first, days=days)
        self.periods = [(_minutes(begin), _minutes(end)) for begin, end in working_periods()]
        day_minutes = sum(end - begin for begin, end in self.periods)
        self.working = {}
        self.before = {}  # working minutes from `first` up to the start of each day
        total = 0.0
        for offset in range(days):
            day = first + timedelta(days=offset)
            self.before[day] = total
            self.working[day] = calendar.is_working_day(day)
            if self.working[day]:
                total += day_minutes

    def minutes_at(self, moment: datetime) -> float:
        local = timezone.localtime(moment)
        day = local.date()
        done = self.before[day]
        if self.working[day]:
            now = local.hour * 60 + local.minute + local.second / 60
            for begin, end in self.periods:
                done += max(0, min(now, end) - begin)
        return done

    def hours_between(self, start: datetime, end: datetime) -> float:
        """Working hours from ``start`` to ``end`` (0 when ``end`` is not later)."""
        if end <= start:
            return 0.0
        return (self.minutes_at(end) - self.minutes_at(start)) / 60
