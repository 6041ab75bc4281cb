"""Malformed input gets a 400, never a 500.

``InputGuardMiddleware`` runs early (before the session, CSRF and every view) and refuses with
400 a request whose query string or form body carries a NUL byte (PostgreSQL cannot store one,
and no person types it), or whose body cannot be decoded (a form declared in a charset other
than UTF-8, or bytes that are not UTF-8). ``bad_request`` is the 400 handler: it never reads the
request body again, so the body that caused the 400 cannot raise a second time while the error
page is made.
"""

import logging

from django.core.exceptions import BadRequest, RequestDataTooBig, TooManyFieldsSent
from django.http import HttpResponseBadRequest
from django.http.multipartparser import MultiPartParserError
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal.outage import open311_error

logger = logging.getLogger(__name__)

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
UTF8_NAMES = {"utf-8", "utf8", "utf_8"}


def _has_nul(query_dict) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in query_dict.lists()
    )


def malformed(request) -> str | None:
    """Why this request is malformed (for the log), or None when it is fine."""
    if "\x00" in request.path:
        return "NUL byte in the path"
    try:
        if _has_nul(request.GET):
            return "NUL byte in the query string"
    except (UnicodeError, ValueError, TooManyFieldsSent) as exc:
        return f"undecodable query string ({type(exc).__name__})"
    if request.method not in ("POST", "PUT", "PATCH") or request.content_type not in FORM_TYPES:
        return None
    charset = request.content_params.get("charset", "").strip().lower()
    if charset and charset not in UTF8_NAMES:
        return f"form body declared in {charset[:20]!r}"
    try:
        post = request.POST
        if request.content_type == "application/x-www-form-urlencoded":
            request.body.decode("utf-8")  # already read by request.POST: strict check only
    except RequestDataTooBig:
        return None  # Django's own limit answers 400 itself (it raises again in the view)
    except (UnicodeError, BadRequest, MultiPartParserError, TooManyFieldsSent, ValueError) as exc:
        return f"undecodable form body ({type(exc).__name__})"
    if _has_nul(post):
        return "NUL byte in the form"
    return None


def bad_request_page() -> HttpResponseBadRequest:
    """A plain 400 page made without the request: no body, session or template context."""
    language = get_language() or "zh-hans"
    title = _("Bad request")
    message = _(
        "The request could not be read (it contains characters or an encoding that this site "
        "does not accept). Go back, check what you typed and send it again."
    )
    html = format_html(
        '<!DOCTYPE html><html lang="{}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>{}</title></head><body><main><h1>{}</h1><p>{}</p>"
        '<p><a href="/">{}</a></p></main></body></html>',
        "zh-CN" if language.startswith("zh") else language,
        title,
        title,
        message,
        _("Home page"),
    )
    return HttpResponseBadRequest(html, content_type="text/html; charset=utf-8")


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reason = malformed(request)
        if reason is not None:
            logger.info("malformed request refused: %s (%s)", reason, request.path[:100])
            if request.path.startswith("/open311/"):
                # Partners' clients parse the GeoReport error list, not an HTML page.
                return open311_error(
                    request.path.replace("\x00", ""),
                    status=400,
                    message=_(
                        "The request contains characters or an encoding that is not accepted."
                    ),
                )
            return bad_request_page()
        return self.get_response(request)


def bad_request(request, exception=None):
    """handler400: the same page, without touching the request body again."""
    return bad_request_page()
