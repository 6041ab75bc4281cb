"""Property-based fuzzing of the Open311 server: whatever comes in, no 500 goes out."""

import json
from xml.etree import ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.complaints.open311.conftest import BASE

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
text = st.text(max_size=40)
junk_dates = st.one_of(
    text, st.datetimes().map(lambda d: d.isoformat()), st.just("2026-01-01T00:00:00Z")
)
PARAM_NAMES = [
    "api_key",
    "service_code",
    "service_request_id",
    "start_date",
    "end_date",
    "status",
    "lat",
    "long",
    "address_string",
    "description",
    "email",
    "phone",
    "first_name",
    "last_name",
    "media_url",
    "attribute[stage]",
    "attribute[area_m2]",
    "attribute[seen_on]",
    "address_id",
    "page",
    "page_size",
    "jurisdiction_id",
]
params = st.dictionaries(
    st.sampled_from(PARAM_NAMES),
    st.one_of(
        text,
        junk_dates,
        st.floats(allow_nan=True).map(str),
        st.sampled_from(["E0101", "E0102", "E0105", "open,closed", "32021100100101", "1000"]),
    ),
    max_size=10,
)
paths = st.one_of(
    st.sampled_from(
        ["discovery", "services", "services/E0101", "requests", "servicerequestupdates"]
    ),
    st.builds(lambda s: f"services/{s}", st.text("ABCEXYZ0123456789-_%", max_size=12)),
    st.builds(lambda s: f"requests/{s}", st.text("BH-0123456789abc", max_size=20)),
)


def assert_well_formed(response, fmt):
    assert response.status_code < 500, response.content[:500]
    if fmt == "json":
        json.loads(response.content)
    else:
        ET.fromstring(response.content)  # noqa: S314 - our own output


@pytest.fixture
def unlimited(settings):
    # Random keys are bad keys, which count against the address: fuzz the checks, not the limit.
    settings.OPEN311_RATE_ANONYMOUS = "100000/m"


@FUZZ
@given(path=paths, fmt=st.sampled_from(["json", "xml"]), query=params)
def test_get_never_fails(client, partner, unlimited, path, fmt, query):
    response = client.get(f"{BASE}{path}.{fmt}", query)
    assert_well_formed(response, fmt)


@FUZZ
@given(fmt=st.sampled_from(["json", "xml"]), data=params, use_key=st.booleans())
def test_post_never_fails(client, partner, unlimited, fmt, data, use_key):
    if use_key:
        data = {**data, "api_key": partner[1]}
    response = client.post(f"{BASE}requests.{fmt}", data)
    assert_well_formed(response, fmt)
    assert response.status_code in (200, 201, 400, 403, 404)
