"""POST requests: the place by address_id, datetime attributes, the description's length, unknown
services, and what the duplicate suggestions in service_notice may never name."""

import uuid

import pytest

from complaints.intake.inputs import ReportInput
from complaints.intake.services.reports import report_submit
from complaints.models import Category, Report, ReportKind
from tests.complaints.conftest import POINT, POINT_NEARBY, category, cell_at
from tests.complaints.open311.conftest import BASE, error_codes, parse, valid_request

pytestmark = pytest.mark.django_db
FORMATS = ["json", "xml"]


def post(client, fmt, data, **headers):
    return client.post(f"{BASE}requests.{fmt}", data, headers=headers)


def descriptions(response, fmt) -> list[str]:
    body = parse(response, fmt)
    if fmt == "json":
        return [e["description"] for e in body]
    return [e.findtext("description") for e in body.findall("error")]


def filed_report(response) -> Report:
    assert response.status_code == 201, response.content
    return Report.objects.get(reference=response.json()[0]["service_request_id"])


# 1. address_id alone is a location: it is a grid cell code, as in GET requests' address_id.


@pytest.mark.parametrize("fmt", FORMATS)
def test_address_id_alone_places_the_report_in_that_grid_cell(client, partner, fmt):
    _, key = partner
    cell = cell_at(*POINT)
    data = valid_request(key, lat=None, long=None, address_string=None, address_id=cell.code)
    response = post(client, fmt, data)
    assert response.status_code == 201, response.content
    report = Report.objects.get()
    assert report.grid_cell == cell
    assert report.community == cell.community and report.town == cell.community.town
    assert report.latitude is None and report.address == ""
    # What GET shows as address_id is what POST takes.
    shown = client.get(f"{BASE}requests/{report.reference}.json").json()[0]
    assert shown["address_id"] == cell.code


def test_address_id_with_coordinates_in_the_same_cell(client, partner):
    _, key = partner
    cell = cell_at(*POINT)
    report = filed_report(post(client, "json", valid_request(key, address_id=cell.code)))
    assert report.grid_cell == cell
    assert float(report.latitude) == POINT[0]


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_address_id_is_refused(client, partner, fmt):
    _, key = partner
    data = valid_request(key, lat=None, long=None, address_string=None, address_id="99999999")
    response = post(client, fmt, data)
    assert response.status_code == 400
    assert error_codes(response, fmt) == [400]
    assert descriptions(response, fmt)[0].startswith("address_id")
    assert Report.objects.count() == 0


def test_address_id_contradicting_the_coordinates_is_refused(client, partner):
    _, key = partner
    here = cell_at(*POINT)
    elsewhere = (
        type(here).objects.exclude(pk=here.pk).exclude(min_lat=None).order_by("code").first()
    )
    response = post(client, "json", valid_request(key, address_id=elsewhere.code))
    assert response.status_code == 400
    [message] = descriptions(response, "json")
    assert message.startswith("address_id") and here.code in message
    assert Report.objects.count() == 0


# 2. Attributes of datatype datetime take ISO 8601 date-times with an offset, and plain dates.


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("2026-11-30T10:00:00+08:00", "2026-11-30T10:00:00+08:00"),
        ("2026-11-30T02:00:00Z", "2026-11-30T10:00:00+08:00"),
        ("2026-11-30T23:30:00-05:00", "2026-12-01T12:30:00+08:00"),
        ("2026-11-30T10:00:00", "2026-11-30T10:00:00+08:00"),
        ("2026-11-30", "2026-11-30"),
    ],
)
def test_datetime_attribute_takes_iso_8601_with_time_and_offset(
    client, partner, settings, sent, stored
):
    settings.TIME_ZONE = "Asia/Shanghai"
    _, key = partner
    definition = client.get(f"{BASE}services/E0301.json").json()
    assert {a["code"]: a["datatype"] for a in definition["attributes"]}["noise_date"] == "datetime"
    data = valid_request(key, service_code="E0301", **{"attribute[noise_date]": sent})
    report = filed_report(post(client, "json", data))
    assert report.extra_answers["noise_date"] == stored


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "sent", ["30/11/2026", "2026-11-31T10:00:00+08:00", "2026-11-30T25:00:00Z", "yesterday"]
)
def test_datetime_attribute_refuses_what_is_not_iso_8601(client, partner, fmt, sent):
    _, key = partner
    data = valid_request(key, service_code="E0105", **{"attribute[seen_on]": sent})
    response = post(client, fmt, data)
    assert response.status_code == 400
    [message] = descriptions(response, fmt)
    assert message.startswith("attribute[seen_on]") and "ISO 8601" in message
    assert Report.objects.count() == 0


