"""Public intake, receipt, tracking and the public list: thin views over services and selectors."""

import logging
import time
import uuid

import segno
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import OperationalError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from complaints.cases.workflow import public_state
from complaints.intake.forms import ReportFilterForm, ReportForm, TrackForm, new_draft_token
from complaints.intake.receipt_cookie import receipt_cookie_set, receipt_cookie_token
from complaints.intake.selectors import (
    report_for_tracking,
    report_public_photos,
    report_public_timeline,
    reports_nearby_open,
    reports_public,
    reports_supportable,
)
from complaints.intake.services.reports import (
    SUPPORT_REFUSED,
    receipt_hold,
    receipt_recall,
    report_input_check,
    report_submit,
    report_support,
)
from complaints.intake.services.uploads import StorageUnavailable, upload_drafts_accept
from complaints.models import Attachment, Report, UploadDraft
from complaints.privacy.serving import private_file_response
from complaints.shared.ratelimits import key_phone, rate_submit_ip, rate_submit_phone, rate_track_ip
from portal.paging import window_page

logger = logging.getLogger(__name__)

SESSION_RECEIPTS = "complaints_receipts"  # reference -> [access code, issued at]
SESSION_TRACKED = "complaints_tracked"  # references this browser has proved access to
SESSION_SUPPORTED = "complaints_supported"  # references this browser added its voice to
RECEIPT_CODE_LIFETIME = 3600  # seconds the clear access code stays displayable
RETRY_AFTER = 10  # seconds a resident is asked to wait when the server cannot store now

BUSY_MESSAGE = gettext_lazy(
    "The system is busy and your report was not stored yet. Nothing you typed is lost: "
    "please press Submit again in a few seconds."
)
STORAGE_MESSAGE = gettext_lazy(
    "Photos cannot be stored right now, so your report was not stored yet. Nothing you "
    "typed is lost: please try again in a few minutes, or send it without photos."
)


