"""Importing towns, communities and grid cells (GeoJSON or CSV), all or nothing."""

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from complaints.models import Community, Department, GridCell, Town
from complaints.shared.geo import GeometryError, validate_geometry

REQUIRED = ("town_code", "town_name", "community_code", "community_name", "cell_code", "cell_name")
TRUE_WORDS = {"1", "true", "yes", "y", "是"}


class GridImportError(Exception):
    """The file has bad rows; ``errors`` lists one message per bad row. Nothing was saved."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class GridImportResult:
    towns: int = 0
    communities: int = 0
    cells: int = 0
    created: dict = field(default_factory=lambda: {"towns": 0, "communities": 0, "cells": 0})


def grid_rows_from_file(*, path: Path) -> list[tuple[str, dict]]:
    """(row label, properties) per feature or CSV row; the geometry under "polygon"."""
    path = Path(path)
    if path.suffix.lower() in (".geojson", ".json"):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise GridImportError(
                [_("%(file)s is not valid JSON: %(error)s") % {"file": path.name, "error": exc}]
            ) from exc
        if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
            raise GridImportError(
                [_("%(file)s is not a GeoJSON FeatureCollection.") % {"file": path.name}]
            )
        rows = []
        for number, feature in enumerate(data.get("features") or [], start=1):
            properties = dict((feature or {}).get("properties") or {})
            properties["polygon"] = (feature or {}).get("geometry")
            rows.append((_("feature %(n)s") % {"n": number}, properties))
        return rows
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
            if missing:
                raise GridImportError(
                    [
                        _("%(file)s lacks the columns: %(columns)s")
                        % {"file": path.name, "columns": ", ".join(missing)}
                    ]
                )
            rows = []
            for number, row in enumerate(reader, start=2):
                polygon = (row.get("polygon") or "").strip()
                if polygon:
                    try:
                        row["polygon"] = json.loads(polygon)
                    except json.JSONDecodeError:
                        row["polygon"] = "invalid"
                else:
                    row["polygon"] = None
                rows.append((_("line %(n)s") % {"n": number}, row))
            return rows
    raise GridImportError(
        [_("Give a .geojson, .json or .csv file, not %(file)s.") % {"file": path.name}]
    )


def _flag(value, *, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if value is None or str(value).strip() == "":
        return default
    return str(value).strip().lower() in TRUE_WORDS


def _check_row(label: str, row: dict, departments: dict[str, Department]) -> list[str]:
    errors = []
    for column in REQUIRED:
        if not str(row.get(column) or "").strip():
            errors.append(_("%(row)s: %(column)s is missing.") % {"row": label, "column": column})
    limits = {
        "town_code": 12,
        "community_code": 15,
        "cell_code": 20,
        "town_name": 60,
        "community_name": 60,
        "cell_name": 60,
    }
    for column, limit in limits.items():
        if len(str(row.get(column) or "")) > limit:
            errors.append(
                _("%(row)s: %(column)s is longer than %(limit)s characters.")
                % {"row": label, "column": column, "limit": limit}
            )
    town_code, community_code, cell_code = (
        str(row.get(c) or "").strip() for c in ("town_code", "community_code", "cell_code")
    )
    if town_code and community_code and not community_code.startswith(town_code):
        errors.append(
            _("%(row)s: community code %(code)s does not start with its town code.")
            % {"row": label, "code": community_code}
        )
    if community_code and cell_code and not cell_code.startswith(community_code):
        errors.append(
            _("%(row)s: cell code %(code)s does not start with its community code.")
            % {"row": label, "code": cell_code}
        )
    for code in (town_code, community_code, cell_code):
        if code and not code.isdigit():
            errors.append(
                _("%(row)s: code %(code)s must be digits only.") % {"row": label, "code": code}
            )
    department_key = str(row.get("department") or "").strip()
    if department_key and department_key not in departments:
        errors.append(
            _("%(row)s: unknown department %(key)s.") % {"row": label, "key": department_key}
        )
    polygon = row.get("polygon")
    if polygon == "invalid":
        errors.append(_("%(row)s: the polygon is not valid JSON.") % {"row": label})
    elif polygon:
        try:
            validate_geometry(polygon)
        except GeometryError as exc:
            errors.append(f"{label}: {exc}")
    return errors


def grid_import(*, rows: list[tuple[str, dict]]) -> GridImportResult:
    """Create or update towns, communities and cells from rows; all rows or none.

    Every row is checked first and every bad row reported (GridImportError); rows that name
    the same town or community with different names are reported too.
    """
    departments = {d.key: d for d in Department.objects.all()}
    errors: list[str] = []
    town_names: dict[str, str] = {}
    community_names: dict[str, str] = {}
    cell_codes: set[str] = set()
    for label, row in rows:
        row_errors = _check_row(label, row, departments)
        errors.extend(row_errors)
        if row_errors:
            continue
        town_code, community_code, cell_code = (
            str(row[c]).strip() for c in ("town_code", "community_code", "cell_code")
        )
        for seen, code, name in (
            (town_names, town_code, row["town_name"]),
            (community_names, community_code, row["community_name"]),
        ):
            if seen.setdefault(code, str(name).strip()) != str(name).strip():
                errors.append(
                    _("%(row)s: code %(code)s was given another name before.")
                    % {"row": label, "code": code}
                )
        if cell_code in cell_codes:
            errors.append(
                _("%(row)s: cell %(code)s appears twice.") % {"row": label, "code": cell_code}
            )
        cell_codes.add(cell_code)
    if not rows:
        errors.append(_("The file holds no rows."))
    if errors:
        raise GridImportError(errors)

    result = GridImportResult()
    with transaction.atomic():
        towns: dict[str, Town] = {}
        communities: dict[str, Community] = {}
        for _label, row in rows:
            town_code = str(row["town_code"]).strip()
            if town_code not in towns:
                town, created = Town.objects.update_or_create(
                    code=town_code,
                    defaults={
                        "name": str(row["town_name"]).strip(),
                        "is_subdistrict": _flag(row.get("is_subdistrict"), default=True),
                    },
                )
                towns[town_code] = town
                result.created["towns"] += created
            community_code = str(row["community_code"]).strip()
            if community_code not in communities:
                community, created = Community.objects.update_or_create(
                    code=community_code,
                    defaults={
                        "town": towns[town_code],
                        "name": str(row["community_name"]).strip(),
                        "is_village": _flag(row.get("is_village"), default=False),
                    },
                )
                communities[community_code] = community
                result.created["communities"] += created
            cell = GridCell.objects.filter(code=str(row["cell_code"]).strip()).first() or GridCell(
                code=str(row["cell_code"]).strip()
            )
            result.created["cells"] += cell.pk is None
            cell.community = communities[community_code]
            cell.name = str(row["cell_name"]).strip()
            cell.polygon = row.get("polygon") or None
            department_key = str(row.get("department") or "").strip()
            cell.department = departments.get(department_key) if department_key else None
            cell.save()
        result.towns, result.communities, result.cells = len(towns), len(communities), len(rows)
    return result
