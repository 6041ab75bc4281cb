"""Deadline arithmetic across nights, weekends, holidays and make-up working days."""

from datetime import datetime

import pytest
from django.utils import timezone

from complaints.cases.services.deadlines import (
    deadline_compute,
    holidays_load_national,
    report_is_due_soon,
    report_is_overdue,
)
from complaints.models import Holiday, TimeUnit


def at(text: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(text))


def local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "start,amount,unit,expected",
    [
        # Emergency hours run through the night and the weekend.
        ("2026-11-27 22:00", 2, TimeUnit.EMERGENCY_HOURS, "2026-11-28 00:00"),
        # Working hours: inside one morning.
        ("2026-11-25 09:00", 2, TimeUnit.WORKING_HOURS, "2026-11-25 11:00"),
        # Across the lunch break.
        ("2026-11-25 11:00", 2, TimeUnit.WORKING_HOURS, "2026-11-25 14:30"),
        # Received at night: the clock starts at 08:30.
        ("2026-11-24 20:00", 1, TimeUnit.WORKING_HOURS, "2026-11-25 09:30"),
        # Friday afternoon over the weekend.
        ("2026-11-27 16:30", 4, TimeUnit.WORKING_HOURS, "2026-11-30 11:30"),
        # Saturday: nothing counts before Monday.
        ("2026-11-28 10:00", 1, TimeUnit.WORKING_HOURS, "2026-11-30 09:30"),
        # Exactly to the end of a working day.
        ("2026-11-25 08:30", 7.5, TimeUnit.WORKING_HOURS, "2026-11-25 17:30"),
        # Working days: the day of receipt does not count; ends at the close of work.
        ("2026-11-25 10:00", 1, TimeUnit.WORKING_DAYS, "2026-11-26 17:30"),
        ("2026-11-27 10:00", 1, TimeUnit.WORKING_DAYS, "2026-11-30 17:30"),
        ("2026-11-27 10:00", 5, TimeUnit.WORKING_DAYS, "2026-12-04 17:30"),
    ],
)
def test_deadline_without_holidays(start, amount, unit, expected):
    if isinstance(amount, float):  # 7.5 working hours
        from complaints.cases.services.deadlines import working_time_add

        result = working_time_add(start=at(start), minutes=int(amount * 60))
    else:
        result = deadline_compute(start=at(start), amount=amount, unit=unit)
    assert local(result) == expected


@pytest.mark.parametrize(
    "start,amount,unit,expected",
    [
        # National Day: 1–7 October off, Saturday 10 October is a make-up working day.
        ("2026-09-30 16:00", 4, TimeUnit.WORKING_HOURS, "2026-10-08 11:00"),
        ("2026-10-09 10:00", 1, TimeUnit.WORKING_DAYS, "2026-10-10 17:30"),
        # Sunday 20 September is a make-up working day too.
        ("2026-09-19 12:00", 1, TimeUnit.WORKING_HOURS, "2026-09-20 09:30"),
        # Spring Festival: 15–23 February off; Saturday 14 February works.
        ("2026-02-13 17:00", 1, TimeUnit.WORKING_HOURS, "2026-02-14 09:00"),
        ("2026-02-14 10:00", 1, TimeUnit.WORKING_DAYS, "2026-02-24 17:30"),
        # Emergency hours ignore holidays.
        ("2026-10-01 10:00", 24, TimeUnit.EMERGENCY_HOURS, "2026-10-02 10:00"),
    ],
)
def test_deadline_skips_holidays_and_counts_makeup_days(start, amount, unit, expected):
    assert holidays_load_national(year=2026) > 30
    assert local(deadline_compute(start=at(start), amount=amount, unit=unit)) == expected


def test_holiday_added_in_admin_counts():
    Holiday.objects.create(date=at("2026-11-30 00:00").date(), name="本地假日")
    result = deadline_compute(start=at("2026-11-27 17:00"), amount=1, unit=TimeUnit.WORKING_HOURS)
    assert local(result) == "2026-12-01 09:00"


def test_national_loader_is_idempotent_and_keeps_edits():
    first = holidays_load_national(year=2026)
    Holiday.objects.filter(date="2026-10-01").update(name="改过的名字")
    assert holidays_load_national(year=2026) == 0
    assert Holiday.objects.count() == first
    assert Holiday.objects.get(date="2026-10-01").name == "改过的名字"
    assert holidays_load_national(year=1999) == 0


def test_overdue_and_due_soon_flags(report_in):
    from datetime import timedelta

    from complaints.models import ReportState

    report = report_in(ReportState.DISPATCHED)
    now = timezone.now()
    report.dispatched_at, report.deadline = now - timedelta(hours=10), now + timedelta(hours=5)
    assert not report_is_overdue(report=report) and not report_is_due_soon(report=report)
    report.deadline = now + timedelta(minutes=30)
    assert report_is_due_soon(report=report)
    report.deadline = now - timedelta(minutes=1)
    assert report_is_overdue(report=report) and not report_is_due_soon(report=report)
    report.state = ReportState.HANDLED
    assert not report_is_overdue(report=report)
