"""Deductions and scores of the inspections (docs/inspections.md "Scores").

- An item's deduction in one inspection: min(points × occurrences, cap), the occurrences of all
  findings against that item in that inspection added up.
- An inspection's (object's) score: 100 − the sum of its items' deductions, never below 0.
- An object's monthly score: the mean of the scores of its inspections in the month.
- A unit's or a town's monthly score: the mean of the monthly scores of its objects inspected
  in the month (objects not inspected that month do not count).

The deductions come from the standard version the inspection used (its items), so a new
version of a standard never changes a past inspection's score. A finding whose contest was
upheld (inspections/contests.py) deducts nothing; ``as_recorded=True`` gives the score before
any contest, for the score history.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from inspections.models import Contest, Inspection, StandardItem

FULL_SCORE = Decimal(100)
TWO_PLACES = Decimal("0.01")


def item_deduction(*, item: StandardItem, occurrences: int) -> Decimal:
    return min(item.points * occurrences, item.cap)


def inspection_deductions(
    inspection: Inspection, *, as_recorded: bool = False
) -> dict[int, Decimal]:
    """The deduction per standard item id (only items with findings); findings whose contest
    was upheld count only ``as_recorded``."""
    occurrences: dict[int, int] = defaultdict(int)
    items: dict[int, StandardItem] = {}
    findings = inspection.findings.select_related("item")
    if not as_recorded:
        findings = findings.exclude(contest__state=Contest.State.UPHELD)
    for finding in findings:
        occurrences[finding.item_id] += finding.occurrences
        items[finding.item_id] = finding.item
    return {
        pk: item_deduction(item=items[pk], occurrences=count) for pk, count in occurrences.items()
    }


def inspection_score(inspection: Inspection, *, as_recorded: bool = False) -> Decimal:
    deductions = inspection_deductions(inspection, as_recorded=as_recorded)
    return max(Decimal(0), FULL_SCORE - sum(deductions.values(), Decimal(0)))


def _month_bounds(month: date) -> tuple[datetime, datetime]:
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(first, time.min), tz),
        timezone.make_aware(datetime.combine(following, time.min), tz),
    )


def _mean(values) -> Decimal:
    values = list(values)
    return (sum(values, Decimal(0)) / len(values)).quantize(TWO_PLACES)


@dataclass(frozen=True)
class GroupScore:
    key: int
    name: str
    score: Decimal
    objects: int


def object_scores_between(start: datetime, end: datetime) -> dict[int, Decimal]:
    """The score per inspection object id: the mean of its submitted inspections in
    ``[start, end)`` (objects inspected then)."""
    per_object: dict[int, list[Decimal]] = defaultdict(list)
    for inspection in Inspection.objects.filter(
        inspected_at__gte=start, inspected_at__lt=end, state=Inspection.State.SUBMITTED
    ).prefetch_related("findings__item"):
        per_object[inspection.object_id].append(inspection_score(inspection))
    return {pk: _mean(scores) for pk, scores in per_object.items()}


def object_month_scores(month: date) -> dict[int, Decimal]:
    """The monthly score per inspection object id (objects inspected in ``month``)."""
    return object_scores_between(*_month_bounds(month))


def month_scores_by(month: date, *, by: str) -> list[GroupScore]:
    """The monthly score per responsible unit (``by="unit"``) or town (``by="town"``), lowest
    first."""
    return scores_by(object_month_scores(month), by=by)


def scores_by(scores: dict[int, Decimal], *, by: str) -> list[GroupScore]:
    """Object scores averaged per responsible unit or town, lowest first."""
    from inspections.models import InspectionObject

    field = {"unit": "responsible_unit", "town": "town"}[by]
    objects = InspectionObject.objects.filter(pk__in=scores).select_related(field)
    groups: dict[int, list[Decimal]] = defaultdict(list)
    names: dict[int, str] = {}
    for obj in objects:
        group = getattr(obj, field)
        groups[group.pk].append(scores[obj.pk])
        names[group.pk] = group.name
    return sorted(
        (
            GroupScore(key=pk, name=names[pk], score=_mean(values), objects=len(values))
            for pk, values in groups.items()
        ),
        key=lambda g: (g.score, g.name),
    )


def assessment_input(*, level: str, period) -> dict[int, float]:
    """The seam of the indicators' assessment (indicators/scores.py ``register_score_input``):
    the inspection score of each town (``level="town"``) or responsible unit
    (``level="department"``) over an indicators period, 0–100."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(period.first, time.min), tz)
    end = timezone.make_aware(datetime.combine(period.end_day, time.min), tz)
    by = {"town": "town", "department": "unit"}[level]
    return {g.key: float(g.score) for g in scores_by(object_scores_between(start, end), by=by)}
