"""The resident's journey through HTTP: form, receipt, tracking, and every way it can go wrong."""

import re

import pytest
from django.urls import reverse

from complaints.models import Attachment, CaseEvent, Report, ReportSupporter, UploadDraft
from tests.complaints.conftest import POINT, POINT_NEARBY, category, form_data, jpeg_bytes, photo

pytestmark = pytest.mark.django_db

CODE_RE = re.compile(r'id="receipt-code">([A-Z0-9-]{19})<')


def submit(client, url, data, **files):
    return client.post(url, {**data, **files})


def test_form_renders_with_grouped_categories_and_tokens(client, site, reference_data, report_url):
    response = client.get(report_url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="submission_token"' in html
    assert 'name="draft_token"' in html
    assert "<optgroup" in html and "暴露垃圾" in html
    assert 'name="website"' in html  # honeypot present
    assert response["Content-Security-Policy"]


def test_journey_form_receipt_tracking(client, site, reference_data, report_url):
    response = submit(client, report_url, form_data(), photos=[photo()])
    assert response.status_code == 302
    report = Report.objects.get()
    assert re.fullmatch(r"BH-\d{4}-\d{6}", report.reference)
    assert response["Location"] == reverse(
        "complaints:report_receipt", kwargs={"reference": report.reference}
    )
    assert report.grid_cell is not None and report.town is not None  # found from lat/long
    assert report.attachments.count() == 1
    assert not UploadDraft.objects.exists()

    receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    html = receipt.content.decode()
    code = CODE_RE.search(html).group(1)
    assert report.reference in html
    assert "data:image/svg+xml" in html  # QR code
    assert code not in report.access_code_hash

    # Tracking from another browser, with the reference and the access code.
    other = client.__class__()
    page = other.post(
        reverse("complaints:track"), {"reference": report.reference, "access_code": code}
    )
    assert page.status_code == 302
    status = other.get(page["Location"])
    assert status.status_code == 200
    text = status.content.decode()
    assert report.reference in text
    assert "张三" not in text and "13812345678" not in text
    # The reporter's own photo is visible to whoever tracks the report.
    attachment = report.attachments.get()
    photo_url = reverse(
        "complaints:report_photo", kwargs={"reference": report.reference, "pk": attachment.pk}
    )
    assert other.get(photo_url).status_code == 200
    assert client.__class__().get(photo_url).status_code == 404


def test_tracking_link_with_code_then_clean_url(client, site, reference_data, report_url):
    response = submit(client, report_url, form_data())
    code = CODE_RE.search(client.get(response["Location"]).content.decode()).group(1)
    report = Report.objects.get()
    other = client.__class__()
    link = reverse("complaints:report_status", kwargs={"reference": report.reference})
    answer = other.get(link, {"code": code})
    assert answer.status_code == 302 and answer["Location"] == link
    assert other.get(link).status_code == 200


def test_tracking_with_wrong_code_is_refused(client, site, reference_data, report_url):
    submit(client, report_url, form_data())
    report = Report.objects.get()
    other = client.__class__()
    response = other.post(
        reverse("complaints:track"),
        {"reference": report.reference, "access_code": "2222-3333-4444-5555"},
    )
    assert response.status_code == 200
    assert "do not match" in response.content.decode() or "不匹配" in response.content.decode()
    link = reverse("complaints:report_status", kwargs={"reference": report.reference})
    assert other.get(link, {"code": "2222-3333-4444-5555"}).status_code == 404
    # Without proof of access the status page sends to the lookup form.
    assert other.get(link)["Location"].startswith(reverse("complaints:track"))


def test_tracking_form_checks_shapes(client, site, reference_data):
    response = client.post(
        reverse("complaints:track"), {"reference": "123", "access_code": "short"}
    )
    form = response.context["form"]
    assert set(form.errors) == {"reference", "access_code"}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": ""}, "category"),
        ({"category": "999999"}, "category"),
        ({"description": ""}, "description"),
        ({"description": "x" * 2001}, "description"),
        ({"contact_phone": "12345"}, "contact_phone"),
        ({"contact_email": "not-an-email"}, "contact_email"),
        ({"contact_phone": "", "contact_email": ""}, "contact_phone"),
        ({"latitude": "95", "longitude": "120.2"}, "latitude"),
        ({"latitude": "31.55", "longitude": ""}, "latitude"),
        ({"latitude": "", "longitude": "", "address": ""}, "town"),
        ({"address": "路" * 201}, "address"),
        ({"contact_name": "名" * 61}, "contact_name"),
    ],
)
def test_bad_input_is_answered_next_to_the_field(
    client, site, reference_data, report_url, overrides, field
):
    data = form_data(**overrides)
    response = submit(client, report_url, data, photos=[photo()])
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert Report.objects.count() == 0
    html = response.content.decode()
    # What was typed is kept, and so is the photo.
    if overrides.get("description") is None or "description" not in overrides:
        assert "已经两天没人清理" in html
    assert UploadDraft.objects.filter(token=data["draft_token"]).count() == 1
    assert 'name="remove_photos"' in html


