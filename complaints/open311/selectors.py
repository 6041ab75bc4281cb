"""Reads for the Open311 server: services, and requests as the public may see them."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from complaints.cases.workflow import PublicState, public_state
from complaints.intake.selectors import reports_public
from complaints.models import ApiKey, CaseEvent, Category, GridCell, Report, ReportState

DATATYPES = {"text": "string", "number": "number", "date": "datetime", "choice": "singlevaluelist"}
CLOSED_PUBLIC = (PublicState.CLOSED, PublicState.REJECTED)
# GeoReport v2: "the 1000 most recent requests" by default; our page/page_size extension pages
# through more, never more than this many at once.
PAGE_SIZE = 1000
UPDATES_LIMIT = 1000


@dataclass(frozen=True)
class RequestsPage:
    reports: list[Report]
    has_next: bool


def service_categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("kind", "code")


def service_for_code(code: str) -> Category | None:
    """The active category whose kind-qualified code (E0102, C0101) is ``code``."""
    if len(code) != 5 or code[0] not in "EC" or not code[1:].isdigit():
        return None
    kind = "event" if code[0] == "E" else "component"
    return service_categories().filter(kind=kind, code=code[1:]).first()


def discovery_contact(*, site) -> tuple[str, str]:
    """(contact, key_service) for discovery, from the site's portal settings.

    The portal's own details (district, bureau, hotline, address: Settings → Portal settings in
    the admin) or, before anyone saved them, their defaults. The settings model belongs to the
    cms app, which imports this package: it is looked up by name, never imported.
    """
    try:
        model = apps.get_model("cms", "PortalSettings")
    except LookupError:
        model = None
    portal = model.objects.filter(site=site).first() if model and site else None
    if portal is None and model is not None:
        portal = model()  # unsaved: the defaults every new site starts with
    organisation = (
        f"{portal.district_name}{portal.bureau_name}" if portal else settings.WAGTAIL_SITE_NAME
    )
    hotline = portal.hotline.strip() if portal else ""
    address = portal.address.strip() if portal else ""
    parts = [organisation]
    if hotline:
        parts.append(_("hotline %(hotline)s") % {"hotline": hotline})
    if address:
        parts.append(address)
    if hotline:
        key_service = _(
            "API keys are issued to partner channels by %(organisation)s: call %(hotline)s to "
            "ask for one. Send the key in the X-Api-Key header."
        ) % {"organisation": organisation, "hotline": hotline}
    else:
        key_service = _(
            "API keys are issued to partner channels by %(organisation)s. Send the key in the "
            "X-Api-Key header."
        ) % {"organisation": organisation}
    return " · ".join(parts), key_service


def grid_cell_for_address_id(*, address_id: str) -> GridCell | None:
    """The grid cell an Open311 ``address_id`` names: our address ids are grid cell codes."""
    return GridCell.objects.select_related("community__town").filter(code=address_id).first()


def _service_name(category: Category) -> str:
    if (get_language() or "").startswith("en") and category.name_en:
        return category.name_en
    return category.name


def service_as_dict(category: Category) -> dict:
    return {
        "service_code": category.full_code,
        "service_name": _service_name(category),
        "description": category.hint,
        "metadata": bool(category.extra_questions),
        "type": "realtime",
        "keywords": category.get_kind_display(),
        "group": category.major_name,
    }


def service_definition(category: Category) -> dict:
    """The category's extra questions as Open311 attributes (``attribute[key]`` on POST)."""
    attributes = []
    for order, question in enumerate(category.extra_questions or [], start=1):
        attribute = {
            "variable": True,
            "code": question["key"],
            "datatype": DATATYPES.get(question["type"], "string"),
            "required": bool(question.get("required")),
            "datatype_description": question.get("help", ""),
            "order": order,
            "description": question["label"],
        }
        if question["type"] == "choice":
            attribute["values"] = [{"key": c, "name": c} for c in question["choices"]]
        attributes.append(attribute)
    return {"service_code": category.full_code, "attributes": attributes}


