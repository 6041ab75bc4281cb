"""The reward scheme's rules, four eyes and the fund's ledger, as reward staff use them."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from complaints.cases.services.transitions import report_transition
from complaints.cases.workflow import Action
from complaints.models import (
    ClaimState,
    LedgerEntry,
    RewardClaim,
    RewardExclusion,
    RewardRule,
)
from complaints.privacy.codes import phone_hash
from complaints.rewards.selectors.claims import fund_balance
from complaints.rewards.services.claims import (
    claim_approve,
    claim_assess,
    claim_cancel,
    claim_pay,
    fund_allocate,
)
from portal import roles
from tests.support import rewards as rf

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_staff, reference_data):
    return make_staff(roles.REWARD_OFFICER)


@pytest.fixture
def approver(make_staff, reference_data):
    return make_staff(roles.REWARD_APPROVER)


@pytest.fixture
def supervisor(make_staff, reference_data):
    return make_staff(roles.SUPERVISOR)


@pytest.fixture
def intake(make_staff, reference_data):
    return make_staff(roles.INTAKE_OPERATOR)


@pytest.fixture
def scheme(reference_data):
    """A fixed 50 yuan for 偷倒垃圾, in force for more than a year."""
    return rf.rule()


def claim_of(report) -> RewardClaim:
    return report.reward_claims.get()


def reasons(claim: RewardClaim) -> dict[str, bool]:
    return {reason["code"]: reason["ok"] for reason in claim.reasons}


def failed(claim: RewardClaim) -> set[str]:
    return {code for code, ok in reasons(claim).items() if not ok}


def assessed(report, officer, **kwargs) -> RewardClaim:
    return claim_assess(claim=claim_of(report), actor=officer, **kwargs)


def refile(report, when: datetime):
    """Test set-up: the report was filed at ``when`` and the violation seen an hour before."""
    type(report).objects.filter(pk=report.pk).update(
        created_at=when, observed_at=when - timedelta(hours=1)
    )
    report.refresh_from_db()
    return report


def local(day, hour=10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


# --- eligibility -------------------------------------------------------------------------


def test_an_eligible_claim_passes_every_rule_and_gets_the_amount(scheme, officer, supervisor):
    report = rf.close(rf.inform(), supervisor)
    claim = assessed(report, officer)
    assert claim.state == ClaimState.ELIGIBLE
    assert claim.amount == Decimal("50.00")
    assert claim.rule == scheme
    assert claim.proposed_by == officer
    assert set(reasons(claim)) >= {
        "rule",
        "identity",
        "case_valid",
        "first_report",
        "not_excluded",
        "window",
        "daily_cap",
        "monthly_cap",
    }
    assert all(reasons(claim).values())
    assert claim.closed_at is None


def test_first_report_of_the_day_in_the_cell_wins(scheme, officer, supervisor):
    cell, other_cell = rf.cells()
    first = rf.close(rf.inform(cell=cell), supervisor)
    second = rf.close(rf.inform(cell=cell), supervisor)
    elsewhere = rf.close(rf.inform(cell=other_cell), supervisor)
    day_before = rf.close(rf.inform(cell=cell), supervisor)
    refile(day_before, first.created_at - timedelta(days=1))

    assert assessed(first, officer).state == ClaimState.ELIGIBLE
    lost = assessed(second, officer)
    assert lost.state == ClaimState.INELIGIBLE
    assert reasons(lost)["first_report"] is False
    assert lost.amount is None and lost.closed_at is not None
    # Another cell the same day, and the same cell the day before, are other violations.
    assert assessed(elsewhere, officer).state == ClaimState.ELIGIBLE
    assert assessed(day_before, officer).state == ClaimState.ELIGIBLE


def test_an_earlier_report_that_was_rejected_does_not_count(scheme, officer, supervisor, intake):
    rf.reject(rf.inform(), intake)
    later = rf.close(rf.inform(), supervisor)
    assert assessed(later, officer).state == ClaimState.ELIGIBLE


def test_linked_duplicates_the_earliest_report_wins(scheme, officer, supervisor, intake):
    cell, other_cell = rf.cells()
    original = rf.inform(cell=cell)
    # Filed later, in another cell (so only the link makes them the same violation).
    copy = rf.inform(cell=other_cell)
    report_transition(
        report=copy, action=Action.MARK_DUPLICATE, actor=intake, duplicate_of=original
    )
    rf.close(original, supervisor)

    assert assessed(original, officer).state == ClaimState.ELIGIBLE
    lost = assessed(copy, officer)
    assert lost.state == ClaimState.INELIGIBLE
    assert reasons(lost)["first_report"] is False
    assert reasons(lost)["case_valid"] is False


def test_a_later_original_loses_to_an_earlier_report_linked_to_it(
    scheme, officer, supervisor, intake
):
    cell, other_cell = rf.cells()
    earlier = rf.inform(cell=other_cell)
    kept = rf.inform(cell=cell)
    report_transition(report=earlier, action=Action.MARK_DUPLICATE, actor=intake, duplicate_of=kept)
    rf.close(kept, supervisor)
    claim = assessed(kept, officer)
    assert claim.state == ClaimState.INELIGIBLE
    assert reasons(claim)["first_report"] is False


def test_daily_cap_counts_per_phone_across_reports(reference_data, officer, supervisor):
    rf.rule(daily_limit=1)
    cell, other_cell = rf.cells()
    phone = "13811112222"
    first = rf.close(rf.inform(cell=cell, identities=[rf.identity(phone)]), supervisor)
    # The same person, formatted differently: the hash of the normalised number matches.
    second = rf.close(
        rf.inform(cell=other_cell, identities=[rf.identity("+86 138-1111-2222")]), supervisor
    )
    someone_else = rf.close(rf.inform(cell=other_cell), supervisor)
    yesterday = rf.close(rf.inform(cell=cell, identities=[rf.identity(phone)]), supervisor)
    refile(yesterday, first.created_at - timedelta(days=1))

    assert assessed(first, officer).state == ClaimState.ELIGIBLE
    capped = assessed(second, officer)
    assert capped.state == ClaimState.INELIGIBLE
    assert failed(capped) == {"daily_cap"}
    assert assessed(yesterday, officer).state == ClaimState.ELIGIBLE
    # The cap is per person: another informant's report the same day is unaffected (it is the
    # second report in that cell, so it loses as a duplicate, not on the cap).
    other = assessed(someone_else, officer)
    assert reasons(other)["daily_cap"] is True


def test_an_ineligible_claim_does_not_use_up_the_cap(reference_data, officer, supervisor, intake):
    rf.rule(daily_limit=1)
    cell, other_cell = rf.cells()
    phone = "13811112222"
    late = rf.close(
        rf.inform(
            cell=cell,
            identities=[rf.identity(phone)],
            observed_at=timezone.now() - timedelta(days=10),
        ),
        supervisor,
    )
    valid = rf.close(rf.inform(cell=other_cell, identities=[rf.identity(phone)]), supervisor)
    assert assessed(late, officer).state == ClaimState.INELIGIBLE
    assert assessed(valid, officer).state == ClaimState.ELIGIBLE


def test_monthly_cap_counts_per_phone_across_days(reference_data, officer, supervisor):
    rf.rule(daily_limit=5, monthly_limit=2)
    phone = "13833334444"
    month_start = timezone.localdate().replace(day=1)
    in_month = [
        refile(
            rf.close(rf.inform(identities=[rf.identity(phone)]), supervisor),
            local(month_start + timedelta(days=offset)),
        )
        for offset in range(3)
    ]
    last_month = refile(
        rf.close(rf.inform(identities=[rf.identity(phone)]), supervisor),
        local(month_start - timedelta(days=1)),
    )

    assert [assessed(r, officer).state for r in in_month] == [
        ClaimState.ELIGIBLE,
        ClaimState.ELIGIBLE,
        ClaimState.INELIGIBLE,
    ]
    capped = claim_of(in_month[2])
    assert reasons(capped)["monthly_cap"] is False and reasons(capped)["daily_cap"] is True
    assert assessed(last_month, officer).state == ClaimState.ELIGIBLE


def test_staff_phone_numbers_are_excluded(scheme, officer, supervisor):
    RewardExclusion.objects.create(phone_hash=phone_hash("13855556666"), label="执法队员")
    report = rf.close(rf.inform(identities=[rf.identity("138 5555 6666")]), supervisor)
    claim = assessed(report, officer)
    assert claim.state == ClaimState.INELIGIBLE
    assert reasons(claim)["not_excluded"] is False


def test_joint_reporters_share_and_an_excluded_one_takes_no_share(
    reference_data, officer, supervisor
):
    rf.rule(amount="100.00")
    RewardExclusion.objects.create(phone_hash=phone_hash("13855556666"), label="执法队员")
    report = rf.close(
        rf.inform(
            identities=[rf.identity(), rf.identity(), rf.identity("13855556666")],
        ),
        supervisor,
    )
    claims = {
        c.informant.phone: claim_assess(claim=c, actor=officer) for c in report.reward_claims.all()
    }
    staff_claim = claims.pop("13855556666")
    assert staff_claim.state == ClaimState.INELIGIBLE
    assert [c.state for c in claims.values()] == [ClaimState.ELIGIBLE] * 2
    assert [c.amount for c in claims.values()] == [Decimal("50.00")] * 2


@pytest.mark.parametrize(
    ("seen_days_before", "window_ok"),
    [(2, True), (4, False)],
)
def test_claim_window(reference_data, officer, supervisor, seen_days_before, window_ok):
    rf.rule(window_days=3)
    report = rf.close(
        rf.inform(observed_at=timezone.now() - timedelta(days=seen_days_before)), supervisor
    )
    claim = assessed(report, officer)
    assert reasons(claim)["window"] is window_ok
    assert claim.state == (ClaimState.ELIGIBLE if window_ok else ClaimState.INELIGIBLE)


def test_a_rejected_case_is_not_valid(scheme, officer, intake):
    report = rf.reject(rf.inform(), intake)
    claim = assessed(report, officer)
    assert claim.state == ClaimState.INELIGIBLE
    assert reasons(claim)["case_valid"] is False


def test_a_case_still_being_handled_cannot_be_assessed(scheme, officer):
    report = rf.inform()
    with pytest.raises(ValidationError):
        assessed(report, officer)
    claim = claim_of(report)
    assert claim.state == ClaimState.PENDING and claim.proposed_by is None


def test_a_claim_uses_the_rule_in_force_when_the_report_was_filed(
    reference_data, officer, supervisor
):
    today = timezone.localdate()
    old = rf.rule(amount="50.00", effective_to=today - timedelta(days=1))
    new = rf.rule(amount="80.00", effective_from=today)
    cell, other_cell = rf.cells()
    before_change = refile(rf.close(rf.inform(cell=cell), supervisor), local(today - timedelta(1)))
    after_change = rf.close(rf.inform(cell=other_cell), supervisor)

    claim = assessed(before_change, officer)
    assert (claim.state, claim.rule, claim.amount) == (ClaimState.ELIGIBLE, old, Decimal("50.00"))
    claim = assessed(after_change, officer)
    assert (claim.state, claim.rule, claim.amount) == (ClaimState.ELIGIBLE, new, Decimal("80.00"))


def test_no_rule_in_force_means_no_reward(reference_data, officer, supervisor):
    today = timezone.localdate()
    rf.rule(effective_from=today - timedelta(days=30), effective_to=today - timedelta(days=10))
    report = rf.close(rf.inform(), supervisor)
    claim = assessed(report, officer)
    assert claim.state == ClaimState.INELIGIBLE
    assert reasons(claim)["rule"] is False
    assert claim.rule is None and claim.amount is None


@pytest.mark.parametrize(
    ("units", "amount"),
    [("10", "20.00"), ("123.5", "123.50"), ("2000", "500.00")],
)
def test_per_unit_amount_is_clamped_to_the_rule_bounds(
    reference_data, officer, supervisor, units, amount
):
    rf.rule(
        rf.structures(),
        amount="1.00",
        amount_kind=RewardRule.AmountKind.PER_UNIT,
        unit="m²",
        minimum_amount=Decimal("20.00"),
        maximum_amount=Decimal("500.00"),
    )
    report = rf.close(rf.inform(cat=rf.structures()), supervisor)
    claim = assessed(report, officer, units=Decimal(units))
    assert claim.state == ClaimState.ELIGIBLE
    assert claim.amount == Decimal(amount)
    assert claim.units == Decimal(units)


def test_per_unit_amount_needs_the_measurement(reference_data, officer, supervisor):
    rf.rule(rf.structures(), amount="1.00", amount_kind=RewardRule.AmountKind.PER_UNIT, unit="m²")
    report = rf.close(rf.inform(cat=rf.structures()), supervisor)
    with pytest.raises(ValidationError):
        assessed(report, officer)
    assert claim_of(report).state == ClaimState.PENDING


def test_joint_reporters_share_a_per_unit_reward(reference_data, officer, supervisor):
    rf.rule(
        rf.structures(),
        amount="1.00",
        amount_kind=RewardRule.AmountKind.PER_UNIT,
        unit="m²",
        maximum_amount=Decimal("500.00"),
    )
    report = rf.close(
        rf.inform(cat=rf.structures(), identities=[rf.identity() for _ in range(3)]), supervisor
    )
    amounts = [
        claim_assess(claim=claim, actor=officer, units=Decimal("1000")).amount
        for claim in report.reward_claims.all()
    ]
    # 500 (the maximum) shared three ways, rounded down to the fen.
    assert amounts == [Decimal("166.66")] * 3


# --- four eyes and permissions -------------------------------------------------------------


def test_the_proposer_cannot_approve(scheme, make_staff, approver, supervisor):
    both = make_staff(roles.REWARD_OFFICER)
    both.groups.add(roles.group(roles.REWARD_APPROVER))
    rf.fund(approver, allocate="1000")
    claim = assessed(rf.close(rf.inform(), supervisor), both)
    with pytest.raises(PermissionDenied):
        claim_approve(claim=claim, actor=both)
    claim.refresh_from_db()
    assert claim.state == ClaimState.ELIGIBLE and claim.approved_by is None
    claim = claim_approve(claim=claim, actor=approver)
    assert claim.state == ClaimState.APPROVED and claim.approved_by == approver


def test_the_database_refuses_approval_by_the_proposer(scheme, officer, supervisor):
    claim = assessed(rf.close(rf.inform(), supervisor), officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        RewardClaim.objects.filter(pk=claim.pk).update(approved_by=officer)


@pytest.mark.parametrize(
    "role",
    [roles.INTAKE_OPERATOR, roles.SUPERVISOR, roles.DEPARTMENT_HANDLER, roles.AUDITOR],
)
def test_roles_outside_the_scheme_can_do_nothing(
    scheme, make_staff, officer, approver, supervisor, role
):
    outsider = make_staff(role)
    rf.fund(approver, allocate="1000")
    report = rf.close(rf.inform(), supervisor)
    with pytest.raises(PermissionDenied):
        assessed(report, outsider)
    claim = assessed(report, officer)
    with pytest.raises(PermissionDenied):
        claim_approve(claim=claim, actor=outsider)
    claim = claim_approve(claim=claim, actor=approver)
    with pytest.raises(PermissionDenied):
        claim_pay(claim=claim, actor=outsider, payment_reference="X")
    with pytest.raises(PermissionDenied):
        fund_allocate(year=timezone.localdate().year, amount=Decimal("1"), actor=outsider)
    claim.refresh_from_db()
    assert claim.state == ClaimState.APPROVED
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYOUT).exists()


def test_each_reward_role_does_only_its_own_step(scheme, officer, approver, supervisor):
    rf.fund(approver, allocate="1000")
    report = rf.close(rf.inform(), supervisor)
    with pytest.raises(PermissionDenied):
        assessed(report, approver)
    claim = assessed(report, officer)
    with pytest.raises(PermissionDenied):
        claim_approve(claim=claim, actor=officer)
    claim = claim_approve(claim=claim, actor=approver)
    with pytest.raises(PermissionDenied):
        claim_pay(claim=claim, actor=approver, payment_reference="X")
    with pytest.raises(PermissionDenied):
        fund_allocate(year=timezone.localdate().year, amount=Decimal("1"), actor=officer)
    claim_pay(claim=claim, actor=officer, payment_reference="X")
    claim.refresh_from_db()
    assert claim.state == ClaimState.PAID


# --- the fund ------------------------------------------------------------------------------


def test_approval_is_refused_when_the_fund_cannot_cover_it(
    reference_data, officer, approver, supervisor
):
    rf.rule(amount="60.00")
    rf.fund(approver, allocate="100")
    cell, other_cell = rf.cells()
    first = assessed(rf.close(rf.inform(cell=cell), supervisor), officer)
    second = assessed(rf.close(rf.inform(cell=other_cell), supervisor), officer)

    claim_approve(claim=first, actor=approver)
    # 100 in the fund, 60 promised: 40 left.
    with pytest.raises(ValidationError):
        claim_approve(claim=second, actor=approver)
    claim_pay(claim=first, actor=officer, payment_reference="BANK-1")
    with pytest.raises(ValidationError):
        claim_approve(claim=second, actor=approver)
    second.refresh_from_db()
    assert second.state == ClaimState.ELIGIBLE
    fund_allocate(year=timezone.localdate().year, amount=Decimal("20"), actor=approver)
    assert claim_approve(claim=second, actor=approver).state == ClaimState.APPROVED


def test_no_approval_without_a_fund_for_the_year(scheme, officer, approver, supervisor):
    claim = assessed(rf.close(rf.inform(), supervisor), officer)
    with pytest.raises(ValidationError):
        claim_approve(claim=claim, actor=approver)


def test_payment_writes_one_payout_and_a_second_is_refused(scheme, officer, approver, supervisor):
    fund = rf.fund(approver, allocate="1000")
    claim = rf.approved_claim(rf.close(rf.inform(), supervisor), officer=officer, approver=approver)

    entry = claim_pay(claim=claim, actor=officer, payment_reference=" BANK-0001 ")
    assert (entry.kind, entry.amount, entry.balance_after) == (
        LedgerEntry.Kind.PAYOUT,
        Decimal("-50.00"),
        Decimal("950.00"),
    )
    claim.refresh_from_db()
    assert claim.state == ClaimState.PAID
    assert claim.payment_reference == "BANK-0001"
    assert claim.paid_by == officer and claim.paid_at and claim.closed_at

    with pytest.raises(ValidationError):
        claim_pay(claim=claim, actor=officer, payment_reference="BANK-0002")
    assert LedgerEntry.objects.filter(claim=claim).count() == 1
    assert fund_balance(fund) == Decimal("950.00")


def test_a_payment_needs_its_reference(scheme, officer, approver, supervisor):
    rf.fund(approver, allocate="1000")
    claim = rf.approved_claim(rf.close(rf.inform(), supervisor), officer=officer, approver=approver)
    with pytest.raises(ValidationError):
        claim_pay(claim=claim, actor=officer, payment_reference="  ")
    claim.refresh_from_db()
    assert claim.state == ClaimState.APPROVED


def test_reversal_puts_the_money_back_and_cancels_the_claim(scheme, officer, approver, supervisor):
    fund = rf.fund(approver, allocate="1000")
    claim = rf.paid_claim(rf.close(rf.inform(), supervisor), officer=officer, approver=approver)
    assert fund_balance(fund) == Decimal("950.00")

    claim = claim_cancel(claim=claim, actor=officer, reason="举报人系执法队员亲属")
    assert claim.state == ClaimState.CANCELLED and claim.closed_at is not None
    assert fund_balance(fund) == Decimal("1000.00")
    kinds = list(LedgerEntry.objects.filter(claim=claim).values_list("kind", "amount"))
    assert kinds == [
        (LedgerEntry.Kind.PAYOUT, Decimal("-50.00")),
        (LedgerEntry.Kind.REVERSAL, Decimal("50.00")),
    ]
    with pytest.raises(ValidationError):
        claim_cancel(claim=claim, actor=officer, reason="again")
    with pytest.raises(ValidationError):
        claim_pay(claim=claim, actor=officer, payment_reference="BANK-2")
    assert LedgerEntry.objects.filter(claim=claim).count() == 2


def test_cancelling_an_unpaid_claim_moves_no_money(scheme, officer, approver, supervisor):
    fund = rf.fund(approver, allocate="1000")
    claim = rf.approved_claim(rf.close(rf.inform(), supervisor), officer=officer, approver=approver)
    claim = claim_cancel(claim=claim, actor=officer, reason="重复申领")
    assert claim.state == ClaimState.CANCELLED
    assert fund_balance(fund) == Decimal("1000.00")
    assert not LedgerEntry.objects.filter(claim=claim).exists()


def test_allocation_beyond_the_budget_is_refused(reference_data, approver):
    fund = rf.fund(approver, budget="1000.00", allocate="800")
    year = timezone.localdate().year
    with pytest.raises(ValidationError):
        fund_allocate(year=year, amount=Decimal("200.01"), actor=approver)
    with pytest.raises(ValidationError):
        fund_allocate(year=year, amount=Decimal("-5"), actor=approver)
    fund_allocate(year=year, amount=Decimal("200.00"), actor=approver)
    assert fund_balance(fund) == Decimal("1000.00")
    assert list(fund.entries.values_list("sequence", "balance_after")) == [
        (1, Decimal("800.00")),
        (2, Decimal("1000.00")),
    ]


def test_ledger_entries_cannot_be_changed_or_deleted(scheme, officer, approver, supervisor):
    fund = rf.fund(approver, allocate="1000")
    rf.paid_claim(rf.close(rf.inform(), supervisor), officer=officer, approver=approver)
    entry = LedgerEntry.objects.get(kind=LedgerEntry.Kind.PAYOUT)
    entry.amount = Decimal("-1.00")
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    with pytest.raises(ValueError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("-1.00"))
    with pytest.raises(ValueError):
        LedgerEntry.objects.all().delete()
    assert list(fund.entries.values_list("amount", flat=True)) == [
        Decimal("1000.00"),
        Decimal("-50.00"),
    ]
