"""Pluggable SMS senders, chosen by ``settings.COMPLAINTS_SMS_BACKEND``.

A backend has ``send(*, phone, text)`` and raises ``SmsError`` when the message was not
accepted, so the task can retry it.
"""

import json
import logging
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

from portal.redaction import redact

logger = logging.getLogger(__name__)


class SmsError(Exception):
    pass


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


class LoggingSmsBackend:
    """The default: writes a line to the log with the number masked and the one-time links and
    codes redacted (a log is no place for them); sends nothing."""

    def send(self, *, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), redact(text))


class MemorySmsBackend:
    """Keeps messages in ``MemorySmsBackend.outbox`` (tests)."""

    outbox: list[dict] = []

    def send(self, *, phone: str, text: str) -> None:
        type(self).outbox.append({"phone": phone, "text": text})


class HttpGatewaySmsBackend:
    """POSTs ``{"phone", "text"}`` as JSON to COMPLAINTS_SMS_GATEWAY_URL with a bearer token.

    Most Chinese SMS providers sit behind such a small relay (the provider's signature and
    template rules differ); any 2xx answer counts as accepted.
    """

    timeout = 10

    def send(self, *, phone: str, text: str) -> None:
        url = settings.COMPLAINTS_SMS_GATEWAY_URL
        if not url.startswith(("https://", "http://")):
            raise SmsError("COMPLAINTS_SMS_GATEWAY_URL must be an http(s) URL.")
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            url,
            data=json.dumps({"phone": phone, "text": text}).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.COMPLAINTS_SMS_GATEWAY_TOKEN}",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - scheme checked above  # nosec B310
                if not 200 <= response.status < 300:
                    raise SmsError(f"gateway answered {response.status}")
        except OSError as exc:
            raise SmsError(f"gateway unreachable: {exc}") from exc


def sms_backend():
    return import_string(settings.COMPLAINTS_SMS_BACKEND)()
