"""Forms of the reward screens: they collect input; the reward services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from complaints.models import RewardExclusion, RewardRule
from complaints.privacy.codes import phone_hash, phone_normalise


class AssessForm(forms.Form):
    """Assess a claim: the measured quantity when the rule pays per unit, and a note."""

    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Staff only. The informant sees the eligibility reasons, not this note."),
    )

    def __init__(self, *args, rule: RewardRule | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if rule is not None and rule.amount_kind == RewardRule.AmountKind.PER_UNIT:
            self.fields["units"] = forms.DecimalField(
                label=_("Measured quantity (%(unit)s)") % {"unit": rule.unit},
                max_digits=10,
                decimal_places=2,
                min_value=0,
                required=False,
                help_text=_("Needed when the claim is eligible: the reward is per %(unit)s.")
                % {"unit": rule.unit},
            )
            self.order_fields(["units", "note"])


class PayForm(forms.Form):
    payment_reference = forms.CharField(
        label=_("Payment reference"),
        max_length=64,
        help_text=_("The bank or payment platform's transaction number."),
    )


class DeclineForm(forms.Form):
    """The approver sends a proposal back to the officers; the note says what to look at."""

    note = forms.CharField(
        label=_("Why is the proposal declined?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "The claim goes back to the reward officers for a new assessment; they see this "
            "note in the claim's history."
        ),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A paid claim is reversed: its amount goes back to the fund."),
    )


class RevealIdentityForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to see this identity?"),
        min_length=4,
        max_length=200,
        help_text=_("Every opening is logged with this reason and shown to the auditor."),
    )


class AllocateForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), max_digits=12, decimal_places=2, min_value=0.01
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class PeriodForm(forms.Form):
    """A period of payment days, for the finance export (default: the current month)."""

    start = forms.DateField(label=_("Paid from"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Paid until"), widget=forms.DateInput(attrs={"type": "date"}))

    @staticmethod
    def default_initial() -> dict:
        today = timezone.localdate()
        return {"start": today.replace(day=1), "end": today}

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The period ends before it starts."))
        if start and end and (end - start).days > 366:
            raise forms.ValidationError(_("Export at most a year at a time."))
        return data


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    @staticmethod
    def default_year() -> int:
        return timezone.localdate().year


class RewardExclusionForm(WagtailAdminModelForm):
    """Takes the phone number in clear and keeps only its keyed hash."""

    phone = forms.CharField(
        label=_("Phone number"),
        max_length=30,
        help_text=_("Only a keyed hash is stored: the number itself cannot be read back."),
    )

    class Meta:
        model = RewardExclusion
        fields = ["label"]

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        if len(phone_normalise(phone)) < 7:
            raise forms.ValidationError(_("Enter a valid phone number."))
        hashed = phone_hash(phone)
        if RewardExclusion.objects.filter(phone_hash=hashed).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("This number is already excluded."))
        return phone

    def save(self, commit=True):
        self.instance.phone_hash = phone_hash(self.cleaned_data["phone"])
        if self.instance.added_by_id is None and getattr(self, "for_user", None) is not None:
            self.instance.added_by = self.for_user
        return super().save(commit=commit)
