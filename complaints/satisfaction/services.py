"""The evaluation stage: rating links, the resident's rating, rework requests, callbacks."""

import enum
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.cases.permissions import may_record_callbacks
from complaints.cases.services.events import case_event_record
from complaints.cases.workflow import Action
from complaints.models import (
    CaseEvent,
    RatingToken,
    Report,
    ReportState,
    SatisfactionRating,
    SatisfactionResponse,
)
from complaints.privacy.crypto import keyed_hash

RATING_LINK_LIFETIME = timedelta(days=14)
RATEABLE_STATES = (ReportState.CLOSED,)


class TokenStatus(enum.Enum):
    VALID = "valid"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"


def rating_token_hash(token: str) -> str:
    return keyed_hash(token.strip(), purpose="rating-token")


def rating_token_issue(*, report: Report) -> str:
    """Create a rating link token for the report's current closure; only its hash is stored.

    The clear token is returned once, to be put into the message; it is never written down.
    """
    token = secrets.token_urlsafe(24)
    RatingToken.objects.create(
        report=report,
        token_hash=rating_token_hash(token),
        closure=report.rework_count,
        expires_at=timezone.now() + RATING_LINK_LIFETIME,
    )
    return token


def rating_token_check(*, token: str) -> tuple[TokenStatus, RatingToken | None]:
    """Whether a rating link may be used now, and its row."""
    row = (
        RatingToken.objects.select_related("report__category")
        .filter(token_hash=rating_token_hash(token or ""))
        .first()
    )
    if row is None:
        return TokenStatus.UNKNOWN, None
    if row.used_at is not None or row.closure != row.report.rework_count:
        return TokenStatus.USED, row
    if row.expires_at <= timezone.now():
        return TokenStatus.EXPIRED, row
    return TokenStatus.VALID, row


def report_rateable(*, report: Report) -> bool:
    """Closed, and not rated on the web yet for this closure."""
    return (
        report.state in RATEABLE_STATES
        and not report.satisfaction_responses.filter(
            closure=report.rework_count, channel=SatisfactionResponse.Channel.WEB
        ).exists()
    )


def satisfaction_submit(
    *,
    report: Report,
    rating: str,
    comment: str = "",
    request_rework: bool = False,
    token: RatingToken | None = None,
) -> SatisfactionResponse:
    """Record the resident's rating of the current closure (once), by link or tracking page.

    A used or expired token is refused. "Not satisfied" with ``request_rework`` puts the case
    into "rework requested" for a supervisor (the comment is the resident's reason).
    """
    from complaints.cases.services.transitions import report_transition

    if rating not in SatisfactionRating.values:
        raise ValidationError({"rating": _("Choose one of the answers.")})
    if request_rework and rating != SatisfactionRating.DISSATISFIED:
        request_rework = False
    if request_rework and not comment.strip():
        raise ValidationError({"comment": _("Tell us what is still wrong.")})
    try:
        with transaction.atomic():
            if token is not None:
                locked = RatingToken.objects.select_for_update().get(pk=token.pk)
                if locked.used_at is not None or locked.expires_at <= timezone.now():
                    raise ValidationError(_("This rating link has already been used or expired."))
                locked.used_at = timezone.now()
                locked.save(update_fields=["used_at"])
            report = Report.objects.select_for_update().get(pk=report.pk)
            if report.state not in RATEABLE_STATES:
                raise ValidationError(_("This case cannot be rated now."))
            response = SatisfactionResponse.objects.create(
                report=report,
                closure=report.rework_count,
                rating=rating,
                comment=comment.strip(),
                channel=SatisfactionResponse.Channel.WEB,
                rework_requested=request_rework,
            )
            case_event_record(
                report=report,
                kind=CaseEvent.Kind.NOTE,
                note=_("Resident's rating: %(rating)s") % {"rating": response.get_rating_display()},
                is_public=False,
            )
            if request_rework:
                report_transition(
                    report=report,
                    action=Action.REQUEST_REOPEN,
                    actor=None,
                    note=comment,
                )
    except IntegrityError as exc:
        raise ValidationError(_("This case has already been rated.")) from exc
    return response


def satisfaction_callback_record(
    *, report: Report, rating: str, comment: str, actor
) -> SatisfactionResponse:
    """A supervisor records a callback visit (回访) with the resident's answer."""
    if not may_record_callbacks(actor):
        raise PermissionDenied(_("Only supervisors record callbacks."))
    if rating not in SatisfactionRating.values:
        raise ValidationError({"rating": _("Choose one of the answers.")})
    if report.state not in (ReportState.CLOSED, ReportState.REOPEN_REQUESTED):
        raise ValidationError(_("Callbacks are recorded on closed cases."))
    with transaction.atomic():
        response = SatisfactionResponse.objects.create(
            report=report,
            closure=report.rework_count,
            rating=rating,
            comment=comment.strip(),
            channel=SatisfactionResponse.Channel.CALLBACK,
            recorded_by=actor,
        )
        case_event_record(
            report=report,
            kind=CaseEvent.Kind.NOTE,
            note=_("Callback: %(rating)s. %(comment)s")
            % {"rating": response.get_rating_display(), "comment": comment.strip()},
            is_public=False,
            actor=actor,
        )
    return response


def satisfaction_invite_send(*, report_id: int) -> str | None:
    """Issue a rating link for the report's closure and send it by email and SMS.

    Returns the channel list sent to, or None when the reporter may not be contacted.
    """
    from django.conf import settings
    from django.core.mail import send_mail
    from django.urls import reverse
    from django.utils import translation

    from complaints.notifications.sms import sms_backend

    report = Report.objects.select_related("category").get(pk=report_id)
    if not (report.has_contact and report.consent_to_contact) or report.state not in (
        RATEABLE_STATES
    ):
        return None
    token = rating_token_issue(report=report)
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "complaints:rating_link", kwargs={"token": token}
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = str(_("How did we handle %(reference)s?") % {"reference": report.reference})
        body = str(
            _(
                "Report %(reference)s (%(category)s) has been closed. Please tell us how "
                "satisfied you are (the link works for 14 days): %(link)s"
            )
            % {"reference": report.reference, "category": report.category.name, "link": link}
        )
    sent = []
    if report.contact_email:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [report.contact_email])
        sent.append("email")
    if report.contact_phone:
        sms_backend().send(phone=report.contact_phone, text=body)
        sent.append("sms")
    return ",".join(sent)
