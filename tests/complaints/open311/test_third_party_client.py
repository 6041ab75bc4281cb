"""An independent Open311 client from PyPI (georeport 0.3.1) against a live server, unchanged.

georeport reads (services, definitions, requests, one request) in JSON and XML. No maintained
Python 3 client on PyPI files requests (``three`` and ``open311`` are Python 2 only), so the
POST is made as any client would: a form-encoded POST with ``requests``.
"""

import pytest
import requests
from georeport import GeoReport

from complaints.models import Report
from complaints.open311.keys import api_key_issue
from complaints.reference.services.reference_data import (
    categories_load_from_csv,
    demo_geography_load,
)
from tests.complaints.open311.conftest import valid_request

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def endpoint(live_server):
    categories_load_from_csv()
    demo_geography_load()
    _, key = api_key_issue(name="partner app", rate="1000/m")
    return f"{live_server.url}/open311/v2", key


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_client_reads_everything(endpoint, fmt):
    base, key = endpoint
    response = requests.post(f"{base}/requests.{fmt}", data=valid_request(key), timeout=10)
    assert response.status_code == 201, response.text

    client = GeoReport(base, output_format=fmt)
    services = client.get_service_list()
    codes = {s["service_code"] for s in services}
    assert "E0102" in codes

    definition = client.get_service_definition("E0101")
    attributes = definition["attributes"]
    if fmt == "xml":
        attributes = attributes["attribute"]
    assert {a["code"] for a in attributes} == {"area_m2", "stage"}

    reference = Report.objects.get().reference
    found = client.get_service_requests(service_code="E0102", status="open")
    if fmt == "xml":
        found = found if isinstance(found, list) else [found]
    assert [r["service_request_id"] for r in found] == [reference]

    one = client.get_service_request(reference)
    assert one["service_request_id"] == reference
    assert one["status"] == "open"
    assert "13812345678" not in str(one)

    with pytest.raises(requests.HTTPError) as error:
        client.get_service_request("BH-1999-000001")
    assert error.value.response.status_code == 404