def open311_status(state: str) -> str:
    return "closed" if public_state(state) in CLOSED_PUBLIC else "open"


def requests_visible(*, api_key: ApiKey | None = None) -> QuerySet[Report]:
    """What GET may show: public reports, plus the reports the calling key filed itself."""
    visible = Q(pk__in=reports_public().values("pk"))
    if api_key is not None:
        visible |= Q(api_submission__api_key=api_key)
    return Report.objects.filter(visible).select_related(
        "category", "department", "town", "community", "grid_cell"
    )


def requests_by_reference(*, api_key: ApiKey | None, references: Iterable[str]) -> list[Report]:
    """GET requests by ``service_request_id``: references match whatever their letter case."""
    references = {r.strip().upper() for r in references}
    return list(
        requests_visible(api_key=api_key)
        .filter(reference__in=references)
        .order_by("-created_at", "-pk")
    )


def requests_search(
    *,
    api_key: ApiKey | None,
    categories: Iterable[Category] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    statuses: Iterable[str] = (),
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> RequestsPage:
    """GET requests by code, period and status, newest first, one page (one query) at a time.

    Reads one row more than the page holds, to tell whether a next page exists without a count.
    """
    reports = requests_visible(api_key=api_key)
    if categories is not None:
        reports = reports.filter(category__in=list(categories))
    if start is not None:
        reports = reports.filter(created_at__gte=start)
    if end is not None:
        reports = reports.filter(created_at__lte=end)
    statuses = set(statuses)
    if statuses and statuses != {"open", "closed"}:
        closed = [s.value for s in ReportState if public_state(s) in CLOSED_PUBLIC]
        reports = (
            reports.filter(state__in=closed)
            if statuses == {"closed"}
            else reports.exclude(state__in=closed)
        )
    offset = (page - 1) * page_size
    found = list(reports.order_by("-created_at", "-pk")[offset : offset + page_size + 1])
    return RequestsPage(reports=found[:page_size], has_next=len(found) > page_size)


def request_as_dict(report: Report) -> dict:
    """A report as an Open311 request: no contact, no free text, the place rounded to the cell."""
    place = [p.name for p in (report.town, report.community, report.grid_cell) if p is not None]
    centre = report.grid_cell.centre if report.grid_cell is not None else None
    shown = public_state(report.state)
    return {
        "service_request_id": report.reference,
        "status": open311_status(report.state),
        "status_notes": str(shown.label),
        "service_name": _service_name(report.category),
        "service_code": report.category.full_code,
        "description": "",
        "agency_responsible": report.department.name if report.department else "",
        "service_notice": "",
        "requested_datetime": report.created_at,
        "updated_datetime": report.updated_at,
        "expected_datetime": report.deadline,
        "address": " · ".join(place),
        "address_id": report.grid_cell.code if report.grid_cell else "",
        "zipcode": "",
        "lat": round(centre[0], 6) if centre else "",
        "long": round(centre[1], 6) if centre else "",
        "media_url": "",
    }


def request_updates(
    *,
    api_key: ApiKey | None,
    references: Iterable[str] = (),
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[dict]:
    """The servicerequestupdates extension: public state changes of visible requests."""
    events = (
        CaseEvent.objects.filter(
            report__in=requests_visible(api_key=api_key),
            is_public=True,
            kind__in=[CaseEvent.Kind.SUBMITTED, CaseEvent.Kind.STATE_CHANGED],
        )
        .select_related("report")
        .order_by("created_at", "pk")
    )
    references = {r.strip().upper() for r in references}
    if references:
        events = events.filter(report__reference__in=references)
    if start is not None:
        events = events.filter(created_at__gte=start)
    if end is not None:
        events = events.filter(created_at__lte=end)
    updates = []
    for event in events[:UPDATES_LIMIT]:
        state = event.to_state or ReportState.RECEIVED
        updates.append(
            {
                "update_id": str(event.pk),
                "service_request_id": event.report.reference,
                "status": open311_status(state),
                "updated_datetime": event.created_at,
                "description": str(public_state(state).label),
                "media_url": "",
            }
        )
    return updates
