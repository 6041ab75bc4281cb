import pytest

from complaints.models import Category, Community, Department, GridCell, Town
from complaints.services.reference_data import categories_load_from_csv, demo_geography_load

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
