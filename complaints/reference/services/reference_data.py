"""Loading the taxonomy and the demo geography; every loader can run again safely."""

import csv
import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from complaints.models import Category, Department, RewardRule
from complaints.reference.services.geography import (
    GridImportResult,
    grid_import,
    grid_rows_from_file,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEMO_CATEGORIES_CSV = DATA_DIR / "categories.csv"
DEMO_CATEGORY_QUESTIONS = DATA_DIR / "category_questions.json"
DEMO_GRID_GEOJSON = DATA_DIR / "demo_grid.geojson"

# The department keys used by categories.csv and their Chinese names.
DEPARTMENTS = {
    "sanitation": ("环卫所", "District sanitation office", Department.Level.DISTRICT),
    "municipal": ("市政所", "District municipal works office", Department.Level.DISTRICT),
    "greening": ("绿化所", "District greening office", Department.Level.DISTRICT),
    "town_enforcement": ("镇/街道城管中队", "Town enforcement team", Department.Level.TOWN),
    "district_enforcement": (
        "区城管执法局",
        "District urban management enforcement bureau",
        Department.Level.DISTRICT,
    ),
    "traffic_coordination": ("交通协管", "Traffic coordination office", Department.Level.DISTRICT),
}


def departments_load() -> dict[str, Department]:
    """Create the standard departments that are missing; existing names are left as edited.

    An English name is filled in only where the department has none yet.
    """
    departments = {}
    for key, (name, name_en, level) in DEPARTMENTS.items():
        department, _created = Department.objects.get_or_create(
            key=key, defaults={"name": name, "name_en": name_en, "level": level}
        )
        if not department.name_en:
            department.name_en = name_en
            department.save(update_fields=["name_en"])
        departments[key] = department
    return departments


def _yes(value: str) -> bool:
    return value.strip().lower() in {"yes", "true", "1", "是"}


@transaction.atomic
def categories_load_from_csv(
    *, path: Path = DEMO_CATEGORIES_CSV, questions_path: Path | None = None
) -> int:
    """Create or update the categories of a taxonomy CSV (see data/README.md); returns the count.

    Departments named in the CSV are created first. Hints and extra questions come from the
    JSON beside the CSV (``category_questions.json``, keyed like "event:0504") when present.
    """
    departments = departments_load()
    questions_path = questions_path or Path(path).with_name("category_questions.json")
    extras = (
        json.loads(questions_path.read_text(encoding="utf-8")) if questions_path.exists() else {}
    )
    count = 0
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            key = row["default_department"].strip()
            if key not in departments:
                departments[key], _created = Department.objects.get_or_create(
                    key=key, defaults={"name": key}
                )
            extra = extras.get(f"{row['kind']}:{row['code']}", {})
            defaults = {
                "major_code": row["major_code"],
                "major_name": row["major_name"],
                "major_name_en": row.get("major_name_en", ""),
                "name": row["name"],
                "name_en": row.get("name_en", ""),
                "default_department": departments[key],
                "time_limit": int(row["time_limit"]),
                "time_unit": row["time_unit"],
                "anonymous_allowed": _yes(row["anonymous_allowed"]),
                "public_allowed": _yes(row["public_allowed"]),
                "reward_eligible": _yes(row["reward_eligible"]),
            }
            if extra:
                defaults["hint"] = extra.get("hint", "")
                defaults["hint_en"] = extra.get("hint_en", "")
                defaults["extra_questions"] = extra.get("questions", [])
            category, _created = Category.objects.update_or_create(
                kind=row["kind"], code=row["code"], defaults=defaults
            )
            category.full_clean()
            count += 1
    return count


def demo_geography_load(*, path: Path = DEMO_GRID_GEOJSON) -> GridImportResult:
    """Load the demo district's towns, communities and grid cells (same path as import_grid)."""
    departments_load()
    return grid_import(rows=grid_rows_from_file(path=path))


# ``fixed:500 yuan`` or ``per_unit:1 yuan/m2 min 20 max 500`` (the reward_rule column).
REWARD_RULE_RE = re.compile(
    r"^(?P<kind>fixed|per_unit):\s*(?P<amount>\d+(?:\.\d+)?)\s*yuan"
    r"(?:/(?P<unit>\S+))?(?:\s+min\s+(?P<min>\d+(?:\.\d+)?))?(?:\s+max\s+(?P<max>\d+(?:\.\d+)?))?$"
)
UNITS = {"m2": "m²", "m3": "m³"}
DEMO_EVIDENCE_NOTE = "近景、远景照片各一张，注明发现时间和准确位置"
DEMO_EVIDENCE_NOTE_PER_UNIT = "近景、远景照片各一张，注明发现时间、准确位置和估算面积"
DEMO_EVIDENCE_NOTE_EN = "A close-up and a wide photo, with the time you saw it and the exact place"
DEMO_EVIDENCE_NOTE_PER_UNIT_EN = (
    "A close-up and a wide photo, with the time you saw it, the exact place and the estimated area"
)


def reward_rule_parse(text: str) -> dict:
    """The RewardRule fields a ``reward_rule`` cell describes; ValueError when malformed."""
    match = REWARD_RULE_RE.match(text.strip())
    if match is None:
        raise ValueError(f"not a reward rule: {text!r}")
    kind = match["kind"]
    if (kind == RewardRule.AmountKind.PER_UNIT) != bool(match["unit"]):
        raise ValueError(f"a per-unit rule names its unit, a fixed one does not: {text!r}")
    return {
        "amount_kind": kind,
        "amount": Decimal(match["amount"]),
        "unit": UNITS.get(match["unit"] or "", match["unit"] or ""),
        "minimum_amount": Decimal(match["min"]) if match["min"] else None,
        "maximum_amount": Decimal(match["max"]) if match["max"] else None,
    }


@transaction.atomic
def reward_rules_load_from_csv(*, path: Path = DEMO_CATEGORIES_CSV, year: int | None = None) -> int:
    """Create the reward rules of the CSV's ``reward_rule`` column, effective 1 January.

    Only for categories that exist and have no reward rule yet: rules edited (or versioned) in
    the admin are left alone, so running it again changes nothing. Returns how many it created.
    """
    effective_from = date(year or timezone.localdate().year, 1, 1)
    created = 0
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            text = (row.get("reward_rule") or "").strip()
            if not text:
                continue
            category = Category.objects.filter(kind=row["kind"], code=row["code"]).first()
            if category is None or category.reward_rules.exists():
                continue
            fields = reward_rule_parse(text)
            per_unit = fields["amount_kind"] == RewardRule.AmountKind.PER_UNIT
            rule = RewardRule(
                category=category,
                effective_from=effective_from,
                evidence_note=DEMO_EVIDENCE_NOTE_PER_UNIT if per_unit else DEMO_EVIDENCE_NOTE,
                evidence_note_en=DEMO_EVIDENCE_NOTE_PER_UNIT_EN
                if per_unit
                else DEMO_EVIDENCE_NOTE_EN,
                **fields,
            )
            rule.full_clean()
            rule.save()
            created += 1
    return created
