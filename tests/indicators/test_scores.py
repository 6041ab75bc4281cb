"""Scores, grades, ranks and the seam for other score inputs (docs/indicators.md)."""

from datetime import date

import pytest

from indicators import scores
from indicators.models import ScoreWeights
from indicators.periods import Period
from indicators.scores import grade_for, register_score_input, score_table, weighted_score
from indicators.selectors import IndicatorRow, IndicatorTable

MARCH = Period.containing("month", date(2026, 3, 1))


@pytest.mark.parametrize(
    "score, grade",
    [(100, "A"), (90, "A"), (89.99, "B"), (75, "B"), (60, "C"), (40, "D"), (39.9, "E"), (0, "E")],
)
def test_grade_thresholds(score, grade):
    assert grade_for(score) == grade


def test_no_score_no_grade():
    assert grade_for(None) == ""


def test_an_input_without_a_value_leaves_its_weight_to_the_others():
    weights = {"on_time_rate": 40, "satisfaction_rate": 60}
    assert weighted_score(weights, {"on_time_rate": 50.0, "satisfaction_rate": None}) == 50.0
    assert weighted_score(weights, {"on_time_rate": 50.0, "satisfaction_rate": 100.0}) == 80.0
    assert weighted_score(weights, {"on_time_rate": None, "satisfaction_rate": None}) is None


def row(key, label, *, due, on_time, responses=0, satisfied=0) -> IndicatorRow:
    return IndicatorRow(
        key=key,
        label=label,
        due=due,
        closed_of_due=due,
        on_time=on_time,
        responses=responses,
        satisfied=satisfied,
    )


def table(*rows) -> IndicatorTable:
    total = IndicatorRow(key=None, label="")
    return IndicatorTable(
        dimension="town", period=MARCH, rows=list(rows), total=total, computed_at=None
    )


def weights(**values) -> ScoreWeights:
    fields = dict.fromkeys(ScoreWeights.BUILT_IN, 0)
    fields.update(values)
    return ScoreWeights(version=7, effective_from=date(2026, 1, 1), note="t", **fields)


def test_ranking_shares_ranks_for_equal_scores_and_lists_unscored_rows_last():
    ranked = score_table(
        table=table(
            row(1, "甲", due=4, on_time=2),  # 50
            row(2, "乙", due=0, on_time=0),  # nothing due: no score
            row(3, "丙", due=2, on_time=2),  # 100
            row(4, "丁", due=4, on_time=2),  # 50
        ),
        weights=weights(on_time_rate=1),
    )
    assert [(s.row.label, s.rank, s.grade) for s in ranked] == [
        ("丙", 1, "A"),
        ("丁", 2, "D"),
        ("甲", 2, "D"),
        ("乙", None, ""),
    ]


def test_scores_exist_for_towns_and_departments_only():
    with pytest.raises(ValueError):
        score_table(
            table=IndicatorTable("category", MARCH, [], IndicatorRow(None, ""), None), weights=None
        )


@pytest.fixture
def inspection_input(monkeypatch):
    """An inspection score source (issue 15) registered through the seam."""
    monkeypatch.setattr(scores, "SCORE_INPUTS", {})
    calls = []

    def provider(*, level, period):
        calls.append((level, period))
        return {1: 20.0, 3: 100.0}

    register_score_input("inspection", "巡查得分", provider)
    return calls


def test_another_input_counts_once_a_version_weights_it(inspection_input):
    rows = [row(1, "甲", due=2, on_time=2), row(3, "丙", due=2, on_time=2)]
    unweighted = score_table(table=table(*rows), weights=weights(on_time_rate=50))
    assert [s.score for s in unweighted] == [100.0, 100.0]
    assert inspection_input == []  # not asked when no version weights it

    weighted = score_table(
        table=table(*rows),
        weights=weights(on_time_rate=50, other_weights={"inspection": 50}),
    )
    assert {s.row.label: s.score for s in weighted} == {"甲": 60.0, "丙": 100.0}
    assert inspection_input == [("town", MARCH)]
    assert weighted[0].inputs["inspection"] == 100.0


def test_a_built_in_input_cannot_be_replaced(inspection_input):
    with pytest.raises(ValueError):
        register_score_input("on_time_rate", "x", lambda **kw: {})


def test_the_version_in_effect_is_the_newest_started_by_the_months_end(db):
    assert scores.weights_for(MARCH).version == 1  # the migration's first version
    later = ScoreWeights.objects.create(effective_from=date(2026, 3, 31), on_time_rate=1, note="x")
    ScoreWeights.objects.create(effective_from=date(2026, 4, 1), on_time_rate=1, note="y")
    assert scores.weights_for(MARCH) == later
    assert scores.weights_for(MARCH.previous()).version == 1
