"""Importing inspection objects from GeoJSON or CSV (docs/inspections.md "Import"), all or
nothing, like the grid import.

Each feature or row names an object by a stable ``code``: importing the same file again updates
the objects it made (an object typed in the admin without a code, of the same kind and name, is
taken over and given the code). Every row is checked first, and every bad row is reported in
the active language (unknown kind, grade, town or unit, bad geometry, a geometry outside its
town's grid cells, a code given twice); nothing is saved unless all rows are good.

Columns (GeoJSON: the feature's properties; its geometry is the object's): ``code``, ``kind``
(a key such as ``market`` or its Chinese name such as 菜市场), ``name``, ``grade`` (1, 2, 3 or
一级…三级), ``town`` (code or name), ``unit`` (the responsible department's key or name),
optional ``active``. A CSV gives the geometry as GeoJSON in ``geometry``, or a point in
``longitude`` and ``latitude``.
"""

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from complaints.models import Department, GridCell, Town
from inspections.fieldwork import point_in_polygon
from inspections.geometry import geometry_problem
from inspections.models import Grade, InspectionObject, ObjectKind

REQUIRED = ("code", "kind", "name", "grade", "town", "unit")
LIMITS = {"code": 40, "name": 120}
CODE_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
TRUE_WORDS = {"1", "true", "yes", "y", "是"}
FALSE_WORDS = {"0", "false", "no", "n", "否"}
# What import files call the kinds and grades, beside their keys (lower case).
KIND_NAMES = {
    "road segment": ObjectKind.ROAD_SEGMENT,
    "道路": ObjectKind.ROAD_SEGMENT,
    "路段": ObjectKind.ROAD_SEGMENT,
    "道路路段": ObjectKind.ROAD_SEGMENT,
    "back alley": ObjectKind.BACK_ALLEY,
    "背街小巷": ObjectKind.BACK_ALLEY,
    "market": ObjectKind.MARKET,
    "菜市场": ObjectKind.MARKET,
    "农贸市场": ObjectKind.MARKET,
    "public toilet": ObjectKind.PUBLIC_TOILET,
    "公厕": ObjectKind.PUBLIC_TOILET,
    "公共厕所": ObjectKind.PUBLIC_TOILET,
    "refuse collection point": ObjectKind.REFUSE_POINT,
    "垃圾收集点": ObjectKind.REFUSE_POINT,
    "park": ObjectKind.PARK,
    "公园": ObjectKind.PARK,
    "bin-cleaning point": ObjectKind.BIN_CLEANING_POINT,
    "垃圾桶清洗点": ObjectKind.BIN_CLEANING_POINT,
}
GRADE_NAMES = {
    "一级": Grade.FIRST,
    "一": Grade.FIRST,
    "grade 1": Grade.FIRST,
    "二级": Grade.SECOND,
    "二": Grade.SECOND,
    "grade 2": Grade.SECOND,
    "三级": Grade.THIRD,
    "三": Grade.THIRD,
    "grade 3": Grade.THIRD,
}


