"""Keep secrets out of logs: one-time codes, tokens and API keys in URLs and message texts.

``redact`` rewrites a text so that the value of every sensitive query parameter (``code``,
``token``, ``api_key`` ...) and every one-time path token (rating links, signed media links)
reads ``[redacted]``; ``RedactSecretsFilter`` applies it to every log record, so a request
line such as ``"GET /track/BH-2026-000001/?code=ABCD-... HTTP/1.1"`` never reaches a log file
with its code. A leaf module: it imports nothing of the project.
"""

import logging
import re

REDACTED = "[redacted]"

# Query parameters (and form-like key=value pairs) whose value is a secret.
SECRET_PARAMETERS = (
    "code",
    "access_code",
    "receipt_code",
    "token",
    "api_key",
    "apikey",
    "key",
    "signature",
    "sig",
    "secret",
    "password",
    "otp",
)
_PARAMETER = re.compile(
    r"(?P<name>\b(?:" + "|".join(SECRET_PARAMETERS) + r"))=(?P<value>[^&#\s\"'<>]+)",
    re.IGNORECASE,
)
# Path segments that carry a one-time or signed token: long runs of URL-safe characters and
# Django signatures (``value:timestamp:signature``). References such as BH-2026-000123 and
# ordinary slugs are kept.
_PATH_TOKEN = re.compile(
    r"(?<=/)(?=[A-Za-z0-9_:-]*\d)(?=[A-Za-z0-9_:-]*[A-Za-z])[A-Za-z0-9_:-]{32,}"
)
# Routes whose next path segment is always a one-time token (rating links, case-feed media).
_TOKEN_ROUTES = re.compile(
    r"(?P<route>/(?:rate|media))/(?!original_images/|images/|documents/)(?P<token>[^/?#\s\"']{16,})"
)
# Access and receipt codes as printed for people: groups of 4 letters/digits joined by dashes.
_PRINTED_CODE = re.compile(r"\b[A-Z0-9]{4}(?:-[A-Z0-9]{4}){3,5}\b")


def redact(text: str) -> str:
    """``text`` with secret parameter values, path tokens and printed codes replaced."""
    text = _PARAMETER.sub(lambda m: f"{m.group('name')}={REDACTED}", text)
    text = _TOKEN_ROUTES.sub(lambda m: f"{m.group('route')}/{REDACTED}", text)
    text = _PATH_TOKEN.sub(REDACTED, text)
    return _PRINTED_CODE.sub(REDACTED, text)


class RedactSecretsFilter(logging.Filter):
    """A logging filter that redacts the formatted message of every record it sees.

    Installed on the handlers in settings.LOGGING, so it covers the development server's
    request lines (``django.server``), ``django.request`` warnings and the project's own loggers.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is logged as it is, never dropped
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        # django.server keeps the request on the record; its handlers may format it again.
        if hasattr(record, "request") and hasattr(record, "status_code"):
            record.msg = cleaned
            record.args = None
        return True
