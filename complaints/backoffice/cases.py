"""The case page of the staff back office and its actions: thin views over the services.

Who may open a case is ``selectors.queues.reports_visible_to`` (a handler of another
department gets a 404); who may fire which action is the workflow table, checked again by the
service.
"""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from complaints.backoffice.forms import (
    ActionForm,
    CallbackForm,
    HotlineReportForm,
    RevealForm,
    RoutingPreviewForm,
)
from complaints.cases.permissions import (
    may_record_callbacks,
    may_reveal_contact,
    require_staff_role,
)
from complaints.cases.selectors import reports_visible_to
from complaints.cases.services.deadlines import report_is_due_soon, report_is_overdue
from complaints.cases.services.transitions import TransitionNotAllowed, report_transition
from complaints.cases.workflow import (
    TRANSITION_BY_ACTION,
    actions_from,
    public_state,
    role_may_fire,
)
from complaints.models import (
    Attachment,
    PiiAccess,
    Report,
    ReportKind,
    ReportState,
    SatisfactionRating,
    SatisfactionResponse,
)
from complaints.satisfaction.services import satisfaction_callback_record
from portal import roles


def _case_for(request, pk) -> Report:
    require_staff_role(request.user)
    report = (
        reports_visible_to(user=request.user)
        .select_related("category", "town", "community", "grid_cell", "department", "duplicate_of")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404
    return report


def case_url(report: Report) -> str:
    return reverse("complaints_case", args=[report.pk])


class _TitledMixin(WagtailAdminTemplateMixin):
    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_header_title()}]


# Captions of the photo gallery, by who took the photo and when.
PHOTO_CAPTIONS = {
    Attachment.Kind.EVIDENCE: gettext_lazy("Reporter"),
    Attachment.Kind.BEFORE_HANDLING: gettext_lazy("Before handling"),
    Attachment.Kind.HANDLING: gettext_lazy("After handling"),
}


def state_label(value: str) -> str:
    """The translated label of a stored state value ("" for none)."""
    if not value:
        return ""
    try:
        return ReportState(value).label
    except ValueError:
        return value


def deadline_countdown(report: Report, *, overdue: bool, now=None) -> str:
    """The countdown while the clock runs ("3 hours left", "2 days overdue"), else ""."""
    if not report.deadline or report.closed_at:
        return ""
    now = now or timezone.now()
    if overdue:
        return _("%(time)s overdue") % {"time": timesince(report.deadline, now, depth=2)}
    if report.deadline > now:
        return _("%(time)s left") % {"time": timeuntil(report.deadline, now, depth=2)}
    return ""