class ObjectImportError(Exception):
    """The file has bad rows; ``errors`` lists one message per fault. Nothing was saved."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class PlannedObject:
    """What one row will do: create or update (or leave as it is) one object."""

    label: str
    action: str  # "create", "update" or "unchanged"
    code: str
    kind: str
    name: str
    grade: str
    town: Town
    unit: Department
    geometry: str
    active: bool
    instance: InspectionObject | None = None
    changes: list[str] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return str(ObjectKind(self.kind).label)

    @property
    def grade_label(self) -> str:
        return str(Grade(self.grade).label)

    @property
    def geometry_type(self) -> str:
        return json.loads(self.geometry).get("type", "") if self.geometry else ""


@dataclass
class ImportPlan:
    rows: list[PlannedObject]

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")


# --- Reading -----------------------------------------------------------------------------------


def object_rows_from_text(*, text: str, filename: str) -> list[tuple[str, dict]]:
    """(row label, properties) per feature or CSV row; the geometry under "geometry" (a dict,
    None, or the string "invalid" when a CSV cell is not JSON)."""
    suffix = Path(filename).suffix.lower()
    if suffix in (".geojson", ".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ObjectImportError(
                [_("%(file)s is not valid JSON: %(error)s") % {"file": filename, "error": exc}]
            ) from exc
        if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
            raise ObjectImportError(
                [_("%(file)s is not a GeoJSON FeatureCollection.") % {"file": filename}]
            )
        rows = []
        for number, feature in enumerate(data.get("features") or [], start=1):
            feature = feature if isinstance(feature, dict) else {}
            properties = feature.get("properties")
            properties = dict(properties) if isinstance(properties, dict) else {}
            properties["geometry"] = feature.get("geometry")
            rows.append((_("feature %(n)s") % {"n": number}, properties))
        return rows
    if suffix == ".csv":
        reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise ObjectImportError(
                [
                    _("%(file)s lacks the columns: %(columns)s")
                    % {"file": filename, "columns": ", ".join(missing)}
                ]
            )
        rows = []
        for number, row in enumerate(reader, start=2):
            row = {key: value for key, value in row.items() if key is not None}
            rows.append((_("line %(n)s") % {"n": number}, {**row, "geometry": _csv_geometry(row)}))
        return rows
    raise ObjectImportError(
        [_("Give a .geojson, .json or .csv file, not %(file)s.") % {"file": filename}]
    )


def _csv_geometry(row: dict):
    text = (row.get("geometry") or "").strip()
    if text:
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return "invalid"
    longitude, latitude = ((row.get(c) or "").strip() for c in ("longitude", "latitude"))
    if not longitude and not latitude:
        return None
    try:
        return {"type": "Point", "coordinates": [float(longitude), float(latitude)]}
    except ValueError:
        return "invalid-point"


def object_rows_from_file(*, path: Path) -> list[tuple[str, dict]]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ObjectImportError([_("%(file)s is not UTF-8 text.") % {"file": path.name}]) from exc
    return object_rows_from_text(text=text, filename=path.name)


# --- Checking ----------------------------------------------------------------------------------


def geometry_positions(geometry: dict) -> list[tuple[float, float]]:
    """(longitude, latitude) of every vertex (of polygons, the outer rings')."""
    kind, coordinates = geometry["type"], geometry["coordinates"]
    if kind == "Point":
        return [tuple(coordinates[:2])]
    if kind in ("MultiPoint", "LineString"):
        return [tuple(p[:2]) for p in coordinates]
    if kind == "MultiLineString":
        return [tuple(p[:2]) for line in coordinates for p in line]
    if kind == "Polygon":
        return [tuple(p[:2]) for p in coordinates[0]]
    return [tuple(p[:2]) for polygon in coordinates for p in polygon[0]]


def geometry_inside_town(geometry: dict, cells: list[dict]) -> bool:
    """Whether every vertex lies in one of the town's cells (True when it has none drawn)."""
    if not cells:
        return True
    return all(
        any(point_in_polygon(cell, longitude=lng, latitude=lat) for cell in cells)
        for lng, lat in geometry_positions(geometry)
    )


def _text(row: dict, column: str) -> str:
    value = row.get(column)
    return "" if value is None else str(value).strip()


def _flag(value) -> bool | None:
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value).strip().lower()
    if text == "" or text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return None


class _Lookups:
    """Kinds, grades, towns and units by every name a file may use."""

    def __init__(self):
        self.kinds = {value: value for value in ObjectKind.values} | KIND_NAMES
        self.grades = {value: value for value in Grade.values} | GRADE_NAMES
        self.towns: dict[str, Town] = {}
        for town in Town.objects.all():
            self.towns[town.code] = town
            self.towns[town.name] = town
        self.units: dict[str, Department] = {}
        names: dict[str, list[Department]] = {}
        for department in Department.objects.all():
            self.units[department.key] = department
            names.setdefault(department.name, []).append(department)
        for name, departments in names.items():
            if len(departments) == 1:  # a name two departments share names neither
                self.units.setdefault(name, departments[0])
        self.cells: dict[int, list[dict]] = {}
        for town_id, polygon in GridCell.objects.filter(polygon__isnull=False).values_list(
            "community__town_id", "polygon"
        ):
            if polygon:
                self.cells.setdefault(town_id, []).append(polygon)


