"""The JSON behind the maps of the report form and the public list (static/js/report-map.js).

- ``grid_geojson``: the district's grid cells as a GeoJSON FeatureCollection, each feature
  carrying its cell, community and town (id and name). The report form's map finds the cell of
  a tapped point in the browser with a point-in-polygon test on these features, so no endpoint
  resolves points: the form's own clean does that again on the server (PlaceFieldsForm).
- ``report_map_data``: the public list's reports, filtered like the list, as one marker per grid
  cell at the cell's centre: never more precise than the list, which names the cell.

Both are anonymous GETs kept by the page cache (``PORTAL_PAGE_CACHE_LIST_VIEWS``: one render per
minute, language and filter set) and by browsers and proxies for as long (``Cache-Control:
public``). Building the grid is one query (the demo's 54 cells: 36 KB).
"""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from complaints.cases.workflow import public_state
from complaints.intake.forms import ReportFilterForm
from complaints.intake.selectors import reports_public
from complaints.models import GridCell

# Markers are per cell, so the answer stays small; the newest reports fill each cell's popup.
MAP_REPORTS_LIMIT = 2000
POPUP_REPORTS_PER_CELL = 5
CENTRE_DECIMALS = 5


def grid_feature_collection() -> dict:
    features = []
    cells = GridCell.objects.filter(polygon__isnull=False).select_related("community__town")
    for cell in cells.order_by("code"):
        community = cell.community
        features.append(
            {
                "type": "Feature",
                "geometry": cell.polygon,
                "properties": {
                    "cell": cell.pk,
                    "cell_name": cell.name,
                    "community": community.pk,
                    "community_name": community.name,
                    "town": community.town_id,
                    "town_name": community.town.name,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


@require_GET
def grid_geojson(request):
    """The grid cells with their community and town, for drawing and for finding a cell."""
    return JsonResponse(grid_feature_collection(), content_type="application/geo+json")


@require_GET
def report_map_data(request):
    """The public list's reports (same filters) as one marker per grid cell, at its centre."""
    form = ReportFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    reports = reports_public(
        town_id=getattr(filters.get("town"), "pk", None),
        category_id=getattr(filters.get("category"), "pk", None),
        public_state=filters.get("state", ""),
    ).order_by("-created_at")[:MAP_REPORTS_LIMIT]
    cells: dict[int, dict] = {}
    unplaced = 0
    for report in reports:
        cell = report.grid_cell
        centre = cell.centre if cell else None
        if centre is None:
            unplaced += 1
            continue
        marker = cells.get(cell.pk)
        if marker is None:
            marker = cells[cell.pk] = {
                "lat": round(centre[0], CENTRE_DECIMALS),
                "lng": round(centre[1], CENTRE_DECIMALS),
                "place": " · ".join(
                    name
                    for name in (
                        report.town.name if report.town else "",
                        report.community.name if report.community else "",
                        cell.name,
                    )
                    if name
                ),
                "count": 0,
                "reports": [],
            }
        marker["count"] += 1
        if len(marker["reports"]) < POPUP_REPORTS_PER_CELL:
            marker["reports"].append(
                {
                    "reference": report.reference,
                    "category": report.category.name,
                    "state": str(public_state(report.state).label),
                    "received": report.created_at.date().isoformat(),
                }
            )
    return JsonResponse({"cells": list(cells.values()), "unplaced": unplaced})
