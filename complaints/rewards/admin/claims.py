"""The reward screens of the back office: claim page and its actions, the sealed identity,
the ledger, the funds, the monthly payout report and the finance export.

Thin views: the reward services decide (and check permissions again); the selectors read.
No screen shows an informant's identity except the reveal response, which is logged and
never cached.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView
from wagtail.log_actions import registry as log_registry

from complaints.backoffice.cases import _errors_onto_form, _TitledMixin
from complaints.cases.permissions import may_open_report
from complaints.cases.workflow import FINAL_CASE_STATES
from complaints.models import RewardClaim, RewardFund
from complaints.rewards import permissions
from complaints.rewards.admin.forms import (
    AllocateForm,
    AssessForm,
    CancelForm,
    DeclineForm,
    PayForm,
    PeriodForm,
    RevealIdentityForm,
    YearForm,
)
from complaints.rewards.selectors.claims import (
    fund_summaries,
    fund_summary,
    ledger_rows,
    payouts_by_month,
    reward_rule_in_force,
)
from complaints.rewards.services.claims import (
    LOG_APPROVE,
    LOG_DECLINE,
    LOG_PAY,
    claim_approve,
    claim_assess,
    claim_cancel,
    claim_decline,
    claim_pay,
    fund_allocate,
    reason_text,
)
from complaints.rewards.services.exports import reward_payments_export
from complaints.rewards.services.informants import informant_identity_reveal
from complaints.rewards.workflow import (
    TRANSITIONS,
    ClaimAction,
    action_permission,
    awaiting_states,
    case_ready,
    transition_for,
    transitions_of,
)


def claim_url(claim: RewardClaim) -> str:
    return reverse("rewards_claim", args=[claim.pk])


# --- the claim page ----------------------------------------------------------------------


def register_reward_log_actions(actions) -> None:
    """Labels of the claim decisions in the claim's history and Wagtail's audit log."""
    for action, label in (
        (LOG_APPROVE, gettext_lazy("Reward approved")),
        (LOG_DECLINE, gettext_lazy("Reward proposal declined")),
        (LOG_PAY, gettext_lazy("Reward payment recorded")),
    ):
        actions.register_action(action, label, label)


# The form of each action of the claim table (None: nothing to fill in). Which claims, states
# and users an action applies to comes from the table (complaints/rewards/workflow.py).
ACTION_FORMS: dict[str, type | None] = {
    ClaimAction.ASSESS: AssessForm,
    ClaimAction.APPROVE: None,
    ClaimAction.DECLINE: DeclineForm,
    ClaimAction.PAY: PayForm,
    ClaimAction.CANCEL: CancelForm,
}
# The actions the claim page offers, in the table's order.
ACTIONS: tuple[str, ...] = tuple(ClaimAction(action).value for action in ACTION_FORMS)
# Actions that move money: a confirmation page showing the amount comes first.
CONFIRMED_ACTIONS = tuple(dict.fromkeys(t.action.value for t in TRANSITIONS if t.confirmed))
ACTION_LABELS = {action.value: action.label for action in ClaimAction}


class ClaimView(_TitledMixin, TemplateView):
    """One claim: the case it rests on, the rule, the reasons, who did what, the actions."""

    template_name = "complaints/admin/rewards/claim_detail.html"
    header_icon = "tag"

    def dispatch(self, request, pk, **kwargs):
        permissions.require_screen(request.user, permissions.VIEW_CLAIMS)
        self.claim = get_object_or_404(
            RewardClaim.objects.select_related(
                "report",
                "report__category",
                "report__town",
                "report__grid_cell",
                "rule",
                "proposed_by",
                "approved_by",
                "paid_by",
            ),
            pk=pk,
        )
        return super().dispatch(request, pk, **kwargs)

    def get_page_title(self):
        return _("Reward claim %(reference)s") % {"reference": self.claim.report.reference}

    def get_page_subtitle(self):
        return self.claim.get_state_display()

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("reward-claims:index"), "label": _("Reward claims")},
            {"url": "", "label": self.get_page_title()},
        ]

    def rule(self):
        if self.claim.rule_id:
            return self.claim.rule
        report = self.claim.report
        return reward_rule_in_force(
            category_id=report.category_id, on=timezone.localtime(report.created_at).date()
        )

    def action_forms(self, bound: dict | None = None) -> list[tuple[str, str, object]]:
        """(action, label, form) for each action the user's role may take in this state."""
        user = self.request.user
        forms = []
        for action in ACTIONS:
            transition = transition_for(state=self.claim.state, action=action)
            # The table's permissions and four eyes (the service refuses the same).
            if transition is None or not permissions.may_fire(user, transition, self.claim):
                continue
            if not case_ready(transition=transition, claim=self.claim):
                continue
            form_class = ACTION_FORMS[action]
            form = (bound or {}).get(action)
            if form is None and form_class is not None:
                kwargs = {"rule": self.rule()} if action == "assess" else {}
                form = form_class(prefix=action, **kwargs)
            forms.append((action, ACTION_LABELS[action], form))
        return forms

    def get_context_data(self, bound_forms=None, identity=None, reveal_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        claim, user = self.claim, self.request.user
        report = claim.report
        may_reveal = permissions.may_reveal_identity(user)
        actions = self.action_forms(bound_forms)
        context.update(
            claim=claim,
            report=report,
            rule=self.rule(),
            reasons=[{**reason, "detail": reason_text(reason)} for reason in claim.reasons],
            actions=actions,
            case_final=report.state in FINAL_CASE_STATES,
            own_proposal=permissions.is_proposer(user, claim),
            awaiting_other_approver=(
                claim.state in awaiting_states(ClaimAction.APPROVE)
                and permissions.is_proposer(user, claim)
                and permissions.may_take(user, ClaimAction.APPROVE)
            ),
            case_link=reverse("complaints_case", args=[report.pk])
            if may_open_report(user=user, report=report)
            else None,
            sharers=report.informants.count(),
            ledger=claim.ledger_entries.select_related("fund").order_by("created_at"),
            may_reveal=may_reveal,
            erased=claim.informant.is_erased,
            reveal_form=reveal_form or (RevealIdentityForm() if may_reveal else None),
            identity=identity,
            history=self.history(),
            declined=self.last_decline(),
            active_action=self.active_action(actions, bound_forms),
            questions={action: self.question(action) for action in CONFIRMED_ACTIONS},
            confirm_urls={
                action: reverse("rewards_claim_confirm", args=[claim.pk, action])
                for action in CONFIRMED_ACTIONS
            },
        )
        return context

    def active_action(self, actions, bound: dict | None) -> str:
        """The action whose form is shown in the page rather than in a dialog: the one just
        refused, or the one asked for by ``?action=`` (the button's link without JavaScript)."""
        offered = [action for action, _label, _form in actions or ()]
        for action in (*(bound or {}), self.request.GET.get("action", "")):
            if action in offered:
                return action
        return ""

    def question(self, action: str) -> str:
        """The confirmation of a money-moving action, with the amount."""
        if action == "approve":
            return _("Approve a reward of ¥%(amount)s?") % {"amount": self.claim.amount}
        return _("Record the payment of ¥%(amount)s?") % {"amount": self.claim.amount}

    def history(self):
        """The claim's decisions from the audit log, newest first, with their notes."""
        return [
            {
                "action": entry.action,
                "label": log_registry.get_action_label(entry.action)
                if log_registry.action_exists(entry.action)
                else entry.action,
                "user": entry.user_display_name,
                "timestamp": entry.timestamp,
                "amount": entry.data.get("amount"),
                "note": entry.data.get("note", ""),
            }
            for entry in log_registry.get_logs_for_instance(self.claim)
            .select_related("user")
            .order_by("-timestamp", "-pk")
        ]

    def last_decline(self):
        """The approver's note while a declined proposal waits for reassessment."""
        declined_to = {s for t in transitions_of(ClaimAction.DECLINE) for s in t.targets}
        if self.claim.state not in declined_to:
            return None
        for item in self.history():
            if item["action"] == LOG_DECLINE:
                return item
        return None

    def post(self, request, pk, **kwargs):
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise Http404
        return self.act(action, confirmed=request.POST.get("confirmed") == "yes")

    def act(self, action, *, confirmed):
        request = self.request
        form_class = ACTION_FORMS[action]
        form = None
        if form_class is not None:
            kwargs = {"rule": self.rule()} if action == "assess" else {}
            form = form_class(request.POST, prefix=action, **kwargs)
            if not form.is_valid():
                return self._refused(action, form, status=400)
        data = form.cleaned_data if form is not None else {}
        if action in CONFIRMED_ACTIONS and not confirmed:
            # Money moves only after the confirmation page, whose button posts to its own URL.
            return self.confirmation(action, data)
        try:
            if action == "assess":
                claim_assess(
                    claim=self.claim, actor=request.user, units=data.get("units"), note=data["note"]
                )
            elif action == "approve":
                claim_approve(claim=self.claim, actor=request.user)
            elif action == "decline":
                claim_decline(claim=self.claim, actor=request.user, note=data["note"])
            elif action == "pay":
                claim_pay(
                    claim=self.claim,
                    actor=request.user,
                    payment_reference=data["payment_reference"],
                )
            else:
                claim_cancel(claim=self.claim, actor=request.user, reason=data["reason"])
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("Your role may not do this."))
            return self._refused(action, form, status=403)
        except ValidationError as exc:
            if form is None:
                messages.error(request, " ".join(exc.messages))
            else:
                _errors_onto_form(form, exc)
            return self._refused(action, form, status=400)
        messages.success(
            request,
            _("%(action)s: done for %(reference)s.")
            % {"action": ACTION_LABELS[action], "reference": self.claim.report.reference},
        )
        return redirect(claim_url(self.claim))

    def _refused(self, action, form, *, status):
        self.claim.refresh_from_db()
        bound = {action: form} if form is not None else None
        return self.render_to_response(self.get_context_data(bound_forms=bound), status=status)

    def confirmation(self, action, data):
        """The confirmation page of ``action`` with the amount; nothing changes here.

        Refuses up front what the service would refuse (role, state, four eyes), so nobody is
        asked to confirm what cannot be done; the service checks all of it again on POST.
        """
        user = self.request.user
        permissions.require_screen(user, action_permission(action))
        if any(t.four_eyes for t in transitions_of(action)) and permissions.is_proposer(
            user, self.claim
        ):
            messages.error(
                self.request, _("You proposed this reward; another approver must approve it.")
            )
            return self._refused(action, None, status=403)
        if transition_for(state=self.claim.state, action=action) is None:
            messages.error(self.request, _("This claim is no longer in a state for this action."))
            return self._refused(action, None, status=400)
        amount = self.claim.amount
        question = self.question(action)
        context = {
            **super().get_context_data(),
            "claim": self.claim,
            "report": self.claim.report,
            "action": action,
            "action_label": ACTION_LABELS[action],
            "question": question,
            "amount": amount,
            "payment_reference": data.get("payment_reference", ""),
            "claim_url": claim_url(self.claim),
            "confirm_url": reverse("rewards_claim_confirm", args=[self.claim.pk, action]),
        }
        return TemplateResponse(
            self.request, "complaints/admin/rewards/claim_confirm.html", context
        )


