"""Claims in each state of the claim table, reached through the reward services."""

import pytest

from complaints.models import ClaimState, RewardClaim
from complaints.rewards.services.claims import claim_approve, claim_assess, claim_cancel, claim_pay
from tests.support import rewards as rf


@pytest.fixture
def claim_in(staff, scheme):
    """claim_in(state): a claim brought to ``state`` by the services (never forced): the
    officer proposes, ``staff["approver"]`` approves; an ineligible claim's case was rejected."""
    officer, approver = staff["officer"], staff["approver"]

    def make(state: str) -> RewardClaim:
        claim = _reach(state)
        return RewardClaim.objects.select_related("report").get(pk=claim.pk)  # fresh case state

    def _reach(state: str) -> RewardClaim:
        report = rf.inform()
        if state == ClaimState.INELIGIBLE:
            rf.reject(report, staff["intake"])  # not a valid case: not eligible
        else:
            rf.close(report, staff["supervisor"])
        claim = report.reward_claims.get()
        if state == ClaimState.PENDING:
            return claim
        if state == ClaimState.CANCELLED:
            return claim_cancel(claim=claim, actor=officer, reason="重复领取")
        claim = claim_assess(claim=claim, actor=officer)
        if state in (ClaimState.ELIGIBLE, ClaimState.INELIGIBLE):
            return claim
        claim = claim_approve(claim=claim, actor=approver)
        if state == ClaimState.PAID:
            claim_pay(claim=claim, actor=officer, payment_reference="PAY-1")
        return claim

    return make
