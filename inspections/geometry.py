"""What geometry an inspection object may have: a GeoJSON Point, LineString or Polygon (or a
Multi- of them) in WGS84, with positions as [longitude, latitude]. Used by the import
(inspections/importing.py) and the model's field validator, so the admin's form and an import
accept the same geometries. No imports from the app: models.py uses it."""

from django.utils.translation import gettext as _

# Geometry types an object may have, and how deep their coordinates nest.
GEOMETRY_DEPTH = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}


def geometry_problem(geometry) -> str | None:
    """Why ``geometry`` is not a usable WGS84 Point, LineString or Polygon (or Multi-), or
    None when it is."""
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_DEPTH:
        return _("it must be a GeoJSON Point, LineString or Polygon (or a Multi- of them).")
    kind = geometry["type"]
    coordinates = geometry.get("coordinates")

    def position_problem(position) -> str | None:
        if (
            not isinstance(position, list | tuple)
            or len(position) < 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position[:2])
        ):
            return _("a position must be [longitude, latitude].")
        lng, lat = position[:2]
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            return _("position %(position)s is not a WGS84 longitude/latitude.") % {
                "position": f"[{lng}, {lat}]"
            }
        return None

    def nested(value, depth: int) -> list:
        """The lists ``depth`` levels down (depth 0: the value itself)."""
        if depth == 0:
            return [value]
        if not isinstance(value, list) or not value:
            raise ValueError
        return [inner for item in value for inner in nested(item, depth - 1)]

    depth = GEOMETRY_DEPTH[kind]
    try:
        if kind in ("Point", "MultiPoint"):
            positions = nested(coordinates, depth)
            lines: list = []
        else:
            lines = nested(coordinates, depth - 1)
            positions = [p for line in lines for p in (line if isinstance(line, list) else [])]
            if not all(isinstance(line, list) for line in lines):
                raise ValueError
    except ValueError:
        return _("its coordinates are empty or wrongly nested.")
    for position in positions:
        problem = position_problem(position)
        if problem:
            return problem
    for line in lines:
        if kind in ("LineString", "MultiLineString") and len(line) < 2:
            return _("a line needs at least two positions.")
        if kind in ("Polygon", "MultiPolygon"):
            if len(line) < 4:
                return _("a ring needs at least four positions.")
            if list(line[0][:2]) != list(line[-1][:2]):
                return _("a ring must end where it starts.")
    return None
