"""Scores and grades of towns and departments from the weighted formula (docs/indicators.md).

score = Σ weightᵢ × valueᵢ / Σ weightᵢ over the inputs that have a value for that town or
department (a rate with nothing to divide by is left out, not counted as 0); every value is a
percentage 0–100. Grades: A ≥ 90, B ≥ 75, C ≥ 60, D ≥ 40, else E.

Other sources of score inputs (the inspection scores of issue 15) register a provider under a
key with :func:`register_score_input`; a weights version gives that key a weight in
``other_weights``. The provider answers ``{object id: value 0–100}`` for a level ("town" or
"department") and a period, in a constant number of queries.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from indicators.models import ScoreWeights
from indicators.periods import Period
from indicators.selectors import IndicatorRow, IndicatorTable

GRADES = ((90, "A"), (75, "B"), (60, "C"), (40, "D"))
LEVELS = ("town", "department")

# The built-in inputs: how each is read from a row of indicators (a percentage or None).
BUILT_IN_INPUTS: dict[str, tuple[StrOrPromise, Callable[[IndicatorRow], float | None]]] = {
    "on_time_rate": (_("On-time closure rate"), lambda row: row.on_time_rate),
    "closure_rate": (_("Closure rate"), lambda row: row.closure_rate),
    "satisfaction_rate": (_("Satisfaction rate"), lambda row: row.satisfaction_rate),
    "rework_free_rate": (
        _("Closed without rework"),
        lambda row: None if row.rework_rate is None else 100.0 - row.rework_rate,
    ),
    "response_rate": (_("Response rate"), lambda row: row.response_rate),
}

ScoreInputProvider = Callable[..., dict[int, float]]  # provider(*, level, period) -> {id: value}
SCORE_INPUTS: dict[str, tuple[str, ScoreInputProvider]] = {}


def register_score_input(key: str, label, provider: ScoreInputProvider) -> None:
    """Let ``provider(*, level, period)`` feed the score under ``key`` (weighted by a version's
    ``other_weights[key]``). Registered once, from the providing app's ``ready()``."""
    if key in BUILT_IN_INPUTS:
        raise ValueError(f"{key!r} is a built-in score input")
    SCORE_INPUTS[key] = (label, provider)


def grade_for(score: float | None) -> str:
    if score is None:
        return ""
    for threshold, grade in GRADES:
        if score >= threshold:
            return grade
    return "E"


def weights_for(period: Period) -> ScoreWeights | None:
    """The weights version in effect for ``period``: the newest effective by its last day."""
    return (
        ScoreWeights.objects.filter(Q(effective_from__lte=period.last_day))
        .order_by("-effective_from", "-version")
        .first()
    )


@dataclass
class Score:
    row: IndicatorRow
    score: float | None
    grade: str
    rank: int | None
    inputs: dict[str, float | None]


def weighted_score(weights: dict[str, int], values: dict[str, float | None]) -> float | None:
    """Σ wᵢ·vᵢ / Σ wᵢ over inputs with a value and a weight; None when none has both."""
    used = [
        (w, value) for key, w in weights.items() if w and (value := values.get(key)) is not None
    ]
    total = sum(w for w, _value in used)
    if not total:
        return None
    return sum(w * value for w, value in used) / total


def score_table(*, table: IndicatorTable, weights: ScoreWeights | None) -> list[Score]:
    """Score and grade each row of ``table`` (a town or department table), ranked best first.

    Rows without any scored input get no score, no grade and no rank (listed last).
    """
    if table.dimension not in LEVELS:
        raise ValueError("Scores exist for towns and departments only.")
    weight_map = weights.weights() if weights else {}
    others = {
        key: provider(level=table.dimension, period=table.period)
        for key, (_label, provider) in SCORE_INPUTS.items()
        if weight_map.get(key)
    }
    scores = []
    for row in table.rows:
        if row.key is None:
            continue
        inputs = {key: read(row) for key, (_label, read) in BUILT_IN_INPUTS.items()}
        for key, values in others.items():
            inputs[key] = values.get(row.key)
        value = weighted_score(weight_map, inputs)
        scores.append(Score(row=row, score=value, grade=grade_for(value), rank=None, inputs=inputs))
    scores.sort(key=lambda s: (s.score is None, -(s.score or 0), s.row.label))
    rank = 0
    previous = None
    for position, item in enumerate(scores, start=1):
        if item.score is None:
            break
        rounded = round(item.score, 1)
        if rounded != previous:
            rank, previous = position, rounded
        item.rank = rank
    return scores


def input_labels() -> dict[str, StrOrPromise]:
    labels: dict[str, StrOrPromise] = {
        key: label for key, (label, _read) in BUILT_IN_INPUTS.items()
    }
    labels.update({key: label for key, (label, _provider) in SCORE_INPUTS.items()})
    return labels
