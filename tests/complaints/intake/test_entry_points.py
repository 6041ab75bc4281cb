"""One judge of the intake rules (issue 11): the web form, the hotline form, the informant form
and Open311 all build a ``ReportInput`` and the intake service refuses a broken rule with the
same message through each of them (HTTP), and stores nothing."""

import uuid

import pytest
from django.urls import reverse

from complaints.intake.services.reports import ANONYMITY_REFUSED, OUTSIDE_DISTRICT_MESSAGE
from complaints.models import Report, Town
from complaints.open311.keys import api_key_issue
from complaints.reference.services.reference_data import reward_rules_load_from_csv
from tests.complaints.conftest import category, form_data
from tests.complaints.open311.conftest import BASE, parse, valid_request
from tests.complaints.rewards.test_views import informant_data

pytestmark = pytest.mark.django_db

# Far east of the demo district, still inside the forms' China-wide coordinate bounds.
OUTSIDE = (31.2304, 121.4737)


@pytest.fixture
def open_to_named_reporters_only(reference_data):
    """违法建设 (event 0304): no anonymous reports."""
    illegal_building = category("event", "0304")
    assert not illegal_building.anonymous_allowed
    return illegal_building


@pytest.fixture
def partner(reference_data):
    """(ApiKey row, clear key) of a partner channel, as in the Open311 tests."""
    return api_key_issue(name="12345 hotline", rate="1000/m")


def open311_messages(response) -> list[str]:
    assert response.status_code == 400, response.content[:500]
    return [error["description"] for error in parse(response, "json")]


# --- A category not open to anonymous reports -------------------------------------------


def test_web_form_refuses_anonymity_with_the_services_message(
    client, site, open_to_named_reporters_only
):
    data = form_data(category=open_to_named_reporters_only.pk, is_anonymous="on")
    response = client.post(reverse("complaints:report_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["is_anonymous"] == [str(ANONYMITY_REFUSED)]
    assert not Report.objects.exists()


def test_hotline_refuses_anonymity_with_the_services_message(
    client, intake, open_to_named_reporters_only
):
    client.force_login(intake)
    response = client.post(
        reverse("complaints_hotline"),
        {
            "submission_token": str(uuid.uuid4()),
            "category": open_to_named_reporters_only.pk,
            "description": "电话反映：小区里有人搭建违章建筑",
            "town": Town.objects.first().pk,
            "address": "小区 3 号楼旁",
            "is_anonymous": "on",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["is_anonymous"] == [str(ANONYMITY_REFUSED)]
    assert not Report.objects.exists()


def test_open311_refuses_anonymity_with_the_services_message(
    client, partner, open_to_named_reporters_only
):
    _row, key = partner
    # An Open311 client without phone or e-mail files anonymously.
    data = valid_request(
        key, service_code=f"E{open_to_named_reporters_only.code}", phone=None, email=None
    )
    response = client.post(f"{BASE}requests.json", data)
    assert open311_messages(response) == [f"email: {ANONYMITY_REFUSED}"]
    assert not Report.objects.exists()


# --- A place outside the district's grid -------------------------------------------------


def test_web_form_refuses_a_place_outside_the_grid(client, site, reference_data):
    data = form_data(latitude=str(OUTSIDE[0]), longitude=str(OUTSIDE[1]))
    response = client.post(reverse("complaints:report_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["latitude"] == [str(OUTSIDE_DISTRICT_MESSAGE)]
    assert not Report.objects.exists()


def test_informant_form_refuses_a_place_outside_the_grid(client, site, reference_data):
    reward_rules_load_from_csv()
    data = informant_data(latitude=str(OUTSIDE[0]), longitude=str(OUTSIDE[1]))
    response = client.post(reverse("complaints:informant_report_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["latitude"] == [str(OUTSIDE_DISTRICT_MESSAGE)]
    assert not Report.objects.exists()


def test_open311_refuses_a_place_outside_the_grid(client, partner):
    _row, key = partner
    data = valid_request(key, lat=str(OUTSIDE[0]), long=str(OUTSIDE[1]))
    response = client.post(f"{BASE}requests.json", data)
    assert open311_messages(response) == [f"lat: {OUTSIDE_DISTRICT_MESSAGE}"]
    assert not Report.objects.exists()


def test_open311_reports_an_unanswered_required_attribute_by_its_name(client, partner):
    _row, key = partner
    manhole = category("component", "0101")
    data = valid_request(key, service_code=f"C{manhole.code}")
    response = client.post(f"{BASE}requests.json", data)
    [message] = open311_messages(response)
    assert message.startswith("attribute[danger]: ")
    assert not Report.objects.exists()
