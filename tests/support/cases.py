"""Fixtures for the case workflow: staff in each role, a report in any state (factories.py).

A pytest plugin (registered in tests/conftest.py), used by the case, back-office, satisfaction,
indicator, inspection and browser tests."""

import pytest

from complaints.models import DepartmentMembership, Report
from portal import roles
from tests.support.factories import ReportFactory, staff_forget


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
    """A fresh web report of 暴露垃圾 (sanitation, 4 working hours) at the demo POINT, filed
    through intake (``ReportFactory`` with its defaults; ``overrides`` are its arguments)."""
    return ReportFactory(**overrides)


# The test's own staff fixtures, used by report_in for the steps of their role when the test
# asked for them (so "the supervisor" of a test is the one who verified its cases).
ROLE_FIXTURES = {
    roles.INTAKE_OPERATOR: "intake",
    roles.DEPARTMENT_HANDLER: "handler",
    roles.SUPERVISOR: "supervisor",
}


@pytest.fixture
def report_in(request, reference_data, handler):
    """report_in(state, **overrides): a report filed through intake and walked to ``state``."""

    def make(state: str, **overrides) -> Report:
        actors = {
            role: request.getfixturevalue(name)
            for role, name in ROLE_FIXTURES.items()
            if name in request.fixturenames
        }
        return ReportFactory(state=state, actors=actors, **overrides)

    return make


@pytest.fixture(autouse=True)
def _factory_staff():
    """Staff the factories keep for reuse live as long as one test's data."""
    staff_forget()
    yield
    staff_forget()
