"""Every Open311 endpoint and error, in JSON and XML, through the Django test client."""

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import Site

from cms.models import PortalSettings
from complaints.cases.services.transitions import report_transition
from complaints.cases.workflow import Action
from complaints.models import ApiSubmission, Report, ReportChannel, ReportState
from portal import roles
from tests.complaints.open311.conftest import BASE, error_codes, parse, valid_request

pytestmark = pytest.mark.django_db
FORMATS = ["json", "xml"]
PERSONAL = ["13812345678", "partner-user@example.com", "张 三", "垃圾桶旁边"]


def post(client, fmt, data, **headers):
    return client.post(f"{BASE}requests.{fmt}", data, headers=headers)


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery(client, reference_data, fmt):
    response = client.get(f"{BASE}discovery.{fmt}")
    assert response.status_code == 200
    body = parse(response, fmt)
    if fmt == "json":
        assert body["endpoints"][0]["url"].endswith("/open311/v2")
        assert "application/json" in body["endpoints"][0]["formats"]
    else:
        assert body.find("endpoints/endpoint/specification").text.endswith("GeoReport_v2")
    assert client.get(f"{BASE}discovery").status_code == 200


def test_discovery_names_a_contact_and_how_to_get_a_key_by_default(client, home, settings):
    settings.OPEN311_CONTACT = settings.OPEN311_KEY_SERVICE = ""
    body = client.get(f"{BASE}discovery.json").json()
    # Nobody has saved the portal settings yet: their defaults (滨湖区城市管理局, 12319).
    assert "城市管理局" in body["contact"] and "12319" in body["contact"]
    assert "12319" in body["key_service"] and "X-Api-Key" in body["key_service"]
    PortalSettings.objects.create(
        site=Site.objects.get(is_default_site=True),
        district_name="梁溪区",
        bureau_name="城市管理局",
        hotline="0510-8888 1234",
        address="解放北路 1 号",
    )
    xml = parse(client.get(f"{BASE}discovery.xml"), "xml")
    contact = xml.findtext("contact")
    assert "梁溪区城市管理局" in contact and "0510-8888 1234" in contact and "解放北路" in contact
    assert "0510-8888 1234" in xml.findtext("key_service")


def test_discovery_contact_and_key_service_from_the_settings_win(client, home, settings):
    settings.OPEN311_CONTACT = "open311@example.gov.cn"
    settings.OPEN311_KEY_SERVICE = "https://portal.example.gov.cn/partners/"
    body = client.get(f"{BASE}discovery.json").json()
    assert body["contact"] == "open311@example.gov.cn"
    assert body["key_service"] == "https://portal.example.gov.cn/partners/"


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_list_every_active_category(client, reference_data, fmt):
    response = client.get(f"{BASE}services.{fmt}")
    assert response.status_code == 200
    body = parse(response, fmt)
    if fmt == "json":
        codes = {s["service_code"]: s for s in body}
        assert codes["E0102"]["service_name"] == "暴露垃圾"
        assert codes["E0101"]["metadata"] is True
        assert codes["E0102"]["metadata"] is False
    else:
        codes = {s.findtext("service_code"): s for s in body.findall("service")}
        assert codes["E0101"].findtext("metadata") == "true"
    assert len(codes) >= 30


def test_service_names_follow_the_language(client, reference_data):
    body = client.get(f"{BASE}services.json", headers={"accept-language": "en"}).json()
    assert {s["service_code"]: s["service_name"] for s in body}["E0102"] == "Exposed garbage"


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_from_extra_questions(client, reference_data, fmt):
    response = client.get(f"{BASE}services/E0101.{fmt}")
    assert response.status_code == 200
    body = parse(response, fmt)
    if fmt == "json":
        attributes = {a["code"]: a for a in body["attributes"]}
        assert attributes["area_m2"]["datatype"] == "number"
        assert attributes["stage"]["datatype"] == "singlevaluelist"
        assert attributes["stage"]["required"] is True
        assert [v["key"] for v in attributes["stage"]["values"]] == ["正在施工", "已经建成"]
    else:
        stage = [a for a in body.findall("attributes/attribute") if a.findtext("code") == "stage"]
        assert [v.findtext("key") for v in stage[0].findall("values/value")] == [
            "正在施工",
            "已经建成",
        ]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", ["X9999", "E9999", "E01", "e0102xx"])
