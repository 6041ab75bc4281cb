"""The test factories (tests/support/factories.py): every reachable state is built through the
workflow, so a report's events form a path of the transition table."""

import itertools

import pytest

from complaints.cases.workflow import RESIDENT, TRANSITIONS
from complaints.models import Attachment, CaseEvent, ExtensionRequest, ReportKind, ReportState
from portal import roles
from tests.support.factories import ReportFactory, StaffFactory, shortest_paths, staff_for

REACHABLE = sorted(shortest_paths())
UNREACHABLE = sorted(set(ReportState.values) - set(REACHABLE))
DISPATCHED_ONCE = {
    ReportState.DISPATCHED,
    ReportState.EXTENSION_REQUESTED,
    ReportState.HANDLED,
    ReportState.VERIFIED,
    ReportState.CLOSED,
    ReportState.REOPEN_REQUESTED,
}


def _steps(report) -> list[tuple[str, str, object]]:
    return list(
        report.events.filter(kind__in=[CaseEvent.Kind.SUBMITTED, CaseEvent.Kind.STATE_CHANGED])
        .order_by("created_at", "pk")
        .values_list("from_state", "to_state", "actor")
    )


def test_the_table_reaches_every_state_from_received():
    # If a row is removed and a state falls out of reach, the factory cannot build it: say so.
    assert REACHABLE and not UNREACHABLE, UNREACHABLE


@pytest.mark.django_db
@pytest.mark.parametrize("state", REACHABLE)
def test_each_reachable_state_is_built_along_a_path_of_the_table(state, reference_data):
    report = ReportFactory(state=state)

    report.refresh_from_db()
    assert report.state == state
    steps = _steps(report)
    assert steps[0][:2] == ("", ReportState.RECEIVED)  # filed through intake
    for (_, before, _), (source, target, actor) in itertools.pairwise(steps):
        assert source == before, steps
        rows = [t for t in TRANSITIONS if source in t.sources and t.target == target]
        assert rows, f"no row of the table moves {source} to {target}"
        # Fired by someone of a role the row allows (the resident has no account).
        held = (
            {RESIDENT}
            if actor is None
            else roles.user_roles_of(StaffFactory._meta.model.objects.get(pk=actor))
        )
        assert any(held & set(t.roles) for t in rows), (source, target, held)
    assert steps[-1][1] == state
    # A shortest path: no state visited twice.
    assert len({to for _, to, _ in steps}) == len(steps)

    # What the workflow made, not set by hand.
    if state in DISPATCHED_ONCE:
        assert report.department is not None and report.department.key == "sanitation"
        assert report.dispatched_at is not None and report.deadline is not None
        assert report.deadline > report.dispatched_at
    else:
        assert report.dispatched_at is None and report.deadline is None
    assert (report.closed_at is not None) == (
        state in (ReportState.CLOSED, ReportState.REOPEN_REQUESTED)
    )
    pending = ExtensionRequest.objects.filter(report=report, approved__isnull=True)
    assert pending.exists() == (state == ReportState.EXTENSION_REQUESTED)
    if state == ReportState.DUPLICATE:
        assert report.duplicate_of is not None and report.duplicate_of.pk != report.pk


def test_a_state_the_table_cannot_reach_is_refused(db):
    from tests.support.factories import path_to

    with pytest.raises(ValueError, match="does not reach"):
        path_to(ReportState.RECEIVED, source=ReportState.CLOSED)


@pytest.mark.django_db
def test_staff_are_reused_per_role_within_a_test(reference_data):
    first = ReportFactory(state=ReportState.HANDLED)
    second = ReportFactory(state=ReportState.HANDLED)

    actors = {e.actor_id for r in (first, second) for e in r.events.all() if e.actor_id}
    assert len(actors) == 2  # one intake operator, one handler of sanitation
    assert staff_for(roles.DEPARTMENT_HANDLER, first.department).pk in actors


@pytest.mark.django_db
def test_given_actors_fire_their_role_steps(reference_data, handler, supervisor):
    report = ReportFactory(
        state=ReportState.VERIFIED,
        actors={roles.DEPARTMENT_HANDLER: handler, roles.SUPERVISOR: supervisor},
    )

    by_target = {e.to_state: e.actor_id for e in report.events.all()}
    assert by_target[ReportState.HANDLED] == handler.pk
    assert by_target[ReportState.VERIFIED] == supervisor.pk


@pytest.mark.django_db
def test_traits(reference_data):
    anonymous = ReportFactory(anonymous=True)
    assert anonymous.is_anonymous and not anonymous.contact_phone and not anonymous.has_contact

    assert ReportFactory(private=True).is_public is False
    assert ReportFactory().is_public is True

    with_photo = ReportFactory(with_photo=True)
    assert with_photo.attachments.filter(kind=Attachment.Kind.EVIDENCE).count() == 1

    informant = ReportFactory(informant=True, state=ReportState.CLOSED)
    assert informant.kind == ReportKind.INFORMANT
    assert informant.category.reward_eligible and not informant.is_public
    assert informant.reward_claims.count() == 1
    assert informant.state == ReportState.CLOSED