class ClaimConfirmView(ClaimView):
    """GET: "Approve ¥xx?" / "Record the payment of ¥xx?" with a confirm button; nothing changes.
    POST (the confirm button): does it, through the reward service.
    """

    http_method_names = ["get", "post"]

    def post(self, request, pk, action, **kwargs):
        if action not in CONFIRMED_ACTIONS:
            raise Http404
        return self.act(action, confirmed=True)

    def get(self, request, pk, action, **kwargs):
        if action not in CONFIRMED_ACTIONS:
            raise Http404
        form_class = ACTION_FORMS[action]
        data = {}
        if form_class is not None:
            form = form_class(request.GET, prefix=action)
            if not form.is_valid():
                return self._refused(action, form, status=400)
            data = form.cleaned_data
        return self.confirmation(action, data)


@method_decorator(never_cache, name="dispatch")
class ClaimRevealView(ClaimView):
    """POST only: open the sealed identity for a stated reason; logged, never cached."""

    http_method_names = ["post"]

    def post(self, request, pk, **kwargs):
        permissions.require_screen(request.user, permissions.REVEAL_IDENTITY)
        form = RevealIdentityForm(request.POST)
        if form.is_valid():
            try:
                identity = informant_identity_reveal(
                    informant=self.claim.informant,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                _errors_onto_form(form, exc)
            else:
                return self.render_to_response(self.get_context_data(identity=identity))
        return self.render_to_response(self.get_context_data(reveal_form=form), status=400)


# --- funds and ledger --------------------------------------------------------------------


def _year_from(request) -> int:
    form = YearForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form.cleaned_data["year"]
    return YearForm.default_year()


class FundsView(_TitledMixin, TemplateView):
    """Every year's fund: budget, allocated, paid, reversed, balance, committed, available."""

    template_name = "complaints/admin/rewards/funds.html"
    page_title = gettext_lazy("Reward funds")
    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        permissions.require_screen(request.user, permissions.VIEW_FUNDS)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, allocate_form=None, allocate_year=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            summaries=fund_summaries(),
            may_add=permissions.has(user, permissions.ADD_FUND),
            may_change=permissions.has(user, permissions.CHANGE_FUND),
            may_allocate=permissions.has(user, permissions.ALLOCATE),
            allocate_form=allocate_form,
            allocate_year=allocate_year,
            this_year=timezone.localdate().year,
        )
        return context