def test_community_must_be_in_town(client, site, reference_data, report_url):
    from complaints.models import Community, Town

    town = Town.objects.get(name="蠡园街道")
    community = Community.objects.exclude(town=town).first()
    data = form_data(town=town.pk, community=community.pk, latitude="", longitude="")
    response = submit(client, report_url, data)
    assert "community" in response.context["form"].errors


def test_anonymous_refused_where_category_requires_contact(
    client, site, reference_data, report_url
):
    illegal_building = category("event", "0304")
    assert not illegal_building.anonymous_allowed
    data = form_data(category=illegal_building.pk, is_anonymous="on")
    response = submit(client, report_url, data)
    assert "is_anonymous" in response.context["form"].errors
    assert not Report.objects.exists()


def test_anonymous_report_stores_no_contact(client, site, reference_data, report_url):
    data = form_data(is_anonymous="on")
    assert submit(client, report_url, data).status_code == 302
    report = Report.objects.get()
    assert report.is_anonymous
    assert (report.contact_name, report.contact_phone, report.contact_email) == ("", "", "")
    assert report.contact_phone_hash == ""


def test_required_extra_question_of_the_chosen_category(client, site, reference_data, report_url):
    manhole = category("component", "0101")
    data = form_data(category=manhole.pk)
    response = submit(client, report_url, data)
    assert f"q_{manhole.pk}_danger" in response.context["form"].errors
    data[f"q_{manhole.pk}_danger"] = "是"
    assert submit(client, report_url, data).status_code == 302
    assert Report.objects.get().extra_answers == {"danger": "是"}


def test_other_categories_questions_are_not_required(client, site, reference_data, report_url):
    # 0102 has no questions; the required question of 0101 (component) must not block it.
    assert submit(client, report_url, form_data()).status_code == 302


def test_php_file_named_jpg_is_refused_and_form_kept(client, site, reference_data, report_url):
    data = form_data()
    php = photo("shell.jpg", b"<?php system($_GET['c']); ?>\n", "image/jpeg")
    response = submit(client, report_url, data, photos=[php, photo("good.jpg")])
    form = response.context["form"]
    assert "photos" in form.errors
    assert "shell.jpg" in str(form.errors["photos"])
    assert not Report.objects.exists()
    assert UploadDraft.objects.filter(token=data["draft_token"]).count() == 1  # the good one
    # Sent again without a new file: the kept photo goes onto the report.
    response = submit(client, report_url, data)
    assert response.status_code == 302
    assert Report.objects.get().attachments.count() == 1


def test_oversized_photo_is_refused(client, site, reference_data, report_url, settings):
    settings.COMPLAINTS_PHOTO_MAX_BYTES = 50_000
    big = photo("big.jpg", jpeg_bytes((3000, 3000)) + b"\0" * 60_000)
    response = submit(client, report_url, form_data(), photos=[big])
    assert "photos" in response.context["form"].errors
    assert "big.jpg" in str(response.context["form"].errors["photos"])
    assert not UploadDraft.objects.exists()


def test_too_many_pixels_is_refused(client, site, reference_data, report_url, settings):
    settings.COMPLAINTS_PHOTO_MAX_PIXELS = 1_000_000
    response = submit(
        client, report_url, form_data(), photos=[photo("huge.jpg", jpeg_bytes((1200, 1000)))]
    )
    assert "photos" in response.context["form"].errors