def object_import_plan(*, rows: list[tuple[str, dict]]) -> ImportPlan:
    """What importing ``rows`` would do; ObjectImportError listing every fault otherwise."""
    lookups = _Lookups()
    existing = {obj.code: obj for obj in InspectionObject.objects.exclude(code="")}
    by_name = {(obj.kind, obj.name): obj for obj in InspectionObject.objects.all()}
    errors: list[str] = []
    planned: list[PlannedObject] = []
    codes: set[str] = set()
    names: set[tuple[str, str]] = set()
    for label, row in rows:
        row_errors: list[str] = []
        for column in REQUIRED:
            if not _text(row, column):
                row_errors.append(
                    _("%(row)s: %(column)s is missing.") % {"row": label, "column": column}
                )
        for column, limit in LIMITS.items():
            if len(_text(row, column)) > limit:
                row_errors.append(
                    _("%(row)s: %(column)s is longer than %(limit)s characters.")
                    % {"row": label, "column": column, "limit": limit}
                )
        code, name = _text(row, "code"), _text(row, "name")
        if code and not CODE_RE.match(code):
            row_errors.append(
                _("%(row)s: code %(code)s may hold only letters, digits, '-', '_' and '.'.")
                % {"row": label, "code": code}
            )
        elif code in codes:
            row_errors.append(
                _("%(row)s: code %(code)s appears twice.") % {"row": label, "code": code}
            )
        codes.add(code)
        kind = lookups.kinds.get(_text(row, "kind").lower()) if _text(row, "kind") else None
        if _text(row, "kind") and kind is None:
            row_errors.append(
                _("%(row)s: unknown kind %(value)s.") % {"row": label, "value": _text(row, "kind")}
            )
        grade = lookups.grades.get(_text(row, "grade").lower()) if _text(row, "grade") else None
        if _text(row, "grade") and grade is None:
            row_errors.append(
                _("%(row)s: unknown grade %(value)s (give 1, 2 or 3).")
                % {"row": label, "value": _text(row, "grade")}
            )
        town = lookups.towns.get(_text(row, "town"))
        if _text(row, "town") and town is None:
            row_errors.append(
                _("%(row)s: unknown town %(value)s.") % {"row": label, "value": _text(row, "town")}
            )
        unit = lookups.units.get(_text(row, "unit"))
        if _text(row, "unit") and unit is None:
            row_errors.append(
                _("%(row)s: unknown responsible unit %(value)s.")
                % {"row": label, "value": _text(row, "unit")}
            )
        active = _flag(row.get("active"))
        if active is None:
            row_errors.append(
                _("%(row)s: active must be yes or no, not %(value)s.")
                % {"row": label, "value": _text(row, "active")}
            )
        geometry = row.get("geometry")
        if geometry == "invalid":
            row_errors.append(_("%(row)s: bad geometry: it is not valid JSON.") % {"row": label})
            geometry = None
        elif geometry == "invalid-point":
            row_errors.append(
                _(
                    "%(row)s: bad geometry: longitude %(longitude)s and latitude %(latitude)s must "
                    "be numbers."
                )
                % {
                    "row": label,
                    "longitude": _text(row, "longitude"),
                    "latitude": _text(row, "latitude"),
                }
            )
            geometry = None
        elif geometry is not None:
            problem = geometry_problem(geometry)
            if problem:
                row_errors.append(
                    _("%(row)s: bad geometry: %(problem)s") % {"row": label, "problem": problem}
                )
                geometry = None
            elif town is not None and not geometry_inside_town(
                geometry, lookups.cells.get(town.pk, [])
            ):
                row_errors.append(
                    _("%(row)s: the geometry lies outside the grid cells of %(town)s.")
                    % {"row": label, "town": town.name}
                )
        if kind and name:
            if (kind, name) in names:
                row_errors.append(
                    _("%(row)s: a %(kind)s named %(name)s appears twice.")
                    % {"row": label, "kind": ObjectKind(kind).label, "name": name}
                )
            names.add((kind, name))
        instance = existing.get(code)
        if instance is None and kind and name:
            namesake = by_name.get((kind, name))
            if namesake is not None and namesake.code and namesake.code != code:
                row_errors.append(
                    _("%(row)s: the %(kind)s %(name)s already has the code %(code)s.")
                    % {
                        "row": label,
                        "kind": ObjectKind(kind).label,
                        "name": name,
                        "code": namesake.code,
                    }
                )
            elif namesake is not None:
                instance = namesake  # typed in without a code: taken over
        elif instance is not None and kind and name:
            namesake = by_name.get((kind, name))
            if namesake is not None and namesake.pk != instance.pk:
                row_errors.append(
                    _("%(row)s: another %(kind)s is already named %(name)s.")
                    % {"row": label, "kind": ObjectKind(kind).label, "name": name}
                )
        errors.extend(row_errors)
        if row_errors or not (kind and grade and town and unit) or active is None:
            continue
        geometry_text = json.dumps(geometry, ensure_ascii=False) if geometry else ""
        planned.append(
            _planned(label, code, kind, name, grade, town, unit, geometry_text, active, instance)
        )
    if not rows:
        errors.append(_("The file holds no rows."))
    if errors:
        raise ObjectImportError(errors)
    return ImportPlan(rows=planned)


def _planned(label, code, kind, name, grade, town, unit, geometry, active, instance):
    row = PlannedObject(
        label=label,
        action="create",
        code=code,
        kind=kind,
        name=name,
        grade=grade,
        town=town,
        unit=unit,
        geometry=geometry,
        active=active,
        instance=instance,
    )
    if instance is None:
        return row
    wanted = {
        "code": code,
        "kind": kind,
        "name": name,
        "grade": grade,
        "town_id": town.pk,
        "responsible_unit_id": unit.pk,
        "active": active,
    }
    if geometry:  # a row without geometry leaves the object's as it is
        wanted["geometry"] = geometry
    fields = {
        "code": _("code"),
        "kind": _("kind"),
        "name": _("name"),
        "grade": _("grade"),
        "town_id": _("town"),
        "responsible_unit_id": _("responsible unit"),
        "active": _("active"),
        "geometry": _("geometry"),
    }
    row.changes = [
        fields[attr] for attr, value in wanted.items() if getattr(instance, attr) != value
    ]
    row.action = "update" if row.changes else "unchanged"
    return row


def object_import(*, rows: list[tuple[str, dict]], dry_run: bool = False) -> ImportPlan:
    """Create or update the objects of ``rows``, all or none (nothing with ``dry_run``)."""
    plan = object_import_plan(rows=rows)
    if dry_run:
        return plan
    with transaction.atomic():
        for row in plan.rows:
            if row.action == "unchanged":
                continue
            obj = row.instance or InspectionObject()
            obj.code, obj.kind, obj.name, obj.grade = row.code, row.kind, row.name, row.grade
            obj.town, obj.responsible_unit, obj.active = row.town, row.unit, row.active
            if row.geometry:
                obj.geometry = row.geometry
            obj.save()
            row.instance = obj
    return plan
