"""Forms of the staff back office; the fields of an action form come from the workflow table."""

import uuid

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from complaints.cases.workflow import Requirement, Transition
from complaints.intake.forms import CategoryChoiceField, MultipleFileInput, PhotosField
from complaints.intake.inputs import ReportInput
from complaints.models import (
    Category,
    Department,
    GridCell,
    Report,
    ReportChannel,
    ResponseTemplate,
    SatisfactionRating,
    Town,
)

NOTE_LABELS = {
    Requirement.REASON: _("Reason"),
    Requirement.HANDLING_NOTE: _("What was done"),
    Requirement.VERIFICATION: _("Verification result"),
}


class ActionForm(forms.Form):
    """The form of one workflow action; only the fields its table row requires, plus a note."""

    def __init__(self, *args, transition: Transition, report: Report, **kwargs):
        super().__init__(*args, **kwargs)
        self.transition = transition
        self.report = report
        requires = set(transition.requires)
        note_requirement = next((r for r in transition.requires if r in NOTE_LABELS), None)
        self.fields["note"] = forms.CharField(
            label=NOTE_LABELS.get(note_requirement, _("Note")),
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_("Shown to the resident.") if transition.public else _("Staff only."),
        )
        self.note_required = note_requirement is not None
        templates = ResponseTemplate.objects.filter(
            Q(category=report.category) | Q(category__isnull=True),
            Q(action=transition.action.value) | Q(action=""),
        )
        if templates.exists():
            self.fields["template"] = forms.ModelChoiceField(
                label=_("Or use a response template"),
                queryset=templates,
                required=False,
                help_text=_("Used when the note is left empty."),
            )
        if Requirement.DEPARTMENT in requires:
            from complaints.reference.services.routing import department_route

            self.fields["department"] = forms.ModelChoiceField(
                label=_("Department"),
                queryset=Department.objects.all(),
                initial=department_route(
                    category=report.category, town=report.town, grid_cell=report.grid_cell
                ).department,
            )
        if Requirement.CATEGORY in requires:
            self.fields["category"] = forms.ModelChoiceField(
                label=_("New category"), queryset=Category.objects.filter(is_active=True)
            )
        if Requirement.DUPLICATE_OF in requires:
            self.fields["duplicate_of"] = forms.CharField(
                label=_("Reference of the original report"),
                max_length=20,
                help_text=_("e.g. BH-2026-000123"),
            )
        if Requirement.EXTENSION in requires:
            self.fields["extension_amount"] = forms.IntegerField(
                label=_("Extra time (in %(unit)s)")
                % {"unit": report.category.get_time_unit_display()},
                min_value=1,
                max_value=1000,
            )
        if Requirement.AFTER_PHOTO in requires:
            self.fields["before_photos"] = PhotosField(
                label=_("Photos before the handling (optional)"),
                required=False,
                widget=MultipleFileInput(attrs={"accept": "image/*"}),
            )
            self.fields["photos"] = PhotosField(
                label=_("Photos after the handling"),
                required=True,
                widget=MultipleFileInput(attrs={"accept": "image/*"}),
            )

    def clean_duplicate_of(self):
        reference = self.cleaned_data["duplicate_of"].strip().upper()
        original = Report.objects.filter(reference=reference).first()
        if original is None:
            raise forms.ValidationError(_("No report has this reference."))
        return original

    def clean(self):
        data = super().clean()
        template = data.get("template")
        if not data.get("note") and template is not None:
            data["note"] = template.text
        if self.note_required and not data.get("note"):
            self.add_error("note", _("This is required for this action."))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        keys = (
            "note",
            "department",
            "category",
            "duplicate_of",
            "extension_amount",
            "photos",
            "before_photos",
        )
        return {k: data[k] for k in keys if k in data and data[k] not in (None, "", [])}


class CallbackForm(forms.Form):
    # No answer is chosen in advance: the supervisor records what the resident said, and a
    # preset "satisfied" would be recorded whenever nobody changed it.
    rating = forms.ChoiceField(
        label=_("Resident's rating"),
        choices=SatisfactionRating.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("What the resident said"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("Why do you need the contact details?"), max_length=200)


class RoutingPreviewForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all())
    town = forms.ModelChoiceField(label=_("Town"), queryset=Town.objects.all(), required=False)
    grid_cell = forms.ModelChoiceField(
        label=_("Grid cell"), queryset=GridCell.objects.all(), required=False
    )


class HotlineReportForm(forms.Form):
    """A report taken on the phone by an intake operator."""

    # The operator reads the categories to the caller: by group and name, no codes.
    category = CategoryChoiceField(label=_("Category"))
    description = forms.CharField(
        label=_("What happened"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    town = forms.ModelChoiceField(label=_("Town"), queryset=Town.objects.all(), required=False)
    grid_cell = forms.ModelChoiceField(
        label=_("Grid cell"), queryset=GridCell.objects.all(), required=False
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    is_anonymous = forms.BooleanField(label=_("Caller stays anonymous"), required=False)
    contact_name = forms.CharField(label=_("Caller's name"), max_length=60, required=False)
    contact_phone = forms.CharField(label=_("Caller's phone"), max_length=20, required=False)
    consent_to_contact = forms.BooleanField(
        label=_("Caller agrees to be told of progress"), required=False
    )

    def report_input(self, *, submission_token: uuid.UUID) -> ReportInput:
        """What the caller said, for the intake service (call after ``is_valid()``)."""
        data = self.cleaned_data
        return ReportInput(
            submission_token=submission_token,
            category=data["category"],
            description=data["description"],
            channel=ReportChannel.HOTLINE,
            town=data["town"],
            grid_cell=data["grid_cell"],
            address=data["address"],
            is_anonymous=data["is_anonymous"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            consent_to_contact=data["consent_to_contact"],
        )