def test_at_most_six_photos(client, site, reference_data, report_url):
    data = form_data()
    response = submit(client, report_url, data, photos=[photo(f"p{i}.jpg") for i in range(8)])
    assert "photos" in response.context["form"].errors
    assert UploadDraft.objects.filter(token=data["draft_token"]).count() == 6


def test_removing_a_kept_photo(client, site, reference_data, report_url):
    data = form_data(description="")
    submit(client, report_url, data, photos=[photo("a.jpg"), photo("b.jpg")])
    drafts = list(UploadDraft.objects.filter(token=data["draft_token"]))
    assert len(drafts) == 2
    data.update(description="路口垃圾堆积", remove_photos=[str(drafts[0].pk)])
    assert submit(client, report_url, data).status_code == 302
    assert Report.objects.get().attachments.count() == 1


def test_double_submission_creates_one_report(client, site, reference_data, report_url):
    data = form_data()
    first = submit(client, report_url, data, photos=[photo()])
    second = submit(client, report_url, data, photos=[photo()])
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Report.objects.count() == 1
    assert Attachment.objects.count() == 1
    assert not UploadDraft.objects.exists()  # the second copy of the photo was not even kept
    # The receipt still shows the code after the resubmission (same browser).
    assert CODE_RE.search(client.get(second["Location"]).content.decode())


def test_honeypot_discards_the_post(client, site, reference_data, report_url):
    response = submit(client, report_url, form_data(website="http://spam.example"))
    assert response.status_code == 400
    assert not Report.objects.exists()


def test_nearby_open_report_is_suggested_and_voice_added(client, site, reference_data, report_url):
    submit(client, report_url, form_data())
    first = Report.objects.get()

    neighbour = client.__class__()
    data = form_data(
        latitude=str(POINT_NEARBY[0]),
        longitude=str(POINT_NEARBY[1]),
        contact_phone="13900001111",
        contact_email="",
    )
    response = submit(neighbour, report_url, data)
    assert response.status_code == 200
    assert [r for r, _state in response.context["nearby"]] == [first]
    assert first.reference in response.content.decode()
    assert Report.objects.count() == 1

    offer = re.search(r'name="support_offer" value="([^"]+)"', response.content.decode()).group(1)
    data = {**data, "support_offer": offer}
    response = submit(neighbour, report_url, {**data, "support": first.reference})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "complaints:support_done", kwargs={"reference": first.reference}
    )
    assert neighbour.get(response["Location"]).status_code == 200
    assert client.__class__().get(response["Location"]).status_code == 404
    # A supporter does not get the reporter's view (with the reporter's photos).
    status = reverse("complaints:report_status", kwargs={"reference": first.reference})
    assert neighbour.get(status).status_code == 302
    first.refresh_from_db()
    assert first.supporter_count == 1
    supporter = ReportSupporter.objects.get()
    assert supporter.contact_phone == "13900001111" and supporter.consent_to_contact
    assert first.events.filter(kind=CaseEvent.Kind.SUPPORTER_ADDED).count() == 1
    # Pressed twice: still one supporter.
    submit(neighbour, report_url, {**data, "support": first.reference})
    first.refresh_from_db()
    assert first.supporter_count == 1


def test_file_new_despite_suggestions(client, site, reference_data, report_url):
    submit(client, report_url, form_data())
    data = form_data(latitude=str(POINT_NEARBY[0]), longitude=str(POINT_NEARBY[1]))
    assert submit(client, report_url, data).status_code == 200
    assert submit(client, report_url, {**data, "confirm_new": "1"}).status_code == 302
    assert Report.objects.count() == 2


def test_other_category_is_not_suggested(client, site, reference_data, report_url):
    submit(client, report_url, form_data())
    bins = category("component", "0302")
    data = form_data(
        category=bins.pk, latitude=str(POINT_NEARBY[0]), longitude=str(POINT_NEARBY[1])
    )
    assert submit(client, report_url, data).status_code == 302
    assert Report.objects.count() == 2


def test_submission_rate_limit_per_ip_gives_429(client, site, reference_data, report_url, settings):
    settings.COMPLAINTS_RATE_SUBMIT_IP = "2/h"
    for _ in range(2):
        assert submit(client, report_url, form_data(is_anonymous="on")).status_code in (200, 302)
    response = submit(client, report_url, form_data(is_anonymous="on"))
    assert response.status_code == 429
    assert (
        "Too many requests" in response.content.decode() or "请求过多" in response.content.decode()
    )


