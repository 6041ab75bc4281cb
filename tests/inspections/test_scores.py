"""Deductions and scores on hand-built inspections with known answers (docs/inspections.md)."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from inspections.models import Finding, Standard
from inspections.scores import (
    inspection_deductions,
    inspection_score,
    month_scores_by,
    object_month_scores,
)
from inspections.services import finding_record, inspection_start
from portal import roles
from tests.inspections.builders import at, inspection, market, standard

pytestmark = pytest.mark.django_db

ITEMS = (("地面垃圾", "2", "10"), ("设施破损", "5", "5"), ("绿化缺株", "1.5", "6"))


@pytest.fixture
def inspector(make_staff, reference_data):
    return make_staff(roles.INSPECTION_MANAGER, "inspector")


def test_deduction_is_points_times_occurrences_up_to_the_cap(inspector):
    obj, std = market(), standard(*ITEMS)
    insp = inspection(
        obj,
        std,
        inspector,
        "2026-03-02 09:00",
        findings=[("地面垃圾", 3), ("设施破损", 2), ("绿化缺株", 1), ("地面垃圾", 4)],
    )
    by_text = {std.items.get(pk=pk).text: d for pk, d in inspection_deductions(insp).items()}
    # 地面垃圾: 2 × (3 + 4) = 14, capped at 10; 设施破损: 5 × 2 = 10, capped at 5; 1.5 × 1.
    assert by_text == {"地面垃圾": Decimal(10), "设施破损": Decimal(5), "绿化缺株": Decimal("1.5")}
    assert inspection_score(insp) == Decimal("83.5")


def test_the_score_never_falls_below_zero(inspector):
    std = standard(*[(f"项目{n}", "30", "30") for n in range(5)])
    insp = inspection(
        market(), std, inspector, "2026-03-02 09:00", findings=[(f"项目{n}", 1) for n in range(5)]
    )
    assert inspection_score(insp) == Decimal(0)


def test_no_finding_is_full_marks(inspector):
    insp = inspection(market(), standard(*ITEMS), inspector, "2026-03-02 09:00")
    assert inspection_score(insp) == Decimal(100)


def test_a_new_standard_version_leaves_the_old_inspection_its_deductions(inspector):
    obj = market()
    v1 = standard(*ITEMS, valid_from="2026-01-01")
    old = inspection(obj, v1, inspector, "2026-03-02 09:00", findings=[("地面垃圾", 2)])
    # The bureau doubles the points for litter from April: a new version, not an edit.
    v2 = standard(("地面垃圾", "4", "20"), *ITEMS[1:], valid_from="2026-04-01")
    assert (v1.version, v2.version) == (1, 2)
    new = inspection(obj, v2, inspector, "2026-04-02 09:00", findings=[("地面垃圾", 2)])
    assert inspection_score(old) == Decimal(96)
    assert inspection_score(new) == Decimal(92)
    # The version in effect on a day is the one an inspection started that day uses.
    assert Standard.in_effect(kind="market", grade="1", on=date(2026, 3, 31)) == v1
    assert Standard.in_effect(kind="market", grade="1", on=date(2026, 4, 1)) == v2
    # A used version cannot be changed.
    v1.note = "改一下"
    with pytest.raises(ValidationError):
        v1.save()


def test_monthly_object_unit_and_town_scores_are_means(inspector):
    std = standard(*ITEMS)
    a = market("甲菜市场", unit="sanitation")
    b = market("乙菜市场", unit="sanitation")
    c = market("丙菜市场", unit="greening")
    # a: 90 (litter 5 × 2) and 82 (litter 10, damage 5, greening 3) in March -> 86; b: 100;
    # c: 95. Its April inspection and b's open one do not count.
    inspection(a, std, inspector, "2026-03-02 09:00", findings=[("地面垃圾", 5)])
    inspection(
        a,
        std,
        inspector,
        "2026-03-20 09:00",
        findings=[("地面垃圾", 5), ("设施破损", 1), ("绿化缺株", 2)],
    )
    inspection(b, std, inspector, "2026-03-05 09:00")
    inspection(c, std, inspector, "2026-03-31 23:30", findings=[("设施破损", 1)])
    inspection(c, std, inspector, "2026-04-01 00:10", findings=[("设施破损", 1), ("地面垃圾", 9)])
    inspection(b, std, inspector, "2026-03-06 09:00", findings=[("地面垃圾", 9)], submitted=False)

    march = date(2026, 3, 1)
    scores = object_month_scores(march)
    assert scores == {a.pk: Decimal("86.00"), b.pk: Decimal("100.00"), c.pk: Decimal("95.00")}
    units = {g.name: (g.score, g.objects) for g in month_scores_by(march, by="unit")}
    assert units == {
        a.responsible_unit.name: (Decimal("93.00"), 2),
        c.responsible_unit.name: (Decimal("95.00"), 1),
    }
    (town,) = month_scores_by(march, by="town")
    assert town.score == Decimal("93.67") and town.objects == 3


def test_a_resent_finding_is_stored_once(inspector):
    obj = market()
    std = standard(*ITEMS)
    insp = inspection_start(obj=obj, inspector=inspector, inspected_at=at("2026-03-02 09:00"))
    assert insp.standard == std
    device_id = uuid.uuid4()
    item = std.items.get(text="地面垃圾")
    first, created = finding_record(
        inspection=insp, item=item, client_uuid=device_id, occurrences=2
    )
    again, created_again = finding_record(
        inspection=insp, item=item, client_uuid=device_id, occurrences=2
    )
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Finding.objects.filter(inspection=insp).count() == 1
    assert inspection_score(insp) == Decimal(96)


def test_a_finding_must_come_from_the_inspections_standard(inspector):
    obj = market()
    std = standard(*ITEMS)
    other = standard(("别的标准", "1", "1"), kind="park")
    insp = inspection_start(obj=obj, inspector=inspector, inspected_at=at("2026-03-02 09:00"))
    assert insp.standard == std
    with pytest.raises(ValidationError):
        finding_record(
            inspection=insp, item=other.items.get(), client_uuid=uuid.uuid4(), occurrences=1
        )


def test_the_assessment_seam_gives_town_and_unit_scores(inspector):
    from indicators.periods import Period
    from indicators.scores import SCORE_INPUTS

    std = standard(*ITEMS)
    a = market("甲菜市场", unit="sanitation")
    b = market("乙菜市场", unit="greening")
    inspection(a, std, inspector, "2026-03-02 09:00", findings=[("地面垃圾", 2)])  # 96
    inspection(b, std, inspector, "2026-03-03 09:00", findings=[("设施破损", 1)])  # 95
    inspection(b, std, inspector, "2026-04-03 09:00", findings=[("设施破损", 1)])  # not March
    _label, provider = SCORE_INPUTS["inspection"]
    march = Period.containing("month", date(2026, 3, 15))
    assert provider(level="department", period=march) == {
        a.responsible_unit_id: 96.0,
        b.responsible_unit_id: 95.0,
    }
    assert provider(level="town", period=march) == {a.town_id: 95.5}
    week = Period.containing("week", date(2026, 3, 3))  # Monday 2 to Sunday 8 March
    assert provider(level="town", period=week) == {a.town_id: 95.5}
    assert provider(level="town", period=Period.containing("day", date(2026, 3, 2))) == {
        a.town_id: 96.0
    }
