"""The informant's forms: the violation report, the receipt-code lookup, the transparency filter.

Input shape only; the scheme's rules (reward-eligible category, one phone per joint reporter,
eligibility itself) are the services'.
"""

import re
import unicodedata
from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from complaints.intake.forms import PLACE_FIELDS, PhotoFieldsForm, PlaceFieldsForm
from complaints.intake.inputs import PHONE_RE, ReportInput
from complaints.models import ReportKind, RewardRule
from complaints.privacy.codes import RECEIPT_CODE_LENGTH, access_code_normalise, phone_normalise
from complaints.rewards.inputs import IdentityInput
from complaints.rewards.selectors.public import reward_rules_in_force
from portal.content_language import localized_text

# A phone's clock may run a little ahead of ours.
CLOCK_SKEW = timedelta(minutes=10)

# 2026年12月7日 14点30分 -> 2026-12-7 14:30 (after full-width characters became half-width).
CHINESE_DATE_PARTS = [
    (re.compile(r"\s*[年/.]\s*"), "-"),
    (re.compile(r"\s*月\s*"), "-"),
    (re.compile(r"\s*[日号]\s*"), " "),
    (re.compile(r"\s*[时點点]\s*"), ":"),
    (re.compile(r"\s*分\s*$"), ""),
    (re.compile(r"(\d)T(\d)"), r"\1 \2"),
]


class ObservedAtField(forms.DateTimeField):
    """A date and time typed as text, in the format the label shows.

    The browser's own date-time picker labels itself in the browser's language
    ("mm/dd/yyyy" on a Chinese page), so the field is a plain text input with the format
    spelled out, and it reads the ways people write a time in Chinese: full-width digits,
    年月日, 点 or 时, slashes, with or without seconds.
    """

    input_formats = ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
    default_error_messages = {
        "invalid": _(
            "Enter the date and time as year-month-day hour:minute, e.g. 2026-05-01 08:30."
        )
    }

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.DateTimeInput(
                format="%Y-%m-%d %H:%M",
                attrs={
                    "placeholder": _("YYYY-MM-DD hh:mm"),
                    "autocomplete": "off",
                    "maxlength": 30,
                },
            ),
        )
        super().__init__(**kwargs)
        format_hint = _("Year-month-day hour:minute, e.g. 2026-05-01 08:30.")
        # Lazy both ways: the field is built once, at import, in whatever language is active.
        self.help_text = (
            format_lazy("{} {}", self.help_text, format_hint) if self.help_text else format_hint
        )

    def to_python(self, value):
        if isinstance(value, str):
            text = unicodedata.normalize("NFKC", value).strip()
            for pattern, replacement in CHINESE_DATE_PARTS:
                text = pattern.sub(replacement, text)
            value = re.sub(r"\s+", " ", text).strip()
        return super().to_python(value)


