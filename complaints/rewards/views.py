"""The informant's public pages: report a violation, the receipt, follow-up, transparency.

No raw IP address is kept for an informant: rate limits count per keyed hash of the address
(``key_informant_ip``), in the cache only, for the rate's period. The receipt code is shown
once and then only its keyed hash exists (and, for an hour, an encrypted hold that only a retry
of the same form can open: ``services.reports.receipt_hold``); following up needs the code alone, posted (never
in a URL), so nothing in the history, the logs or a Referer header leads to the report.
"""

import logging
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import OperationalError, transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_ratelimit.decorators import ratelimit

from complaints.cases.workflow import public_state
from complaints.intake.forms import new_draft_token
from complaints.intake.services.reports import receipt_hold, receipt_recall
from complaints.intake.services.uploads import StorageUnavailable
from complaints.intake.views import (
    BUSY_MESSAGE,
    STORAGE_MESSAGE,
    map_picker_context,
    photo_drafts_from_post,
    photo_drafts_held,
    session_cookie_set,
    session_save_now,
    unavailable_response,
)
from complaints.models import ClaimState, Report, UploadDraft
from complaints.rewards.forms import (
    InformantReportForm,
    ReceiptCodeForm,
    TransparencyFilterForm,
)
from complaints.rewards.selectors.public import (
    informant_claims,
    informant_report_for_receipt,
    reward_payout_years,
    reward_payouts_by_month,
    reward_rules_in_force,
)
from complaints.rewards.services.claims import reason_text
from complaints.rewards.services.informants import informant_report_submit
from complaints.shared.ratelimits import (
    key_informant_ip,
    rate_informant_ip,
    rate_informant_lookup_ip,
)

logger = logging.getLogger(__name__)

# The receipt code of the report this browser just filed: [reference, code], popped when shown.
SESSION_INFORMANT_RECEIPT = "informant_receipt"
# References this browser filed (to show "already shown" instead of a 404 on reload).
SESSION_INFORMANT_FILED = "informant_filed"


@method_decorator(never_cache, name="dispatch")
@method_decorator(
    ratelimit(
        group="complaints:informant-ip",
        key=key_informant_ip,
        rate=rate_informant_ip,
        method="POST",
    ),
    name="post",
)
class InformantReportCreateView(View):
    """The scheme's rules and confidentiality, then the violation report form."""

    template_name = "complaints/informant/report_form.html"

    def get(self, request):
        form = InformantReportForm(
            initial={
                "submission_token": uuid.uuid4(),
                "draft_token": new_draft_token(),
                "category": request.GET.get("category", ""),
            }
        )
        return self.render_form(form)

    def post(self, request):
        if request.POST.get("website"):
            logger.info("honeypot filled; informant report discarded")
            return render(request, "complaints/report_refused.html", status=400)
        filed = self.already_filed(request.POST.get("submission_token", ""))
        if filed is not None:
            # A double tap or a retry: the receipt code was (or is about to be) shown for the
            # first POST; a retry after a lost answer gets it from the hold, within the hour.
            return self.filed_again(request, filed)
        try:
            drafts, photo_errors = photo_drafts_from_post(request)
        except StorageUnavailable:
            logger.exception("photo storage refused an upload; informant report not stored")
            form = InformantReportForm(request.POST, drafts=photo_drafts_held(request))
            form.is_valid()
            return unavailable_response(self.render_form, form, STORAGE_MESSAGE)
        form = InformantReportForm(
            request.POST, request.FILES, drafts=drafts, photo_errors=photo_errors
        )
        if not form.is_valid():
            return self.render_form(form)
        data = form.cleaned_data
        # One transaction: report, identities, acknowledgement task, receipt hold and this
        # browser's session; nothing is written after the commit (see ReportCreateView).
        try:
            with transaction.atomic():
                result = informant_report_submit(
                    input=form.report_input(
                        photo_drafts=UploadDraft.objects.held(data["draft_token"])
                    ),
                    identities=data["identities"],
                )
                if result.created:
                    receipt_hold(
                        submission_token=data["submission_token"],
                        reference=result.report.reference,
                        access_code=result.access_code,
                    )
                    self.remember_receipt(request, result.report.reference, result.access_code)
                    session_saved = session_save_now(request)
        except ValidationError as exc:
            form.service_errors_add(exc)
            return self.render_form(form)
        except OperationalError:
            logger.warning("database busy or unreachable; informant report not stored")
            return unavailable_response(self.render_form, form, BUSY_MESSAGE)
        if not result.created:
            return self.filed_again(request, result.report)
        return self.receipt_response(
            request, result.report.reference, result.access_code, saved=session_saved
        )

    @staticmethod
    def already_filed(submission_token: str) -> Report | None:
        try:
            token = uuid.UUID(submission_token)
        except ValueError:
            return None
        return Report.objects.filter(submission_token=token).first()

    @staticmethod
    def remember_receipt(request, reference: str, code: str) -> None:
        # Not added to the complaint tracking list: only the receipt code opens this report.
        request.session[SESSION_INFORMANT_RECEIPT] = [reference, code]
        filed = request.session.get(SESSION_INFORMANT_FILED, [])
        if reference not in filed:
            request.session[SESSION_INFORMANT_FILED] = [*filed, reference][-5:]

    def filed_again(self, request, report: Report):
        code = receipt_recall(submission_token=report.submission_token, reference=report.reference)
        if code is None:
            return redirect("complaints:informant_receipt")
        self.remember_receipt(request, report.reference, code)
        return self.receipt_response(
            request, report.reference, code, saved=session_save_now(request)
        )

    @staticmethod
    def receipt_response(request, reference: str, code: str, *, saved: bool):
        if not saved:
            # The session store failed: show the code in this answer instead.
            return render(
                request,
                "complaints/informant/receipt.html",
                {"reference": reference, "code": code},
            )
        response = redirect("complaints:informant_receipt")
        session_cookie_set(request, response)
        return response

    def render_form(self, form, *, status=200):
        context = {
            "form": form,
            "rules": list(form.rules.values()),
            "transparency_url": reverse("complaints:reward_transparency"),
            "retention_days": settings.REWARD_IDENTITY_RETENTION_DAYS,
            **map_picker_context(),
        }
        return render(self.request, self.template_name, context, status=status)


