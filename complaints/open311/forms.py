"""An Open311 POST parsed into the intake input: GeoReport v2 parameters, types and formats.

No HTML form: ``RequestParametersForm`` reads the specification's parameters by their own
names (``description``, ``lat``, ``long``, ``address_string``, ``first_name``, ``phone``,
``email``, ``attribute[<code>]``), checks only their shape (types, lengths, formats) and builds
the same ``ReportInput`` as the web form; the intake rules are the intake service's. The
description may be as long as the model allows (GeoReport v2 says up to 4,000 characters,
the public form keeps 2,000), and attributes declared as ``datetime`` take a full ISO 8601
date-time with its offset as well as a plain date.
"""

from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from complaints.intake.inputs import PHONE_RE, ReportInput, coordinate
from complaints.models import Category, GridCell, Report, ReportChannel
from complaints.privacy.codes import phone_normalise

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


def question_field(question: dict) -> forms.Field:
    """The field that reads the answer to one of a category's questions (its attribute)."""
    common = {"label": question.get("label", question["key"]), "required": False}
    kind = question["type"]
    if kind == "number":
        return forms.DecimalField(min_value=0, max_digits=12, decimal_places=2, **common)
    if kind == "date":
        return DateOrDateTimeField(**common)
    if kind == "choice":
        choices = question.get("choices") or []
        return forms.ChoiceField(choices=[("", "---------"), *((c, c) for c in choices)], **common)
    return forms.CharField(max_length=200, **common)


def attribute_name(question_key: str) -> str:
    return f"attribute[{question_key}]"


class RequestParametersForm(forms.Form):
    """The parameters of a POST requests: their shape only, by their GeoReport v2 names."""

    description = forms.CharField(min_length=5, max_length=DESCRIPTION_MAX_LENGTH)
    lat = forms.FloatField(required=False, min_value=3.0, max_value=54.0, localize=False)
    long = forms.FloatField(required=False, min_value=73.0, max_value=136.0, localize=False)
    address_string = forms.CharField(max_length=200, required=False)
    first_name = forms.CharField(required=False)
    last_name = forms.CharField(required=False)
    phone = forms.CharField(max_length=20, required=False)
    email = forms.EmailField(max_length=254, required=False)

    def __init__(self, data, *, category: Category):
        super().__init__(data)
        self.category = category
        self.questions = list(category.extra_questions or [])
        for question in self.questions:
            self.fields[attribute_name(question["key"])] = question_field(question)

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if not phone:
            return ""
        digits = phone_normalise(phone)
        if not PHONE_RE.match(digits):
            raise ValidationError(
                _(
                    "Enter an 11-digit mobile number (e.g. 13812345678) or a landline with area code."
                )
            )
        return digits

    def clean(self):
        cleaned = super().clean()
        latitude, longitude = cleaned.get("lat"), cleaned.get("long")
        if (latitude is None) != (longitude is None) and not (
            "lat" in self.errors or "long" in self.errors
        ):
            self.add_error("lat", _("Give both latitude and longitude, or neither."))
        return cleaned

    def report_input(self, *, submission_token, grid_cell: GridCell | None = None) -> ReportInput:
        """The request as the intake service takes it (call after ``is_valid()``).

        Open311 clients send no contact for anonymous reports: those are filed as such.
        """
        data = self.cleaned_data
        name = " ".join(part for part in (data["first_name"], data["last_name"]) if part)
        phone, email = data["phone"], data["email"].strip()
        answers = {}
        for question in self.questions:
            value = data.get(attribute_name(question["key"]))
            if value not in (None, ""):
                answers[question["key"]] = str(value)
        return ReportInput(
            submission_token=submission_token,
            category=self.category,
            description=data["description"],
            channel=ReportChannel.OPEN311,
            extra_answers=answers,
            grid_cell=grid_cell,
            address=data["address_string"],
            latitude=coordinate(data["lat"]),
            longitude=coordinate(data["long"]),
            is_anonymous=not (phone or email),
            contact_name=name[:60],
            contact_phone=phone,
            contact_email=email,
            is_public=True,
            questions_asked=True,
        )
