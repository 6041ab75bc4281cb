"""Plane geometry on WGS84 coordinates, enough for grid cells of a few hundred metres.

No GIS library: cells are small, so a ray-casting test on lon/lat and the haversine distance are
exact enough, and the embedded default keeps working without SpatiaLite or PostGIS.
"""

import math

from django.utils.translation import gettext as _

EARTH_RADIUS_M = 6_371_000


class GeometryError(ValueError):
    pass


def _rings(geometry: dict) -> list[list[list[list[float]]]]:
    """The polygons of a geometry, each a list of rings (outer first, then holes)."""
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind == "Polygon":
        return [geometry.get("coordinates")]
    if kind == "MultiPolygon":
        return list(geometry.get("coordinates") or [])
    raise GeometryError(_("The boundary must be a GeoJSON Polygon or MultiPolygon."))


def validate_geometry(geometry: dict) -> None:
    """Raise GeometryError unless ``geometry`` is a usable WGS84 Polygon or MultiPolygon."""
    polygons = _rings(geometry)
    if not polygons:
        raise GeometryError(_("The boundary has no polygon."))
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise GeometryError(_("A polygon needs at least one ring."))
        for ring in polygon:
            if not isinstance(ring, list) or len(ring) < 4:
                raise GeometryError(_("A ring needs at least four positions."))
            for position in ring:
                if (
                    not isinstance(position, list | tuple)
                    or len(position) < 2
                    or not all(isinstance(v, int | float) for v in position[:2])
                ):
                    raise GeometryError(_("A position must be [longitude, latitude]."))
                lng, lat = position[:2]
                if not (-180 <= lng <= 180 and -90 <= lat <= 90):
                    raise GeometryError(
                        _("Position %(position)s is not a WGS84 longitude/latitude.")
                        % {"position": f"[{lng}, {lat}]"}
                    )
            if list(ring[0][:2]) != list(ring[-1][:2]):
                raise GeometryError(_("A ring must end where it starts."))


def polygon_bbox(geometry: dict) -> tuple[float, float, float, float]:
    """(min_lng, min_lat, max_lng, max_lat) of a Polygon or MultiPolygon."""
    positions = [p for polygon in _rings(geometry) for ring in polygon for p in ring]
    lngs = [p[0] for p in positions]
    lats = [p[1] for p in positions]
    return min(lngs), min(lats), max(lngs), max(lats)


def _in_ring(lng: float, lat: float, ring) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lng < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def point_in_geometry(*, lat: float, lng: float, geometry: dict) -> bool:
    """Whether the point lies inside the geometry (holes excluded)."""
    for polygon in _rings(geometry):
        outer, holes = polygon[0], polygon[1:]
        if _in_ring(lng, lat, outer) and not any(_in_ring(lng, lat, h) for h in holes):
            return True
    return False


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def degrees_around(*, lat: float, metres: float) -> tuple[float, float]:
    """(dlat, dlng) spanning ``metres`` around latitude ``lat``: a bounding-box prefilter."""
    dlat = metres / 111_320
    dlng = metres / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    return dlat, dlng
