"""The monthly bulletins in the Wagtail admin: the list with a "generate" form, the printable
page and the PDF download. Open to those with ``indicators.view_bulletin``; generating needs
``indicators.add_bulletin`` (portal/roles.py says who holds them)."""

from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from indicators.bulletin import bulletin_summary, bulletin_title, ranking_cells, ranking_header
from indicators.bulletin_tasks import bulletin_generate_task
from indicators.models import Bulletin

VIEW_PERMISSION = "indicators.view_bulletin"
GENERATE_PERMISSION = "indicators.add_bulletin"


def may_view_bulletins(user) -> bool:
    return bool(user.is_active and user.has_perm(VIEW_PERMISSION))


def may_generate_bulletins(user) -> bool:
    return bool(user.is_active and user.has_perm(GENERATE_PERMISSION))


class GenerateForm(forms.Form):
    month = forms.DateField(
        label=gettext_lazy("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text=gettext_lazy("A bulletin already made for that month is made again."),
    )

    def clean_month(self):
        month = self.cleaned_data["month"].replace(day=1)
        if month > timezone.localdate():
            raise forms.ValidationError(_("That month has not begun yet."))
        return month


class BulletinMixin(View):
    def dispatch(self, request, *args, **kwargs):
        if not may_view_bulletins(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class BulletinListView(BulletinMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "indicators/admin/bulletins.html"
    page_title = gettext_lazy("Monthly bulletins")
    header_icon = "doc-full"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
        context = super().get_context_data(**kwargs)
        context.update(
            bulletins=Bulletin.objects.select_related("generated_by")[:36],
            may_generate=may_generate_bulletins(self.request.user),
            form=kwargs.get("form") or GenerateForm(initial={"month": last_month.replace(day=1)}),
        )
        return context

    def post(self, request, *args, **kwargs):
        if not may_generate_bulletins(request.user):
            raise PermissionDenied
        form = GenerateForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        month: date = form.cleaned_data["month"]
        bulletin_generate_task.enqueue(f"{month:%Y-%m}", request.user.pk)
        messages.success(
            request,
            _("The bulletin of %(month)s is being made; it appears in the list when ready.")
            % {"month": f"{month:%Y-%m}"},
        )
        return redirect("indicators_bulletins")


class BulletinPrintView(BulletinMixin, View):
    """The bulletin as a printable page (the figures kept with it, not recomputed)."""

    def get(self, request, pk):
        bulletin = get_object_or_404(Bulletin, pk=pk)
        figures = bulletin.figures
        rankings = [
            {
                "title": title,
                "header": ranking_header(level),
                "rows": [ranking_cells(row) for row in figures.get(f"{level}s", [])],
            }
            for level, title in (
                ("town", _("Ranking of towns")),
                ("department", _("Ranking of departments")),
            )
        ]
        return render(
            request,
            "indicators/admin/bulletin_print.html",
            {
                "bulletin": bulletin,
                "title": bulletin_title(figures.get("month", f"{bulletin.month:%Y-%m}")),
                "figures": figures,
                "summary": bulletin_summary(figures),
                "rankings": rankings,
                "hot_spots": figures.get("hot_spots"),
            },
        )


class BulletinPdfView(BulletinMixin, View):
    def get(self, request, pk):
        bulletin = get_object_or_404(Bulletin, pk=pk)
        if not bulletin.pdf:
            raise Http404
        try:
            handle = bulletin.pdf.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=f"bulletin-{bulletin.month:%Y-%m}.pdf",
            content_type="application/pdf",
        )
        response["Cache-Control"] = "private, no-store"
        return response