# 3. description: up to 4,000 characters, as GeoReport v2 allows.


@pytest.mark.parametrize("fmt", FORMATS)
def test_description_up_to_4000_characters(client, partner, fmt):
    _, key = partner
    text = "路口垃圾" * 1000
    assert len(text) == 4000
    response = post(client, fmt, valid_request(key, description=text))
    assert response.status_code == 201, response.content
    assert Report.objects.get().description == text


@pytest.mark.parametrize("fmt", FORMATS)
def test_description_of_4001_characters_is_refused(client, partner, fmt):
    _, key = partner
    response = post(client, fmt, valid_request(key, description="垃" * 4001))
    assert response.status_code == 400
    assert error_codes(response, fmt) == [400]
    [message] = descriptions(response, fmt)
    assert message.startswith("description") and "4000" in message and "4001" in message
    assert Report.objects.count() == 0


# 4. An unknown service_code is 404 on POST, as on GET services/{code}.


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", ["E9999", "X0102", "e0102"])
def test_post_to_an_unknown_service_is_404(client, partner, fmt, code):
    _, key = partner
    assert client.get(f"{BASE}services/{code}.{fmt}").status_code == 404
    response = post(client, fmt, valid_request(key, service_code=code))
    assert response.status_code == 404
    assert error_codes(response, fmt) == [404]
    assert descriptions(response, fmt)[0].startswith("service_code")
    assert Report.objects.count() == 0


def test_post_to_an_inactive_service_is_404(client, partner):
    _, key = partner
    Category.objects.filter(kind="event", code="0102").update(is_active=False)
    response = post(client, "json", valid_request(key))
    assert response.status_code == 404


# 10. Duplicate suggestions never name what the public may not see.


def plant(*, category_code: str = "0102", **overrides) -> Report:
    arguments = {
        "submission_token": uuid.uuid4(),
        "category": category("event", category_code),
        "description": "同一个地方的另一份报告",
        "is_anonymous": True,
        "latitude": POINT_NEARBY[0],
        "longitude": POINT_NEARBY[1],
    }
    arguments.update(overrides)
    return report_submit(input=ReportInput(**arguments)).report


@pytest.mark.parametrize("fmt", FORMATS)
def test_notice_never_names_informant_or_private_reports(client, partner, fmt):
    _, key = partner
    informant = plant(kind=ReportKind.INFORMANT)
    private = plant(is_anonymous=False, contact_phone="13900001111", is_public=False)
    public = plant()
    assert informant.kind == ReportKind.INFORMANT and not private.is_public
    response = post(client, fmt, valid_request(key))
    assert response.status_code == 201, response.content
    body = parse(response, fmt)
    notice = body[0]["service_notice"] if fmt == "json" else body.findtext("request/service_notice")
    assert public.reference in notice  # the suggestion works ...
    text = response.content.decode()
    for hidden in (informant, private):  # ... and never names these, anywhere in the response
        assert hidden.reference not in text


def test_notice_never_names_reports_in_categories_not_shown_publicly(client, partner):
    _, key = partner
    assert not category("event", "0301").public_allowed
    hidden = plant(category_code="0301", extra_answers={"noise_date": "2026-11-30"})
    # Even a row marked public (filed before the category was closed to the public) stays out.
    Report.objects.filter(pk=hidden.pk).update(is_public=True)
    data = valid_request(key, service_code="E0301", **{"attribute[noise_date]": "2026-11-30"})
    response = post(client, "json", data)
    assert response.status_code == 201, response.content
    assert hidden.reference not in response.content.decode()
