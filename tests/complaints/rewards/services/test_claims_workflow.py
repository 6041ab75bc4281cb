"""The reward services against the claim table: each action, from each claim state, is done
exactly when the table has a row for it, and leads only to one of that row's states; each row
is refused to a role without its permissions."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from complaints.models import ClaimState
from complaints.rewards.services.claims import (
    claim_approve,
    claim_assess,
    claim_cancel,
    claim_decline,
    claim_pay,
)
from complaints.rewards.workflow import (
    ACTIONS,
    TRANSITIONS,
    ClaimAction,
    awaiting_states,
    transition_for,
)
from portal import roles
from tests.support import rewards as rf

pytestmark = pytest.mark.django_db

# Each action through its service, with what the form would give.
SERVICES = {
    ClaimAction.ASSESS: lambda claim, actor: claim_assess(claim=claim, actor=actor),
    ClaimAction.APPROVE: lambda claim, actor: claim_approve(claim=claim, actor=actor),
    ClaimAction.DECLINE: lambda claim, actor: claim_decline(claim=claim, actor=actor, note="再核"),
    ClaimAction.PAY: lambda claim, actor: claim_pay(
        claim=claim, actor=actor, payment_reference="PAY-9"
    ),
    ClaimAction.CANCEL: lambda claim, actor: claim_cancel(claim=claim, actor=actor, reason="撤回"),
}


def test_every_action_has_a_service():
    assert set(SERVICES) == set(ACTIONS) == set(ClaimAction)


def test_awaited_actions_lead_out_of_their_state():
    for transition in TRANSITIONS:
        for state in awaiting_states(transition.action):
            assert transition_for(state=state, action=transition.action) is not None


ACTORS = {
    ClaimAction.ASSESS: "officer",
    ClaimAction.APPROVE: "approver",  # the officer proposed: four eyes hold
    ClaimAction.DECLINE: "approver",
    ClaimAction.PAY: "officer",
    ClaimAction.CANCEL: "officer",
}


@pytest.mark.parametrize("state", list(ClaimState))
@pytest.mark.parametrize("action", list(ClaimAction))
def test_services_follow_the_table(action, state, claim_in, staff):
    claim = claim_in(state)
    assert claim.state == state
    transition = transition_for(state=state, action=action)
    if transition is None:
        with pytest.raises(ValidationError):
            SERVICES[action](claim, staff[ACTORS[action]])
        claim.refresh_from_db()
        assert claim.state == state, "a refused action changed nothing"
    else:
        SERVICES[action](claim, staff[ACTORS[action]])
        claim.refresh_from_db()
        assert claim.state in transition.targets
        if transition.ledger:
            assert claim.ledger_entries.filter(kind=transition.ledger).exists()


ROLE_PEOPLE = {
    roles.REWARD_OFFICER: "officer",
    roles.REWARD_APPROVER: "approver",
    roles.AUDITOR: "auditor",
    roles.SUPERVISOR: "supervisor",
}
# Every (row, role) where the role lacks one of the row's permissions (from portal/roles.py).
REFUSED = [
    (transition, person)
    for transition in TRANSITIONS
    for role, person in ROLE_PEOPLE.items()
    if not {f"complaints.{p}" for p in transition.permissions} <= set(roles.MODEL_PERMISSIONS[role])
]


@pytest.mark.parametrize(
    ("transition", "person"),
    REFUSED,
    ids=[f"{t.action}-{t.sources[0]}-{person}" for t, person in REFUSED],
)
def test_each_row_refused_to_roles_without_its_permissions(transition, person, claim_in, staff):
    claim = claim_in(transition.sources[0])
    with pytest.raises(PermissionDenied):
        SERVICES[transition.action](claim, staff[person])
    claim.refresh_from_db()
    assert claim.state == transition.sources[0]


def test_the_proposer_may_not_decide_on_the_own_proposal(claim_in, staff, make_staff):
    # One person both officer and approver: they propose, the table's four eyes refuse them.
    both = make_staff(roles.REWARD_APPROVER, "both")
    both.groups.add(roles.group(roles.REWARD_OFFICER))
    report = rf.inform()
    rf.close(report, staff["supervisor"])
    claim = claim_assess(claim=report.reward_claims.get(), actor=both)
    for transition in TRANSITIONS:
        if transition.four_eyes and claim.state in transition.sources:
            with pytest.raises(PermissionDenied):
                SERVICES[transition.action](claim, both)
    claim.refresh_from_db()
    assert claim.state == ClaimState.ELIGIBLE
