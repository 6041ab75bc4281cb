"""Two staff acting on one case at the same moment (PostgreSQL: real row locks)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from complaints.cases.services.transitions import report_transition
from complaints.cases.workflow import Action
from complaints.models import CaseEvent, Report, ReportState
from tests.support.factories import ReportFactory, path_to

# Committed transactions (threads need them). No serialized_rollback: whatever flushed the
# database before, the groups these tests need are made here.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL row locks (SELECT ... FOR UPDATE); SQLite serialises writers",
    ),
]


@pytest.fixture(autouse=True)
def role_groups(transactional_db):
    from tests.support.rewards import role_groups_with_permissions

    role_groups_with_permissions()


def race(calls):
    """Run the calls in threads released together; returns each call's result or exception."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what we assert on
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.parametrize("round_", range(3))
def test_conflicting_verifications_leave_one_consistent_state(
    round_, reference_data, make_staff, handler
):
    from portal import roles

    first, second = make_staff(roles.SUPERVISOR), make_staff(roles.SUPERVISOR)
    report = ReportFactory(state=ReportState.HANDLED)

    results = race(
        [
            lambda: report_transition(
                report=report, action=Action.VERIFY_PASS, actor=first, note="合格"
            ),
            lambda: report_transition(
                report=report, action=Action.VERIFY_FAIL, actor=second, note="不合格"
            ),
        ]
    )

    winners = [r for r in results if isinstance(r, Report)]
    losers = [r for r in results if isinstance(r, ValidationError)]
    assert len(winners) == 1 and len(losers) == 1, results
    report.refresh_from_db()
    changes = list(report.events.filter(kind=CaseEvent.Kind.STATE_CHANGED).order_by("pk"))
    # The factory's way to handled, then exactly one verification.
    assert len(changes) == len(path_to(ReportState.HANDLED)) + 1
    assert changes[-1].from_state == ReportState.HANDLED
    assert report.state == changes[-1].to_state == winners[0].state
    assert report.rework_count == (1 if report.state == ReportState.DISPATCHED else 0)


def test_double_submitted_dispatch_applies_once(reference_data, make_staff, sanitation):
    from portal import roles

    operators = [make_staff(roles.INTAKE_OPERATOR), make_staff(roles.INTAKE_OPERATOR)]
    report = ReportFactory(state=ReportState.REGISTERED)
    results = race(
        [
            lambda user=user: report_transition(
                report=report,
                action=Action.DISPATCH,
                actor=user,
                department=sanitation,
                expected_state=ReportState.REGISTERED,
            )
            for user in operators
        ]
    )
    assert sum(isinstance(r, Report) for r in results) == 1, results
    report.refresh_from_db()
    assert report.state == ReportState.DISPATCHED
    assert report.events.filter(to_state=ReportState.DISPATCHED).count() == 1
