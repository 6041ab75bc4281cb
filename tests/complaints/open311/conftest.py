"""Fixtures for the Open311 server tests: reference data, a partner key, parsing helpers."""

import json
from xml.etree import ElementTree as ET

import pytest

from complaints.open311.keys import api_key_issue
from tests.complaints.conftest import POINT

BASE = "/open311/v2/"


@pytest.fixture
def partner(reference_data):
    """(ApiKey row, clear key) of a partner channel."""
    return api_key_issue(name="12345 hotline", rate="1000/m")


def valid_request(key: str, **overrides) -> dict:
    data = {
        "api_key": key,
        "service_code": "E0102",
        "lat": str(POINT[0]),
        "long": str(POINT[1]),
        "address_string": "太湖大道 100 号附近",
        "description": "路口垃圾桶旁边堆满了垃圾，已经两天没人清理。",
        "email": "partner-user@example.com",
        "phone": "13812345678",
        "first_name": "张",
        "last_name": "三",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def parse(response, fmt: str):
    """JSON as is; XML as a (root tag, element) pair for assertions."""
    if fmt == "json":
        return json.loads(response.content)
    return ET.fromstring(response.content)  # noqa: S314 - our own output


def error_codes(response, fmt: str) -> list[int]:
    body = parse(response, fmt)
    if fmt == "json":
        return [e["code"] for e in body]
    assert body.tag == "errors"
    return [int(e.findtext("code")) for e in body.findall("error")]
