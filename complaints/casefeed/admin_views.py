"""Admin: case systems (which connector, for which categories) and the feed's health screen."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from complaints.casefeed.outbox import casefeed_health, delivery_retry
from complaints.models import CaseSystem, Delivery, DeliveryAttempt, DeliveryState
from complaints.open311.admin_views import ApiKeyViewSet
from portal.admin_widgets import CheckboxMultiselectMixin


class CaseSystemViewSet(CheckboxMultiselectMixin, ModelViewSet):
    model = CaseSystem
    icon = "site"
    menu_label = _("Case systems")
    form_fields = [
        "name",
        "slug",
        "kind",
        "endpoint",
        "api_key",
        "secret",
        "jurisdiction_id",
        "service_codes",
        "coordinate_system",
        "categories",
        "is_default",
        "is_active",
        "timeout",
    ]
    list_display = ["name", "kind", "endpoint", "is_default", "is_active"]
    list_filter = ["kind", "is_active"]
    copy_view_enabled = False


class CaseFeedHealthView(WagtailAdminTemplateMixin, TemplateView):
    """Pending, failing, dead-lettered, oldest pending, last success; the rows needing staff."""

    template_name = "complaints/admin/casefeed_health.html"
    page_title = _("Case feed health")
    header_icon = "pulse"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("complaints.view_delivery"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["systems"] = casefeed_health()
        context["troubled"] = (
            (
                Delivery.objects.filter(state=DeliveryState.DEAD)
                | Delivery.objects.filter(state=DeliveryState.PENDING, attempts__gt=0)
            )
            .select_related("report", "case_system")
            .order_by("state", "created_at")[:200]
        )
        context["may_retry"] = self.request.user.has_perm("complaints.change_delivery")
        selected = self.request.GET.get("delivery", "")
        if selected.isdigit():
            context["log"] = DeliveryAttempt.objects.filter(delivery_id=int(selected))
        return context


@require_POST
def delivery_retry_view(request, pk):
    if not request.user.has_perm("complaints.change_delivery"):
        raise PermissionDenied
    delivery = get_object_or_404(Delivery, pk=pk)
    if delivery_retry(delivery=delivery, actor=request.user):
        messages.success(
            request, gettext("Delivery of %(ref)s queued again.") % {"ref": delivery.report}
        )
    else:
        messages.error(request, gettext("This delivery is not waiting or dead-lettered."))
    return redirect("casefeed_health")


class CaseFeedViewSetGroup(ModelViewSetGroup):
    menu_label = _("Case feed")
    menu_icon = "site"
    menu_order = 160
    items = (CaseSystemViewSet, ApiKeyViewSet)


class CaseFeedHealthMenuItem(MenuItem):
    def __init__(self):
        super().__init__(
            _("Case feed health"),
            reverse_lazy("casefeed_health"),
            name="casefeed-health",
            icon_name="pulse",
            order=161,
        )

    def is_shown(self, request):
        return request.user.has_perm("complaints.view_delivery")


def admin_urlpatterns():
    return [
        path("casefeed/health/", CaseFeedHealthView.as_view(), name="casefeed_health"),
        path(
            "casefeed/deliveries/<int:pk>/retry/",
            delivery_retry_view,
            name="casefeed_delivery_retry",
        ),
    ]