class InformantReportForm(PlaceFieldsForm, PhotoFieldsForm):
    class Reward(models.TextChoices):
        CLAIM = "claim", _("Yes: I give my real name, phone and payment account to be rewarded")
        NONE = "none", _("No: I report without giving my identity and receive no reward")

    submission_token = forms.UUIDField(widget=forms.HiddenInput)
    website = forms.CharField(
        label=_("Leave this field empty"), required=False, max_length=100
    )  # honeypot, hidden by CSS

    category = forms.TypedChoiceField(label=_("What violation did you see?"), coerce=int)
    description = forms.CharField(
        label=_("What did you see?"),
        min_length=5,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Describe the violation, and for a size (e.g. of a structure) your estimate."),
    )
    observed_at = ObservedAtField(
        label=_("When did you see it?"),
        help_text=_("Date and time; a report must reach us within the category's window."),
    )

    reward = forms.ChoiceField(
        label=_("Do you want to claim a reward?"), choices=Reward, widget=forms.RadioSelect
    )
    name = forms.CharField(label=_("Real name"), max_length=60, required=False)
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    payment_account = forms.CharField(
        label=_("Payment account"),
        max_length=100,
        required=False,
        help_text=_("Bank card number with the bank's name, or the mobile-payment account."),
    )
    joint_name = forms.CharField(
        label=_("Joint reporter's real name"), max_length=60, required=False
    )
    joint_phone = forms.CharField(
        label=_("Joint reporter's mobile phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    joint_payment_account = forms.CharField(
        label=_("Joint reporter's payment account"), max_length=100, required=False
    )

    field_order = [
        "submission_token",
        "draft_token",
        "website",
        "category",
        "description",
        "observed_at",
        *PLACE_FIELDS,
        "photos",
        "remove_photos",
    ]

    def __init__(self, *args, rules: list[RewardRule] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        rules = reward_rules_in_force() if rules is None else rules
        self.rules = {rule.category_id: rule for rule in rules}
        self.fields["category"].choices = [
            ("", _("Choose the violation")),
            *((rule.category_id, localized_text(rule.category, "name")) for rule in rules),
        ]
        self.fields["photos"].label = _("Evidence photos")

    def clean_category(self):
        rule = self.rules.get(self.cleaned_data["category"])
        if rule is None:
            raise ValidationError(_("Choose a violation of the reward scheme from the list."))
        return rule.category

    def clean_observed_at(self):
        seen = self.cleaned_data["observed_at"]
        if seen > timezone.now() + CLOCK_SKEW:
            raise ValidationError(_("The time you saw it cannot be in the future."))
        return seen

    def _clean_phone(self, name: str) -> str:
        phone = self.cleaned_data.get(name, "").strip()
        if not phone:
            return ""
        digits = phone_normalise(phone)
        if not PHONE_RE.match(digits):
            raise ValidationError(_("Enter an 11-digit mobile number, e.g. 13812345678."))
        return digits

    def clean_phone(self):
        return self._clean_phone("phone")

    def clean_joint_phone(self):
        return self._clean_phone("joint_phone")

    def clean(self):
        cleaned = super().clean()
        identities = []
        if cleaned.get("reward") == self.Reward.CLAIM:
            identities.append(self._identity("", required=True))
            joint = self._identity("joint_", required=False)
            if joint is not None:
                identities.append(joint)
        cleaned["identities"] = [identity for identity in identities if identity is not None]
        self.clean_place(cleaned)
        return cleaned

    def report_input(self, *, photo_drafts=()) -> ReportInput:
        """What the informant said, for the intake service (call after ``is_valid()``)."""
        data = self.cleaned_data
        return ReportInput(
            submission_token=data["submission_token"],
            category=data["category"],
            description=data["description"],
            kind=ReportKind.INFORMANT,
            observed_at=data["observed_at"],
            town=data["town"],
            community=data["community"],
            grid_cell=data["grid_cell"],
            address=data["address"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            is_anonymous=True,
            is_public=False,
            photo_drafts=tuple(photo_drafts),
        )

    def _identity(self, prefix: str, *, required: bool) -> IdentityInput | None:
        names = [f"{prefix}name", f"{prefix}phone", f"{prefix}payment_account"]
        if any(name in self.errors for name in names):
            return None
        values = [(self.cleaned_data.get(name) or "").strip() for name in names]
        if not required and not any(values):
            return None
        missing = [name for name, value in zip(names, values, strict=True) if not value]
        for name in missing:
            self.add_error(
                name,
                _("Needed for the reward.")
                if required
                else _("Give all three for the joint reporter, or none."),
            )
        if missing:
            return None
        return IdentityInput(name=values[0], phone=values[1], payment_account=values[2])


class ReceiptCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Receipt code"),
        max_length=60,
        help_text=_("The code shown once when you sent the report, e.g. ABCD-EFGH-…"),
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}
        ),
    )

    def clean_code(self):
        code = access_code_normalise(self.cleaned_data["code"])
        if len(code) != RECEIPT_CODE_LENGTH:
            raise ValidationError(
                _("The receipt code has %(n)s letters and digits.") % {"n": RECEIPT_CODE_LENGTH}
            )
        return code


class TransparencyFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Last 12 months")), *((y, y) for y in years)]
