"""The web report form as Open311 needs it: the specification's limits and datetime formats.

An Open311 POST is checked by the public ``ReportForm`` (one set of intake rules), with two
differences that the specification asks for and the public form must not take over:
``description`` may be as long as the model allows (GeoReport v2 says up to 4,000 characters,
the public form keeps 2,000), and attributes declared as ``datetime`` take a full ISO 8601
date-time with its offset as well as a plain date.
"""

from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from complaints.intake.forms import ReportForm
from complaints.models import Report

DESCRIPTION_MAX_LENGTH = Report._meta.get_field("description").max_length


def w3c_datetime_parse(raw: str) -> datetime | None:
    """An ISO 8601 / W3C date-time (``2026-11-30T10:00:00+08:00``, ``...Z``) or None.

    A date-time without an offset is taken in the portal's time zone.
    """
    raw = raw.strip()
    if raw.endswith(("z", "Z")):
        raw = raw[:-1] + "+00:00"
    try:
        value = parse_datetime(raw)
    except ValueError:
        return None
    if value is None:
        return None
    if timezone.is_naive(value):
        try:
            value = timezone.make_aware(value)
        except (ValueError, OverflowError):
            return None
    return value


def w3c_date_or_datetime_parse(raw: str) -> date | datetime | None:
    """A plain date (``2026-11-30``) or a date-time as ``w3c_datetime_parse`` reads it."""
    raw = raw.strip()
    if len(raw) == 10:
        try:
            return parse_date(raw)
        except ValueError:
            return None
    return w3c_datetime_parse(raw)


class DateOrDateTimeField(forms.CharField):
    """A ``date`` question asked as Open311 ``datetime``: a date, or a date-time with offset.

    The answer is stored as text, like every answer: ``2026-11-30`` for a date, and for a
    date-time the same instant in the portal's time zone, ``2026-11-30T10:00:00+08:00``, so
    that the time a client gave (night-time noise, say) is kept and its offset is unambiguous.
    """

    default_error_messages = {
        "invalid": _(
            "use ISO 8601: a date (2026-11-30) or a date and time with its offset "
            "(2026-11-30T10:00:00+08:00 or 2026-11-30T02:00:00Z)."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return ""
        parsed = w3c_date_or_datetime_parse(value)
        if parsed is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if isinstance(parsed, datetime):
            try:
                parsed = timezone.localtime(parsed)
            except OverflowError:  # e.g. 9999-12-31T23:00:00-05:00 is past year 9999 here
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
            return parsed.replace(microsecond=0).isoformat()
        return parsed.isoformat()


class Open311ReportForm(ReportForm):
    """``ReportForm`` with the GeoReport v2 description limit and datetime attributes."""

    description = forms.CharField(min_length=5, max_length=DESCRIPTION_MAX_LENGTH)

    @staticmethod
    def _question_field(question: dict) -> forms.Field:
        if question["type"] == "date":
            return DateOrDateTimeField(
                label=question["label"], required=False, help_text=question.get("help", "")
            )
        return ReportForm._question_field(question)
