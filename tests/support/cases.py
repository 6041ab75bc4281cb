"""Fixtures for the case workflow: staff in each role, a report in any state.

A pytest plugin (registered in tests/conftest.py), used by the case, back-office, satisfaction,
indicator, inspection and browser tests."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from complaints.intake.services.reports import report_submit
from complaints.models import DepartmentMembership, ExtensionRequest, Report, ReportState
from portal import roles
from tests.complaints.conftest import POINT, category


@pytest.fixture
def intake(make_staff, reference_data):
    return make_staff(roles.INTAKE_OPERATOR, "intake")


@pytest.fixture
def supervisor(make_staff, reference_data):
    return make_staff(roles.SUPERVISOR, "supervisor")


@pytest.fixture
def sanitation(reference_data):
    from complaints.models import Department

    return Department.objects.get(key="sanitation")


@pytest.fixture
def handler(make_staff, sanitation):
    user = make_staff(roles.DEPARTMENT_HANDLER, "handler")
    DepartmentMembership.objects.create(user=user, department=sanitation)
    return user


@pytest.fixture
def other_handler(make_staff, reference_data):
    from complaints.models import Department

    user = make_staff(roles.DEPARTMENT_HANDLER, "other_handler")
    DepartmentMembership.objects.create(
        user=user, department=Department.objects.get(key="greening")
    )
    return user


def submit(**overrides) -> Report:
    """A fresh web report of 暴露垃圾 (sanitation, 4 working hours) at the demo POINT."""
    data = {
        "submission_token": uuid.uuid4(),
        "category": category("event", "0102"),
        "description": "路口垃圾堆满了",
        "latitude": POINT[0],
        "longitude": POINT[1],
        "address": "太湖大道 100 号",
        "contact_name": "张三",
        "contact_phone": "13812345678",
        "contact_email": "zhang@example.com",
        "consent_to_contact": True,
    }
    data.update(overrides)
    return report_submit(**data).report


def put_in_state(report: Report, state: str, *, requester=None) -> Report:
    """Test set-up only: force a report into ``state`` with what that state implies."""
    from complaints.models import Department

    fields = {"state": state}
    if state not in (ReportState.RECEIVED, ReportState.REGISTERED, ReportState.REJECTED):
        now = timezone.now()
        fields.update(
            department=Department.objects.get(key="sanitation"),
            dispatched_at=now - timedelta(hours=1),
            deadline=now + timedelta(days=1),
        )
    if state in (ReportState.CLOSED, ReportState.REOPEN_REQUESTED):
        fields["closed_at"] = timezone.now()
    Report.objects.filter(pk=report.pk).update(**fields)
    report.refresh_from_db()
    if state == ReportState.EXTENSION_REQUESTED:
        ExtensionRequest.objects.create(
            report=report, amount=2, unit="working_hours", reason="材料未到", requested_by=requester
        )
    return report


@pytest.fixture
def report_in(reference_data, handler):
    def make(state: str, **overrides) -> Report:
        return put_in_state(submit(**overrides), state, requester=handler)

    return make
