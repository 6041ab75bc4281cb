"""The inspector's phone forms: start an inspection, record a finding."""

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.privacy.uploads import PhotoRejected, photo_sanitise
from inspections.models import StandardItem


class DeviceFields(forms.Form):
    """What the device says about itself; the page's script fills them (blank without it)."""

    device_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    latitude = forms.DecimalField(
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        widget=forms.HiddenInput,
    )
    longitude = forms.DecimalField(
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        widget=forms.HiddenInput,
    )

    def clean(self):
        cleaned = super().clean() or {}
        # A position is a pair; half of one is dropped.
        if cleaned.get("latitude") is None or cleaned.get("longitude") is None:
            cleaned["latitude"] = cleaned["longitude"] = None
        return cleaned


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_discipline_display()} · {obj.text}"


class StartForm(DeviceFields):
    pass


class FindingForm(DeviceFields):
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    item = ItemChoiceField(
        label=_("Checklist item"), queryset=StandardItem.objects.none(), empty_label=None
    )
    occurrences = forms.IntegerField(label=_("Occurrences"), min_value=1, max_value=99, initial=1)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
        help_text=_("Optional. Its location data and other metadata are removed."),
    )

    def __init__(self, *args, standard, **kwargs):
        super().__init__(*args, **kwargs)
        item = self.fields["item"]
        assert isinstance(item, forms.ModelChoiceField)
        item.queryset = standard.items.order_by("sort_order", "pk")

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        try:
            return photo_sanitise(upload=upload)
        except PhotoRejected as error:
            raise forms.ValidationError(str(error)) from None