class CaseView(_TitledMixin, TemplateView):
    """One case: header, facts and map, photos, actions in dialogs, timeline."""

    template_name = "complaints/admin/case_detail.html"
    header_icon = "warning"

    def dispatch(self, request, pk, **kwargs):
        self.report = _case_for(request, pk)
        return super().dispatch(request, pk, **kwargs)

    def get_page_title(self):
        return _("Case %(reference)s") % {"reference": self.report.reference}

    def get_page_subtitle(self):
        return self.report.get_state_display()

    def action_forms(self, bound: dict | None = None):
        forms = []
        for transition in actions_from(self.report.state):
            if not role_may_fire(user=self.request.user, transition=transition):
                continue
            form = (bound or {}).get(transition.action.value) or ActionForm(
                transition=transition, report=self.report, prefix=transition.action.value
            )
            _mark_required_note(form)
            forms.append((transition, form))
        return forms

    def active_action(self, actions, bound: dict | None) -> str:
        """The action whose form is shown in the page itself rather than in a dialog: the one
        just refused (its errors must be seen) or the one asked for by ``?action=`` (the link
        a button follows when JavaScript is off)."""
        offered = [t.action.value for t, _form in actions]
        for action in (*(bound or {}), self.request.GET.get("action", "")):
            if action in offered:
                return action
        return ""

    def get_context_data(self, bound_forms=None, revealed=False, callback_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.report
        user = self.request.user
        overdue = report_is_overdue(report=report)
        actions = self.action_forms(bound_forms)
        context.update(
            report=report,
            state_label=report.get_state_display(),
            public_state=public_state(report.state),
            overdue=overdue,
            due_soon=report_is_due_soon(report=report),
            countdown=deadline_countdown(report, overdue=overdue),
            answers=self.answers(report),
            photos=[
                {"photo": photo, "caption": PHOTO_CAPTIONS.get(photo.kind, photo.kind)}
                for photo in report.attachments.all()
            ],
            timeline=self.timeline(report),
            supporters=report.supporters.all(),
            duplicates=report.duplicates.all(),
            extension_requests=report.extension_requests.select_related("requested_by"),
            satisfaction=report.satisfaction_responses.all(),
            actions=actions,
            active_action=self.active_action(actions, bound_forms),
            may_reveal=may_reveal_contact(user),
            revealed=revealed,
            reveal_form=RevealForm(),
            callback_form=callback_form
            or (
                CallbackForm()
                if may_record_callbacks(user)
                and report.state in (ReportState.CLOSED, ReportState.REOPEN_REQUESTED)
                else None
            ),
            ratings=SatisfactionRating,
            # The resident's own web rating of this closure, shown next to the callback form.
            resident_rating=report.satisfaction_responses.filter(
                closure=report.rework_count, channel=SatisfactionResponse.Channel.WEB
            ).first(),
            case_map=self.map_context(report),
        )
        return context

    @staticmethod
    def answers(report: Report) -> list[tuple[str, str]]:
        """The answers to the category's extra questions, under the questions' labels."""
        labels = {
            question.get("key"): question.get("label")
            for question in (report.category.extra_questions or [])
            if isinstance(question, dict)
        }
        rows = []
        for key, value in (report.extra_answers or {}).items():
            if isinstance(value, bool):
                value = _("Yes") if value else _("No")
            elif isinstance(value, list):
                value = "、".join(str(item) for item in value)
            rows.append((labels.get(key) or key, value))
        return rows

    @staticmethod
    def timeline(report: Report) -> list[dict]:
        """The events, oldest first, with the state names translated."""
        return [
            {
                "event": event,
                "from_label": state_label(event.from_state),
                "to_label": state_label(event.to_state),
            }
            for event in report.events.select_related("actor")
        ]

    def map_context(self, report: Report) -> dict | None:
        """The grid cell's boundary and the reported point, for the staff map (Leaflet).

        Tiles only when ``COMPLAINTS_MAP_TILE_URL`` is configured; without them the cell's
        polygon on a blank ground is the map. None when there is nothing to draw.
        """
        from django.conf import settings

        polygon = report.grid_cell.polygon if report.grid_cell_id else None
        point = None
        if report.latitude is not None and report.longitude is not None:
            point = {"lat": float(report.latitude), "lng": float(report.longitude)}
        if not polygon and point is None:
            return None
        return {
            "tiles": settings.COMPLAINTS_MAP_TILE_URL,
            "attribution": settings.COMPLAINTS_MAP_ATTRIBUTION,
            "data": {
                "cell": polygon,
                "cell_name": str(report.grid_cell) if report.grid_cell_id else "",
                "point": point,
                "title": report.reference,
            },
        }

    def post(self, request, pk, **kwargs):
        action = request.POST.get("action", "")
        transition = TRANSITION_BY_ACTION.get(action)
        if transition is None:
            raise Http404
        form = ActionForm(
            request.POST,
            request.FILES,
            transition=transition,
            report=self.report,
            prefix=action,
        )
        if form.is_valid():
            try:
                report_transition(
                    report=self.report,
                    action=action,
                    actor=request.user,
                    expected_state=request.POST.get("expected_state") or None,
                    **form.service_kwargs(),
                )
            except TransitionNotAllowed as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect(case_url(self.report))
            except ValidationError as exc:
                _errors_onto_form(form, exc)
            else:
                messages.success(
                    request,
                    _("%(action)s: done for %(reference)s.")
                    % {"action": transition.action.label, "reference": self.report.reference},
                )
                return redirect(case_url(self.report))
        context = self.get_context_data(bound_forms={action: form})
        return self.render_to_response(context, status=400)


def _mark_required_note(form: ActionForm) -> None:
    """Show the note an action requires as required (asterisk, ``required`` attribute) when no
    response template can stand in for it; the form's clean() enforces it either way."""
    if form.note_required and "template" not in form.fields:
        form.fields["note"].required = True


def _errors_onto_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class CaseRevealView(CaseView):
    """POST only: show the reporter's contact details once, and log who, which case, when."""

    http_method_names = ["post"]

    def post(self, request, pk, **kwargs):
        if not may_reveal_contact(request.user):
            raise PermissionDenied
        if self.report.kind == ReportKind.INFORMANT:
            # An informant's identity is sealed in Informant rows, opened only on the reward
            # screens: there is nothing to reveal here, and nothing to log.
            messages.error(request, _("An informant report has no contact details to show."))
            return redirect(case_url(self.report))
        form = RevealForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give a reason to see the contact details."))
            return redirect(case_url(self.report))
        PiiAccess.objects.create(
            user=request.user,
            report=self.report,
            fields="contact_name,contact_phone,contact_email",
            reason=form.cleaned_data["reason"],
        )
        response = self.render_to_response(self.get_context_data(revealed=True))
        response["Cache-Control"] = "no-store"
        return response


class CaseCallbackView(CaseView):
    """POST only: a supervisor records a callback visit (回访)."""

    http_method_names = ["post"]

    def post(self, request, pk, **kwargs):
        form = CallbackForm(request.POST)
        if form.is_valid():
            try:
                satisfaction_callback_record(
                    report=self.report,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                    actor=request.user,
                )
            except ValidationError as exc:
                _errors_onto_form(form, exc)
            else:
                messages.success(request, _("Callback recorded."))
                return redirect(case_url(self.report))
        return self.render_to_response(self.get_context_data(callback_form=form), status=400)


class RoutingPreviewView(_TitledMixin, TemplateView):
    """Pick a category and a place; see which department the rules send it to, and why."""

    template_name = "complaints/admin/routing_preview.html"
    page_title = gettext_lazy("Routing preview")
    header_icon = "resubmit"

    def dispatch(self, request, *args, **kwargs):
        require_staff_role(request.user, (roles.INTAKE_OPERATOR, roles.SUPERVISOR))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        from complaints.reference.services.routing import department_route

        context = super().get_context_data(**kwargs)
        form = RoutingPreviewForm(self.request.GET or None)
        context["form"] = form
        if form.is_bound and form.is_valid():
            context["route"] = department_route(**form.cleaned_data)
        return context


class HotlineReportView(_TitledMixin, TemplateView):
    """An intake operator files a report taken on the phone (channel: hotline)."""

    template_name = "complaints/admin/hotline_report.html"
    page_title = gettext_lazy("New hotline report")
    header_icon = "mail"

    def dispatch(self, request, *args, **kwargs):
        require_staff_role(request.user, (roles.INTAKE_OPERATOR,))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, form=None, created=None, access_code=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(created=created, access_code=access_code)
        context["form"] = form or HotlineReportForm()
        context["submission_token"] = uuid.uuid4()
        return context

    def post(self, request, *args, **kwargs):
        from complaints.intake.services.reports import report_submit

        form = HotlineReportForm(request.POST)
        if form.is_valid():
            try:
                token = uuid.UUID(request.POST.get("submission_token", ""))
            except ValueError:
                token = uuid.uuid4()
            try:
                result = report_submit(input=form.report_input(submission_token=token))
            except ValidationError as exc:
                _errors_onto_form(form, exc)
            else:
                if not result.access_code:  # the same form posted twice
                    return redirect(case_url(result.report))
                # Shown once in this response (not in a message, which may sit in a cookie).
                response = self.render_to_response(
                    self.get_context_data(created=result.report, access_code=result.access_code),
                    status=201,
                )
                response["Cache-Control"] = "no-store"
                return response
        return self.render_to_response(self.get_context_data(form=form), status=400)


def photo_view(request, pk, photo_pk):
    """A photo of a case, for staff who may open the case."""
    from complaints.privacy.serving import private_file_response

    report = _case_for(request, pk)
    attachment = Attachment.objects.filter(report=report, pk=photo_pk).first()
    if attachment is None:
        raise Http404
    return private_file_response(attachment.image, content_type="image/jpeg")
