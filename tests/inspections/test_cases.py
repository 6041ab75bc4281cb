"""A finding that needs rectification becomes a case (channel "inspection") for the object's
responsible unit, due within the standard item's rectification hours."""

import uuid

import pytest
from django.urls import reverse

from complaints.cases.services.deadlines import working_time_add
from complaints.models import Department, Report, ReportChannel, ReportState
from inspections.models import Finding
from inspections.services import (
    finding_case_create,
    finding_record,
    inspection_start,
    inspection_submit,
)
from portal import roles
from tests.complaints.conftest import category
from tests.inspections.builders import at, market, standard

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspector(make_staff, reference_data):
    return make_staff(roles.INSPECTION_MANAGER, "inspector")


@pytest.fixture
def inspected(inspector):
    """An open inspection of a market the greening department keeps (the litter category
    routes to sanitation by default), with a litter finding that needs rectification within
    8 working hours and a faded sign that does not."""
    obj = market(unit="greening")
    std = standard(
        ("地面垃圾", "2", "10", True, 8, category("event", "0102")),
        ("标识褪色", "1", "3"),
    )
    insp = inspection_start(obj=obj, inspector=inspector, inspected_at=at("2026-03-02 09:00"))
    litter, _ = finding_record(
        inspection=insp,
        item=std.items.get(text="地面垃圾"),
        client_uuid=uuid.uuid4(),
        occurrences=2,
        note="入口两处",
    )
    finding_record(inspection=insp, item=std.items.get(text="标识褪色"), client_uuid=uuid.uuid4())
    return insp, litter


def test_submitting_turns_the_rectification_finding_into_one_case(inspected):
    insp, litter = inspected
    (case,) = inspection_submit(inspection=insp)
    assert case.channel == ReportChannel.INSPECTION
    assert case.state == ReportState.RECEIVED
    assert case.department == Department.objects.get(key="greening")
    assert case.town == insp.object.town and case.category.code == "0102"
    assert not case.is_public
    assert "入口两处" in case.description and insp.object.name in case.description
    litter.refresh_from_db()
    assert litter.report == case
    assert Finding.objects.filter(inspection=insp, report__isnull=True).count() == 1
    # Submitting again, or filing the finding's case again, makes no second case.
    assert inspection_submit(inspection=insp) == []
    assert finding_case_create(finding=litter) == case
    assert Report.objects.filter(channel=ReportChannel.INSPECTION).count() == 1


def test_intake_dispatches_the_case_due_within_the_rectification_hours(client, intake, inspected):
    insp, _litter = inspected
    (case,) = inspection_submit(inspection=insp)
    greening = Department.objects.get(key="greening")
    client.force_login(intake)
    url = reverse("complaints_case", args=[case.pk])
    assert client.post(url, {"action": "register", "expected_state": "received"}).status_code == 302
    response = client.post(
        url,
        {"action": "dispatch", "expected_state": "registered", "dispatch-department": greening.pk},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == ReportState.DISPATCHED and case.department == greening
    # 8 working hours, not the category's 4.
    assert case.deadline == working_time_add(start=case.dispatched_at, minutes=8 * 60)
    assert case.deadline != working_time_add(start=case.dispatched_at, minutes=4 * 60)


def test_a_position_outside_the_grid_files_the_case_by_the_objects_town(inspected):
    """The phone was outside the district's grid (an object on its edge, a poor fix): the case
    is still filed, by the object's town and name."""
    insp, litter = inspected
    insp.latitude, insp.longitude = 30.0, 100.0
    insp.save()
    (case,) = inspection_submit(inspection=insp)
    assert case.town == insp.object.town and case.address == insp.object.name
    litter.refresh_from_db()
    assert litter.report == case
