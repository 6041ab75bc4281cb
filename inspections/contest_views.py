"""Admin screens of the contests (inspections/contests.py): a responsible unit's findings and
scores with "Contest" within the window, and the supervisor's list and decision. A contractor
reaches only the findings of their own units' objects: any other finding is a 404."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from inspections.contests import (
    contest_deadline,
    contest_decide,
    contest_file,
    contest_refusal,
    may_contest,
    may_decide,
    own_findings,
)
from inspections.models import Contest, Finding
from inspections.scores import inspection_deductions, inspection_score


class ContestForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Why the finding is wrong, with what shows it."),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            ("uphold", gettext_lazy("Uphold: the deduction is removed")),
            ("reject", gettext_lazy("Reject: the deduction stays")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ContractorMixin:
    def dispatch(self, request, *args, **kwargs):
        if not may_contest(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class DeciderMixin:
    def dispatch(self, request, *args, **kwargs):
        if not may_decide(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


def _deduction(finding: Finding, deductions: dict) -> object:
    return deductions.get(finding.item_id)


class OwnResultsView(ContractorMixin, WagtailAdminTemplateMixin, TemplateView):
    """The findings and scores of the user's units' objects, newest first."""

    template_name = "inspections/admin/own_results.html"
    page_title = gettext_lazy("Inspection results of my unit")
    header_icon = "doc-full"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        findings = list(own_findings(self.request.user)[:300])
        rows = []
        for finding in findings:
            refusal = contest_refusal(finding, now=now)
            rows.append(
                {
                    "finding": finding,
                    "deadline": contest_deadline(finding),
                    "contest": getattr(finding, "contest", None),
                    "may_contest": refusal is None,
                }
            )
        inspections = {f.inspection_id: f.inspection for f in findings}
        history = [
            {
                "inspection": inspection,
                "recorded": inspection_score(inspection, as_recorded=True),
                "score": inspection_score(inspection),
            }
            for inspection in sorted(
                inspections.values(), key=lambda i: i.inspected_at, reverse=True
            )
        ]
        context.update(rows=rows, history=history)
        return context


class ContestFileView(ContractorMixin, WagtailAdminTemplateMixin, FormView):
    template_name = "inspections/admin/contest_form.html"
    form_class = ContestForm
    page_title = gettext_lazy("Contest a finding")
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        if not may_contest(request.user):
            raise PermissionDenied
        self.finding = get_object_or_404(own_findings(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("inspections_own_results"), "label": _("Inspection results")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        deductions = inspection_deductions(self.finding.inspection, as_recorded=True)
        context.update(
            finding=self.finding,
            deduction=_deduction(self.finding, deductions),
            deadline=contest_deadline(self.finding),
            refusal=contest_refusal(self.finding),
            action_url=reverse("inspections_contest_file", args=[self.finding.pk]),
            submit_button_label=_("Contest the finding"),
        )
        return context

    def form_valid(self, form):
        try:
            contest_file(
                finding=self.finding, user=self.request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The finding is contested; a supervisor decides."))
        return redirect("inspections_own_results")


class ContestListView(DeciderMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "inspections/admin/contests.html"
    page_title = gettext_lazy("Contests of findings")
    header_icon = "warning"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contests = Contest.objects.select_related(
            "finding__inspection__object__responsible_unit", "finding__item", "contested_by"
        )
        context.update(
            pending=list(contests.filter(state=Contest.State.PENDING).order_by("contested_at")),
            decided=list(
                contests.exclude(state=Contest.State.PENDING).order_by("-decided_at")[:100]
            ),
        )
        return context


class ContestDecideView(DeciderMixin, WagtailAdminTemplateMixin, FormView):
    template_name = "inspections/admin/contest_decide.html"
    form_class = DecisionForm
    page_title = gettext_lazy("Decide a contest")
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        if not may_decide(request.user):
            raise PermissionDenied
        self.contest = get_object_or_404(
            Contest.objects.select_related(
                "finding__inspection__object__responsible_unit",
                "finding__item",
                "contested_by",
                "decided_by",
            ),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("inspections_contests"), "label": _("Contests of findings")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        finding = self.contest.finding
        deductions = inspection_deductions(finding.inspection, as_recorded=True)
        context.update(
            contest=self.contest,
            finding=finding,
            deduction=_deduction(finding, deductions),
            pending=self.contest.state == Contest.State.PENDING,
            action_url=reverse("inspections_contest_decide", args=[self.contest.pk]),
            submit_button_label=_("Record the decision"),
        )
        return context

    def post(self, request, *args, **kwargs):
        if self.contest.state != Contest.State.PENDING:
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            contest_decide(
                contest=self.contest,
                user=self.request.user,
                uphold=form.cleaned_data["decision"] == "uphold",
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The decision is recorded."))
        return redirect("inspections_contests")


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, check, **kwargs):
        self.check = check
        super().__init__(*args, **kwargs)

    def is_shown(self, request):
        return self.check(request.user)


def results_menu_item() -> MenuItem:
    return PermissionMenuItem(
        gettext_lazy("Inspection results"),
        reverse("inspections_own_results"),
        name="inspection-results",
        icon_name="doc-full",
        order=181,
        check=may_contest,
    )


def contests_menu_item() -> MenuItem:
    return PermissionMenuItem(
        gettext_lazy("Contests of findings"),
        reverse("inspections_contests"),
        name="inspection-contests",
        icon_name="warning",
        order=182,
        check=may_decide,
    )


urlpatterns = [
    path("inspections/results/", OwnResultsView.as_view(), name="inspections_own_results"),
    path(
        "inspections/results/findings/<int:pk>/contest/",
        ContestFileView.as_view(),
        name="inspections_contest_file",
    ),
    path("inspections/contests/", ContestListView.as_view(), name="inspections_contests"),
    path(
        "inspections/contests/<int:pk>/",
        ContestDecideView.as_view(),
        name="inspections_contest_decide",
    ),
]
