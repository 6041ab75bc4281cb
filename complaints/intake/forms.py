"""The public intake and tracking forms: input shape and field-level messages only.

The intake rules (may this category be anonymous, is the place inside the grid, which
questions must be answered ...) are the intake service's alone: the view builds a
``ReportInput`` from the cleaned data and the service's ``ValidationError``, keyed by field,
is put back next to each field. Forms import no service (import-linter checks it).
"""

import re
import secrets
import unicodedata

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from complaints.intake.inputs import PHONE_RE, ReportInput, answer_key_of, coordinate
from complaints.models import Category, Community, GridCell, Report, Town
from complaints.privacy.codes import (
    ACCESS_CODE_LENGTH,
    access_code_normalise,
    phone_normalise,
    typed_normalise,
)
from complaints.reference.selectors.taxonomy import categories_for_form, category_choices_grouped
from portal.content_language import localized_question, localized_text

DRAFT_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
REFERENCE_RE = re.compile(r"^BH-\d{4}-\d{6}$")
TYPED_REFERENCE_RE = re.compile(r"^BH(\d{4})(\d{6})$")


def reference_normalise(text: str) -> str:
    """A reference as typed (``bh 2026 000123``, ``ＢＨ－２０２６－０００１２３``) in its
    canonical form ``BH-2026-000123``; text that is no reference comes back unchanged."""
    match = TYPED_REFERENCE_RE.match(typed_normalise(text))
    return f"BH-{match[1]}-{match[2]}" if match else text


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class TypedDateField(forms.DateField):
    """A date typed as text, its format shown in the page's language (a native date input
    shows the browser's, e.g. "mm/dd/yyyy"); full-width digits and 年月日 are accepted."""

    input_formats = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.DateInput(
                format="%Y-%m-%d",
                attrs={"placeholder": _("YYYY-MM-DD"), "autocomplete": "off", "maxlength": 20},
            ),
        )
        super().__init__(**kwargs)
        format_hint = _("Year-month-day, e.g. 2026-05-01.")
        self.help_text = f"{self.help_text} {format_hint}" if self.help_text else format_hint

    def to_python(self, value):
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value).strip()
        return super().to_python(value)


class PhotosField(forms.FileField):
    """Several files in one input; they are checked by ``upload_drafts_accept``, not here."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        return data if isinstance(data, list | tuple) else [data] if data else []


class DraftPhotosField(forms.MultipleChoiceField):
    """Photos the resident unticks; already removed by the view, so any id is acceptable."""

    def valid_value(self, value):
        return str(value).isdigit()


def new_draft_token() -> str:
    return secrets.token_urlsafe(32)


class GroupedModelChoiceIterator(forms.models.ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups: dict[str, list] = {}
        for obj in self.queryset:
            groups.setdefault(self.field.group_by(obj), []).append(self.choice(obj))
        yield from groups.items()


class GroupedModelChoiceField(forms.ModelChoiceField):
    """A model choice whose <select> shows <optgroup>s (community by town, cell by community)."""

    iterator = GroupedModelChoiceIterator

    def __init__(self, queryset, *, group_by, **kwargs):
        self.group_by = group_by
        super().__init__(queryset, **kwargs)

    def label_from_instance(self, obj):
        return obj.name


def category_group_label(category: Category) -> str:
    """What residents see of a category's place in the taxonomy: class and major class."""
    return f"{category.get_kind_display()} · {localized_text(category, 'major_name')}"


def category_public_name(category: Category) -> str:
    """A category's name for residents: the English name on the English site, never the code."""
    return localized_text(category, "name")


class CategoryChoiceField(GroupedModelChoiceField):
    """Categories by group and name, without their internal codes (those stay in the admin)."""

    def __init__(self, queryset=None, **kwargs):
        queryset = queryset if queryset is not None else Category.objects.filter(is_active=True)
        super().__init__(queryset.order_by("kind", "code"), group_by=category_group_label, **kwargs)

    def label_from_instance(self, obj):
        return category_public_name(obj)


PLACE_FIELDS = ("town", "community", "grid_cell", "address", "latitude", "longitude")


