"""A zero-byte photo in either public form is refused out loud: the form comes back with the
message and what was typed, no report is filed, nothing of the empty file is stored."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Attachment, Informant, Report, UploadDraft
from complaints.reference.services.reference_data import reward_rules_load_from_csv
from tests.complaints.conftest import POINT, category, form_data, photo

pytestmark = pytest.mark.django_db

EMPTY_NAME = "IMG_0001.jpg"


def empty_photo():
    return photo(EMPTY_NAME, b"")


def assert_refused(response, token: str, typed: str) -> None:
    assert response.status_code == 200
    errors = response.context["form"].errors.get("photos", [])
    assert any(EMPTY_NAME in e and "0" in e for e in errors), errors
    html = response.content.decode()
    assert EMPTY_NAME in html  # the message is on the page, next to the field
    assert typed in html  # and the rest of the form is kept
    assert not Report.objects.exists()
    assert not Attachment.objects.exists()
    assert not UploadDraft.objects.filter(token=token).exists()


def test_complaint_form_refuses_an_empty_photo(client, site, reference_data, report_url):
    data = form_data()
    response = client.post(report_url, {**data, "photos": [empty_photo()]})
    assert_refused(response, data["draft_token"], "已经两天没人清理")


def test_complaint_form_keeps_the_good_photo_beside_an_empty_one(
    client, site, reference_data, report_url
):
    data = form_data()
    response = client.post(report_url, {**data, "photos": [empty_photo(), photo("good.jpg")]})
    assert response.status_code == 200
    assert EMPTY_NAME in str(response.context["form"].errors["photos"])
    assert not Report.objects.exists()
    drafts = UploadDraft.objects.filter(token=data["draft_token"])
    assert [d.original_name for d in drafts] == ["good.jpg"]
    # Sent again without the empty file: the report is filed with the good photo.
    again = client.post(report_url, data)
    assert again.status_code == 302
    assert Report.objects.get().attachments.count() == 1


def test_informant_form_refuses_an_empty_photo(client, site, reference_data, settings):
    settings.COMPLAINTS_RATE_INFORMANT_IP = "100/h"
    reward_rules_load_from_csv()
    seen = timezone.localtime(timezone.now() - timedelta(hours=1))
    token = uuid.uuid4().hex + uuid.uuid4().hex[:8]
    data = {
        "submission_token": str(uuid.uuid4()),
        "draft_token": token,
        "category": str(category("event", "0105").pk),
        "description": "有人开着小货车在河边倒建筑垃圾，车牌看不清。",
        "observed_at": seen.strftime("%Y-%m-%dT%H:%M"),
        "address": "太湖大道 100 号东侧河边",
        "latitude": str(POINT[0]),
        "longitude": str(POINT[1]),
        "reward": "claim",
        "name": "李秀英",
        "phone": "13912345678",
        "payment_account": "6222020200112233445",
        "website": "",
    }
    url = reverse("complaints:informant_report_create")
    response = client.post(url, {**data, "photos": [empty_photo()]})
    assert_refused(response, token, "车牌看不清")
    assert not Informant.objects.exists()
    # Without the empty file the same form is filed.
    assert client.post(url, data).status_code == 302
    assert Report.objects.count() == 1
