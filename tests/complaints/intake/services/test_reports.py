import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from complaints.intake.inputs import ReportInput
from complaints.intake.services.reports import report_submit, report_support
from complaints.models import CaseEvent, GridCell, Report, ReportState
from tests.complaints.conftest import POINT, category, cell_at
from tests.support.factories import report_walk

pytestmark = pytest.mark.django_db


def submit(**overrides):
    arguments = {
        "submission_token": uuid.uuid4(),
        "category": category("event", "0102"),
        "description": "垃圾堆积",
        "address": "某路",
        "contact_phone": "13812345678",
        "consent_to_contact": True,
    }
    arguments.update(overrides)
    return report_submit(input=ReportInput(**arguments))


def test_references_are_consecutive_per_year(reference_data):
    year = timezone.localdate().year
    first, second = submit().report, submit().report
    assert first.reference == f"BH-{year}-000001"
    assert second.reference == f"BH-{year}-000002"


def test_same_token_returns_the_first_report_without_code(reference_data):
    token = uuid.uuid4()
    first = submit(submission_token=token)
    again = submit(submission_token=token, description="another text")
    assert first.created and first.access_code
    assert not again.created and again.access_code is None
    assert again.report.pk == first.report.pk
    assert Report.objects.count() == 1


def test_received_event_is_recorded(reference_data):
    report = submit().report
    event = report.events.get()
    assert (event.kind, event.to_state, event.is_public) == (
        CaseEvent.Kind.SUBMITTED,
        ReportState.RECEIVED,
        True,
    )


def test_place_is_completed_from_coordinates(reference_data):
    report = submit(latitude=POINT[0], longitude=POINT[1], address="").report
    cell = cell_at(*POINT)
    assert report.grid_cell == cell
    assert report.community == cell.community and report.town == cell.community.town


def test_place_is_required(reference_data):
    with pytest.raises(ValidationError) as error:
        submit(address="")
    assert "town" in error.value.message_dict


def test_contact_or_anonymous(reference_data):
    with pytest.raises(ValidationError) as error:
        submit(contact_phone="")
    assert "contact_phone" in error.value.message_dict
    assert submit(contact_phone="", is_anonymous=True).report.is_anonymous


def test_private_category_is_never_public(reference_data):
    report = submit(category=category("event", "0301"), is_public=True).report
    assert report.is_public is False


def test_town_level_work_goes_to_the_cells_department(reference_data):
    from complaints.models import Department

    cell = cell_at(*POINT)
    squad = Department.objects.create(key="taihu_squad", name="太湖街道城管中队", level="town")
    GridCell.objects.filter(pk=cell.pk).update(department=squad)
    vendors = category("event", "0501")  # default department: town_enforcement (town level)
    assert (
        submit(category=vendors, grid_cell=GridCell.objects.get(pk=cell.pk)).report.department
        == squad
    )
    garbage = category("event", "0102")  # sanitation, district level
    assert submit(category=garbage, grid_cell=cell).report.department.key == "sanitation"


def test_support_counts_once_per_token_and_only_open_reports(reference_data):
    report = submit().report
    token = uuid.uuid4()
    supporter, created = report_support(
        report=report, submission_token=token, contact_phone="13900000000", consent_to_contact=True
    )
    again, created_again = report_support(report=report, submission_token=token)
    assert created and not created_again and again.pk == supporter.pk
    report.refresh_from_db()
    assert report.supporter_count == 1
    report = report_walk(report, ReportState.CLOSED)
    with pytest.raises(ValidationError):
        report_support(report=report, submission_token=uuid.uuid4())
