"""The claim page offers, for each claim state and role, exactly the claim table's actions the
role's permissions allow (never the proposer's own decision); what it does not offer it refuses."""

import re

import pytest
from django.urls import reverse

from complaints.models import ClaimState, RewardClaim
from complaints.rewards.services.claims import claim_assess
from complaints.rewards.workflow import TRANSITIONS, ClaimAction, case_ready
from portal import roles

pytestmark = pytest.mark.django_db

PEOPLE = {
    "officer": roles.REWARD_OFFICER,
    "approver": roles.REWARD_APPROVER,
    "auditor": roles.AUDITOR,
}


def expected_actions(claim: RewardClaim, person: str, user) -> set[str]:
    """What the table allows ``person`` on ``claim``, read from portal/roles.py's permissions."""
    granted = set(roles.MODEL_PERMISSIONS[PEOPLE[person]])
    return {
        t.action.value
        for t in TRANSITIONS
        if claim.state in t.sources
        and {f"complaints.{p}" for p in t.permissions} <= granted
        and not (t.four_eyes and claim.proposed_by_id == user.pk)
        and case_ready(transition=t, claim=claim)
    }


def offered(html: str) -> set[str]:
    return set(re.findall(r'data-case-action="([a-z_]+)"', html))


@pytest.mark.parametrize("person", list(PEOPLE))
@pytest.mark.parametrize("state", list(ClaimState))
def test_the_page_offers_the_tables_actions(state, person, claim_in, staff, client):
    claim = claim_in(state)
    user = staff[person]
    client.force_login(user)
    page = client.get(reverse("rewards_claim", args=[claim.pk]))
    assert page.status_code == 200
    assert offered(page.text) == expected_actions(claim, person, user)


def test_the_proposer_is_not_offered_the_decision(claim_in, staff, client):
    # An approver who is also an officer proposes the reward through the service.
    both = staff["approver2"]
    both.groups.add(roles.group(roles.REWARD_OFFICER))
    claim = claim_assess(claim=claim_in(ClaimState.PENDING), actor=both)
    assert claim.state == ClaimState.ELIGIBLE
    client.force_login(both)
    page = client.get(reverse("rewards_claim", args=[claim.pk]))
    assert offered(page.text) == {ClaimAction.CANCEL.value}


@pytest.mark.parametrize("state", [ClaimState.INELIGIBLE, ClaimState.CANCELLED])
def test_an_action_the_table_forbids_is_refused(state, claim_in, staff, client):
    claim = claim_in(state)
    client.force_login(staff["officer"])
    response = client.post(
        reverse("rewards_claim", args=[claim.pk]),
        {"action": ClaimAction.CANCEL.value, "cancel-reason": "再撤一次"},
    )
    assert response.status_code == 400
    claim.refresh_from_db()
    assert claim.state == state


def test_an_action_outside_the_table_is_not_found(claim_in, staff, client):
    claim = claim_in(ClaimState.PENDING)
    client.force_login(staff["officer"])
    response = client.post(reverse("rewards_claim", args=[claim.pk]), {"action": "delete"})
    assert response.status_code == 404