def test_submission_rate_limit_per_phone(client, site, reference_data, report_url, settings):
    settings.COMPLAINTS_RATE_SUBMIT_PHONE = "1/h"
    assert (
        submit(client, report_url, form_data(category=category("event", "0104").pk)).status_code
        == 302
    )
    other_browser = client.__class__(REMOTE_ADDR="10.0.0.9")
    response = submit(other_browser, report_url, form_data(contact_phone="138 1234 5678"))
    assert response.status_code == 429
    # Another number from the same place is fine.
    assert submit(
        other_browser,
        report_url,
        form_data(contact_phone="13700000000", category=category("event", "0104").pk),
    ).status_code in (200, 302)


def test_tracking_rate_limit(client, site, reference_data, settings):
    settings.COMPLAINTS_RATE_TRACK_IP = "3/h"
    url = reverse("complaints:track")
    codes = [
        client.post(
            url, {"reference": "BH-2026-000001", "access_code": "2222-3333-4444-5555"}
        ).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]


def test_public_list_shows_public_reports_without_personal_data(
    client, site, reference_data, report_url
):
    submit(client, report_url, form_data())
    noise = category("event", "0301")  # not public by category
    submit(
        client,
        report_url,
        form_data(category=noise.pk, **{f"q_{noise.pk}_noise_date": "2026-11-01"}),
    )
    submit(
        client,
        report_url,
        form_data(is_public="", category=category("event", "0104").pk, confirm_new="1"),
    )
    assert Report.objects.count() == 3
    response = client.get(reverse("complaints:report_list"))
    html = response.content.decode()
    shown = [r for r, _state in response.context["rows"]]
    assert len(shown) == 1 and shown[0].category.code == "0102"
    assert "13812345678" not in html and "张三" not in html and "太湖大道" not in html
    assert 'id="reports-map"' in html and 'data-tiles=""' in html  # no tiles: the grid is the map


def test_public_list_filters(client, site, reference_data, report_url):
    submit(client, report_url, form_data())
    report = Report.objects.get()
    url = reverse("complaints:report_list")
    assert len(client.get(url, {"town": report.town_id}).context["rows"]) == 1
    other_town = type(report.town).objects.exclude(pk=report.town_id).first()
    assert len(client.get(url, {"town": other_town.pk}).context["rows"]) == 0
    assert len(client.get(url, {"state": "received"}).context["rows"]) == 1
    assert len(client.get(url, {"state": "closed"}).context["rows"]) == 0


def test_public_list_map_with_tiles(client, site, reference_data, report_url, settings):
    settings.COMPLAINTS_MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    submit(client, report_url, form_data())
    html = client.get(reverse("complaints:report_list")).content.decode()
    assert 'id="reports-map"' in html
    assert 'data-tiles="https://tiles.example.org/{z}/{x}/{y}.png"' in html
    assert "/static/vendor/leaflet/leaflet." in html


def test_form_in_english(client, site, reference_data):
    response = client.get("/en/report/")
    assert response.status_code == 200
    assert "File a complaint" in response.content.decode()
    assert '<html lang="en' in response.content.decode()


def test_post_without_csrf_token_is_refused(site, reference_data, report_url):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(report_url, form_data())
    assert response.status_code == 403
    assert not Report.objects.exists()


def test_intake_honours_the_routing_rules_dispatch_uses(client, site, reference_data, report_url):
    """One routing function: a town's rule decides the department already at intake, so the
    department a report is filed under is the one dispatch (and the preview) would pick."""
    from complaints.models import Department, RoutingRule
    from complaints.reference.services.routing import department_route
    from tests.complaints.conftest import cell_at

    cell = cell_at(*POINT)
    other = Department.objects.exclude(key="sanitation").order_by("pk").first()
    RoutingRule.objects.create(
        category=category("event", "0102"), town=cell.community.town, department=other
    )
    assert submit(client, report_url, form_data()).status_code == 302
    report = Report.objects.get()
    assert report.department == other
    assert (
        department_route(category=report.category, grid_cell=report.grid_cell).department
        == report.department
    )
