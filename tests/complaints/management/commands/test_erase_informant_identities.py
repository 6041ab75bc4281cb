"""Retention: informants' identities go a year after their claim was decided; the money trail stays."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from complaints.models import ClaimState, IdentityErasure, Informant, LedgerEntry, RewardClaim
from complaints.rewards.services.claims import claim_assess, claim_cancel
from complaints.rewards.services.informants import informant_identity_reveal
from portal import roles
from tests.support import rewards as rf

pytestmark = pytest.mark.django_db


@pytest.fixture
def claims(reference_data, make_staff):
    """One claim in every state; the decided ones decided 400 days ago, one decided recently."""
    officer, approver = make_staff(roles.REWARD_OFFICER), make_staff(roles.REWARD_APPROVER)
    supervisor, intake = make_staff(roles.SUPERVISOR), make_staff(roles.INTAKE_OPERATOR)
    rf.rule(amount="30.00")
    rf.fund(approver, allocate="1000")

    def report(n):
        # Each report in its own day, so none loses as a second report of the same violation.
        made = rf.close(rf.inform(), supervisor)
        when = made.created_at - timedelta(days=n)
        type(made).objects.filter(pk=made.pk).update(
            created_at=when, observed_at=when - timedelta(hours=1)
        )
        return made

    result = {
        "paid": rf.paid_claim(report(1), officer=officer, approver=approver, reference="BANK-1"),
        "recently_paid": rf.paid_claim(
            report(2), officer=officer, approver=approver, reference="BANK-2"
        ),
        "ineligible": claim_assess(
            claim=rf.reject(rf.inform(), intake).reward_claims.get(), actor=officer
        ),
        "cancelled": claim_cancel(
            claim=claim_assess(claim=report(3).reward_claims.get(), actor=officer),
            actor=officer,
            reason="举报人撤回",
        ),
        "approved": rf.approved_claim(report(4), officer=officer, approver=approver),
        "eligible": claim_assess(claim=report(5).reward_claims.get(), actor=officer),
        "pending": rf.inform().reward_claims.get(),
    }
    assert result["ineligible"].state == ClaimState.INELIGIBLE
    long_ago = timezone.now() - timedelta(days=400)
    for name, claim in result.items():
        # Set-up: everything happened long ago; only the recent payment is recent.
        closed = claim.closed_at and (
            timezone.now() - timedelta(days=10) if name == "recently_paid" else long_ago
        )
        RewardClaim.objects.filter(pk=claim.pk).update(closed_at=closed)
        Informant.objects.filter(pk=claim.informant_id).update(created_at=long_ago)
    return {name: RewardClaim.objects.get(pk=claim.pk) for name, claim in result.items()}


def raw_identity(informant_id) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, phone, payment_account, phone_hash FROM complaints_informant "
            "WHERE id = %s",
            [informant_id],
        )
        return cursor.fetchone()


def money_trail():
    return (
        list(LedgerEntry.objects.values_list("pk", "kind", "amount", "balance_after", "claim_id")),
        list(
            RewardClaim.objects.order_by("pk").values_list(
                "pk", "state", "amount", "payment_reference", "reasons", "closed_at"
            )
        ),
    )


def run(*args) -> str:
    out = StringIO()
    call_command("erase_informant_identities", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_erases_only_identities_whose_claim_was_decided_long_ago(claims):
    identities = {
        name: (claim.informant.name, claim.informant.phone, claim.informant.payment_account)
        for name, claim in claims.items()
    }
    trail = money_trail()

    output = run()

    due = {"paid", "ineligible", "cancelled"}
    for name, claim in claims.items():
        informant = Informant.objects.get(pk=claim.informant_id)
        if name in due:
            assert raw_identity(informant.pk) == ("", "", "", ""), name
            assert (informant.name, informant.phone, informant.payment_account) == ("", "", "")
            assert informant.erased_at is not None
            erasure = informant.erasure
            assert erasure.claim_state == claim.state
            assert erasure.report_reference == claim.report.reference
            assert erasure.fields == "name, phone, payment account, phone hash"
            assert claim.report.reference in output
        else:
            assert informant.erased_at is None, name
            assert (informant.name, informant.phone, informant.payment_account) == identities[name]
            assert informant.phone_hash
            assert not IdentityErasure.objects.filter(informant=informant).exists()
            assert claim.report.reference not in output
    assert IdentityErasure.objects.count() == 3
    # The money trail is untouched, and the output names no one.
    assert money_trail() == trail
    for name, phone, account in identities.values():
        assert name not in output and phone not in output and account not in output


def test_running_again_erases_nothing_more(claims):
    run()
    erased_at = dict(Informant.objects.values_list("pk", "erased_at"))
    output = run()
    assert not any(claim.report.reference in output for claim in claims.values())
    assert IdentityErasure.objects.count() == 3
    assert dict(Informant.objects.values_list("pk", "erased_at")) == erased_at


def test_dry_run_changes_nothing(claims):
    before = [raw_identity(c.informant_id) for c in claims.values()]
    output = run("--dry-run")
    assert [raw_identity(c.informant_id) for c in claims.values()] == before
    assert not IdentityErasure.objects.exists()
    assert not Informant.objects.filter(erased_at__isnull=False).exists()
    for name in ("paid", "ineligible", "cancelled"):
        assert claims[name].report.reference in output
    assert claims["pending"].report.reference not in output


def test_a_shorter_period_never_reaches_undecided_claims(claims):
    run("--days", "0")
    erased = set(
        Informant.objects.filter(erased_at__isnull=False).values_list("claim__pk", flat=True)
    )
    assert erased == {
        claims[name].pk for name in ("paid", "recently_paid", "ineligible", "cancelled")
    }
    for name in ("approved", "eligible", "pending"):
        assert raw_identity(claims[name].informant_id)[0] != ""


def test_the_period_comes_from_the_settings(claims, settings):
    settings.REWARD_IDENTITY_RETENTION_DAYS = 500
    run()
    assert not IdentityErasure.objects.exists()
    settings.REWARD_IDENTITY_RETENTION_DAYS = 5
    run()
    assert IdentityErasure.objects.count() == 4


def test_an_erased_identity_cannot_be_opened_but_its_claim_still_can(claims, make_staff):
    run()
    officer = make_staff(roles.REWARD_OFFICER)
    with pytest.raises(ValidationError):
        informant_identity_reveal(
            informant=Informant.objects.get(pk=claims["paid"].informant_id),
            actor=officer,
            reason="核对付款",
        )
    claim = RewardClaim.objects.get(pk=claims["paid"].pk)
    assert claim.state == ClaimState.PAID and claim.payment_reference == "BANK-1"


def test_negative_days_are_refused(reference_data):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        run("--days", "-1")


def test_large_runs_go_in_batches_and_report_progress(claims):
    from complaints.rewards.services.retention import informant_identities_erase

    calls = []
    result = informant_identities_erase(batch_size=2, progress=lambda *done: calls.append(done))
    assert calls == [(2, 3), (3, 3)]
    assert result.erased == 3
    assert dict(result.by_claim_state) == {
        ClaimState.PAID: 1,
        ClaimState.INELIGIBLE: 1,
        ClaimState.CANCELLED: 1,
    }
    assert IdentityErasure.objects.count() == 3
