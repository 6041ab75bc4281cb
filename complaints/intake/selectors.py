"""Reads on reports: tracking, duplicates nearby, the public list."""

from datetime import timedelta

from django.db.models import Case, Q, QuerySet, Value, When
from django.utils import timezone

from complaints.cases.workflow import internal_states_for
from complaints.models import (
    OPEN_STATES,
    Attachment,
    CaseEvent,
    Category,
    GridCell,
    Report,
    ReportKind,
    ReportState,
)
from complaints.privacy.codes import access_code_hash
from complaints.privacy.crypto import hashes_equal
from complaints.reference.selectors.geography import grid_cell_neighbour_ids
from complaints.shared.geo import degrees_around, distance_m

NEARBY_METRES = 250
NEARBY_MAX_AGE = timedelta(days=60)
NEARBY_LIMIT = 5


def report_for_tracking(*, reference: str, access_code: str) -> Report | None:
    """The complaint if the access code matches its reference; None otherwise (same for both).

    Informant reports are followed up with their receipt code alone (views_informants), never
    here: this page shows the public timeline and photos by reference.
    """
    report = (
        Report.objects.filter(reference=reference.strip().upper(), kind=ReportKind.COMPLAINT)
        .select_related("category", "town", "community", "grid_cell")
        .first()
    )
    expected = report.access_code_hash if report else "0" * 64
    # Compare even when the reference is unknown, so timing tells nothing.
    if hashes_equal(expected, access_code_hash(access_code)) and report is not None:
        return report
    return None


# While a rework request waits for a supervisor the case is still "closed" in the public
# state (filters, Open311), but the resident is told that the request is being reviewed.
def report_public_timeline(*, report: Report) -> QuerySet[CaseEvent]:
    return report.events.filter(is_public=True).exclude(kind=CaseEvent.Kind.NOTE, note="")


def report_public_photos(*, report: Report, include_evidence: bool) -> QuerySet[Attachment]:
    """Photos before and after the handling marked public; the reporter's own evidence only for
    the reporter. In the order the tracking page shows them: evidence, before, after."""
    condition = Q(
        kind__in=[Attachment.Kind.BEFORE_HANDLING, Attachment.Kind.HANDLING], is_public=True
    )
    if include_evidence:
        condition |= Q(kind=Attachment.Kind.EVIDENCE)
    order = Case(
        When(kind=Attachment.Kind.EVIDENCE, then=Value(0)),
        When(kind=Attachment.Kind.BEFORE_HANDLING, then=Value(1)),
        default=Value(2),
    )
    return report.attachments.filter(condition).order_by(order, "pk")


def reports_nearby_open(
    *,
    category: Category,
    grid_cell: GridCell | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> list[Report]:
    """Open reports of the same category in the same or a neighbouring cell or within 250 m.

    Only reports that may be shown publicly are ever suggested (and so may be supported): never
    an informant report (its existence, reference and place are not for the public), never a
    complaint whose reporter declined publication or whose category is not shown publicly.
    """
    base = reports_supportable().filter(
        category=category, created_at__gte=timezone.now() - NEARBY_MAX_AGE
    )
    found: dict[int, Report] = {}
    if grid_cell is not None:
        for report in base.filter(grid_cell_id__in=grid_cell_neighbour_ids(cell=grid_cell))[
            : NEARBY_LIMIT * 4
        ]:
            found[report.pk] = report
    if latitude is not None and longitude is not None:
        lat, lng = float(latitude), float(longitude)
        dlat, dlng = degrees_around(lat=lat, metres=NEARBY_METRES)
        for report in base.filter(
            latitude__range=(lat - dlat, lat + dlat), longitude__range=(lng - dlng, lng + dlng)
        )[: NEARBY_LIMIT * 4]:
            if (
                report.latitude is not None
                and report.longitude is not None
                and distance_m(lat, lng, float(report.latitude), float(report.longitude))
                <= NEARBY_METRES
            ):
                found[report.pk] = report
    return sorted(found.values(), key=lambda r: r.created_at, reverse=True)[:NEARBY_LIMIT]


def reports_supportable() -> QuerySet[Report]:
    """Reports a visitor may see suggested and add their voice to: open public complaints."""
    return Report.objects.filter(
        kind=ReportKind.COMPLAINT,
        is_public=True,
        category__public_allowed=True,
        state__in=OPEN_STATES,
    ).select_related("category", "town", "community", "grid_cell")


def reports_public(
    *, town_id: int | None = None, category_id: int | None = None, public_state: str = ""
) -> QuerySet[Report]:
    """Reports that may be shown: public, in a category that allows it, not rejected."""
    reports = (
        Report.objects.filter(is_public=True, category__public_allowed=True)
        .exclude(state__in=[ReportState.REJECTED, ReportState.DUPLICATE])
        .select_related("category", "town", "community", "grid_cell")
        .only(
            "reference",
            "state",
            "created_at",
            "updated_at",
            "supporter_count",
            "category__name",
            "category__code",
            "category__kind",
            "town__name",
            "community__name",
            "community__town_id",
            "grid_cell__name",
            "grid_cell__code",
            "grid_cell__min_lat",
            "grid_cell__max_lat",
            "grid_cell__min_lng",
            "grid_cell__max_lng",
        )
    )
    if town_id:
        reports = reports.filter(town_id=town_id)
    if category_id:
        reports = reports.filter(category_id=category_id)
    if public_state:
        reports = reports.filter(state__in=internal_states_for(public_state))
    return reports
