"""Many-to-many fields in admin forms are lists of checkboxes.

Django draws a many-to-many field as a ``<select multiple>``, which a person can only use with
Ctrl-click (and loses every choice with one plain click). Wagtail's admin model forms take their
widgets from a registry: this registers checkboxes for every ``ManyToManyField`` (and so for
modelcluster's ``ParentalManyToManyField``, its subclass), for page, snippet and viewset forms
alike. A ``ModelViewSet`` that lists ``form_fields`` builds its form with its own
``formfield_for_dbfield`` instead: it takes :class:`CheckboxMultiselectMixin`. The campaign
page's departments and categories, and the case systems' categories, are such fields
(tests/portal/test_admin_multiselect.py).
"""

from django import forms
from django.db import models


def install_checkbox_multiselects() -> None:
    from wagtail.admin.forms.models import register_form_field_override

    register_form_field_override(
        models.ManyToManyField, override={"widget": forms.CheckboxSelectMultiple}
    )


class CheckboxMultiselectMixin:
    """For a Wagtail ``ModelViewSet`` whose form comes from ``form_fields``."""

    def formfield_for_dbfield(self, db_field, **kwargs):
        if isinstance(db_field, models.ManyToManyField):
            kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        return super().formfield_for_dbfield(db_field, **kwargs)  # type: ignore[misc]
