"""HMAC-SHA256 signatures over timestamp and body, for webhook deliveries and callbacks.

Header ``X-Casefeed-Timestamp``: Unix seconds. Header ``X-Casefeed-Signature``:
``sha256=`` + hex HMAC-SHA256 of ``f"{timestamp}.".encode() + body`` under the shared secret.
"""

import hashlib
import hmac
import time

from django.utils.translation import gettext as _

TIMESTAMP_HEADER = "X-Casefeed-Timestamp"
SIGNATURE_HEADER = "X-Casefeed-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"


class SignatureInvalid(Exception):
    """The request is not signed by the case system, or not now; the message says why."""


def signature(*, secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def signed_headers(*, secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(now if now is not None else time.time()))
    return {
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret=secret, timestamp=timestamp, body=body),
    }


def signature_verify(
    *, secret: str, timestamp: str, given: str, body: bytes, window: int, now: float | None = None
) -> None:
    """Raise ``SignatureInvalid`` unless ``given`` signs ``body`` at a ``timestamp`` close to now."""
    if not secret:
        raise SignatureInvalid(_("This case system has no shared secret configured."))
    if not timestamp or not given:
        raise SignatureInvalid(_("The timestamp or signature header is missing."))
    try:
        sent = int(timestamp)
    except ValueError as exc:
        raise SignatureInvalid(_("The timestamp is not a number of seconds.")) from exc
    current = now if now is not None else time.time()
    if abs(current - sent) > window:
        raise SignatureInvalid(_("The timestamp is outside the allowed window."))
    expected = signature(secret=secret, timestamp=timestamp, body=body)
    if not hmac.compare_digest(expected, given.strip()):
        raise SignatureInvalid(_("The signature does not match."))
