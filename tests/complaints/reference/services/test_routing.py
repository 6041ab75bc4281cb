"""Routing: category default, then a town rule, then a grid-cell rule."""

import pytest

from complaints.models import Department, RoutingRule
from complaints.reference.services.routing import department_route
from tests.complaints.conftest import POINT, category, cell_at


@pytest.fixture
def place(reference_data):
    cell = cell_at(*POINT)
    return cell, cell.community.town


def test_category_default(place):
    cell, town = place
    route = department_route(category=category("event", "0102"), town=town, grid_cell=cell)
    assert route.department.key == "sanitation" and route.rule is None


def test_town_rule_overrides_default_and_cell_rule_overrides_town(place):
    cell, town = place
    cat = category("event", "0102")
    greening = Department.objects.get(key="greening")
    municipal = Department.objects.get(key="municipal")
    RoutingRule.objects.create(category=cat, town=town, department=greening)
    assert department_route(category=cat, town=town).department == greening
    assert department_route(category=cat, grid_cell=cell).department == greening
    RoutingRule.objects.create(category=cat, grid_cell=cell, department=municipal)
    assert department_route(category=cat, grid_cell=cell).department == municipal
    # Another category is unaffected.
    assert (
        department_route(category=category("event", "0104"), grid_cell=cell).department.key
        == "sanitation"
    )


def test_town_level_work_goes_to_the_cells_unit(place):
    cell, town = place
    cat = category("event", "0101")  # 私搭乱建 → town enforcement
    local = Department.objects.create(
        key="taihu_enforcement", name="太湖街道城管中队", level=Department.Level.TOWN, town=town
    )
    assert department_route(category=cat, town=town).department == local
    cell.department = local
    cell.save()
    assert department_route(category=cat, grid_cell=cell).department == local


def test_rule_needs_exactly_one_place(reference_data):
    from django.core.exceptions import ValidationError

    rule = RoutingRule(
        category=category("event", "0102"), department=Department.objects.get(key="greening")
    )
    with pytest.raises(ValidationError):
        rule.clean()