def test_unknown_service_is_404(client, reference_data, fmt, code):
    response = client.get(f"{BASE}services/{code}.{fmt}")
    assert response.status_code == 404
    assert error_codes(response, fmt) == [404]


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_files_through_the_intake_service(client, partner, fmt):
    api_key, key = partner
    response = post(client, fmt, valid_request(key))
    assert response.status_code == 201, response.content
    body = parse(response, fmt)
    if fmt == "json":
        reference, notice = body[0]["service_request_id"], body[0]["service_notice"]
    else:
        reference = body.findtext("request/service_request_id")
        notice = body.findtext("request/service_notice")
    report = Report.objects.get(reference=reference)
    assert report.channel == ReportChannel.OPEN311
    assert report.state == ReportState.RECEIVED
    assert report.grid_cell is not None  # placed by the intake service from lat/long
    assert report.contact_phone == "13812345678"
    assert ApiSubmission.objects.get(report=report).api_key == api_key
    assert "access code" in notice or "访问码" in notice or reference in notice
    assert report.events.filter(kind="submitted").count() == 1


def test_post_with_attributes_and_required_attribute_missing(client, partner):
    _, key = partner
    data = valid_request(key, service_code="E0101")
    response = post(client, "json", data)
    assert response.status_code == 400
    assert any(e["description"].startswith("attribute[stage]") for e in response.json())
    data["attribute[stage]"] = "已经建成"
    data["attribute[area_m2]"] = "12.5"
    response = post(client, "json", data)
    assert response.status_code == 201
    report = Report.objects.get(reference=response.json()[0]["service_request_id"])
    assert report.extra_answers == {"stage": "已经建成", "area_m2": "12.5"}


def test_post_without_contact_is_anonymous(client, partner):
    _, key = partner
    response = post(client, "json", valid_request(key, email=None, phone=None))
    assert response.status_code == 201
    report = Report.objects.get(reference=response.json()[0]["service_request_id"])
    assert report.is_anonymous and not report.contact_name


def test_post_replay_with_idempotency_key_files_once(client, partner):
    _, key = partner
    first = post(client, "json", valid_request(key), **{"Idempotency-Key": "abc-1"})
    again = post(client, "json", valid_request(key), **{"Idempotency-Key": "abc-1"})
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    assert Report.objects.count() == 1


def test_post_reports_similar_open_reports_in_the_notice(client, partner):
    _, key = partner
    first = post(client, "json", valid_request(key)).json()[0]["service_request_id"]
    second = post(client, "json", valid_request(key)).json()[0]
    assert first in second["service_notice"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("overrides", "status", "parameter"),
    [
        ({"api_key": None}, 403, "api_key"),
        ({"api_key": "not-a-key-at-all"}, 403, "api_key"),
        ({"service_code": None}, 400, "service_code"),
        ({"service_code": "E9999"}, 404, "service_code"),
        ({"description": "x"}, 400, "description"),
        ({"lat": None, "long": None, "address_string": None}, 400, "lat"),
        ({"lat": "abc"}, 400, "lat"),
        ({"lat": "31.55", "long": None}, 400, "lat"),
        ({"phone": "123"}, 400, "phone"),
        ({"email": "not-an-email", "phone": None}, 400, "email"),
    ],
)
def test_post_errors(client, partner, fmt, overrides, status, parameter):
    _, key = partner
    response = post(client, fmt, valid_request(key, **overrides))
    assert response.status_code == status, response.content
    assert set(error_codes(response, fmt)) == {status}
    body = parse(response, fmt)
    descriptions = (
        [e["description"] for e in body]
        if fmt == "json"
        else [e.findtext("description") for e in body.findall("error")]
    )
    assert any(d.startswith(parameter) for d in descriptions), descriptions
    assert Report.objects.count() == 0


def test_inactive_key_is_refused(client, partner):
    api_key, key = partner
    api_key.is_active = False
    api_key.save()
    assert post(client, "json", valid_request(key)).status_code == 403
    assert client.get(f"{BASE}requests.json", {"api_key": key}).status_code == 403


def test_key_is_stored_hashed(partner):
    api_key, key = partner
    api_key.refresh_from_db()
    assert key not in (api_key.key_hash, api_key.prefix)
    assert api_key.key_hash != key and len(api_key.key_hash) == 64


