"""Deadlines: the category's time limit counted in wall-clock hours, working hours or days.

Working time is Monday–Friday in ``COMPLAINTS_WORKING_PERIODS`` (default 08:30–12:00 and
13:30–17:30, local time), except the days of the admin-editable ``Holiday`` calendar: public
holidays are skipped and make-up working days (调休) count even on a weekend.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from complaints.models import Holiday, Report, ReportState, TimeUnit

DEFAULT_WORKING_PERIODS = ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))
# The states in which the department's clock runs.
CLOCK_STATES = (ReportState.DISPATCHED, ReportState.EXTENSION_REQUESTED)
# A case is "due soon" when less than this share of its time (and at most a day) is left.
DUE_SOON_SHARE = 0.2
# The handler's "due soon" list (home panel and queue filter): a deadline within this many
# working hours (setting COMPLAINTS_DUE_SOON_WORKING_HOURS).
DEFAULT_DUE_SOON_WORKING_HOURS = 24
MAX_DAYS_SCANNED = 3660


def working_periods() -> tuple[tuple[time, time], ...]:
    return tuple(getattr(settings, "COMPLAINTS_WORKING_PERIODS", DEFAULT_WORKING_PERIODS))


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are working days: weekdays, minus holidays, plus make-up days."""

    exceptions: dict[date, str]

    @classmethod
    def load(cls, *, start: date, days: int = 400) -> "WorkingCalendar":
        rows = Holiday.objects.filter(date__gte=start, date__lte=start + timedelta(days=days))
        return cls(exceptions={row.date: row.kind for row in rows})

    def is_working_day(self, day: date) -> bool:
        kind = self.exceptions.get(day)
        if kind == Holiday.Kind.HOLIDAY:
            return False
        if kind == Holiday.Kind.WORKDAY:
            return True
        return day.weekday() < 5


def _at(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def working_time_add(
    *, start: datetime, minutes: int, calendar: WorkingCalendar | None = None
) -> datetime:
    """The moment ``minutes`` of working time after ``start`` (aware datetimes)."""
    local = timezone.localtime(start)
    calendar = calendar or WorkingCalendar.load(start=local.date())
    remaining = timedelta(minutes=minutes)
    day = local.date()
    for _offset in range(MAX_DAYS_SCANNED):
        if calendar.is_working_day(day):
            for begin, end in working_periods():
                segment_start = max(_at(day, begin), local)
                segment_end = _at(day, end)
                if segment_start >= segment_end:
                    continue
                available = segment_end - segment_start
                if remaining <= available:
                    return segment_start + remaining
                remaining -= available
        day += timedelta(days=1)
    raise ValueError("No working time found within ten years; check the holiday calendar.")


def working_days_add(
    *, start: datetime, days: int, calendar: WorkingCalendar | None = None
) -> datetime:
    """The end of the ``days``-th working day after the day of ``start`` (that day not counted)."""
    local = timezone.localtime(start)
    calendar = calendar or WorkingCalendar.load(start=local.date())
    day = local.date()
    counted = 0
    for _offset in range(MAX_DAYS_SCANNED):
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
            if counted == days:
                return _at(day, working_periods()[-1][1])
    raise ValueError("No working days found within ten years; check the holiday calendar.")


def deadline_compute(
    *, start: datetime, amount: int, unit: str, calendar: WorkingCalendar | None = None
) -> datetime:
    """The deadline ``amount`` ``unit`` (a ``TimeUnit``) after ``start``.

    Emergency hours run round the clock; working hours count only working periods of working
    days; working days end at the close of the last working period of the last day.
    """
    if unit == TimeUnit.EMERGENCY_HOURS:
        return start + timedelta(hours=amount)
    if unit == TimeUnit.WORKING_HOURS:
        return working_time_add(start=start, minutes=amount * 60, calendar=calendar)
    if unit == TimeUnit.WORKING_DAYS:
        return working_days_add(start=start, days=amount, calendar=calendar)
    raise ValueError(f"Unknown time unit {unit!r}")


def report_deadline_for(*, report: Report, start: datetime) -> datetime:
    """The handling deadline of ``report`` if its department's clock starts at ``start``."""
    category = report.category
    return deadline_compute(start=start, amount=category.time_limit, unit=category.time_unit)


def report_is_overdue(*, report: Report, now: datetime | None = None) -> bool:
    """The department's clock runs and the deadline has passed."""
    now = now or timezone.now()
    return bool(report.deadline and report.state in CLOCK_STATES and now > report.deadline)


def due_soon_horizon(now: datetime) -> datetime:
    """The end of the "due soon" window that starts now, in working time."""
    hours = getattr(settings, "COMPLAINTS_DUE_SOON_WORKING_HOURS", DEFAULT_DUE_SOON_WORKING_HOURS)
    return working_time_add(start=now, minutes=int(hours * 60))


def report_is_due_soon(*, report: Report, now: datetime | None = None) -> bool:
    """Not overdue yet, but less than a fifth of the time (and under a day) is left."""
    now = now or timezone.now()
    if not report.deadline or report.state not in CLOCK_STATES or now > report.deadline:
        return False
    left = report.deadline - now
    span = report.deadline - (report.dispatched_at or report.created_at)
    return left <= min(span * DUE_SOON_SHARE, timedelta(days=1)) or left <= timedelta(hours=1)


# The State Council's schedule (国务院办公厅关于2026年部分节假日安排的通知): days off, and the
# weekend days that are working days instead (调休). Other years are entered in the admin.
NATIONAL_HOLIDAYS: dict[int, list[tuple[str, str, list[str], list[str]]]] = {
    2026: [
        ("元旦", "holiday", ["2026-01-01", "2026-01-02", "2026-01-03"], ["2026-01-04"]),
        (
            "春节",
            "holiday",
            [f"2026-02-{d:02d}" for d in range(15, 24)],
            ["2026-02-14", "2026-02-28"],
        ),
        ("清明节", "holiday", ["2026-04-04", "2026-04-05", "2026-04-06"], []),
        ("劳动节", "holiday", [f"2026-05-{d:02d}" for d in range(1, 6)], ["2026-05-09"]),
        ("端午节", "holiday", ["2026-06-19", "2026-06-20", "2026-06-21"], []),
        ("中秋节", "holiday", ["2026-09-25", "2026-09-26", "2026-09-27"], []),
        (
            "国庆节",
            "holiday",
            [f"2026-10-{d:02d}" for d in range(1, 8)],
            ["2026-09-20", "2026-10-10"],
        ),
    ],
}


@transaction.atomic
def holidays_load_national(*, year: int | None = None) -> int:
    """Load the national holidays and make-up days of ``year`` (default: this year).

    Idempotent; days already in the calendar are left as the admin edited them. Returns how
    many days were added (0 for a year whose schedule is not built in).
    """
    year = year or timezone.localdate().year
    added = 0
    for name, _kind, days_off, makeup_days in NATIONAL_HOLIDAYS.get(year, []):
        for value, kind in [(d, Holiday.Kind.HOLIDAY) for d in days_off] + [
            (d, Holiday.Kind.WORKDAY) for d in makeup_days
        ]:
            _row, created = Holiday.objects.get_or_create(
                date=date.fromisoformat(value),
                defaults={
                    "kind": kind,
                    "name": name if kind == Holiday.Kind.HOLIDAY else f"{name}调休",
                },
            )
            added += created
    return added