@never_cache
@require_GET
def informant_receipt(request):
    """The receipt code, shown once: the session forgets it as this page is rendered."""
    receipt = request.session.pop(SESSION_INFORMANT_RECEIPT, None)
    context = {"reference": None, "code": None}
    if receipt:
        context["reference"], context["code"] = receipt
    elif not request.session.get(SESSION_INFORMANT_FILED):
        return redirect("complaints:informant_report_create")
    return render(request, "complaints/informant/receipt.html", context)


@never_cache
@ratelimit(
    group="complaints:informant-lookup-ip",
    key=key_informant_ip,
    rate=rate_informant_lookup_ip,
    method="POST",
)
def informant_follow_up(request):
    """Follow a violation report with its receipt code alone: outcome and reward decision."""
    form = ReceiptCodeForm(request.POST or None)
    context = {"form": form}
    status = 200
    if request.method == "POST" and form.is_valid():
        report = informant_report_for_receipt(code=form.cleaned_data["code"])
        if report is None:
            form.add_error(
                "code", _("No report has this receipt code. Check the code and try again.")
            )
            status = 404
        else:
            context.update(
                report=report,
                state=public_state(report.state),
                claims=[_claim_view(claim) for claim in informant_claims(report=report)],
                form=ReceiptCodeForm(),
            )
    return render(request, "complaints/informant/follow_up.html", context, status=status)


def _claim_view(claim) -> dict:
    """What the informant is told of one claim: the decision, its reasons, the payment."""
    failed = [reason_text(reason) for reason in claim.reasons or [] if not reason.get("ok")]
    shows_amount = claim.state in (ClaimState.ELIGIBLE, ClaimState.APPROVED, ClaimState.PAID)
    return {
        "state": claim.state,
        "state_label": claim.get_state_display(),
        "amount": claim.amount if shows_amount else None,
        "reasons": failed if claim.state == ClaimState.INELIGIBLE else [],
        "paid_at": claim.paid_at if claim.state == ClaimState.PAID else None,
        "payment_reference": claim.payment_reference if claim.state == ClaimState.PAID else "",
    }


@require_GET
def reward_transparency(request):
    """Per month: rewarded reports and the amount paid, by category; no identities."""
    years = reward_payout_years()
    form = TransparencyFilterForm(request.GET or None, years=years)
    year = form.cleaned_data["year"] if form.is_valid() else None
    months = reward_payouts_by_month(year=year)
    return render(
        request,
        "complaints/informant/transparency.html",
        {
            "form": form,
            "year": year,
            "months": months,
            "total_reports": sum(month.reports for month in months),
            "total_amount": sum(month.amount for month in months),
            "rules": reward_rules_in_force(),
        },
    )
