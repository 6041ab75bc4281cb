"""Who is told about a timeline event, and sending one message."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from complaints.cases.workflow import report_public_label
from complaints.models import CaseEvent, Report, ReportSupporter
from complaints.notifications.sms import sms_backend

logger = logging.getLogger(__name__)

RECIPIENT_REPORTER = "reporter"
RECIPIENT_SUPPORTER = "supporter"


def contact_channel(person) -> str | None:
    """The one channel a reporter or supporter is told by: the one they chose when they gave
    both a phone and an e-mail address, otherwise a text message when a phone was given (the
    default), otherwise e-mail; ``None`` without either."""
    phone, email = bool(person.contact_phone), bool(person.contact_email)
    if phone and email:
        if person.preferred_channel == Report.ContactChannel.EMAIL:
            return "email"
        return "sms"
    if phone:
        return "sms"
    if email:
        return "email"
    return None


def notification_recipients(*, event: CaseEvent) -> list[tuple[str, int, str]]:
    """(recipient kind, recipient id, channel) for everyone who consented to hear of ``event``.

    One message per person, by the channel they chose (see ``contact_channel``). Only ids
    leave this function: task arguments are stored in the clear in the task table, so phone
    numbers and emails are read again, decrypted, when the message is sent.
    """
    report = event.report
    messages = []
    if report.has_contact and report.consent_to_contact:
        channel = contact_channel(report)
        if channel:
            messages.append((RECIPIENT_REPORTER, report.pk, channel))
    if event.kind == CaseEvent.Kind.STATE_CHANGED:
        for supporter in report.supporters.filter(consent_to_contact=True):
            channel = contact_channel(supporter)
            if channel:
                messages.append((RECIPIENT_SUPPORTER, supporter.pk, channel))
    return messages


def notification_text(*, event: CaseEvent) -> tuple[str, str]:
    """(subject, body) in Chinese, the residents' language; no personal data inside."""
    report = event.report
    with translation.override(settings.LANGUAGE_CODE):
        state = report_public_label(state=event.to_state or report.state)
        subject = _("Your report %(reference)s: %(state)s") % {
            "reference": report.reference,
            "state": state,
        }
        body = _(
            "Report %(reference)s (%(category)s) is now: %(state)s.\n"
            "Follow it at %(url)s with your access code."
        ) % {
            "reference": report.reference,
            "category": report.category.name,
            "state": state,
            "url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + report.get_absolute_url(),
        }
        if event.note:
            body += "\n" + event.note
    return str(subject), str(body)


def notification_send(*, event_id: int, recipient: str, recipient_id: int, channel: str) -> None:
    """Send one message; raises on a delivery failure so that the task can retry."""
    event = CaseEvent.objects.select_related("report__category").get(pk=event_id)
    model = Report if recipient == RECIPIENT_REPORTER else ReportSupporter
    person = model.objects.get(pk=recipient_id)
    if not person.consent_to_contact:
        return
    subject, body = notification_text(event=event)
    if channel == "email" and person.contact_email:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [person.contact_email])
    elif channel == "sms" and person.contact_phone:
        sms_backend().send(phone=person.contact_phone, text=body)
    logger.info("notified %s %s by %s of event %s", recipient, recipient_id, channel, event_id)
