"""GET requests and servicerequestupdates as lists: ids in any letter case, 1,000 by default,
and the page / page_size extension at a constant number of queries per page."""

import copy
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.intake.inputs import ReportInput
from complaints.intake.services.reports import report_submit
from complaints.models import Report, ReportState
from tests.complaints.conftest import POINT, category, cell_at
from tests.complaints.open311.conftest import BASE, error_codes, parse, valid_request

pytestmark = pytest.mark.django_db
FORMATS = ["json", "xml"]


def ids(response, fmt="json") -> list[str]:
    assert response.status_code == 200, response.content
    body = parse(response, fmt)
    if fmt == "json":
        return [r["service_request_id"] for r in body]
    return [e.findtext("service_request_id") for e in body.findall("request")]


@pytest.fixture
def filed(client, partner):
    _, key = partner
    return [
        client.post(f"{BASE}requests.json", valid_request(key)).json()[0]["service_request_id"]
        for _ in range(2)
    ]


# 5. service_request_id lists match whatever the letter case, like requests/{id}.


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_request_id_list_matches_any_letter_case(client, filed, fmt):
    assert client.get(f"{BASE}requests/{filed[0].lower()}.{fmt}").status_code == 200
    query = {"service_request_id": f"{filed[0].lower()}, {filed[1].title()}"}
    assert set(ids(client.get(f"{BASE}requests.{fmt}", query), fmt)) == set(filed)


def test_updates_by_service_request_id_match_any_letter_case(client, filed):
    response = client.get(
        f"{BASE}servicerequestupdates.json", {"service_request_id": filed[0].lower()}
    )
    assert response.status_code == 200
    assert {u["service_request_id"] for u in response.json()} == {filed[0]}


# 6. Up to 1,000 by default; page / page_size for more, with a Link to the next page.


@pytest.fixture
def many(reference_data):
    """1,205 public open reports in one cell, filed this minute (bulk: the list is the test)."""
    first = report_submit(
        input=ReportInput(
            submission_token=uuid.uuid4(),
            category=category("event", "0102"),
            description="垃圾",
            is_anonymous=True,
            latitude=POINT[0],
            longitude=POINT[1],
        )
    ).report
    assert first.grid_cell == cell_at(*POINT) and first.department is not None
    copies = []
    for n in range(2, 1206):
        clone = copy.copy(first)
        clone.pk = None
        clone.reference = f"BH-2026-9{n:05d}"
        clone.submission_token = uuid.uuid4()
        clone.state = ReportState.RECEIVED
        copies.append(clone)
    Report.objects.bulk_create(copies, batch_size=500)
    return list(Report.objects.order_by("-created_at", "-pk").values_list("reference", flat=True))


def test_get_requests_returns_up_to_1000_by_default(client, many):
    assert len(many) == 1205
    response = client.get(f"{BASE}requests.json")
    assert ids(response) == many[:1000]
    assert 'rel="next"' in response["Link"] and "page=2" in response["Link"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_paging_walks_every_request_once(client, many, fmt):
    seen, url, query = [], f"{BASE}requests.{fmt}", {"page_size": "500"}
    for page in (1, 2, 3):
        response = client.get(url, {**query, "page": str(page)})
        seen += ids(response, fmt)
        assert ('rel="next"' in response.get("Link", "")) == (page < 3)
    assert seen == many
    assert ids(client.get(url, {**query, "page": "4"}), fmt) == []


def test_next_link_keeps_the_filters_and_never_the_key(client, many, partner):
    _, key = partner
    response = client.get(
        f"{BASE}requests.json",
        {"page_size": "10", "status": "open", "service_code": "E0102", "api_key": key},
    )
    link = response["Link"]
    assert link.startswith("<http://testserver/open311/v2/requests.json?")
    assert "status=open" in link and "service_code=E0102" in link and "page=2" in link
    assert key not in link and "api_key" not in link
    target = link[1 : link.index(">")].removeprefix("http://testserver")
    assert ids(client.get(target)) == many[10:20]


def test_one_query_count_for_a_page_of_any_size(client, many):
    def queries(page_size: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{BASE}requests.json", {"page_size": page_size})
        assert len(response.json()) == int(page_size)
        return len(captured)

    assert queries("1") == queries("50") == queries("1000")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "params",
    [
        {"page": "0"},
        {"page": "-1"},
        {"page": "two"},
        {"page": "100001"},
        {"page_size": "0"},
        {"page_size": "1001"},
        {"page_size": "1.5"},
        {"page_size": "٣"},  # a digit, but not an ASCII one
    ],
)
def test_paging_errors(client, reference_data, fmt, params):
    response = client.get(f"{BASE}requests.{fmt}", params)
    assert response.status_code == 400
    assert error_codes(response, fmt) == [400]
    body = parse(response, fmt)
    message = body[0]["description"] if fmt == "json" else body.findtext("error/description")
    assert message.startswith(next(iter(params)))
