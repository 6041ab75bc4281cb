"""GeoReport v2 endpoints: thin views over complaints.open311 selectors and services.

Every error is the spec's error list in the requested format (400 bad input, 403 missing or
wrong api_key, 404 unknown service or request, 429 too many requests).

The API key may come in the ``X-Api-Key`` header (preferred: URLs end up in logs and
histories) or, as the specification has it, in the ``api_key`` parameter.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import is_ratelimited
from wagtail.models import Site

from complaints.open311 import render
from complaints.open311.forms import w3c_datetime_parse
from complaints.open311.keys import api_key_authenticate
from complaints.open311.selectors import (
    PAGE_SIZE,
    discovery_contact,
    request_as_dict,
    request_updates,
    requests_by_reference,
    requests_search,
    service_as_dict,
    service_categories,
    service_definition,
    service_for_code,
)
from complaints.open311.services import RequestInvalid, open311_request_submit
from complaints.shared.ratelimits import client_ip

logger = logging.getLogger(__name__)

MAX_RANGE = timedelta(days=90)
MAX_IDS = 50
MAX_PAGE = 100_000
KEY_HEADER = "X-Api-Key"


class ApiError(Exception):
    def __init__(self, status: int, *descriptions: str):
        super().__init__(*descriptions)
        self.status = status
        self.descriptions = descriptions


def _limited(request, *, api_key) -> bool:
    """Count the request: per key for a valid key; per client address otherwise.

    Requests with an unknown, wrong or inactive key count against their client address,
    in the same budget as anonymous requests: bad keys cannot buy more tries than none.
    """
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
    header_key = request.headers.get(KEY_HEADER, "").strip()
    param_key = params.get("api_key", "").strip()
    raw_key = header_key or param_key
    api_key = api_key_authenticate(key=raw_key) if raw_key else None
    # Counted before any refusal, so that a burst of bad keys ends in 429 like any other.
    if _limited(request, api_key=api_key):
        return render.errors(fmt, 429, _("Too many requests; please slow down and retry later."))
    if header_key and param_key and header_key != param_key:
        raise ApiError(
            400,
            _("api_key: the X-Api-Key header and the api_key parameter differ; send the key once."),
        )
    if raw_key and api_key is None:
        raise ApiError(403, _("api_key: this key is not valid."))
    return view(request, fmt=fmt, api_key=api_key, **kwargs)


def _csv(request, name: str) -> list[str]:
    return [v.strip() for v in request.GET.get(name, "").split(",") if v.strip()]


def _references(request) -> list[str]:
    """``service_request_id`` as a comma list, matched like ``requests/{id}``: any letter case."""
    references = [r.upper() for r in _csv(request, "service_request_id")]
    if len(references) > MAX_IDS:
        raise ApiError(400, _("service_request_id: at most 50 ids at once."))
    return references


def _date(request, name: str) -> datetime | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    value = w3c_datetime_parse(raw)
    if value is None:
        raise ApiError(
            400, _("%(name)s: use the W3C format, e.g. 2026-01-01T00:00:00Z.") % {"name": name}
        )
    return value


def _period(request) -> tuple[datetime, datetime]:
    start, end = _date(request, "start_date"), _date(request, "end_date")
    try:
        if end is None:
            end = start + MAX_RANGE if start is not None else timezone.now()
        if start is None:
            start = end - MAX_RANGE
    except OverflowError:
        raise ApiError(400, _("start_date: the period is outside the calendar.")) from None
    if start > end:
        raise ApiError(400, _("start_date: must not be after end_date."))
    if end - start > MAX_RANGE:
        raise ApiError(400, _("end_date: the period may span 90 days at most."))
    return start, end


def _positive(request, name: str, *, default: int, maximum: int) -> int:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= maximum:
        raise ApiError(
            400,
            _("%(name)s: a whole number from 1 to %(maximum)s.")
            % {"name": name, "maximum": maximum},
        )
    return int(raw)


@open311_view()
def discovery(request, fmt, api_key):
    base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt}))
    base = base.rsplit("/", 1)[0]
    contact, key_service = discovery_contact(site=Site.find_for_request(request))
    value = {
        "changeset": "2026-12-02T00:00:00+08:00",
        "contact": settings.OPEN311_CONTACT or contact,
        "key_service": settings.OPEN311_KEY_SERVICE or key_service,
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": "2026-12-02T00:00:00+08:00",
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
    references = _references(request)
    if references:
        # The ids override every other filter (GeoReport v2), paging included.
        reports = requests_by_reference(api_key=api_key, references=references)
        return render.respond(fmt, "service_requests", [request_as_dict(r) for r in reports])
    categories = None
    codes = _csv(request, "service_code")
    if codes:
        categories = [c for c in (service_for_code(code) for code in codes) if c is not None]
    statuses = [s.lower() for s in _csv(request, "status")]
    if any(s not in ("open", "closed") for s in statuses):
        raise ApiError(400, _("status: use open, closed or both."))
    page = _positive(request, "page", default=1, maximum=MAX_PAGE)
    page_size = _positive(request, "page_size", default=PAGE_SIZE, maximum=PAGE_SIZE)
    start, end = _period(request)
    found = requests_search(
        api_key=api_key,
        categories=categories,
        start=start,
        end=end,
        statuses=statuses,
        page=page,
        page_size=page_size,
    )
    response = render.respond(fmt, "service_requests", [request_as_dict(r) for r in found.reports])
    if found.has_next and page < MAX_PAGE:
        query = request.GET.copy()
        query.pop("api_key", None)  # a key never travels into a link we hand out
        query["page"] = str(page + 1)
        query["page_size"] = str(page_size)
        next_url = f"{request.build_absolute_uri(request.path)}?{query.urlencode()}"
        response["Link"] = f'<{next_url}>; rel="next"'
    return response


def _request_create(request, fmt, api_key):
    if api_key is None:
        raise ApiError(403, _("api_key: an API key is required to file a request."))
    code = request.POST.get("service_code", "").strip()
    if not code:
        raise ApiError(400, _("service_code: this parameter is required."))
    category = service_for_code(code)
    if category is None:
        # The same answer as GET services/{code}: the service does not exist.
        raise ApiError(404, _("service_code: no such service."))
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
    reports = requests_by_reference(api_key=api_key, references=[reference])
    if not reports:
        raise ApiError(404, _("service_request_id: no such request."))
    return render.respond(fmt, "service_requests", [request_as_dict(reports[0])])


@open311_view()
def request_updates_list(request, fmt, api_key):
    references = _references(request)
    start, end = _period(request)
    updates = request_updates(api_key=api_key, references=references, start=start, end=end)
    return render.respond(fmt, "service_request_updates", updates)


def not_found(request, fmt="json", **kwargs) -> HttpResponse:
    return render.errors(fmt, 404, _("No such endpoint."))