@pytest.fixture
def filed(client, partner):
    _, key = partner
    references = [
        post(client, "json", valid_request(key)).json()[0]["service_request_id"] for _ in range(2)
    ]
    return [Report.objects.get(reference=r) for r in references]


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests_never_show_personal_data(client, filed, fmt):
    response = client.get(f"{BASE}requests.{fmt}")
    assert response.status_code == 200
    text = response.content.decode()
    for value in PERSONAL:
        assert value not in text
    body = parse(response, fmt)
    if fmt == "json":
        assert {r["service_request_id"] for r in body} == {r.reference for r in filed}
        assert body[0]["status"] == "open"
        assert body[0]["address"].startswith("太湖")
    else:
        ids = {e.findtext("service_request_id") for e in body.findall("request")}
        assert ids == {r.reference for r in filed}


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_one_request_and_404(client, filed, fmt):
    reference = filed[0].reference
    response = client.get(f"{BASE}requests/{reference}.{fmt}")
    assert response.status_code == 200
    body = parse(response, fmt)
    if fmt == "json":
        assert body[0]["service_request_id"] == reference
    else:
        assert body.findtext("request/service_request_id") == reference
    missing = client.get(f"{BASE}requests/BH-1999-000001.{fmt}")
    assert missing.status_code == 404 and error_codes(missing, fmt) == [404]


def test_private_report_only_for_the_key_that_filed_it(client, filed, partner):
    _, key = partner
    Report.objects.filter(pk=filed[0].pk).update(is_public=False)
    url = f"{BASE}requests/{filed[0].reference}.json"
    assert client.get(url).status_code == 404
    assert client.get(url, {"api_key": key}).status_code == 200


def test_get_filters(client, filed, make_staff):
    report = filed[0]
    report_transition(
        report=report,
        action=Action.REJECT,
        actor=make_staff(roles.INTAKE_OPERATOR),
        note="Not ours",
    )
    ids = lambda r: {x["service_request_id"] for x in r.json()}  # noqa: E731
    both = client.get(
        f"{BASE}requests.json", {"service_request_id": ",".join(r.reference for r in filed)}
    )
    assert ids(both) == {filed[1].reference}  # rejected reports are not public
    assert ids(client.get(f"{BASE}requests.json", {"status": "open"})) == {filed[1].reference}
    assert ids(client.get(f"{BASE}requests.json", {"status": "closed"})) == set()
    assert ids(client.get(f"{BASE}requests.json", {"service_code": "E0103"})) == set()
    assert ids(client.get(f"{BASE}requests.json", {"service_code": "E0102,E0103"})) == {
        filed[1].reference
    }
    now = timezone.now()
    old = {
        "start_date": (now - timedelta(days=30)).isoformat(),
        "end_date": (now - timedelta(days=20)).isoformat(),
    }
    assert ids(client.get(f"{BASE}requests.json", old)) == set()
    recent = {"start_date": (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")}
    assert ids(client.get(f"{BASE}requests.json", recent)) == {filed[1].reference}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
        {"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
        {"start_date": "yesterday"},
        {"end_date": "2026-13-45T00:00:00Z"},
        {"status": "pending"},
        {"service_request_id": ",".join(f"BH-2026-{i:06d}" for i in range(60))},
    ],
)
def test_get_requests_errors(client, reference_data, fmt, params):
    response = client.get(f"{BASE}requests.{fmt}", params)
    assert response.status_code == 400
    assert error_codes(response, fmt) == [400]


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_request_updates(client, filed, make_staff, fmt):
    report_transition(
        report=filed[0], action=Action.REGISTER, actor=make_staff(roles.INTAKE_OPERATOR)
    )
    response = client.get(
        f"{BASE}servicerequestupdates.{fmt}", {"service_request_id": filed[0].reference}
    )
    assert response.status_code == 200
    body = parse(response, fmt)
    if fmt == "json":
        assert [u["status"] for u in body] == ["open", "open"]
        assert body[-1]["description"] in ("已立案", "Registered")
    else:
        assert len(body.findall("request_update")) == 2
    for value in PERSONAL:
        assert value not in response.content.decode()
    bad = client.get(f"{BASE}servicerequestupdates.{fmt}", {"start_date": "nope"})
    assert bad.status_code == 400 and error_codes(bad, fmt) == [400]


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_endpoint_and_method(client, reference_data, fmt):
    response = client.get(f"{BASE}nothing.{fmt}")
    assert response.status_code == 404 and error_codes(response, fmt) == [404]
    response = client.post(f"{BASE}services.{fmt}")
    assert response.status_code == 405 and error_codes(response, fmt) == [405]


def test_rate_limited_per_key(client, partner, settings):
    api_key, key = partner
    api_key.rate = "3/m"
    api_key.save()
    codes = [client.get(f"{BASE}services.json", {"api_key": key}).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    # Another key, and anonymous callers, have their own budgets.
    assert client.get(f"{BASE}services.json").status_code == 200
    body = client.get(f"{BASE}services.xml", {"api_key": key})
    assert body.status_code == 429 and error_codes(body, "xml") == [429]


def test_anonymous_rate_limit(client, reference_data, settings):
    settings.OPEN311_RATE_ANONYMOUS = "2/m"
    codes = [client.get(f"{BASE}services.json").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