def unavailable_response(render_form, form, message) -> HttpResponse:
    """The form again, with everything typed, a clear message, 503 and Retry-After."""
    form.add_error(None, ValidationError(message, code="unavailable"))
    response = render_form(form, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response


def session_save_now(request) -> bool:
    """Save the session at once (inside the caller's transaction, when it is the database
    session store): the receipt then needs no write after the report's commit.

    Returns False (logged) when the session store fails; the caller then shows the receipt in
    its own response instead of redirecting to it.
    """
    try:
        with transaction.atomic():
            request.session.save()
    except Exception:
        logger.exception("session not saved; the receipt is shown in the response")
        request.session.modified = False
        return False
    # Saved: the middleware must not write it again (after the commit, where it could fail).
    request.session.modified = False
    return True


def session_cookie_set(request, response) -> None:
    """The session cookie, as SessionMiddleware sets it after its own save."""
    if request.session.get_expire_at_browser_close():
        max_age = expires = None
    else:
        max_age = request.session.get_expiry_age()
        expires = http_date(time.time() + max_age)
    response.set_cookie(
        settings.SESSION_COOKIE_NAME,
        request.session.session_key,
        max_age=max_age,
        expires=expires,
        domain=settings.SESSION_COOKIE_DOMAIN,
        path=settings.SESSION_COOKIE_PATH,
        secure=settings.SESSION_COOKIE_SECURE or None,
        httponly=settings.SESSION_COOKIE_HTTPONLY or None,
        samesite=settings.SESSION_COOKIE_SAMESITE,
    )


SUPPORT_OFFER_SALT = "complaints.support-offer"
SUPPORT_OFFER_MAX_AGE = 2 * 3600  # seconds a list of suggestions stays valid


def support_offer_sign(references: list[str], *, submission_token) -> str:
    """A signed note of the suggestions shown to one form: only these may be supported."""
    return signing.dumps(
        {"t": str(submission_token), "r": references}, salt=SUPPORT_OFFER_SALT, compress=True
    )


def support_offer_references(value: str, *, submission_token) -> list[str]:
    """The references a form was offered, or [] for a missing, forged or stale offer."""
    try:
        offer = signing.loads(value, salt=SUPPORT_OFFER_SALT, max_age=SUPPORT_OFFER_MAX_AGE)
    except signing.BadSignature:
        return []
    if not isinstance(offer, dict) or offer.get("t") != str(submission_token):
        return []
    references = offer.get("r")
    return [r for r in references if isinstance(r, str)] if isinstance(references, list) else []


def rate_limited(request, exception=None):
    """The 429 page (RATELIMIT_VIEW), in the resident's language (Chinese by default)."""
    return render(request, "complaints/rate_limited.html", status=429)


def _remember_tracked(request, reference: str) -> None:
    tracked = request.session.get(SESSION_TRACKED, [])
    if reference not in tracked:
        request.session[SESSION_TRACKED] = [*tracked, reference][-20:]


def _may_view(request, report: Report) -> bool:
    """This browser filed the report (receipt cookie) or proved access to it (session)."""
    if receipt_cookie_token(request, report.reference) is not None:
        return True
    return report.reference in request.session.get(SESSION_TRACKED, [])


def _receipt_redirect(request, report: Report) -> HttpResponse:
    """To the receipt, with the receipt cookie (complaints/intake/receipt_cookie.py): no session row
    and nothing written after the report's commit."""
    response = redirect("complaints:report_receipt", reference=report.reference)
    receipt_cookie_set(
        request, response, reference=report.reference, submission_token=report.submission_token
    )
    return response


def _tracking_url(request, report: Report, code: str) -> str:
    """The receipt's link (and QR code) to the tracking form, with the code in the fragment.

    A browser never sends the fragment to the server, so the code stays out of access logs,
    proxies and Referer headers; the tracking page's script fills it into the form.
    """
    path = reverse("complaints:track")
    return request.build_absolute_uri(f"{path}?reference={report.reference}#code={code}")


def photo_drafts_from_post(request) -> tuple[list, list]:
    """Keep the POST's photos as drafts of its form (and drop the unticked ones) first, so
    that no other mistake in the form makes the resident upload them again."""
    token = request.POST.get("draft_token", "")
    if not (32 <= len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum()):
        return [], []
    return upload_drafts_accept(
        token=token,
        uploads=request.FILES.getlist("photos"),
        remove_ids=[i for i in request.POST.getlist("remove_photos") if i.isdigit()],
    )


def photo_drafts_held(request) -> list[UploadDraft]:
    """The photos this form already has as drafts (when a new upload could not be kept)."""
    token = request.POST.get("draft_token", "")
    return list(UploadDraft.objects.held(token)) if token else []


def map_picker_context() -> dict:
    """What the maps need: tiles only when configured (the grid is the map otherwise)."""
    return {
        "map_tile_url": settings.COMPLAINTS_MAP_TILE_URL,
        "map_attribution": settings.COMPLAINTS_MAP_ATTRIBUTION,
        "map_center": settings.COMPLAINTS_MAP_CENTER,
    }


@method_decorator(never_cache, name="dispatch")
@method_decorator(
    ratelimit(group="complaints:submit-ip", key="ip", rate=rate_submit_ip, method="POST"),
    name="post",
)
@method_decorator(
    ratelimit(
        group="complaints:submit-phone", key=key_phone, rate=rate_submit_phone, method="POST"
    ),
    name="post",
)
class ReportCreateView(View):
    """The complaint form; duplicate suggestions; add-my-voice; then the receipt."""

    template_name = "complaints/report_form.html"

    def get(self, request):
        form = ReportForm(
            initial={
                "submission_token": uuid.uuid4(),
                "draft_token": new_draft_token(),
                "is_public": True,
                "category": request.GET.get("category", ""),
            }
        )
        return self.render_form(form)

    def post(self, request):
        if request.POST.get("website"):
            # The honeypot: people never see this field, form-filling robots do.
            logger.info("honeypot filled; report discarded")
            return render(request, "complaints/report_refused.html", status=400)
        filed = self.already_filed(request.POST.get("submission_token", ""))
        if filed is not None:
            # A double tap or a resubmitted POST: the same receipt, nothing stored twice.
            return self.filed_again(request, filed)
        try:
            drafts, photo_errors = photo_drafts_from_post(request)
        except StorageUnavailable:
            logger.exception("photo storage refused an upload; report not stored")
            form = ReportForm(request.POST, drafts=photo_drafts_held(request))
            form.is_valid()
            return unavailable_response(self.render_form, form, STORAGE_MESSAGE)
        form = ReportForm(request.POST, request.FILES, drafts=drafts, photo_errors=photo_errors)
        if not form.is_valid():
            return self.render_form(form, status=200)
        data = form.cleaned_data
        # The intake service judges the rules before anything is offered or stored, so the
        # resident sees every message next to its field first.
        try:
            report_input = report_input_check(
                input=form.report_input(photo_drafts=UploadDraft.objects.held(data["draft_token"]))
            )
        except ValidationError as exc:
            form.service_errors_add(exc)
            return self.render_form(form)

        support_reference = request.POST.get("support", "")
        if support_reference:
            return self.add_voice(request, form, support_reference)

        if not request.POST.get("confirm_new"):
            nearby = reports_nearby_open(
                category=report_input.category,
                grid_cell=report_input.grid_cell,
                latitude=report_input.latitude,
                longitude=report_input.longitude,
            )
            if nearby:
                return self.render_form(form, nearby=nearby)

        # One transaction: the report, its acknowledgement task and the receipt hold commit
        # together, or nothing does. Nothing is written after the commit (the browser gets a
        # signed receipt cookie, no session row), so a stored report always gets its receipt.
        try:
            with transaction.atomic():
                result = report_submit(input=report_input)
                if result.created:
                    receipt_hold(
                        submission_token=data["submission_token"],
                        reference=result.report.reference,
                        access_code=result.access_code,
                    )
        except ValidationError as exc:
            form.service_errors_add(exc)
            return self.render_form(form)
        except OperationalError:
            # The database is busy (SQLite's lock wait ran out) or unreachable: nothing was
            # stored, the resident keeps the form and is asked to send it again.
            logger.warning("database busy or unreachable; report not stored", exc_info=True)
            return unavailable_response(self.render_form, form, BUSY_MESSAGE)
        if not result.created:
            return self.filed_again(request, result.report)
        return _receipt_redirect(request, result.report)

    @staticmethod
    def already_filed(submission_token: str) -> Report | None:
        try:
            token = uuid.UUID(submission_token)
        except ValueError:
            return None
        return Report.objects.filter(submission_token=token).first()

    def filed_again(self, request, report: Report):
        """A form sent again: its receipt, with the access code within the hour.

        The submission token is a random UUID that only the form of this browser carries; the
        code comes from the hold stored with the report (see services.reports.receipt_hold),
        so a retry after a lost answer still shows it.
        """
        code = receipt_recall(submission_token=report.submission_token, reference=report.reference)
        if code is None:
            if _may_view(request, report):
                return redirect("complaints:report_receipt", reference=report.reference)
            return redirect(reverse("complaints:track") + f"?reference={report.reference}")
        return _receipt_redirect(request, report)

    def add_voice(self, request, form, reference):
        """Add the visitor's voice to one of the reports this form offered them, nothing else.

        The reference must be in the signed list of suggestions shown to this form, and still
        an open public complaint of the same category; every other case (unknown, informant,
        private, closed, never offered) gets the same message and changes nothing.
        """
        data = form.cleaned_data
        offered = support_offer_references(
            request.POST.get("support_offer", ""), submission_token=data["submission_token"]
        )
        report = None
        if reference in offered:
            report = (
                reports_supportable().filter(reference=reference, category=data["category"]).first()
            )
        if report is None:
            form.add_error(None, ValidationError(SUPPORT_REFUSED, code="support_refused"))
            return self.render_form(form)
        # An anonymous voice leaves no way to reach it.
        anonymous = data["is_anonymous"]
        try:
            report_support(
                report=report,
                submission_token=data["submission_token"],
                contact_name="" if anonymous else data["contact_name"],
                contact_phone="" if anonymous else data["contact_phone"],
                contact_email="" if anonymous else data["contact_email"],
                consent_to_contact=not anonymous and data["consent_to_contact"],
                preferred_channel="" if anonymous else data["preferred_channel"],
            )
        except ValidationError:
            # Closed (or made private) since it was offered: the same message as above.
            form.add_error(None, ValidationError(SUPPORT_REFUSED, code="support_refused"))
            return self.render_form(form)
        supported = request.session.get(SESSION_SUPPORTED, [])
        request.session[SESSION_SUPPORTED] = [*supported, report.reference][-20:]
        return redirect("complaints:support_done", reference=report.reference)

    def render_form(self, form, *, nearby=(), status=200):
        context = {
            "form": form,
            "nearby": [(r, public_state(r.state)) for r in nearby],
            **map_picker_context(),
        }
        if nearby:
            context["support_offer"] = support_offer_sign(
                [r.reference for r in nearby],
                submission_token=form.cleaned_data["submission_token"],
            )
        return render(self.request, self.template_name, context, status=status)


@never_cache
@require_GET
def report_receipt(request, reference):
    """Reference, access code (shown to this browser only, for an hour), QR code, next steps.

    The code comes from the receipt hold, opened with the submission token in this browser's
    receipt cookie; a session from before the cookie may still hold it itself.
    """
    token = receipt_cookie_token(request, reference)
    if token is None and reference not in request.session.get(SESSION_TRACKED, []):
        raise Http404
    report = get_object_or_404(
        Report.objects.select_related("category", "town", "community"), reference=reference
    )
    code = None
    if token is not None and token == report.submission_token:
        code = receipt_recall(submission_token=token, reference=reference)
    if code is None:
        code, issued = request.session.get(SESSION_RECEIPTS, {}).get(reference, [None, 0])
        if code and timezone.now().timestamp() - issued > RECEIPT_CODE_LIFETIME:
            code = None
    return receipt_page(request, report, code)


def receipt_page(request, report: Report, code: str | None):
    """The receipt: reference, the access code when given, its link and QR code."""
    context = {"report": report, "access_code": code, "state": public_state(report.state)}
    if code:
        link = _tracking_url(request, report, code)
        context["tracking_link"] = link
        context["qr_data_uri"] = segno.make(link, error="m").svg_data_uri(scale=4, border=2)
    return render(request, "complaints/report_receipt.html", context)


@never_cache
@require_GET
def support_done(request, reference):
    # Only for the browser that added its voice; it does not get the reporter's tracking view.
    if reference not in request.session.get(SESSION_SUPPORTED, []):
        raise Http404
    report = get_object_or_404(Report.objects.select_related("category"), reference=reference)
    return render(
        request,
        "complaints/support_done.html",
        {"report": report, "state": public_state(report.state)},
    )


@never_cache
@ratelimit(group="complaints:track-ip", key="ip", rate=rate_track_ip, method="POST")
def track(request):
    """Look a report up by reference and access code."""
    form = TrackForm(request.POST or None, initial={"reference": request.GET.get("reference", "")})
    if request.method == "POST" and form.is_valid():
        report = report_for_tracking(
            reference=form.cleaned_data["reference"], access_code=form.cleaned_data["access_code"]
        )
        if report is not None:
            _remember_tracked(request, report.reference)
            return redirect(report)
        form.add_error(
            "access_code", _("The reference and access code do not match. Check both and retry.")
        )
    return render(request, "complaints/track.html", {"form": form})


@never_cache
@require_GET
def report_status(request, reference):
    """The public timeline of one report, for whoever proved access (form, link or receipt)."""
    code = request.GET.get("code")
    if code is not None:
        # The QR/receipt link carries the code: check it (rate-limited like the form), then
        # drop it from the address bar so that it is not kept in history or Referer headers.
        if is_ratelimited(
            request, group="complaints:track-ip", key="ip", rate=rate_track_ip, increment=True
        ):
            raise Ratelimited
        report = report_for_tracking(reference=reference, access_code=code)
        if report is None:
            form = TrackForm(initial={"reference": reference})
            return render(
                request,
                "complaints/track.html",
                {"form": form, "link_failed": True},
                status=404,
            )
        _remember_tracked(request, report.reference)
        return redirect(report)
    report = (
        Report.objects.select_related("category", "town", "community", "grid_cell")
        .filter(reference=reference)
        .first()
    )
    if report is None or not _may_view(request, report):
        return redirect(reverse("complaints:track") + f"?reference={reference}")
    context = {
        "report": report,
        "state": public_state(report.state),
        "timeline": [
            (e, public_state(e.to_state) if e.to_state else None)
            for e in report_public_timeline(report=report)
        ],
        "photos": report_public_photos(report=report, include_evidence=True),
    }
    return render(request, "complaints/report_status.html", context)


@never_cache
@require_GET
def report_photo(request, reference, pk):
    """A photo of a report: public handling photos of public reports, or for whoever tracks it."""
    attachment = get_object_or_404(
        Attachment.objects.select_related("report__category"), pk=pk, report__reference=reference
    )
    report = attachment.report
    public = (
        attachment.kind == Attachment.Kind.HANDLING
        and attachment.is_public
        and report.is_public
        and report.category.public_allowed
    )
    if not public and not _may_view(request, report):
        raise Http404
    return private_file_response(attachment.image, content_type="image/jpeg")


@require_GET
def report_list(request):
    """Recent public reports: list and map (its markers: complaints/intake/map_views.py), the place
    rounded to the grid cell."""
    form = ReportFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    reports = reports_public(
        town_id=getattr(filters.get("town"), "pk", None),
        category_id=getattr(filters.get("category"), "pk", None),
        public_state=filters.get("state", ""),
    )
    # No count of the whole list per view: one page and one more row (portal/paging.py).
    page = window_page(reports, request.GET.get("page"), per_page=20)
    rows = [(r, public_state(r.state)) for r in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "complaints/report_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            **map_picker_context(),
        },
    )


