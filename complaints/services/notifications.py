"""Who is told about a timeline event, and sending one message."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from complaints.models import CaseEvent, Report, ReportSupporter
from complaints.notifications.sms import sms_backend
from complaints.workflow import public_state

logger = logging.getLogger(__name__)

RECIPIENT_REPORTER = "reporter"
RECIPIENT_SUPPORTER = "supporter"


def notification_recipients(*, event: CaseEvent) -> list[tuple[str, int, str]]:
    """(recipient kind, recipient id, channel) for everyone who consented to hear of ``event``.

    Only ids leave this function: task arguments are stored in the clear in the task table,
    so phone numbers and emails are read again, decrypted, when the message is sent.
    """
    report = event.report
    messages = []
    if report.has_contact and report.consent_to_contact:
        if report.contact_email:
            messages.append((RECIPIENT_REPORTER, report.pk, "email"))
        if report.contact_phone:
            messages.append((RECIPIENT_REPORTER, report.pk, "sms"))
    if event.kind == CaseEvent.Kind.STATE_CHANGED:
        for supporter in report.supporters.filter(consent_to_contact=True):
            if supporter.contact_email:
                messages.append((RECIPIENT_SUPPORTER, supporter.pk, "email"))
            if supporter.contact_phone:
                messages.append((RECIPIENT_SUPPORTER, supporter.pk, "sms"))
    return messages


def notification_text(*, event: CaseEvent) -> tuple[str, str]:
    """(subject, body) in Chinese, the residents' language; no personal data inside."""
    report = event.report
    with translation.override(settings.LANGUAGE_CODE):
        state = public_state(event.to_state or report.state).label
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
