"""What residents and staff see of the taxonomy: groups and names for residents (public forms,
the hotline form read out to callers), class and code for staff; codes unique per class."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from complaints.models import Category, CategoryKind, RewardRule
from complaints.reference.services.reference_data import reward_rules_load_from_csv
from portal import roles
from tests.complaints.conftest import category

pytestmark = pytest.mark.django_db


def select_html(html: str, name: str) -> str:
    return re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)


def assert_no_codes(select: str) -> None:
    for code in Category.objects.values_list("code", flat=True):
        assert code not in select, code
    assert not re.search(r"\b[EC]\d{4}\b", select)


def test_public_form_shows_categories_by_group_and_name_without_codes(client, site, reference_data):
    select = select_html(
        client.get(reverse("complaints:report_create")).content.decode(), "category"
    )
    assert_no_codes(select)
    assert '<optgroup label="事件 · 市容环境">' in select
    assert '<optgroup label="部件 · 园林绿化">' in select
    assert ">暴露垃圾</option>" in select


def test_public_list_filter_shows_categories_without_codes(client, site, reference_data):
    select = select_html(client.get(reverse("complaints:report_list")).content.decode(), "category")
    assert_no_codes(select)
    assert '<optgroup label="事件 · 街面秩序">' in select and ">占道经营</option>" in select


def test_english_list_filter_uses_english_names(client, site, reference_data):
    select = select_html(client.get("/en/reports/").content.decode(), "category")
    assert ">Business occupying the road</option>" in select
    assert_no_codes(select)


def test_hotline_form_shows_categories_without_codes(client, reference_data, make_staff):
    client.force_login(make_staff(roles.INTAKE_OPERATOR))
    response = client.get(reverse("complaints_hotline"))
    assert response.status_code == 200
    select = select_html(response.content.decode(), "category")
    assert_no_codes(select)
    assert '<optgroup label="事件 · 市容环境">' in select and ">私搭乱建</option>" in select


def test_staff_see_the_class_with_the_code():
    assert str(Category(kind=CategoryKind.EVENT, code="0101", name="私搭乱建")) == (
        "事件 0101 私搭乱建"
    )
    assert str(Category(kind=CategoryKind.COMPONENT, code="0101", name="上水井盖")) == (
        "部件 0101 上水井盖"
    )


def test_codes_are_unique_within_their_class_only(reference_data):
    event = category("event", "0101")
    other_class = Category.objects.filter(kind="component", code="0101").first()
    assert other_class is not None  # the demo taxonomy has 0101 in both classes
    with pytest.raises(IntegrityError), transaction.atomic():
        Category.objects.create(
            kind=event.kind,
            major_code="01",
            major_name=event.major_name,
            code="0101",
            name="重复",
            default_department=event.default_department,
            time_limit=1,
            time_unit=event.time_unit,
        )


def test_a_component_cannot_be_marked_reward_eligible(reference_data):
    green = category("component", "0402")
    assert not green.reward_eligible  # the demo taxonomy: 绿地 is a facility, not a violation
    green.reward_eligible = True
    with pytest.raises(ValidationError) as error:
        green.full_clean()
    assert "reward_eligible" in error.value.message_dict


def test_reward_table_lists_only_violations(client, site, reference_data):
    """An old rule still naming a component (绿地, a facility) stays out of the scheme."""
    reward_rules_load_from_csv()
    green = category("component", "0402")
    Category.objects.filter(pk=green.pk).update(reward_eligible=True)  # as an old database had it
    RewardRule.objects.create(
        category=green,
        amount_kind=RewardRule.AmountKind.FIXED,
        amount=Decimal("20"),
        effective_from=date(2020, 1, 1),
        evidence_note="近景、远景照片各一张",
    )
    response = client.get(reverse("complaints:informant_report_create"))
    html = response.content.decode()
    choices = [str(value) for value, _label in response.context["form"].fields["category"].choices]
    assert str(green.pk) not in choices
    rule_names = re.findall(r'<span class="reward-rule__name">([^<]+)</span>', html)
    assert rule_names and "绿地" not in rule_names
    assert "偷倒垃圾" in rule_names
