"""A database outage answers 503 with Retry-After, logged once per outage.

While the database cannot be reached, every request that needs it fails with Django's
``OperationalError`` or ``InterfaceError``. Instead of a 500 and a traceback per request:

- ``DatabaseOutageMiddleware.process_exception`` catches them from views;
- ``server_error`` (``handler500`` in portal/urls.py) catches the ones raised in middleware
  (loading a signed-in user's session, for instance) and hands anything else to the site's
  ordinary 500 page;
- both answer 503 with ``Retry-After`` (``PORTAL_OUTAGE_RETRY_AFTER`` seconds, default 30): the
  standalone Chinese page templates/503.html for browsers, the Open311 error list (JSON or XML)
  under /open311/, and JSON for /healthz and clients that ask for JSON;
- the first failure logs ONE warning (logger ``portal.outage``); later ones are counted, and the
  first request answered normally ``QUIET_SECONDS`` after the last failure logs one info line
  with the outage's length and its number of 503 answers.
"""

import json
import logging
import sys
import threading
import time
from xml.sax.saxutils import escape

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger("portal.outage")

OUTAGE_ERRORS = (OperationalError, InterfaceError)
# A request that succeeds this long after the last database error ends the outage; a shorter gap
# is the same outage (a flapping database does not write a warning per flap).
QUIET_SECONDS = 5.0


class _OutageLog:
    """This process's view of the current database outage."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.down_since: float | None = None
        self.last_failure = 0.0
        self.answered = 0

    def failure(self, request, exc: BaseException) -> None:
        now = time.monotonic()
        with self.lock:
            first = self.down_since is None
            if first:
                self.down_since = now
                self.answered = 0
            self.last_failure = now
            self.answered += 1
        if first:
            logger.warning(
                "Database unavailable (%s: %s) at %s %s: answering 503 until it is back.",
                type(exc).__name__,
                str(exc).strip().splitlines()[0] if str(exc).strip() else "",
                request.method,
                request.path,
            )

    def success(self) -> None:
        if self.down_since is None:
            return
        now = time.monotonic()
        with self.lock:
            if self.down_since is None or now - self.last_failure < QUIET_SECONDS:
                return
            seconds = now - self.down_since
            answered = self.answered
            self.reset()
        logger.info(
            "Database available again after %.0f s; %d requests were answered 503.",
            seconds,
            answered,
        )


outage_log = _OutageLog()


def retry_after() -> int:
    return int(getattr(settings, "PORTAL_OUTAGE_RETRY_AFTER", 30))


def _wants_json(request) -> bool:
    path = request.path
    if path.startswith("/healthz") or path.endswith(".json"):
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def open311_error(path: str, *, status: int, message: str) -> HttpResponse:
    """GeoReport v2's error list (docs/open311.md), in the format the endpoint's path names."""
    if path.endswith(".xml"):
        body = (
            f'<?xml version="1.0" encoding="utf-8"?>\n<errors><error><code>{status}</code>'
            f"<description>{escape(message)}</description></error></errors>"
        )
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    body = json.dumps([{"code": status, "description": message}], ensure_ascii=False)
    return HttpResponse(body, status=status, content_type="application/json")


def outage_response(request) -> HttpResponse:
    """The 503 answer in the format the client reads."""
    message = _("The service is temporarily unavailable. Please try again in a few minutes.")
    if request.path.startswith("/open311/"):
        response = open311_error(request.path, status=503, message=message)
    elif _wants_json(request):
        body = json.dumps(
            {"status": "unavailable", "error": message, "retry_after": retry_after()},
            ensure_ascii=False,
        )
        response = HttpResponse(body, status=503, content_type="application/json")
    else:
        # No request and no context processors: they may query the database.
        html = loader.get_template("503.html").render({"retry_after": retry_after()})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(retry_after())
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    """Answer 503 instead of 500 while the database is down (see the module docstring).

    Place it near the top of MIDDLEWARE (after WhiteNoise, which needs no database).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "_portal_db_outage", False) and response.status_code < 500:
            outage_log.success()
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, OUTAGE_ERRORS):
            return None
        return _answer_outage(request, exception)


def _answer_outage(request, exception) -> HttpResponse:
    request._portal_db_outage = True
    outage_log.failure(request, exception)
    response = outage_response(request)
    # Logged above, once per outage: Django's request logger must not add a traceback.
    response._has_been_logged = True
    return response


def server_error(request):
    """handler500: a database error raised outside a view is an outage too."""
    exception = sys.exc_info()[1]
    if isinstance(exception, OUTAGE_ERRORS):
        return _answer_outage(request, exception)
    # The site's own 500 page, as cms.views.server_error renders it.
    return HttpResponseServerError(loader.get_template("500.html").render())
