"""The admin's import of inspection objects: upload a GeoJSON or CSV file, see what it will create
and update (or every fault, per line or feature), then confirm. For who may add and change
objects (the 督查管理 role). The confirmed file travels back signed, so what is imported is
what was previewed, and it is checked again before anything is saved."""

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from inspections.importing import ObjectImportError, object_import, object_rows_from_text

PERMISSIONS = ("inspections.add_inspectionobject", "inspections.change_inspectionobject")
MAX_BYTES = 2 * 1024 * 1024
SIGNING_SALT = "inspections.object-import"
# A preview is confirmed within this many seconds, or uploaded again.
PREVIEW_MAX_AGE = 60 * 60


def may_import_objects(user) -> bool:
    return bool(user.is_active and user.has_perms(PERMISSIONS))


class ObjectImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        required=False,
        help_text=gettext_lazy(
            "A GeoJSON FeatureCollection (.geojson) or a CSV file (.csv, UTF-8) with the columns "
            "code, kind, name, grade, town, unit, optional active, and geometry as GeoJSON or "
            "longitude and latitude. Objects are matched by their code: importing a file again "
            "updates them."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".geojson,.json,.csv"}),
    )
    payload = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean() or {}
        upload, payload = cleaned.get("file"), cleaned.get("payload")
        if payload:
            try:
                data = signing.loads(payload, salt=SIGNING_SALT, max_age=PREVIEW_MAX_AGE)
            except signing.SignatureExpired:
                raise forms.ValidationError(
                    _("The preview is more than an hour old: upload the file again.")
                ) from None
            except signing.BadSignature:
                raise forms.ValidationError(_("Upload the file again.")) from None
            cleaned["filename"], cleaned["text"] = data["filename"], data["text"]
            return cleaned
        if not upload:
            raise forms.ValidationError(_("Choose a file."))
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("%(file)s is not UTF-8 text.") % {"file": upload.name}
            ) from None
        if "\x00" in text:  # no database stores it, and no text file holds it
            raise forms.ValidationError(_("%(file)s is not a text file.") % {"file": upload.name})
        cleaned["filename"], cleaned["text"] = upload.name, text
        return cleaned


class ObjectImportView(WagtailAdminTemplateMixin, FormView):
    template_name = "inspections/admin/object_import.html"
    form_class = ObjectImportForm
    page_title = gettext_lazy("Import inspection objects")
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not may_import_objects(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("inspection_objects:index"),
                "label": _("Inspection objects"),
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("action_url", reverse("inspections_object_import"))
        context.setdefault("submit_button_label", _("Preview"))
        return context

    def form_valid(self, form):
        filename, text = form.cleaned_data["filename"], form.cleaned_data["text"]
        confirmed = bool(form.cleaned_data.get("payload"))
        try:
            rows = object_rows_from_text(text=text, filename=filename)
            plan = object_import(rows=rows, dry_run=not confirmed)
        except ObjectImportError as exc:
            return self.render_to_response(
                self.get_context_data(form=ObjectImportForm(), errors=exc.errors, filename=filename)
            )
        if confirmed:
            messages.success(
                self.request,
                _(
                    "Imported %(file)s: %(created)s new, %(updated)s updated and %(unchanged)s "
                    "unchanged inspection objects."
                )
                % {
                    "file": filename,
                    "created": plan.created,
                    "updated": plan.updated,
                    "unchanged": plan.unchanged,
                },
            )
            return redirect("inspection_objects:index")
        payload = signing.dumps(
            {"filename": filename, "text": text}, salt=SIGNING_SALT, compress=True
        )
        return self.render_to_response(
            self.get_context_data(
                form=ObjectImportForm(initial={"payload": payload}),
                plan=plan,
                filename=filename,
                submit_button_label=_("Import"),
            )
        )
