"""GeoReport v2 endpoints: thin views over complaints.open311 selectors and services.

Every error is the spec's error list in the requested format (400 bad input, 403 missing or
wrong api_key, 404 unknown service or request, 429 too many requests).
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import is_ratelimited

from complaints.open311 import render
from complaints.open311.keys import api_key_authenticate
from complaints.open311.selectors import (
    request_as_dict,
    request_updates,
    requests_search,
    service_as_dict,
    service_categories,
    service_definition,
    service_for_code,
)
from complaints.open311.services import RequestInvalid, open311_request_submit
from complaints.ratelimits import client_ip

logger = logging.getLogger(__name__)

MAX_RANGE = timedelta(days=90)
MAX_IDS = 50


class ApiError(Exception):
    def __init__(self, status: int, *descriptions: str):
        super().__init__(*descriptions)
        self.status = status
        self.descriptions = descriptions


def _limited(request, *, api_key) -> bool:
    if api_key is not None:
        return is_ratelimited(
            request,
            group="open311:key",
            key=lambda _g, _r: api_key.prefix,
            rate=api_key.rate,
            increment=True,
        )
    return is_ratelimited(
        request,
        group="open311:ip",
        key=lambda _g, r: client_ip(r),
        rate=settings.OPEN311_RATE_ANONYMOUS,
        increment=True,
    )


def open311_view(*, methods=("GET",)):
    """Method check, api_key, rate limit and the spec's errors around an endpoint."""

    def decorate(view):
        @csrf_exempt
        @never_cache
        def wrapper(request, fmt="json", **kwargs):
            # Machine clients choose the language with Accept-Language (no URL prefix here).
            with translation.override(translation.get_language_from_request(request)):
                try:
                    return _guarded(view, request, fmt, methods, kwargs)
                except ApiError as exc:
                    return render.errors(fmt, exc.status, *exc.descriptions)

        return wrapper

    return decorate


def _guarded(view, request, fmt, methods, kwargs):
    if request.method not in methods:
        response = render.errors(
            fmt, 405, _("Method %(method)s is not allowed here.") % {"method": request.method}
        )
        response["Allow"] = ", ".join(methods)
        return response
    params = request.POST if request.method == "POST" else request.GET
    raw_key = params.get("api_key", "")
    api_key = api_key_authenticate(key=raw_key) if raw_key else None
    if raw_key and api_key is None:
        raise ApiError(403, _("api_key: this key is not valid."))
    if _limited(request, api_key=api_key):
        return render.errors(fmt, 429, _("Too many requests; please slow down and retry later."))
    return view(request, fmt=fmt, api_key=api_key, **kwargs)


def _csv(request, name: str) -> list[str]:
    return [v.strip() for v in request.GET.get(name, "").split(",") if v.strip()]


def _date(request, name: str) -> datetime | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw.replace("Z", "+00:00") if raw.endswith("Z") else raw)
    except ValueError:
        value = None
    if value is None:
        raise ApiError(
            400, _("%(name)s: use the W3C format, e.g. 2026-01-01T00:00:00Z.") % {"name": name}
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _period(request) -> tuple[datetime, datetime]:
    start, end = _date(request, "start_date"), _date(request, "end_date")
    if end is None:
        end = start + MAX_RANGE if start is not None else timezone.now()
    if start is None:
        start = end - MAX_RANGE
    if start > end:
        raise ApiError(400, _("start_date: must not be after end_date."))
    if end - start > MAX_RANGE:
        raise ApiError(400, _("end_date: the period may span 90 days at most."))
    return start, end


@open311_view()
def discovery(request, fmt, api_key):
    base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt}))
    base = base.rsplit("/", 1)[0]
    value = {
        "changeset": "2026-11-27T00:00:00+08:00",
        "contact": settings.OPEN311_CONTACT,
        "key_service": settings.OPEN311_KEY_SERVICE,
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": "2026-11-27T00:00:00+08:00",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return render.respond(fmt, "discovery", value)


@open311_view()
def services(request, fmt, api_key):
    return render.respond(fmt, "services", [service_as_dict(c) for c in service_categories()])


@open311_view()
def service(request, fmt, api_key, code):
    category = service_for_code(code)
    if category is None:
        raise ApiError(404, _("service_code: no such service."))
    return render.respond(fmt, "service_definition", service_definition(category))


@open311_view(methods=("GET", "POST"))
def requests(request, fmt, api_key):
    if request.method == "POST":
        return _request_create(request, fmt, api_key)
    references = _csv(request, "service_request_id")
    if len(references) > MAX_IDS:
        raise ApiError(400, _("service_request_id: at most 50 ids at once."))
    categories = None
    codes = _csv(request, "service_code")
    if codes and not references:
        categories = [c for c in (service_for_code(code) for code in codes) if c is not None]
    statuses = [s.lower() for s in _csv(request, "status")]
    if any(s not in ("open", "closed") for s in statuses):
        raise ApiError(400, _("status: use open, closed or both."))
    start, end = _period(request) if not references else (None, None)
    reports = requests_search(
        api_key=api_key,
        references=references,
        categories=categories,
        start=start,
        end=end,
        statuses=statuses,
    )
    return render.respond(fmt, "service_requests", [request_as_dict(r) for r in reports])


def _request_create(request, fmt, api_key):
    if api_key is None:
        raise ApiError(403, _("api_key: an API key is required to file a request."))
    code = request.POST.get("service_code", "").strip()
    if not code:
        raise ApiError(400, _("service_code: this parameter is required."))
    category = service_for_code(code)
    if category is None:
        raise ApiError(400, _("service_code: no such service."))
    try:
        filed = open311_request_submit(
            api_key=api_key,
            category=category,
            params=request.POST,
            client_request_id=request.headers.get("Idempotency-Key", "")[:100],
        )
    except RequestInvalid as exc:
        raise ApiError(400, *exc.messages) from exc
    result = filed.result
    notices = []
    if result.access_code:
        notices.append(
            _("Reference %(reference)s, access code %(code)s: keep both to follow the report.")
            % {"reference": result.report.reference, "code": result.access_code}
        )
    if filed.nearby:
        notices.append(
            _("Similar open reports nearby: %(references)s.")
            % {"references": ", ".join(filed.nearby)}
        )
    logger.info("open311: %s filed by key %s", result.report.reference, api_key.prefix)
    value = [
        {
            "service_request_id": result.report.reference,
            "service_notice": " ".join(notices),
            "account_id": request.POST.get("account_id", "")[:80],
        }
    ]
    return render.respond(fmt, "service_requests", value, status=201 if result.created else 200)


@open311_view()
def request_detail(request, fmt, api_key, reference):
    reports = requests_search(api_key=api_key, references=[reference.upper()])
    if not reports:
        raise ApiError(404, _("service_request_id: no such request."))
    return render.respond(fmt, "service_requests", [request_as_dict(reports[0])])


@open311_view()
def request_updates_list(request, fmt, api_key):
    references = _csv(request, "service_request_id")
    if len(references) > MAX_IDS:
        raise ApiError(400, _("service_request_id: at most 50 ids at once."))
    start, end = _period(request)
    updates = request_updates(api_key=api_key, references=references, start=start, end=end)
    return render.respond(fmt, "service_request_updates", updates)


def not_found(request, fmt="json", **kwargs) -> HttpResponse:
    return render.errors(fmt, 404, _("No such endpoint."))
