"""Approvers and payers racing for a small fund (PostgreSQL: real row locks), and the database
constraints that back the services up (every backend)."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Sum
from django.utils import timezone

from complaints.models import ClaimState, LedgerEntry, RewardClaim, RewardFund
from complaints.rewards.selectors.claims import fund_balance
from complaints.rewards.services.claims import claim_approve, claim_assess, claim_pay
from portal import roles
from tests.support import rewards as rf

THREADS = 8
needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL row locks (SELECT ... FOR UPDATE) and concurrent writers; "
    "SQLite serialises writers",
)


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
        thread.join(timeout=60)
    return results


@pytest.fixture
def reward_staff(transactional_db, make_staff):
    # A transactional test may start after a flush: bring the role groups and their permissions.
    rf.role_groups_with_permissions()
    return {
        "officer": make_staff(roles.REWARD_OFFICER),
        "approvers": [make_staff(roles.REWARD_APPROVER) for _ in range(THREADS)],
        "supervisor": make_staff(roles.SUPERVISOR),
    }


def eligible_claims(count: int, *, officer, supervisor) -> list[RewardClaim]:
    """``count`` eligible claims of 30 yuan: one report per day, each by another informant."""
    claims = []
    for days_ago in range(count):
        report = rf.close(rf.inform(), supervisor)
        when = report.created_at - timedelta(days=days_ago)
        type(report).objects.filter(pk=report.pk).update(
            created_at=when, observed_at=when - timedelta(hours=1)
        )
        claim = claim_assess(claim=report.reward_claims.get(), actor=officer)
        assert claim.state == ClaimState.ELIGIBLE, claim.reasons
        claims.append(claim)
    return claims


def ledger_is_consistent(fund: RewardFund) -> None:
    entries = list(fund.entries.order_by("sequence"))
    assert [e.sequence for e in entries] == list(range(1, len(entries) + 1))
    running = Decimal("0")
    for entry in entries:
        running += entry.amount
        assert entry.balance_after == running >= 0


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_simultaneous_approvals_never_promise_more_than_the_fund(reference_data, reward_staff):
    rf.rule(amount="30.00")
    fund = rf.fund(reward_staff["approvers"][0], allocate="100")
    claims = eligible_claims(THREADS, **_roles(reward_staff))

    results = race(
        [
            lambda claim=claim, approver=approver: claim_approve(claim=claim, actor=approver)
            for claim, approver in zip(claims, reward_staff["approvers"], strict=True)
        ]
    )

    approved = [r for r in results if isinstance(r, RewardClaim)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(approved) == 3 and len(refused) == THREADS - 3, results
    states = RewardClaim.objects.values_list("state", flat=True)
    assert sorted(states) == sorted([ClaimState.APPROVED] * 3 + [ClaimState.ELIGIBLE] * 5)
    promised = RewardClaim.objects.filter(state=ClaimState.APPROVED).aggregate(t=Sum("amount"))
    assert promised["t"] <= fund_balance(fund) == Decimal("100.00")


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_approvers_of_the_same_claim_approve_it_once(reference_data, reward_staff):
    rf.rule(amount="30.00")
    rf.fund(reward_staff["approvers"][0], allocate="100")
    (claim,) = eligible_claims(1, **_roles(reward_staff))

    results = race(
        [
            lambda a=approver: claim_approve(claim=claim, actor=a)
            for approver in reward_staff["approvers"]
        ]
    )

    assert sum(isinstance(r, RewardClaim) for r in results) == 1, results
    assert sum(isinstance(r, ValidationError) for r in results) == THREADS - 1, results
    claim.refresh_from_db()
    assert claim.state == ClaimState.APPROVED
    assert claim.approved_by in reward_staff["approvers"]


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_paying_the_same_claim_at_once_writes_one_payout(reference_data, make_staff, reward_staff):
    rf.rule(amount="30.00")
    fund = rf.fund(reward_staff["approvers"][0], allocate="100")
    (claim,) = eligible_claims(1, **_roles(reward_staff))
    claim_approve(claim=claim, actor=reward_staff["approvers"][1])
    payers = [reward_staff["officer"]] + [
        make_staff(roles.REWARD_OFFICER) for _ in range(THREADS - 1)
    ]

    results = race(
        [
            lambda payer=payer, n=n: claim_pay(
                claim=claim, actor=payer, payment_reference=f"BANK-{n}"
            )
            for n, payer in enumerate(payers)
        ]
    )

    payouts = [r for r in results if isinstance(r, LedgerEntry)]
    assert len(payouts) == 1, results
    assert sum(isinstance(r, ValidationError) for r in results) == THREADS - 1, results
    assert LedgerEntry.objects.filter(claim=claim, kind=LedgerEntry.Kind.PAYOUT).count() == 1
    claim.refresh_from_db()
    assert claim.state == ClaimState.PAID
    assert claim.payment_reference == payouts[0].reference
    assert fund_balance(fund) == Decimal("70.00")
    ledger_is_consistent(fund)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_payments_racing_for_a_small_fund_never_overdraw_it(
    reference_data, make_staff, reward_staff
):
    rf.rule(amount="30.00")
    fund = rf.fund(reward_staff["approvers"][0], budget="1000", allocate="100")
    claims = eligible_claims(THREADS, **_roles(reward_staff))
    for claim in claims[:3]:
        claim_approve(claim=claim, actor=reward_staff["approvers"][1])
    # Set-up: the others were approved too (as if the approval check had been bypassed), so the
    # ledger alone must stop the fund from going negative.
    RewardClaim.objects.filter(pk__in=[c.pk for c in claims[3:]]).update(
        state=ClaimState.APPROVED,
        approved_by=reward_staff["approvers"][1],
        approved_at=timezone.now(),
    )
    payers = [make_staff(roles.REWARD_OFFICER) for _ in range(THREADS)]

    results = race(
        [
            lambda claim=claim, payer=payer: claim_pay(
                claim=claim, actor=payer, payment_reference=f"BANK-{claim.pk}"
            )
            for claim, payer in zip(claims, payers, strict=True)
        ]
    )

    payouts = [r for r in results if isinstance(r, LedgerEntry)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(payouts) == 3 and len(refused) == THREADS - 3, results
    balance = fund_balance(fund)
    assert balance == Decimal("10.00")
    allocated = fund.entries.filter(kind=LedgerEntry.Kind.ALLOCATION).aggregate(t=Sum("amount"))
    paid_out = fund.entries.filter(kind=LedgerEntry.Kind.PAYOUT).aggregate(t=Sum("amount"))
    assert allocated["t"] + paid_out["t"] == balance
    paid = RewardClaim.objects.filter(state=ClaimState.PAID)
    assert paid.count() == 3
    for claim in paid:
        assert claim.ledger_entries.filter(kind=LedgerEntry.Kind.PAYOUT).count() == 1
    assert (
        not LedgerEntry.objects.exclude(claim__state=ClaimState.PAID)
        .filter(kind=LedgerEntry.Kind.PAYOUT)
        .exists()
    )
    ledger_is_consistent(fund)


def _roles(staff) -> dict:
    return {"officer": staff["officer"], "supervisor": staff["supervisor"]}


# --- the database's own guards (every backend) ----------------------------------------------


@pytest.fixture
def paid(db, reference_data, make_staff):
    """A fund of 100 with one 30-yuan claim paid (balance 70, last sequence 2)."""
    officer, approver = make_staff(roles.REWARD_OFFICER), make_staff(roles.REWARD_APPROVER)
    rf.rule(amount="30.00")
    fund = rf.fund(approver, allocate="100")
    claim = rf.paid_claim(
        rf.close(rf.inform(), make_staff(roles.SUPERVISOR)), officer=officer, approver=approver
    )
    return fund, claim, officer


def entry(fund, officer, **fields):
    return LedgerEntry.objects.create(fund=fund, created_by=officer, **fields)


def test_the_database_refuses_a_negative_balance(paid):
    fund, claim, officer = paid
    other = RewardClaim.objects.create(report=claim.report, informant=_second_informant(claim))
    with pytest.raises(IntegrityError), transaction.atomic():
        entry(
            fund,
            officer,
            sequence=3,
            kind=LedgerEntry.Kind.PAYOUT,
            amount=Decimal("-80.00"),
            balance_after=Decimal("-10.00"),
            claim=other,
        )
    assert fund.entries.count() == 2


def test_the_database_refuses_a_second_payout_for_a_claim(paid):
    fund, claim, officer = paid
    with pytest.raises(IntegrityError), transaction.atomic():
        entry(
            fund,
            officer,
            sequence=3,
            kind=LedgerEntry.Kind.PAYOUT,
            amount=Decimal("-30.00"),
            balance_after=Decimal("40.00"),
            claim=claim,
        )
    assert LedgerEntry.objects.filter(claim=claim, kind=LedgerEntry.Kind.PAYOUT).count() == 1


def test_the_database_refuses_two_entries_with_one_sequence_number(paid):
    fund, _, officer = paid
    with pytest.raises(IntegrityError), transaction.atomic():
        entry(
            fund,
            officer,
            sequence=2,
            kind=LedgerEntry.Kind.ALLOCATION,
            amount=Decimal("10.00"),
            balance_after=Decimal("80.00"),
        )
    assert fund.entries.count() == 2


@pytest.mark.parametrize(
    ("kind", "amount", "with_claim"),
    [
        (LedgerEntry.Kind.PAYOUT, "30.00", True),  # a payout adds money
        (LedgerEntry.Kind.PAYOUT, "-30.00", False),  # a payout for no claim
        (LedgerEntry.Kind.REVERSAL, "-30.00", True),  # a reversal takes money
        (LedgerEntry.Kind.ALLOCATION, "10.00", True),  # an allocation tied to a claim
    ],
)
def test_the_database_refuses_movements_of_the_wrong_sign_or_owner(paid, kind, amount, with_claim):
    fund, claim, officer = paid
    other = RewardClaim.objects.create(report=claim.report, informant=_second_informant(claim))
    with pytest.raises(IntegrityError), transaction.atomic():
        entry(
            fund,
            officer,
            sequence=3,
            kind=kind,
            amount=Decimal(amount),
            balance_after=Decimal("70.00") + Decimal(amount),
            claim=other if with_claim else None,
        )
    assert fund.entries.count() == 2


def _second_informant(claim):
    from complaints.models import Informant

    return Informant.objects.create(
        report=claim.report, name="赵六", phone="13700000000", payment_account="6222 1"
    )
