"""Admin: Open311 API keys per partner channel; a new key is shown once, then only its hash."""

from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic import CreateView
from wagtail.admin.viewsets.model import ModelViewSet

from complaints.models import ApiKey
from complaints.open311.keys import api_key_assign


class ApiKeyCreateView(CreateView):
    def form_valid(self, form):
        self.form = form
        with transaction.atomic():
            api_key = form.save(commit=False)
            clear = api_key_assign(api_key=api_key)
            api_key.save()
        self.object = api_key
        return TemplateResponse(
            self.request,
            "complaints/admin/api_key_issued.html",
            {
                "api_key": api_key,
                "clear_key": clear,
                "index_url": self.get_success_url(),
                "page_title": _("API key issued"),
                "header_icon": "key",
            },
        )


class ApiKeyViewSet(ModelViewSet):
    model = ApiKey
    icon = "key"
    menu_label = _("Open311 API keys")
    add_view_class = ApiKeyCreateView
    form_fields = ["name", "rate", "is_active"]
    list_display = ["name", "prefix", "rate", "is_active", "created_at", "last_used_at"]
    list_filter = ["is_active"]
    copy_view_enabled = False
    inspect_view_enabled = True
