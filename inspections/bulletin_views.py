"""The monthly inspection bulletin in the admin: the page for a month and its PDF, computed on
demand, for who reads inspections (the 督查管理 role)."""

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from inspections.bulletin import (
    bulletin_pdf,
    bulletin_sections,
    bulletin_summary,
    inspection_bulletin,
)
from inspections.contest_views import PermissionMenuItem

VIEW_PERMISSION = "inspections.view_inspection"


def may_view_bulletin(user) -> bool:
    return bool(user.is_active and user.has_perm(VIEW_PERMISSION))


def requested_month(request) -> date:
    """``?month=YYYY-MM``; last month when absent or not a month."""
    try:
        return datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
    except ValueError:
        return (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


class BulletinAccessMixin(View):
    def dispatch(self, request, *args, **kwargs):
        if not may_view_bulletin(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class InspectionBulletinView(BulletinAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "inspections/admin/bulletin.html"
    page_title = gettext_lazy("Inspection bulletin")
    header_icon = "doc-full"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        month = requested_month(self.request)
        bulletin = inspection_bulletin(month)
        context.update(
            bulletin=bulletin,
            month_value=f"{month:%Y-%m}",
            summary=bulletin_summary(bulletin),
            sections=bulletin_sections(bulletin),
            pdf_url=f"{reverse('inspections_bulletin_pdf')}?month={month:%Y-%m}",
        )
        return context


class InspectionBulletinPdfView(BulletinAccessMixin, View):
    def get(self, request):
        month = requested_month(request)
        response = HttpResponse(
            bulletin_pdf(inspection_bulletin(month)), content_type="application/pdf"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="inspection-bulletin-{month:%Y-%m}.pdf"'
        )
        response["Cache-Control"] = "private, no-store"
        return response


def bulletin_menu_item() -> PermissionMenuItem:
    return PermissionMenuItem(
        gettext_lazy("Inspection bulletin"),
        reverse("inspections_bulletin"),
        name="inspection-bulletin",
        icon_name="doc-full",
        order=183,
        check=may_view_bulletin,
    )


urlpatterns = [
    path("inspections/bulletin/", InspectionBulletinView.as_view(), name="inspections_bulletin"),
    path(
        "inspections/bulletin/pdf/",
        InspectionBulletinPdfView.as_view(),
        name="inspections_bulletin_pdf",
    ),
]
