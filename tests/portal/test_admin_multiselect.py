"""Many-to-many choices in the admin are checkbox lists, never a Ctrl-click ``<select multiple>``.

The campaign page's responsible departments and complaint categories (an editor's form) and a
case system's categories (the superuser's form) are the admin's many-to-many fields; the
language test (tests/portal/test_admin_language.py) also fails on any ``<select multiple>`` in
the screens each role opens, listing filters included.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from cms.models import CampaignPage
from complaints.models import CaseSystem, Category, ConnectorKind, Department
from portal import roles
from tests.cms import builders
from tests.complaints import conftest as complaints_conftest

reference_data = complaints_conftest.reference_data

pytestmark = pytest.mark.django_db

SELECT_MULTIPLE = re.compile(r"<select\b[^>]*\bmultiple\b", re.IGNORECASE)


def checkbox_values(html: str, name: str) -> set[str]:
    """The values of the checkboxes named ``name`` in the page."""
    values = set()
    for tag in re.findall(r"<input\b[^>]*>", html):
        if 'type="checkbox"' in tag and f'name="{name}"' in tag:
            match = re.search(r'value="([^"]*)"', tag)
            values.add(match[1] if match else "")
    return values


def checked_values(html: str, name: str) -> set[str]:
    values = set()
    for tag in re.findall(r"<input\b[^>]*>", html):
        if 'type="checkbox"' in tag and f'name="{name}"' in tag and " checked" in tag:
            values.add(re.search(r'value="([^"]*)"', tag)[1])
    return values


@pytest.fixture
def campaign(home):
    builders.category()
    builders.department(key="sanitation", name="环卫所")
    return builders.campaign(builders.campaign_index(home))


def test_campaign_page_lists_departments_and_categories_as_checkboxes(campaign, make_staff):
    client = Client()
    client.force_login(make_staff(roles.PUBLICITY_EDITOR))
    index = campaign.get_parent()
    forms = {
        "edit": client.get(reverse("wagtailadmin_pages:edit", args=[campaign.pk])),
        "add": client.get(
            reverse("wagtailadmin_pages:add", args=["cms", "campaignpage", index.pk])
        ),
    }
    departments = {str(pk) for pk in Department.objects.values_list("pk", flat=True)}
    categories = {str(pk) for pk in Category.objects.values_list("pk", flat=True)}
    assert len(departments) >= 2
    for name, response in forms.items():
        html = response.content.decode()
        assert response.status_code == 200, name
        assert not SELECT_MULTIPLE.search(html), f"{name}: a Ctrl-click list"
        assert checkbox_values(html, "responsible_departments") == departments, name
        assert checkbox_values(html, "categories") == categories, name
    edit = forms["edit"].content.decode()
    assert checked_values(edit, "responsible_departments") == {
        str(d.pk) for d in campaign.responsible_departments.all()
    }
    assert checked_values(edit, "categories") == {str(c.pk) for c in campaign.categories.all()}


def test_ticking_checkboxes_saves_the_campaign_choices(campaign, make_staff):
    """The checkboxes post what the page keeps: tick two departments, untick the category."""
    client = Client()
    client.force_login(make_staff(roles.PUBLICITY_EDITOR))
    url = reverse("wagtailadmin_pages:edit", args=[campaign.pk])
    departments = list(Department.objects.order_by("pk")[:2])
    data = {
        "title": campaign.title,
        "slug": campaign.slug,
        "start_date": "2026-03-01",
        "lead_unit": campaign.lead_unit,
        "goals": '{"blocks": [{"key": "a", "type": "unstyled", "text": "目标", "depth": 0, '
        '"inlineStyleRanges": [], "entityRanges": []}], "entityMap": {}}',
        "responsible_departments": [str(d.pk) for d in departments],
        "body-count": "0",
        "gallery_images-TOTAL_FORMS": "0",
        "gallery_images-INITIAL_FORMS": "0",
        "gallery_images-MIN_NUM_FORMS": "0",
        "gallery_images-MAX_NUM_FORMS": "24",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = CampaignPage.objects.get(pk=campaign.pk).get_latest_revision_as_object()
    assert {d.pk for d in draft.responsible_departments.all()} == {d.pk for d in departments}
    assert list(draft.categories.all()) == []


def test_case_system_lists_categories_as_checkboxes(make_staff, reference_data):
    system = CaseSystem.objects.create(
        name="区数字城管平台",
        slug="district",
        kind=ConnectorKind.WEBHOOK,
        endpoint="http://127.0.0.1:9/webhook",
        secret="s" * 32,
    )
    system.categories.set(Category.objects.order_by("pk")[:1])
    client = Client()
    client.force_login(make_staff(None))
    categories = {str(pk) for pk in Category.objects.values_list("pk", flat=True)}
    for url in (reverse("casesystem:add"), reverse("casesystem:edit", args=[system.pk])):
        html = client.get(url).content.decode()
        assert not SELECT_MULTIPLE.search(html), url
        assert checkbox_values(html, "categories") == categories, url
    assert checked_values(html, "categories") == {str(Category.objects.order_by("pk")[0].pk)}
