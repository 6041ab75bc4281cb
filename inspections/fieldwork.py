"""The inspector's phone: the device's time and position checked against the server's clock and
the object's geometry. What does not fit is flagged for the manager, never refused."""

import itertools
import json
import math
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from inspections.models import Flag, InspectionObject

# A device clock further off than this, or a position further from the object, is flagged.
TIME_TOLERANCE = timedelta(minutes=10)
DISTANCE_TOLERANCE_M = 300

EARTH_M_PER_DEGREE = 111_320.0


def _coordinates(geometry) -> tuple[list[tuple[float, float]], list[list[tuple[float, float]]]]:
    """(points, lines) of a GeoJSON object, as (lon, lat); polygons' rings are lines too."""
    points: list[tuple[float, float]] = []
    lines: list[list[tuple[float, float]]] = []
    if not isinstance(geometry, dict):
        return points, lines
    kind = geometry.get("type")
    coords = geometry.get("coordinates") or []
    if kind == "FeatureCollection":
        for feature in geometry.get("features") or []:
            p, ln = _coordinates(feature)
            points += p
            lines += ln
    elif kind == "Feature":
        return _coordinates(geometry.get("geometry"))
    elif kind == "GeometryCollection":
        for inner in geometry.get("geometries") or []:
            p, ln = _coordinates(inner)
            points += p
            lines += ln
    elif kind == "Point":
        points.append((float(coords[0]), float(coords[1])))
    elif kind == "MultiPoint":
        points += [(float(c[0]), float(c[1])) for c in coords]
    elif kind == "LineString":
        lines.append([(float(c[0]), float(c[1])) for c in coords])
    elif kind in ("MultiLineString", "Polygon"):
        lines += [[(float(c[0]), float(c[1])) for c in line] for line in coords]
    elif kind == "MultiPolygon":
        lines += [[(float(c[0]), float(c[1])) for c in ring] for poly in coords for ring in poly]
    return points, lines


def _inside(ring: list[tuple[float, float]], x: float, y: float) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def point_in_polygon(geometry, *, longitude: float, latitude: float) -> bool:
    """Whether the position lies inside a GeoJSON Polygon or MultiPolygon (holes excluded)."""
    if not isinstance(geometry, dict):
        return False
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
    for polygon in polygons:
        rings = [[(float(p[0]), float(p[1])) for p in ring] for ring in polygon]
        if (
            rings
            and _inside(rings[0], longitude, latitude)
            and not any(_inside(hole, longitude, latitude) for hole in rings[1:])
        ):
            return True
    return False


def distance_m(geometry_text: str, *, latitude: float, longitude: float) -> float | None:
    """Metres from the position to the object's geometry (0 inside a polygon); None when the
    object has no usable geometry. A local flat projection: good to a few metres in a town."""
    try:
        geometry = json.loads(geometry_text) if geometry_text else None
        points, lines = _coordinates(geometry)
    except (ValueError, TypeError, IndexError, KeyError):
        return None
    if not points and not lines:
        return None
    scale_x = EARTH_M_PER_DEGREE * math.cos(math.radians(latitude))

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (lon - longitude) * scale_x, (lat - latitude) * EARTH_M_PER_DEGREE

    best = math.inf
    for lon, lat in points:
        best = min(best, math.hypot(*project(lon, lat)))
    for line in lines:
        projected = [project(lon, lat) for lon, lat in line]
        if len(projected) > 2 and projected[0] == projected[-1] and _inside(projected, 0, 0):
            return 0.0
        for (x1, y1), (x2, y2) in itertools.pairwise(projected):
            dx, dy = x2 - x1, y2 - y1
            length = dx * dx + dy * dy
            t = 0.0 if length == 0 else max(0.0, min(1.0, -(x1 * dx + y1 * dy) / length))
            best = min(best, math.hypot(x1 + t * dx, y1 + t * dy))
        if len(projected) == 1:
            best = min(best, math.hypot(*projected[0]))
    return best


def device_flags(
    *,
    obj: InspectionObject,
    device_at: datetime | None,
    latitude: Decimal | None,
    longitude: Decimal | None,
    now: datetime | None = None,
) -> list[str]:
    """The flags of one start or finding: the device's clock off by more than TIME_TOLERANCE,
    its position more than DISTANCE_TOLERANCE_M from the object. Nothing sent, nothing flagged."""
    flags = []
    now = now or timezone.now()
    if device_at is not None and abs(device_at - now) > TIME_TOLERANCE:
        flags.append(Flag.TIME.value)
    if latitude is not None and longitude is not None:
        distance = distance_m(obj.geometry, latitude=float(latitude), longitude=float(longitude))
        if distance is not None and distance > DISTANCE_TOLERANCE_M:
            flags.append(Flag.POSITION.value)
    return flags
