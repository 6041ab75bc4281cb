"""Malformed input answers 400 (never 500, never stored): NUL bytes and undecodable bodies."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from complaints.models import Report
from complaints.open311.keys import api_key_issue
from complaints.reference.services.reference_data import (
    categories_load_from_csv,
    demo_geography_load,
)
from portal.input_guard import bad_request
from tests.complaints.conftest import form_data
from tests.complaints.open311.conftest import valid_request

pytestmark = pytest.mark.django_db

OPEN311 = "/open311/v2/requests.json"
NON_UTF8 = [
    ("application/x-www-form-urlencoded; charset=utf-16", "description=路口".encode("utf-16")),
    ("application/x-www-form-urlencoded; charset=gbk", "description=路口".encode("gbk")),
    ("application/x-www-form-urlencoded", b"description=\xc2\x00\xff\xfe"),
    (
        "multipart/form-data; boundary=XX; charset=shift_jis",
        b'--XX\r\nContent-Disposition: form-data; name="description"\r\n\r\n\x82\xa0\r\n--XX--\r\n',
    ),
]


@pytest.fixture
def reference_data(db):
    categories_load_from_csv()
    demo_geography_load()


@pytest.fixture
def site(home, reference_data):
    return home


@pytest.fixture
def partner(reference_data):
    return api_key_issue(name="12345 hotline", rate="1000/m")


@pytest.fixture
def resident():
    """A browser: CSRF checks on, as for real residents."""
    return Client(enforce_csrf_checks=True, raise_request_exception=False)


def is_our_400(response) -> bool:
    """The guard's 400: the Chinese page, or GeoReport's error list under /open311/."""
    if response.status_code != 400:
        return False
    body = response.content.decode()
    if response["Content-Type"].startswith("application/json"):
        return json.loads(body)[0]["code"] == 400
    if response["Content-Type"].startswith("text/xml"):
        return "<code>400</code>" in body
    return 'lang="zh-CN"' in body


@pytest.mark.parametrize("where", ["description", "contact_name", "category"])
def test_nul_byte_in_the_public_form_is_400_and_stores_nothing(client, site, reference_data, where):
    data = form_data()
    data[where] = data[where][:3] + "\x00" + data[where][3:]
    response = client.post(reverse("complaints:report_create"), data)
    assert is_our_400(response)
    # The same as multipart, as a browser with a photo field sends it.
    response = client.post(reverse("complaints:report_create"), data, format="multipart")
    assert is_our_400(response)
    assert not Report.objects.exists()


def test_nul_byte_in_a_field_name_or_the_query_string_is_400(client, site, reference_data):
    assert is_our_400(client.post(reverse("complaints:track"), {"refer\x00ence": "BH"}))
    assert is_our_400(client.get(reverse("complaints:track") + "?reference=BH%00-2026"))
    assert is_our_400(client.get("/search/?query=a%00b"))
    assert is_our_400(client.get(OPEN311 + "?service_code=E01%0002"))


def test_nul_byte_through_open311_is_400_and_stores_nothing(client, partner):
    _row, key = partner
    response = client.post(OPEN311, valid_request(key, description="垃圾\x00堆"))
    assert response.status_code == 400
    assert not Report.objects.exists()


@pytest.mark.parametrize(("content_type", "body"), NON_UTF8)
def test_undecodable_bodies_are_400_everywhere(resident, site, reference_data, content_type, body):
    for url in (
        reverse("complaints:report_create"),
        reverse("complaints:track"),
        OPEN311,
        "/admin/login/",
    ):
        response = resident.generic("POST", url, body, content_type=content_type)
        assert is_our_400(response), (url, response.status_code)
    assert not Report.objects.exists()


def test_an_admin_form_with_a_nul_byte_is_400(client, site, make_staff):
    user = make_staff(None)
    client.force_login(user)
    response = client.post(
        reverse("wagtailadmin_pages:add", args=("cms", "standardpage", site.pk)),
        {"title": "通知\x00", "slug": "notice", "action-publish": "1"},
    )
    assert is_our_400(response)


def test_good_input_still_goes_through(client, site, reference_data):
    response = client.post(reverse("complaints:report_create"), form_data())
    assert response.status_code == 302
    assert Report.objects.count() == 1


def test_the_400_handler_never_reads_the_body(rf):
    class Exploding:
        def read(self, *args):
            raise AssertionError("the body was read again")

        readline = read

    request = rf.post("/report/", data=b"x=1", content_type="application/x-www-form-urlencoded")
    request._stream = Exploding()
    response = bad_request(request, exception=ValueError("bad"))
    assert response.status_code == 400
    assert "zh-CN" in response.content.decode()
