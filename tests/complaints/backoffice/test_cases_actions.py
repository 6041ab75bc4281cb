"""Firing workflow actions from the case page, with their forms."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from complaints.models import Attachment, Report, ReportChannel, ReportState, ResponseTemplate
from tests.complaints.conftest import category, jpeg_bytes


def post_action(client, report, action, **fields):
    data = {"action": action, "expected_state": report.state}
    data.update({f"{action}-{k}": v for k, v in fields.items()})
    return client.post(reverse("complaints_case", args=[report.pk]), data)


def test_intake_registers_and_dispatches_with_routing_suggestion(client, intake, report_in):
    report = report_in(ReportState.RECEIVED)
    client.force_login(intake)
    assert post_action(client, report, "register").status_code == 302
    report.refresh_from_db()
    page = client.get(reverse("complaints_case", args=[report.pk]))
    dispatch_form = {t.action.value: f for t, f in page.context["actions"]}["dispatch"]
    assert dispatch_form.fields["department"].initial.key == "sanitation"
    response = post_action(
        client, report, "dispatch", department=dispatch_form.fields["department"].initial.pk
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.DISPATCHED and report.deadline


def test_reject_needs_a_reason(client, intake, report_in):
    report = report_in(ReportState.RECEIVED)
    client.force_login(intake)
    response = post_action(client, report, "reject")
    assert response.status_code == 400
    assert Report.objects.get(pk=report.pk).state == ReportState.RECEIVED


def test_response_template_fills_the_public_note(client, intake, report_in):
    report = report_in(ReportState.RECEIVED)
    template = ResponseTemplate.objects.create(
        title="不属于城管", action="reject", text="该问题不属于城市管理范围，请拨打12345。"
    )
    client.force_login(intake)
    assert post_action(client, report, "reject", template=template.pk).status_code == 302
    assert report.events.last().note == template.text


def test_handler_marks_handled_with_a_photo_stripped_of_metadata(client, handler, report_in):
    report = report_in(ReportState.DISPATCHED)
    client.force_login(handler)
    photo = SimpleUploadedFile("after.jpg", jpeg_bytes(gps=True), "image/jpeg")
    response = post_action(client, report, "handle", note="已清理", photos=photo)
    assert response.status_code == 302
    attachment = Attachment.objects.get(report=report, kind=Attachment.Kind.HANDLING)
    with attachment.image.open("rb") as handle:
        assert not Image.open(handle).getexif()
    assert Report.objects.get(pk=report.pk).state == ReportState.HANDLED


def test_handler_photo_goes_through_the_same_validation(client, handler, report_in):
    report = report_in(ReportState.DISPATCHED)
    client.force_login(handler)
    fake = SimpleUploadedFile("after.jpg", b"not an image at all", "image/jpeg")
    response = post_action(client, report, "handle", note="已清理", photos=fake)
    assert response.status_code == 400
    assert "JPEG" in response.text
    assert Report.objects.get(pk=report.pk).state == ReportState.DISPATCHED
    # Without any photo the action is refused too.
    assert post_action(client, report, "handle", note="已清理").status_code == 400


def test_stale_page_is_refused_with_a_message(client, intake, report_in):
    report = report_in(ReportState.RECEIVED)
    client.force_login(intake)
    data = {"action": "register", "expected_state": "registered"}
    response = client.post(reverse("complaints_case", args=[report.pk]), data, follow=True)
    assert Report.objects.get(pk=report.pk).state == ReportState.RECEIVED
    shown = list(response.context["messages"])
    assert [m.level_tag for m in shown] == ["error"]


def test_hotline_entry_uses_the_intake_service(client, intake, reference_data):
    client.force_login(intake)
    from complaints.models import Town

    response = client.post(
        reverse("complaints_hotline"),
        {
            "category": category("event", "0102").pk,
            "description": "电话反映：菜场门口垃圾成堆",
            "town": Town.objects.first().pk,
            "address": "菜场门口",
            "contact_name": "王五",
            "contact_phone": "13900001111",
            "consent_to_contact": "on",
        },
    )
    assert response.status_code == 201
    report = Report.objects.get()
    assert report.channel == ReportChannel.HOTLINE and report.state == ReportState.RECEIVED
    assert reverse("complaints_case", args=[report.pk]) in response.text
    # The access code is shown once, for the operator to read out; it matches the report.
    from complaints.intake.selectors import report_for_tracking

    code = response.context["access_code"]
    assert code in response.text and report_for_tracking(
        reference=report.reference, access_code=code
    )


@pytest.mark.parametrize("with_rule", [False, True])
def test_routing_preview(client, supervisor, reference_data, with_rule):
    from complaints.models import Department, RoutingRule, Town

    town = Town.objects.first()
    cat = category("event", "0102")
    if with_rule:
        RoutingRule.objects.create(
            category=cat, town=town, department=Department.objects.get(key="greening")
        )
    client.force_login(supervisor)
    response = client.get(
        reverse("complaints_routing_preview"), {"category": cat.pk, "town": town.pk}
    )
    assert response.status_code == 200
    expected = "greening" if with_rule else "sanitation"
    assert response.context["route"].department.key == expected


def test_handler_adds_before_and_after_photos(client, handler, report_in):
    report = report_in(ReportState.DISPATCHED)
    client.force_login(handler)
    before = SimpleUploadedFile("before.jpg", jpeg_bytes(gps=True), "image/jpeg")
    after = SimpleUploadedFile("after.jpg", jpeg_bytes(), "image/jpeg")
    response = post_action(
        client, report, "handle", note="已清理", photos=after, before_photos=before
    )
    assert response.status_code == 302
    kinds = sorted(report.attachments.values_list("kind", flat=True))
    assert kinds == [Attachment.Kind.BEFORE_HANDLING, Attachment.Kind.HANDLING]
    before_photo = report.attachments.get(kind=Attachment.Kind.BEFORE_HANDLING)
    with before_photo.image.open("rb") as handle:
        assert not Image.open(handle).getexif()  # same stripping as residents' photos


def test_a_bad_before_photo_is_refused_next_to_its_field(client, handler, report_in):
    report = report_in(ReportState.DISPATCHED)
    client.force_login(handler)
    fake = SimpleUploadedFile("before.jpg", b"<?php echo 1; ?>", "image/jpeg")
    after = SimpleUploadedFile("after.jpg", jpeg_bytes(), "image/jpeg")
    response = post_action(
        client, report, "handle", note="已清理", photos=after, before_photos=fake
    )
    assert response.status_code == 400
    assert Report.objects.get(pk=report.pk).state == ReportState.DISPATCHED
    assert not report.attachments.exists()