class PlaceFieldsForm(forms.Form):
    """The "where" fields shared by the complaint and the informant forms, and their checks."""

    town = forms.ModelChoiceField(
        label=_("Town or sub-district"),
        queryset=Town.objects.all(),
        required=False,
        empty_label=_("Choose the town or sub-district"),
    )
    community = GroupedModelChoiceField(
        Community.objects.select_related("town"),
        group_by=lambda c: c.town.name,
        label=_("Community or village"),
        required=False,
        empty_label=_("Choose the community or village"),
    )
    grid_cell = GroupedModelChoiceField(
        GridCell.objects.select_related("community"),
        group_by=lambda c: c.community.name,
        label=_("Grid cell"),
        required=False,
        empty_label=_("Not known"),
        help_text=_("If you know it; found from your location otherwise."),
    )
    address = forms.CharField(
        label=_("Address or landmark"),
        max_length=200,
        required=False,
        help_text=_("Street and number, shop name or a landmark nearby."),
    )
    latitude = forms.FloatField(
        label=_("Latitude"), required=False, min_value=3.0, max_value=54.0, localize=False
    )
    longitude = forms.FloatField(
        label=_("Longitude"), required=False, min_value=73.0, max_value=136.0, localize=False
    )

    def clean_place(self, cleaned: dict) -> None:
        """Both or neither coordinate, as decimals; the place's rules are the service's."""
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if (latitude is None) != (longitude is None) and not (
            "latitude" in self.errors or "longitude" in self.errors
        ):
            self.add_error("latitude", _("Give both latitude and longitude, or neither."))
            latitude = longitude = None
        cleaned["latitude"] = coordinate(latitude)
        cleaned["longitude"] = coordinate(longitude)

    def service_errors_add(self, exc: ValidationError, *, answer_fields=None) -> None:
        """The intake service's errors next to their fields (``extra_answers.<key>`` next to
        the question's field, given by ``answer_fields``), the others above the form."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for key, errors in exc.error_dict.items():
            question = answer_key_of(key)
            if question is not None:
                key = (answer_fields or {}).get(question, key)
            self.add_error(key if key in self.fields else None, errors)


class PhotoFieldsForm(forms.Form):
    """Evidence photos kept as upload drafts between attempts (see ``upload_drafts_accept``)."""

    draft_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    photos = PhotosField(
        label=_("Photos"),
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
    )
    remove_photos = DraftPhotosField(
        label=_("Remove these photos"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, drafts=(), photo_errors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].help_text = _(
            "Up to %(n)s photos (JPEG, PNG, WebP or HEIC), each at most %(size)s."
        ) % {
            "n": settings.COMPLAINTS_MAX_PHOTOS,
            "size": filesizeformat(settings.COMPLAINTS_PHOTO_MAX_BYTES),
        }
        self.max_photos = settings.COMPLAINTS_MAX_PHOTOS  # for the photo picker's limit
        self.drafts = list(drafts)
        self.photo_errors = list(photo_errors)
        self.fields["remove_photos"].choices = [(str(d.pk), d.original_name) for d in self.drafts]

    def clean(self):
        cleaned = super().clean()
        for message in self.photo_errors:
            self.add_error("photos", message)
        return cleaned

    def clean_draft_token(self):
        token = self.cleaned_data["draft_token"]
        if not DRAFT_TOKEN_RE.match(token):
            raise ValidationError(_("The form has expired; please reload the page."))
        return token


class ReportForm(PlaceFieldsForm, PhotoFieldsForm):
    submission_token = forms.UUIDField(widget=forms.HiddenInput)
    website = forms.CharField(
        label=_("Leave this field empty"), required=False, max_length=100
    )  # honeypot, hidden by CSS

    category = forms.TypedChoiceField(label=_("What kind of problem is it?"), coerce=int)
    description = forms.CharField(
        label=_("What happened?"),
        min_length=5,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Describe the problem and what you saw; at most 2,000 characters."),
    )

    is_anonymous = forms.BooleanField(label=_("Report anonymously"), required=False)
    contact_name = forms.CharField(label=_("Your name"), max_length=60, required=False)
    contact_phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    contact_email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    consent_to_contact = forms.BooleanField(
        label=_("Tell me by SMS or email when the state of my report changes"), required=False
    )
    # Shown only when both a phone and an e-mail address are given (see the template).
    preferred_channel = forms.ChoiceField(
        label=_("How should we tell you?"),
        choices=Report.ContactChannel.choices,
        required=False,
        initial=Report.ContactChannel.SMS,
        widget=forms.RadioSelect,
        help_text=_("You gave both a mobile number and an e-mail address: we use one of them."),
    )
    is_public = forms.BooleanField(
        label=_("The report may be shown in the public list (without my details)"),
        required=False,
        initial=True,
    )

    field_order = [
        "submission_token",
        "draft_token",
        "website",
        "category",
        "description",
        *PLACE_FIELDS,
        "photos",
        "remove_photos",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = {c.pk: c for c in categories_for_form()}
        self.fields["category"].choices = [
            ("", _("Choose a category")),
            *category_choices_grouped(categories=list(self.categories.values())),
        ]
        self.question_fields: dict[int, list[tuple[str, dict]]] = {}
        for category in self.categories.values():
            for question in category.extra_questions or []:
                name = f"q_{category.pk}_{question['key']}"
                self.fields[name] = self._question_field(question)
                self.question_fields.setdefault(category.pk, []).append((name, question))

    @staticmethod
    def _question_field(question: dict) -> forms.Field:
        question = localized_question(question)
        common = {
            "label": question["label"],
            "required": False,
            "help_text": question.get("help", ""),
        }
        kind = question["type"]
        if kind == "number":
            return forms.DecimalField(min_value=0, max_digits=12, decimal_places=2, **common)
        if kind == "date":
            return TypedDateField(**common)
        if kind == "choice":
            return forms.ChoiceField(
                choices=[("", "---------"), *question["choice_labels"]], **common
            )
        return forms.CharField(max_length=200, **common)

    def question_groups(self):
        """(category, bound fields) for the template: every category's own questions."""
        return [
            (self.categories[pk], [self[name] for name, _q in fields])
            for pk, fields in self.question_fields.items()
        ]

    def clean_category(self):
        category = self.categories.get(self.cleaned_data["category"])
        if category is None:
            raise ValidationError(_("Choose a category from the list."))
        return category

    def channel_choice_shown(self) -> bool:
        """Whether the channel choice shows before any script runs: both contacts given."""
        return self.is_bound and bool(
            self.data.get(self.add_prefix("contact_phone"), "").strip()
            and self.data.get(self.add_prefix("contact_email"), "").strip()
        )

    def clean_contact_phone(self):
        phone = self.cleaned_data["contact_phone"].strip()
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
        category: Category | None = cleaned.get("category")
        if category is not None:
            cleaned["extra_answers"] = self._clean_answers(category)
        self.clean_place(cleaned)
        return cleaned

    def _clean_answers(self, category: Category) -> dict:
        """The category's answers as text by question key, empty ones left out."""
        answers = {}
        for name, question in self.question_fields.get(category.pk, []):
            if name in self.errors:
                continue
            value = self.cleaned_data.get(name)
            if value not in (None, ""):
                answers[question["key"]] = str(value)
        return answers

    def answer_fields(self) -> dict[str, str]:
        """The field of each question of the chosen category, by question key."""
        category = self.cleaned_data.get("category")
        fields = self.question_fields.get(category.pk, []) if category is not None else []
        return {question["key"]: name for name, question in fields}

    def report_input(self, *, photo_drafts=()) -> ReportInput:
        """What the resident said, for the intake service (call after ``is_valid()``)."""
        data = self.cleaned_data
        return ReportInput(
            submission_token=data["submission_token"],
            category=data["category"],
            description=data["description"],
            extra_answers=data["extra_answers"],
            town=data["town"],
            community=data["community"],
            grid_cell=data["grid_cell"],
            address=data["address"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            is_anonymous=data["is_anonymous"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            contact_email=data["contact_email"],
            consent_to_contact=data["consent_to_contact"],
            preferred_channel=data["preferred_channel"],
            is_public=data["is_public"],
            photo_drafts=tuple(photo_drafts),
            questions_asked=True,
        )

    def service_errors_add(self, exc: ValidationError, *, answer_fields=None) -> None:
        super().service_errors_add(exc, answer_fields=answer_fields or self.answer_fields())


class TrackForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference"),
        max_length=40,
        help_text=_("As on your receipt, e.g. BH-2026-000123."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    access_code = forms.CharField(
        label=_("Access code"),
        max_length=60,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )

    def clean_reference(self):
        reference = reference_normalise(self.cleaned_data["reference"])
        if not REFERENCE_RE.match(reference):
            raise ValidationError(_("A reference looks like BH-2026-000123."))
        return reference

    def clean_access_code(self):
        code = access_code_normalise(self.cleaned_data["access_code"])
        if len(code) != ACCESS_CODE_LENGTH:
            raise ValidationError(
                _("The access code has %(n)s letters and digits.") % {"n": ACCESS_CODE_LENGTH}
            )
        return code


class ReportFilterForm(forms.Form):
    town = forms.ModelChoiceField(
        label=_("Town or sub-district"),
        queryset=Town.objects.all(),
        required=False,
        empty_label=_("All towns"),
    )
    category = CategoryChoiceField(
        label=_("Category"), required=False, empty_label=_("All categories")
    )
    state = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, *args, **kwargs):
        from complaints.cases.workflow import PublicState

        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All states"))] + [
            (s.value, s.label) for s in PublicState if s != PublicState.REJECTED
        ]


class RatingForm(forms.Form):
    """The resident's rating of a closed case (satisfaction stage)."""

    rating = forms.ChoiceField(
        label=_("How satisfied are you with the handling?"),
        choices=[],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    request_rework = forms.BooleanField(
        label=_("I am not satisfied: please deal with it again"),
        required=False,
        help_text=_("A supervisor decides; tell us in the comment what is still wrong."),
    )

    def __init__(self, *args, **kwargs):
        from complaints.models import SatisfactionRating

        super().__init__(*args, **kwargs)
        self.fields["rating"].choices = SatisfactionRating.choices