# --- Satisfaction (the evaluation stage): rating by link or from the tracking page ---------


def _rating_form_response(request, *, report, form, token=None, status=200):
    return render(
        request,
        "complaints/rating.html",
        {"report": report, "form": form, "token": token, "state": public_state(report.state)},
        status=status,
    )


def _rating_submit(request, *, report, form, token_row=None):
    from complaints.satisfaction.services import satisfaction_submit

    try:
        satisfaction_submit(
            report=report,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
            request_rework=form.cleaned_data["request_rework"],
            token=token_row,
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            for message in exc.messages:
                form.add_error(None, message)
        return None
    _remember_tracked(request, report.reference)
    return redirect(reverse("complaints:rating_done", kwargs={"reference": report.reference}))


@never_cache
@ratelimit(group="complaints:track-ip", key="ip", rate=rate_track_ip, method="POST")
def rating_link(request, token):
    """The rating link sent on closure: valid 14 days, once."""
    from complaints.intake.forms import RatingForm
    from complaints.satisfaction.services import TokenStatus, rating_token_check

    status, row = rating_token_check(token=token)
    if status != TokenStatus.VALID:
        return render(
            request,
            "complaints/rating_invalid.html",
            {"status": status.value, "report": row.report if row else None},
            status=410 if row else 404,
        )
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _rating_submit(request, report=row.report, form=form, token_row=row)
        if response is not None:
            return response
    return _rating_form_response(request, report=row.report, form=form, token=token)


@never_cache
def report_rate(request, reference):
    """Rating from the tracking page, for whoever proved access with the access code."""
    from complaints.intake.forms import RatingForm
    from complaints.satisfaction.services import report_rateable

    report = get_object_or_404(Report.objects.select_related("category"), reference=reference)
    if not _may_view(request, report):
        return redirect(reverse("complaints:track") + f"?reference={reference}")
    if not report_rateable(report=report):
        return redirect(report)
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _rating_submit(request, report=report, form=form)
        if response is not None:
            return response
    return _rating_form_response(request, report=report, form=form)


@never_cache
@require_GET
def rating_done(request, reference):
    report = get_object_or_404(Report, reference=reference)
    if not _may_view(request, report):
        raise Http404
    return render(
        request,
        "complaints/rating_done.html",
        {"report": report, "state": public_state(report.state)},
    )
