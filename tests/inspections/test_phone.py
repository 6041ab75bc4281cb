"""The inspector's phone screen through HTTP: who may open it, a finding sent twice stored once,
photos checked and stripped, the device's time and position flagged, the score on submit."""

import io
import json
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from PIL import Image

from complaints.models import Department
from inspections.models import Assignment, Finding, Inspection, InspectionCompany, InspectionPlan
from portal import roles
from tests.complaints.conftest import category, jpeg_bytes, photo
from tests.inspections.builders import market, standard

pytestmark = pytest.mark.django_db

# The object stands at this point; 0.01° of latitude is about 1.1 km.
LON, LAT = 120.3, 31.5
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def inspector(make_staff, reference_data):
    return make_staff(roles.INSPECTOR, "inspector1")


@pytest.fixture
def other_inspector(make_staff, reference_data):
    return make_staff(roles.INSPECTOR, "inspector2")


@pytest.fixture
def std(reference_data):
    return standard(
        ("地面垃圾", "2", "10", True, 8, category("event", "0102")),
        ("标识褪色", "1", "3"),
        valid_from="2026-01-01",
    )


def assign(obj, user, company=None):
    company = company or InspectionCompany.objects.get_or_create(name="督查公司")[0]
    company.members.add(user)
    plan, _ = InspectionPlan.objects.get_or_create(
        name="本月",
        month=timezone.localdate().replace(day=1),
        kind=obj.kind,
        grade=obj.grade,
        company=company,
    )
    return Assignment.objects.create(plan=plan, object=obj, inspector=user)


@pytest.fixture
def mine(inspector, std):
    obj = market("菜市场 甲", unit="greening")
    obj.geometry = json.dumps({"type": "Point", "coordinates": [LON, LAT]})
    obj.save()
    return assign(obj, inspector)


@pytest.fixture
def theirs(other_inspector, std):
    return assign(market("菜市场 乙", unit="greening"), other_inspector)


def start(client, assignment, **device):
    return client.post(reverse("inspector:start", args=[assignment.pk]), device)


def finding_data(std, client_uuid=None, **extra):
    data = {
        "client_uuid": str(client_uuid or uuid.uuid4()),
        "item": str(std.items.get(text="地面垃圾").pk),
        "occurrences": "2",
        "note": "入口两处",
    }
    data.update(extra)
    return data


def post_finding(client, assignment, data, **headers):
    return client.post(reverse("inspector:finding", args=[assignment.pk]), data, **headers)