class FundAllocateView(FundsView):
    """POST only: put money into a year's fund (approvers), up to its budget."""

    http_method_names = ["post"]

    def post(self, request, year, **kwargs):
        permissions.require_screen(request.user, permissions.ALLOCATE)
        fund = get_object_or_404(RewardFund, year=year)
        form = AllocateForm(request.POST)
        if form.is_valid():
            try:
                fund_allocate(
                    year=fund.year,
                    amount=form.cleaned_data["amount"],
                    actor=request.user,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                _errors_onto_form(form, exc)
            else:
                messages.success(
                    request,
                    _("%(amount)s yuan allocated to the %(year)s fund.")
                    % {"amount": form.cleaned_data["amount"], "year": fund.year},
                )
                return redirect("rewards_funds")
        context = self.get_context_data(allocate_form=form, allocate_year=fund.year)
        return self.render_to_response(context, status=400)


class LedgerView(_TitledMixin, TemplateView):
    """A year's ledger in order, with the running balance after each entry. Read-only."""

    template_name = "complaints/admin/rewards/ledger.html"
    page_title = gettext_lazy("Reward fund ledger")
    header_icon = "list-ol"

    def dispatch(self, request, *args, **kwargs):
        permissions.require_screen(request.user, permissions.VIEW_LEDGER)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = _year_from(self.request)
        fund = RewardFund.objects.filter(year=year).first()
        context.update(
            year=year,
            years=list(RewardFund.objects.values_list("year", flat=True)),
            fund=fund,
            summary=fund_summary(fund) if fund else None,
            entries=ledger_rows(fund=fund) if fund else [],
        )
        return context


class PayoutReportView(_TitledMixin, TemplateView):
    """Per month of a year: rewards paid net of reversals, by category and by town."""

    template_name = "complaints/admin/rewards/payout_report.html"
    page_title = gettext_lazy("Monthly payout report")
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        permissions.require_screen(request.user, permissions.VIEW_LEDGER)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = _year_from(self.request)
        months = payouts_by_month(year=year)
        context.update(
            year=year,
            years=list(RewardFund.objects.values_list("year", flat=True)),
            months=months,
            total_count=sum(m["count"] for m in months),
            total_amount=sum((m["amount"] for m in months), 0),
        )
        return context


@method_decorator(never_cache, name="dispatch")
class PaymentExportView(_TitledMixin, TemplateView):
    """GET: choose the period. POST: download the XLSX for finance (logged; identities only
    for roles that may open them)."""

    template_name = "complaints/admin/rewards/export.html"
    page_title = gettext_lazy("Export payments for finance")
    header_icon = "download"

    def dispatch(self, request, *args, **kwargs):
        permissions.require_screen(request.user, permissions.VIEW_CLAIMS)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = form or PeriodForm(initial=PeriodForm.default_initial())
        context["with_identity"] = permissions.may_reveal_identity(self.request.user)
        return context

    def post(self, request, *args, **kwargs):
        form = PeriodForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        export = reward_payments_export(
            actor=request.user, start=form.cleaned_data["start"], end=form.cleaned_data["end"]
        )
        response = HttpResponse(
            export.content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response
