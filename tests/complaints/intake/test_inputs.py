"""The intake input object (issue 11): what a submission says, frozen, checked by the service."""

import dataclasses
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from complaints.intake.inputs import (
    ReportInput,
    answer_error_key,
    answer_key_of,
    coordinate,
)
from complaints.intake.services.reports import (
    ANONYMITY_REFUSED,
    ANSWER_MISSING,
    CONTACT_MISSING,
    report_input_check,
    report_submit,
)
from complaints.models import Report, ReportChannel, ReportKind
from tests.complaints.conftest import POINT, category, cell_at


def an_input(**changes) -> ReportInput:
    values = {
        "submission_token": uuid.uuid4(),
        "category": category("event", "0102"),
        "description": "路口垃圾桶旁边堆满了垃圾。",
        "latitude": coordinate(POINT[0]),
        "longitude": coordinate(POINT[1]),
        "contact_phone": "13812345678",
    }
    return ReportInput(**{**values, **changes})


def test_the_input_is_frozen_and_holds_copies(db, reference_data):
    answers, drafts = {"stage": "已经建成"}, []
    report_input = an_input(extra_answers=answers, photo_drafts=drafts)
    answers["stage"] = "changed"
    assert report_input.extra_answers == {"stage": "已经建成"}
    assert report_input.photo_drafts == ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        report_input.description = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        report_input.extra_answers["stage"] = "x"  # type: ignore[index]
    assert (report_input.channel, report_input.kind) == (ReportChannel.WEB, ReportKind.COMPLAINT)


def test_coordinates_and_answer_keys():
    assert coordinate(31.55501234) == Decimal("31.555012")
    assert coordinate(None) is None
    assert answer_key_of(answer_error_key("danger")) == "danger"
    assert answer_key_of("latitude") is None


def test_the_check_completes_the_place_and_drops_contacts_of_anonymous_reports(db, reference_data):
    checked = report_input_check(input=an_input(is_anonymous=True, contact_name="张三"))
    cell = cell_at(*POINT)
    assert checked.grid_cell == cell
    assert (checked.community, checked.town) == (cell.community, cell.community.town)
    assert (checked.contact_name, checked.contact_phone) == ("", "")


def test_the_check_reports_every_broken_rule_at_once_by_field(db, reference_data):
    manhole = category("component", "0101")
    with pytest.raises(ValidationError) as refused:
        report_input_check(
            input=an_input(
                category=manhole, contact_phone="", questions_asked=True, description=" "
            )
        )
    errors = refused.value.message_dict
    assert errors["contact_phone"] == [str(CONTACT_MISSING)]
    assert errors[answer_error_key("danger")] == [str(ANSWER_MISSING)]
    assert "description" in errors


def test_report_submit_takes_the_input_and_refuses_what_the_check_refuses(db, reference_data):
    illegal_building = category("event", "0304")
    with pytest.raises(ValidationError) as refused:
        report_submit(input=an_input(category=illegal_building, is_anonymous=True))
    assert refused.value.message_dict == {"is_anonymous": [str(ANONYMITY_REFUSED)]}
    assert not Report.objects.exists()
    result = report_submit(input=an_input(channel=ReportChannel.HOTLINE))
    assert result.created and result.report.channel == ReportChannel.HOTLINE
    assert result.report.grid_cell == cell_at(*POINT)
