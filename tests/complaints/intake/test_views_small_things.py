"""Small things a resident notices (issue 13): the date questions show their format in the
page's language and accept it typed the Chinese way; the photo picker's labels come from the
page, not the browser; full-width punctuation in Chinese; photos captioned 处置前 / 处置后."""

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from complaints.models import Attachment, Report
from complaints.reference.services.reference_data import reward_rules_load_from_csv
from tests.complaints.conftest import category, form_data, jpeg_bytes, photo

pytestmark = pytest.mark.django_db


def date_field_name(code: str = "0301", key: str = "noise_date") -> str:
    return f"q_{category('event', code).pk}_{key}"


def test_date_questions_show_their_format_in_chinese(client, site, reference_data, report_url):
    html = client.get(report_url).content.decode()
    name = date_field_name()
    field = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
    assert 'type="date"' not in field  # the browser's own control shows "mm/dd/yyyy"
    assert 'type="text"' in field and 'placeholder="年-月-日"' in field
    assert "格式：年-月-日，例如 2026-05-01。" in html


@pytest.mark.parametrize(
    "typed", ["2026-05-01", "2026/5/1", "2026年5月1日", "２０２６－０５－０１", " 2026.05.01 "]
)
def test_date_answers_typed_the_chinese_way_are_understood(
    client, site, reference_data, report_url, typed
):
    noise = category("event", "0301")
    response = client.post(
        report_url, form_data(category=str(noise.pk), **{date_field_name(): typed})
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Report.objects.get().extra_answers["noise_date"] == "2026-05-01"


def test_a_date_that_is_no_date_is_refused(client, site, reference_data, report_url):
    noise = category("event", "0301")
    response = client.post(
        report_url, form_data(category=str(noise.pk), **{date_field_name(): "五月一日"})
    )
    assert response.status_code == 200
    assert date_field_name() in response.context["form"].errors
    assert not Report.objects.exists()


def test_photo_picker_labels_come_from_the_page(client, site, reference_data):
    html = client.get(reverse("complaints:report_create")).content.decode()
    picker = re.search(r"<div class=\"photo-picker\".*?>", html, re.S).group(0)
    assert 'data-label-choose="选择照片"' in picker and 'data-label-remove="移除"' in picker
    assert 'data-max="6"' in picker
    assert "/static/js/photo-picker." in html
    english = client.get("/en/report/").content.decode()
    assert 'data-label-choose="Choose photos"' in english


CODE_RE = re.compile(r'id="receipt-code">([A-Z0-9-]{19})<')


def file_report(client, report_url, **files) -> tuple[Report, str]:
    """File a report through the form; (report, access code from the receipt)."""
    response = client.post(report_url, {**form_data(), **files})
    assert response.status_code == 302
    receipt = client.get(response["Location"]).content.decode()
    return Report.objects.get(), CODE_RE.search(receipt).group(1)


def _attach(report: Report, kind: str) -> Attachment:
    attachment = Attachment(
        report=report,
        kind=kind,
        sha256="0" * 64,
        width=64,
        height=48,
        size=10,
        is_public=True,
        created_at=timezone.now(),
    )
    attachment.image.save("photo.jpg", ContentFile(jpeg_bytes((64, 48))), save=False)
    attachment.save()
    return attachment


def test_tracking_page_captions_photos_before_and_after_handling(
    client, site, reference_data, report_url
):
    report, code = file_report(client, report_url, photos=[photo()])
    before = _attach(report, Attachment.Kind.BEFORE_HANDLING)
    after = _attach(report, Attachment.Kind.HANDLING)
    client.post(reverse("complaints:track"), {"reference": report.reference, "access_code": code})
    html = client.get(reverse("complaints:report_status", args=[report.reference])).content.decode()
    captions = re.findall(r'<figcaption class="photo__caption">([^<]+)</figcaption>', html)
    assert captions == ["反映人照片", "处置前", "处置后"]
    for attachment in (before, after):
        url = reverse("complaints:report_photo", args=[report.reference, attachment.pk])
        assert f'src="{url}"' in html
        assert client.get(url).status_code == 200


def test_tracking_heading_uses_a_fullwidth_colon(client, site, reference_data, report_url):
    report, code = file_report(client, report_url)
    client.post(reverse("complaints:track"), {"reference": report.reference, "access_code": code})
    html = client.get(reverse("complaints:report_status", args=[report.reference])).content.decode()
    heading = re.search(r'<h1 class="page-header__title">(.*?)</h1>', html, re.S).group(1)
    assert "暴露垃圾：" in heading and "暴露垃圾:" not in heading


def test_reward_amounts_use_fullwidth_punctuation_in_chinese(client, site, reference_data):
    reward_rules_load_from_csv()
    html = client.get(reverse("complaints:informant_report_create")).content.decode()
    amounts = re.findall(r'<span class="reward-rule__amount">(.*?)</span>', html, re.S)
    per_unit = next(a for a in amounts if "m²" in a)
    assert "，" in per_unit and ", " not in per_unit, per_unit


def test_error_summary_uses_a_fullwidth_colon(client, site, reference_data, report_url):
    response = client.post(report_url, form_data(description=""))
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'href="#field-description">问题描述：[^<:]+</a>', html), html[:3000]
    english = client.post("/en/report/", form_data(description="")).content.decode()
    assert re.search(r'href="#field-description">[^<]+\?: [^<]+</a>', english)
