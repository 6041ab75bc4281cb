"""The statistics screen's filters (shape only: the selectors decide what the figures are)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Category, Department, Town
from indicators.periods import PeriodKind
from indicators.selectors import DIMENSIONS


class StatisticsFilterForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Reporting period"), choices=PeriodKind, initial=PeriodKind.MONTH
    )
    day = forms.DateField(
        label=_("Containing the day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Any day of the period; empty: today."),
    )
    dimension = forms.ChoiceField(
        label=_("Rows"),
        choices=[(key, label) for key, (_column, _model, label) in DIMENSIONS.items()],
        initial="town",
    )
    town = forms.ModelChoiceField(
        label=_("Town"), queryset=Town.objects.all(), required=False, empty_label=_("All")
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.all(),
        required=False,
        empty_label=_("All"),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=_("All"),
    )

    def __init__(self, *args, town_ids=None, **kwargs):
        """``town_ids``: the towns a town-scoped user may see (None: the whole district); the
        town choice is then one of them, and the first when none is chosen."""
        super().__init__(*args, **kwargs)
        self.town_ids = town_ids
        if town_ids is not None:
            town_field = self.fields["town"]
            assert isinstance(town_field, forms.ModelChoiceField)
            town_field.queryset = Town.objects.filter(pk__in=town_ids)
            town_field.empty_label = None
            # District departments and their own towns' (every figure stays inside the town).
            department_field = self.fields["department"]
            assert isinstance(department_field, forms.ModelChoiceField)
            department_field.queryset = Department.objects.exclude(
                level=Department.Level.TOWN
            ) | Department.objects.filter(town_id__in=town_ids)

    def asks_for_another_town(self) -> bool:
        """A town-scoped user asked for a town that is not theirs."""
        if self.town_ids is None or not self.is_bound:
            return False
        asked = self.data.get("town")
        if not asked:
            return False
        try:
            return int(asked) not in self.town_ids
        except (TypeError, ValueError):
            return True

    def filters(self) -> dict:
        """The cleaned choices (defaults when the form is not bound or not valid)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        town = data.get("town")
        if self.town_ids is not None and (town is None or town.pk not in self.town_ids):
            town = Town.objects.filter(pk__in=self.town_ids).order_by("code").first()
        return {
            "kind": data.get("period") or PeriodKind.MONTH,
            "day": data.get("day") or timezone.localdate(),
            "dimension": data.get("dimension") or "town",
            "town": town,
            "department": data.get("department"),
            "category": data.get("category"),
        }
