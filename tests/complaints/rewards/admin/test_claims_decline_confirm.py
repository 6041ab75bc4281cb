"""The approver's decline with a note, and the confirmation pages of approval and payment,
through the admin screens (Django test client)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from complaints.models import ClaimState, LedgerEntry, RewardClaim
from complaints.rewards.services.claims import claim_assess
from portal import roles
from tests.complaints.backoffice.test_cases_screens import refused

pytestmark = pytest.mark.django_db


def claim_page(client, claim):
    return client.get(reverse("rewards_claim", args=[claim.pk]))


def confirm_url(claim, action):
    return reverse("rewards_claim_confirm", args=[claim.pk, action])


def post(client, claim, data):
    return client.post(reverse("rewards_claim", args=[claim.pk]), data)


@pytest.fixture
def proposed(staff, closed_claim):
    """A claim the officer found eligible (50 yuan), awaiting the approver."""
    return claim_assess(claim=closed_claim, actor=staff["officer"], note="核实无误")


def test_decline_needs_a_note_and_sends_the_claim_back_to_the_officer(staff, client, proposed):
    client.force_login(staff["approver"])
    page = claim_page(client, proposed)
    assert 'data-action="decline"' in page.text
    assert "decline" in {a for a, _l, _f in page.context["actions"]}

    # No note: refused, nothing changes.
    refused = post(client, proposed, {"action": "decline", "decline-note": "  "})
    assert refused.status_code == 400
    assert RewardClaim.objects.get(pk=proposed.pk).state == ClaimState.ELIGIBLE

    note = "现场照片与举报地点不符，请重新核实"
    done = post(client, proposed, {"action": "decline", "decline-note": note})
    assert done.status_code == 302
    proposed.refresh_from_db()
    assert proposed.state == ClaimState.PENDING
    assert proposed.amount is None and proposed.approved_by is None
    assert not LedgerEntry.objects.filter(claim=proposed).exists()

    # The officer sees the approver's note and may assess again.
    client.force_login(staff["officer"])
    page = claim_page(client, proposed)
    assert "claim-declined" in page.text and note in page.text
    assert 'data-log-action="complaints.reward_claim.decline"' in page.text
    assert "assess" in {a for a, _l, _f in page.context["actions"]}
    again = post(client, proposed, {"action": "assess", "assess-note": "已重新核实"})
    assert again.status_code == 302
    proposed.refresh_from_db()
    assert proposed.state == ClaimState.ELIGIBLE and proposed.amount == Decimal("50.00")
    # The history keeps the decline after the new proposal.
    page = claim_page(client, proposed)
    assert "claim-declined" not in page.text and note in page.text


def test_decline_keeps_four_eyes_and_roles(staff, client, proposed, make_staff):
    # The officer (no approver role) cannot decline.
    client.force_login(staff["officer"])
    response = post(client, proposed, {"action": "decline", "decline-note": "不行"})
    assert response.status_code == 403
    # Someone holding both roles cannot decline their own proposal either.
    both = make_staff(roles.REWARD_OFFICER, "both")
    both.groups.add(roles.group(roles.REWARD_APPROVER))
    mine = RewardClaim.objects.get(pk=proposed.pk)
    mine.state = ClaimState.PENDING
    mine.save()
    claim_assess(claim=mine, actor=both)
    client.force_login(both)
    assert "decline" not in {a for a, _l, _f in claim_page(client, mine).context["actions"]}
    response = post(client, mine, {"action": "decline", "decline-note": "我自己的提议"})
    assert response.status_code == 403
    assert RewardClaim.objects.get(pk=mine.pk).state == ClaimState.ELIGIBLE


def test_approve_shows_the_amount_and_asks_first(staff, client, proposed):
    client.force_login(staff["approver"])
    page = claim_page(client, proposed)
    # The approve button leads to the confirmation page (GET), not straight to the action.
    assert f'action="{confirm_url(proposed, "approve")}"' in page.text

    confirm = client.get(confirm_url(proposed, "approve"))
    assert confirm.status_code == 200
    # Chinese once the catalogue holds the translation; the msgid until then.
    assert "确认批准 ¥50.00？" in confirm.text or "Approve a reward of ¥50.00?" in confirm.text
    assert f'action="{confirm_url(proposed, "approve")}"' in confirm.text
    assert RewardClaim.objects.get(pk=proposed.pk).state == ClaimState.ELIGIBLE

    # A POST without the confirmation shows the same page and does nothing either.
    unconfirmed = post(client, proposed, {"action": "approve"})
    assert unconfirmed.status_code == 200 and "¥50.00" in unconfirmed.text
    assert RewardClaim.objects.get(pk=proposed.pk).state == ClaimState.ELIGIBLE

    done = client.post(confirm_url(proposed, "approve"))
    assert done.status_code == 302
    proposed.refresh_from_db()
    assert proposed.state == ClaimState.APPROVED and proposed.approved_by == staff["approver"]
    page = claim_page(client, proposed)
    assert 'data-log-action="complaints.reward_claim.approve"' in page.text


def test_approve_confirmation_is_refused_to_the_proposer_and_other_roles(staff, client, proposed):
    client.force_login(staff["officer"])  # the proposer, and not an approver
    assert refused(client.get(confirm_url(proposed, "approve")))
    client.force_login(staff["auditor"])
    assert refused(client.get(confirm_url(proposed, "approve")))
    client.force_login(staff["approver"])
    assert client.get(confirm_url(proposed, "assess")).status_code == 404
    assert RewardClaim.objects.get(pk=proposed.pk).state == ClaimState.ELIGIBLE


def test_pay_shows_amount_and_reference_and_asks_first(staff, client, proposed):
    client.force_login(staff["approver"])
    post(client, proposed, {"action": "approve", "confirmed": "yes"})
    client.force_login(staff["officer"])
    page = claim_page(client, proposed)
    assert f'action="{confirm_url(proposed, "pay")}"' in page.text

    # The reference is still required before the confirmation.
    missing = client.get(confirm_url(proposed, "pay"), {"pay-payment_reference": ""})
    assert missing.status_code == 400

    confirm = client.get(confirm_url(proposed, "pay"), {"pay-payment_reference": "TXN-20261201-07"})
    assert confirm.status_code == 200
    assert "¥50.00" in confirm.text and "TXN-20261201-07" in confirm.text
    assert RewardClaim.objects.get(pk=proposed.pk).state == ClaimState.APPROVED
    assert not LedgerEntry.objects.filter(claim=proposed).exists()

    assert 'name="pay-payment_reference" value="TXN-20261201-07"' in confirm.text
    done = client.post(confirm_url(proposed, "pay"), {"pay-payment_reference": "TXN-20261201-07"})
    assert done.status_code == 302
    proposed.refresh_from_db()
    assert proposed.state == ClaimState.PAID and proposed.payment_reference == "TXN-20261201-07"
    assert LedgerEntry.objects.get(claim=proposed).amount == Decimal("-50.00")
