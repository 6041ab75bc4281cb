"""A resident finds their report again: task links in every page's navigation and footer, links
to tracking from the home page, receipt and messages, a forgiving tracking form."""

import re

import pytest
from django.urls import reverse

from complaints.models import CaseEvent, Report
from complaints.notifications.services import notification_text
from tests.complaints.conftest import form_data

pytestmark = pytest.mark.django_db

CODE_RE = re.compile(r'id="receipt-code">([A-Z0-9-]{19})<')
NAV_RE = re.compile(r'<nav class="site-nav".*?</nav>', re.S)
FOOTER_RE = re.compile(r'<footer class="site-footer".*?</footer>', re.S)


def file_report(client, report_url, **files) -> tuple[Report, str]:
    """File a report through the form; (report, access code from the receipt)."""
    response = client.post(report_url, {**form_data(), **files})
    assert response.status_code == 302
    receipt = client.get(response["Location"]).content.decode()
    return Report.objects.get(), CODE_RE.search(receipt).group(1)


@pytest.mark.parametrize(
    ("language", "report_label", "track_label"),
    [("zh-hans", "我要投诉", "进度查询"), ("en", "File a complaint", "Follow a report")],
)
def test_every_public_page_links_to_the_form_and_tracking(
    client, site, reference_data, language, report_label, track_label
):
    prefix = "" if language == "zh-hans" else "/en"
    pages = [
        site.url if language == "zh-hans" else "/en/",
        f"{prefix}/report/",
        f"{prefix}/reports/",
        f"{prefix}/track/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        report_href = f'href="{prefix}/report/"'
        track_href = f'href="{prefix}/track/"'
        for part in (NAV_RE.search(html).group(0), FOOTER_RE.search(html).group(0)):
            assert report_href in part and report_label in part, url
            assert f"{track_href}" in part and track_label in part, url


def test_the_current_task_is_marked_in_the_navigation(client, site, reference_data):
    nav = NAV_RE.search(client.get("/track/").content.decode()).group(0)
    assert 'href="/track/" aria-current="page"' in nav
    assert 'href="/report/" aria-current' not in nav


def test_receipt_links_to_tracking(client, site, reference_data, report_url):
    report, _code = file_report(client, report_url)
    receipt = client.get(
        reverse("complaints:report_receipt", kwargs={"reference": report.reference})
    ).content.decode()
    assert f'href="{reverse("complaints:report_status", args=[report.reference])}"' in receipt


def test_messages_link_to_tracking(client, site, reference_data, report_url, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://portal.example"
    report, _code = file_report(client, report_url)
    event = report.events.get(kind=CaseEvent.Kind.SUBMITTED)
    _subject, body = notification_text(event=event)
    assert f"https://portal.example/track/{report.reference}/" in body


@pytest.mark.parametrize(
    "typed",
    [
        "{ref}",
        "{ref_lower}",
        "{ref_spaced}",
        "{ref_fullwidth}",
        "{ref_nodash}",
        "  {ref_emdash}  ",
    ],
)
@pytest.mark.parametrize(
    "code_form", ["{code}", "{code_lower}", "{code_spaced}", "{code_fullwidth}", "{code_plain}"]
)
def test_tracking_accepts_references_and_codes_as_typed(
    client, site, reference_data, report_url, typed, code_form
):
    report, code = file_report(client, report_url)
    ref = report.reference
    forms = {
        "ref": ref,
        "ref_lower": ref.lower(),
        "ref_spaced": ref.replace("-", " - "),
        "ref_fullwidth": "".join(chr(ord(c) + 0xFEE0) for c in ref),  # ＢＨ－２０２６－…
        "ref_nodash": ref.replace("-", ""),
        "ref_emdash": ref.replace("-", "—"),
        "code": code,
        "code_lower": code.lower(),
        "code_spaced": code.replace("-", " "),
        "code_fullwidth": "".join(chr(ord(c) + 0xFEE0) for c in code),
        "code_plain": code.replace("-", ""),
    }
    other = client.__class__()
    response = other.post(
        reverse("complaints:track"),
        {"reference": typed.format(**forms), "access_code": code_form.format(**forms)},
    )
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == reverse("complaints:report_status", args=[ref])


def test_fullwidth_reference_example_from_the_issue_is_understood(client, site, reference_data):
    from complaints.intake.forms import TrackForm

    form = TrackForm({"reference": "ＢＨ－２０２６－０００１２３", "access_code": "ａｂｃｄ－" * 4})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["reference"] == "BH-2026-000123"
    assert form.cleaned_data["access_code"] == "ABCD" * 4


def test_tracking_still_refuses_a_wrong_code_typed_loosely(
    client, site, reference_data, report_url
):
    report, code = file_report(client, report_url)
    wrong = code[:-1] + ("2" if code[-1] != "2" else "3")
    response = client.__class__().post(
        reverse("complaints:track"),
        {"reference": report.reference.lower(), "access_code": wrong.lower()},
    )
    assert response.status_code == 200
    assert "access_code" in response.context["form"].errors


def test_informant_follow_up_accepts_a_code_typed_loosely(client, site, reference_data):
    from complaints.rewards.forms import ReceiptCodeForm

    raw = "ABCD" * 6
    typed = " ".join("".join(chr(ord(c) + 0xFEE0) for c in raw[i : i + 4]) for i in range(0, 24, 4))
    form = ReceiptCodeForm({"code": typed.lower()})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["code"] == raw


def test_the_navigation_leaves_the_pages_own_context_alone(
    client, site, reference_data, report_url
):
    """The task links are named apart from what views pass (``state``, ``report_url``)."""
    report, code = file_report(client, report_url)
    client.post(reverse("complaints:track"), {"reference": report.reference, "access_code": code})
    html = client.get(reverse("complaints:report_status", args=[report.reference])).content.decode()
    heading = re.search(r'<h1 class="page-header__title">(.*?)</h1>', html, re.S).group(1)
    assert '<span class="status-state">已接收</span>' in heading