# --- who may open it ---------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, mine):
    for url in (
        reverse("inspector:assignments"),
        reverse("inspector:assignment", args=[mine.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_other_roles_are_refused(client, make_staff, mine):
    client.force_login(make_staff(roles.INSPECTION_MANAGER, "manager"))
    assert client.get(reverse("inspector:assignments")).status_code == 403
    assert client.get(reverse("inspector:assignment", args=[mine.pk])).status_code == 403
    assert start(client, mine).status_code == 403
    assert Inspection.objects.count() == 0


def test_an_inspector_sees_and_works_only_on_their_own_assignments(
    client, inspector, mine, theirs, std
):
    client.force_login(inspector)
    listing = client.get(reverse("inspector:assignments")).content.decode()
    assert "菜市场 甲" in listing and "菜市场 乙" not in listing
    assert client.get(reverse("inspector:assignment", args=[theirs.pk])).status_code == 404
    assert start(client, theirs).status_code == 404
    # Even once the other inspector has begun, nothing can be posted to their inspection.
    client.force_login(theirs.inspector)
    start(client, theirs)
    client.force_login(inspector)
    assert post_finding(client, theirs, finding_data(std), **JSON).status_code == 404
    assert client.post(reverse("inspector:submit", args=[theirs.pk])).status_code == 404
    assert Finding.objects.count() == 0
    theirs.refresh_from_db()
    assert theirs.inspection.state == Inspection.State.OPEN


def test_the_next_object_comes_first(client, inspector, mine, std):
    later = assign(market("菜市场 丙"), inspector)
    client.force_login(inspector)
    start(client, later)
    listing = client.get(reverse("inspector:assignments")).content.decode()
    # The one in progress is the next one, before the one not begun.
    assert listing.index("菜市场 丙") < listing.index("菜市场 甲")
    assert reverse("inspector:assignment", args=[later.pk]) in listing


# --- the inspection ----------------------------------------------------------------------


def test_the_page_works_without_javascript(client, inspector, mine, std):
    client.force_login(inspector)
    page = client.get(reverse("inspector:assignment", args=[mine.pk]))
    assert "地面垃圾" in page.content.decode()  # the checklist of the version in effect
    assert start(client, mine).status_code == 302
    page = client.get(reverse("inspector:assignment", args=[mine.pk]))
    form = page.context["finding_form"]
    client_uuid = form["client_uuid"].value()
    assert uuid.UUID(str(client_uuid))
    response = post_finding(client, mine, finding_data(std, client_uuid))
    assert response.status_code == 302
    assert Finding.objects.get().client_uuid == uuid.UUID(str(client_uuid))
    # A fresh page offers a fresh device id for the next finding.
    next_uuid = (
        client.get(reverse("inspector:assignment", args=[mine.pk]))
        .context["finding_form"]["client_uuid"]
        .value()
    )
    assert str(next_uuid) != str(client_uuid)


def test_a_finding_sent_twice_is_stored_once(client, inspector, mine, std):
    client.force_login(inspector)
    start(client, mine)
    data = finding_data(std)
    first = post_finding(client, mine, data, **JSON)
    assert first.status_code == 201
    assert first.json()["created"] is True
    # The acknowledgement was lost: the phone sends it again.
    again = post_finding(client, mine, data, **JSON)
    assert again.status_code == 200
    assert again.json() == {**first.json(), "created": False}
    assert Finding.objects.filter(client_uuid=data["client_uuid"]).count() == 1
    assert Finding.objects.count() == 1


def test_a_photo_is_stripped_and_a_file_that_is_not_one_refused(client, inspector, mine, std):
    client.force_login(inspector)
    start(client, mine)
    refused = post_finding(
        client,
        mine,
        finding_data(std, photo=photo("note.jpg", b"not an image at all", "image/jpeg")),
        **JSON,
    )
    assert refused.status_code == 400
    assert "photo" in refused.json()["errors"]
    assert Finding.objects.count() == 0
    accepted = post_finding(
        client, mine, finding_data(std, photo=photo("gps.jpg", jpeg_bytes(gps=True))), **JSON
    )
    assert accepted.status_code == 201
    stored = Finding.objects.get()
    with stored.photo.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
    assert image.format == "JPEG"
    assert not image.getexif()  # no camera, no GPS


def test_device_time_and_position_that_do_not_fit_are_flagged(client, inspector, mine, std):
    client.force_login(inspector)
    now = timezone.now()
    start(
        client, mine, device_at=now.isoformat(), latitude=f"{LAT + 0.001:.6f}", longitude=f"{LON}"
    )
    inspection = Inspection.objects.get()
    assert inspection.flags == []  # about 110 m away, on time
    post_finding(
        client,
        mine,
        finding_data(std, device_at=now.isoformat(), latitude=f"{LAT}", longitude=f"{LON}"),
        **JSON,
    )
    assert Finding.objects.get().flags == []
    late = (now - timedelta(hours=1)).isoformat()
    post_finding(client, mine, finding_data(std, device_at=late), **JSON)
    far = post_finding(
        client, mine, finding_data(std, latitude=f"{LAT + 0.01:.6f}", longitude=f"{LON}"), **JSON
    )
    assert far.status_code == 201  # flagged, never refused
    assert sorted(f.flags for f in Finding.objects.all() if f.flags) == [["position"], ["time"]]
    inspection.refresh_from_db()
    assert inspection.flags == ["position", "time"]
    # The manager sees them in the list of inspections.
    client.force_login(make_manager())
    listing = client.get(reverse("inspections:index")).content.decode()
    assert inspection.flag_text and escape(inspection.flag_text) in listing
    page = client.get(reverse("inspections:inspect", args=[inspection.pk])).content.decode()
    assert escape(inspection.flag_text) in page


def make_manager():
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("manager", "m@example.invalid", "pw")
    user.groups.add(roles.group(roles.INSPECTION_MANAGER))
    return user


def test_submitting_computes_the_score_and_files_the_case(client, inspector, mine, std):
    client.force_login(inspector)
    start(client, mine)
    post_finding(client, mine, finding_data(std, occurrences="2"), **JSON)  # 2 × 2 = 4
    post_finding(
        client,
        mine,
        finding_data(std, item=str(std.items.get(text="标识褪色").pk), occurrences="5"),
        **JSON,
    )  # 1 × 5, capped at 3
    response = client.post(reverse("inspector:submit", args=[mine.pk]), follow=True)
    assert response.status_code == 200
    inspection = Inspection.objects.get()
    assert inspection.state == Inspection.State.SUBMITTED
    assert response.context["score"] == 93
    assert "93" in response.content.decode()
    (litter,) = Finding.objects.filter(item__text="地面垃圾")
    assert litter.report is not None
    assert litter.report.department == Department.objects.get(key="greening")
    # Submitted: a new finding is refused, a resend of a stored one still acknowledged.
    late = post_finding(client, mine, finding_data(std), **JSON)
    assert late.status_code == 409
    resend = post_finding(client, mine, finding_data(std, litter.client_uuid), **JSON)
    assert resend.status_code == 200
    assert Finding.objects.count() == 2


def test_the_manager_sees_the_findings_their_flags_and_photos(client, inspector, mine, std, intake):
    client.force_login(inspector)
    start(client, mine)
    late = (timezone.now() - timedelta(hours=1)).isoformat()
    post_finding(
        client,
        mine,
        finding_data(std, device_at=late, photo=photo("a.jpg", jpeg_bytes(gps=True))),
        **JSON,
    )
    finding = Finding.objects.get()
    manager = make_manager()
    client.force_login(manager)
    page = client.get(reverse("inspections:inspect", args=[finding.inspection_id]))
    text = page.content.decode()
    assert "入口两处" in text and escape(finding.flag_text) in text
    photo_url = reverse("inspections_finding_photo", args=[finding.pk])
    assert photo_url in text
    served = client.get(photo_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    # Nobody else reads it: a case role is sent to the dashboard (how the admin refuses), an
    # anonymous visitor to the sign-in page.
    client.force_login(intake)
    refused = client.get(photo_url)
    assert refused.status_code == 302 and refused["Location"] == reverse("wagtailadmin_home")
    client.logout()
    anonymous = client.get(photo_url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("wagtailadmin_login"))
