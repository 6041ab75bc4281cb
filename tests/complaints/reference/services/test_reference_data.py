import pytest

from complaints.models import Category, Community, Department, GridCell, Town
from complaints.reference.services.reference_data import (
    categories_load_from_csv,
    demo_geography_load,
)

pytestmark = pytest.mark.django_db


def test_categories_and_departments_load_idempotently():
    first = categories_load_from_csv()
    second = categories_load_from_csv()
    assert first == second == Category.objects.count() == 33
    assert Department.objects.get(key="town_enforcement").name == "镇/街道城管中队"
    assert Department.objects.count() == 6
    manhole = Category.objects.get(kind="component", code="0101")
    assert manhole.hint and manhole.extra_questions[0]["key"] == "danger"
    assert not Category.objects.get(kind="event", code="0304").anonymous_allowed


def test_admin_edits_of_department_names_survive_a_reload():
    categories_load_from_csv()
    Department.objects.filter(key="sanitation").update(name="区环卫处")
    categories_load_from_csv()
    assert Department.objects.get(key="sanitation").name == "区环卫处"


def test_demo_geography_loads_idempotently():
    demo_geography_load()
    demo_geography_load()
    assert Town.objects.count() == 9
    assert Community.objects.count() == 27
    assert GridCell.objects.count() == 54
    assert Town.objects.get(name="胡埭镇").is_subdistrict is False
    assert Community.objects.get(name="耿湾村").is_village is True
    assert GridCell.objects.filter(min_lat__isnull=True).count() == 0


def test_reward_rules_load_from_the_csv_idempotently():
    from datetime import date
    from decimal import Decimal

    from django.utils import timezone

    from complaints.models import RewardRule
    from complaints.reference.services.reference_data import reward_rules_load_from_csv

    categories_load_from_csv()
    assert reward_rules_load_from_csv() == 13
    assert reward_rules_load_from_csv() == 0
    assert RewardRule.objects.count() == 13  # violations only: 绿地 is a facility
    assert set(RewardRule.objects.values_list("category__reward_eligible", flat=True)) == {True}
    dumping = RewardRule.objects.get(category__code="0105")
    assert (dumping.amount_kind, dumping.amount, dumping.unit) == ("fixed", Decimal("500"), "")
    assert dumping.effective_from == date(timezone.localdate().year, 1, 1)
    assert dumping.effective_to is None and dumping.evidence_note
    structures = RewardRule.objects.get(category__kind="event", category__code="0101")
    assert structures.amount_kind == "per_unit" and structures.unit == "m²"
    assert (structures.amount, structures.minimum_amount, structures.maximum_amount) == (
        Decimal("1"),
        Decimal("20"),
        Decimal("500"),
    )


def test_reward_rules_edited_in_the_admin_survive_a_reload():
    from decimal import Decimal

    from complaints.models import RewardRule
    from complaints.reference.services.reference_data import reward_rules_load_from_csv

    categories_load_from_csv()
    reward_rules_load_from_csv()
    RewardRule.objects.filter(category__code="0105").update(amount=Decimal("800"))
    assert reward_rules_load_from_csv() == 0
    assert RewardRule.objects.get(category__code="0105").amount == Decimal("800")


def test_reward_rule_cells_are_parsed_or_refused():
    from decimal import Decimal

    from complaints.reference.services.reference_data import reward_rule_parse

    assert reward_rule_parse("fixed:20 yuan") == {
        "amount_kind": "fixed",
        "amount": Decimal("20"),
        "unit": "",
        "minimum_amount": None,
        "maximum_amount": None,
    }
    assert reward_rule_parse("per_unit:2.5 yuan/m3 max 300")["unit"] == "m³"
    for bad in ("fixed:20", "per_unit:1 yuan", "fixed:5 yuan/m2", "bonus:5 yuan"):
        with pytest.raises(ValueError):
            reward_rule_parse(bad)
