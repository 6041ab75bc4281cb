"""The reward actions through the admin: assess, four-eyes approval, payment, reversal, the
sealed identity, the fund, the monthly report and the finance export."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from complaints.models import (
    ClaimState,
    DataExport,
    GridCell,
    LedgerEntry,
    PiiAccess,
    RewardClaim,
    RewardFund,
)
from complaints.rewards.services.claims import claim_assess
from tests.complaints.backoffice.test_cases_screens import refused
from tests.support.rewards import (
    close,
    fund,
    identity,
    inform,
    paid_claim,
    reject,
    rule,
    structures,
)
from tests.support.rewards_admin import ACCOUNT, NAME, PHONE


def act(client, claim, action, **fields):
    # "confirmed": as posted by the confirmation page of approve and pay.
    data = {"action": action, "confirmed": "yes"}
    data.update({f"{action}-{k}": v for k, v in fields.items()})
    return client.post(reverse("rewards_claim", args=[claim.pk]), data)


def offered(client, claim) -> set[str]:
    response = client.get(reverse("rewards_claim", args=[claim.pk]))
    assert response.status_code == 200
    return {action for action, _label, _form in response.context["actions"]}


def test_the_whole_claim_through_the_screens(staff, client, closed_claim):
    officer, approver = staff["officer"], staff["approver"]
    client.force_login(officer)
    assert offered(client, closed_claim) == {"assess", "cancel"}
    assert act(client, closed_claim, "assess", note="核实无误").status_code == 302
    closed_claim.refresh_from_db()
    assert closed_claim.state == ClaimState.ELIGIBLE
    assert closed_claim.amount == Decimal("50.00") and closed_claim.proposed_by == officer
    page = client.get(reverse("rewards_claim", args=[closed_claim.pk])).text
    assert page.count('data-ok="true"') == len(closed_claim.reasons)

    client.force_login(approver)
    assert offered(client, closed_claim) == {"approve", "decline"}
    assert act(client, closed_claim, "approve").status_code == 302
    closed_claim.refresh_from_db()
    assert closed_claim.state == ClaimState.APPROVED and closed_claim.approved_by == approver

    client.force_login(officer)
    assert offered(client, closed_claim) == {"pay", "cancel"}
    assert act(client, closed_claim, "pay", payment_reference="").status_code == 400
    assert act(client, closed_claim, "pay", payment_reference="TXN-20261127-01").status_code == 302
    closed_claim.refresh_from_db()
    assert closed_claim.state == ClaimState.PAID
    assert closed_claim.payment_reference == "TXN-20261127-01"
    payout = LedgerEntry.objects.get(claim=closed_claim)
    assert (payout.kind, payout.amount, payout.balance_after) == (
        LedgerEntry.Kind.PAYOUT,
        Decimal("-50.00"),
        Decimal("4950.00"),
    )
    # Paying twice is refused by the service, shown on the page.
    second = act(client, closed_claim, "pay", payment_reference="TXN-again")
    assert second.status_code == 400
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYOUT).count() == 1

    ledger = client.get(reverse("rewards_ledger")).text
    assert 'data-sequence="2" data-kind="payout"' in ledger
    assert "4950.00" in ledger and closed_claim.report.reference in ledger


def test_proposer_cannot_approve(staff, client, closed_claim, make_staff):

    from portal import roles

    # One person holding both roles: proposes, then tries to approve their own proposal.
    both = make_staff(roles.REWARD_OFFICER, "both")
    both.groups.add(roles.group(roles.REWARD_APPROVER))
    client.force_login(both)
    assert act(client, closed_claim, "assess").status_code == 302
    closed_claim.refresh_from_db()
    assert closed_claim.state == ClaimState.ELIGIBLE and closed_claim.proposed_by == both
    page = client.get(reverse("rewards_claim", args=[closed_claim.pk]))
    assert "approve" not in {a for a, _l, _f in page.context["actions"]}
    assert 'data-action="approve"' not in page.text and "claim-four-eyes" in page.text
    response = act(client, closed_claim, "approve")
    assert response.status_code == 403
    closed_claim.refresh_from_db()
    assert closed_claim.state == ClaimState.ELIGIBLE and closed_claim.approved_by is None
    # Another approver may.
    client.force_login(staff["approver"])
    assert act(client, closed_claim, "approve").status_code == 302
    assert RewardClaim.objects.get(pk=closed_claim.pk).state == ClaimState.APPROVED


@pytest.mark.parametrize("role", ["auditor", "officer"])
def test_roles_without_the_right_cannot_approve(role, staff, client, closed_claim):
    claim_assess(claim=closed_claim, actor=staff["officer"])
    client.force_login(staff[role])
    assert "approve" not in offered(client, closed_claim)
    assert act(client, closed_claim, "approve").status_code == 403
    assert RewardClaim.objects.get(pk=closed_claim.pk).state == ClaimState.ELIGIBLE


def test_approver_cannot_assess_or_pay(staff, client, closed_claim):
    client.force_login(staff["approver"])
    assert act(client, closed_claim, "assess").status_code == 403
    assert RewardClaim.objects.get(pk=closed_claim.pk).state == ClaimState.PENDING


def test_assess_waits_for_the_case(staff, client, informant_report):
    claim = informant_report.reward_claims.get()
    client.force_login(staff["officer"])
    assert "assess" not in offered(client, claim)
    response = act(client, claim, "assess")
    assert response.status_code == 400
    assert RewardClaim.objects.get(pk=claim.pk).state == ClaimState.PENDING


def test_rejected_case_makes_the_claim_ineligible_with_its_reason(staff, client, scheme):
    report = inform()
    reject(report, staff["intake"])
    claim = report.reward_claims.get()
    client.force_login(staff["officer"])
    assert act(client, claim, "assess").status_code == 302
    claim.refresh_from_db()
    assert claim.state == ClaimState.INELIGIBLE and claim.amount is None
    page = client.get(reverse("rewards_claim", args=[claim.pk])).text
    assert 'data-code="case_valid" data-ok="false"' in page


def test_per_unit_rule_asks_for_the_units(staff, client, scheme):
    rule(structures(), amount="2.00", amount_kind="per_unit", unit="m²", maximum_amount="500")
    report = inform(cat=structures())
    close(report, staff["supervisor"])
    claim = report.reward_claims.get()
    client.force_login(staff["officer"])
    form = client.get(reverse("rewards_claim", args=[claim.pk])).context["actions"][0][2]
    assert "units" in form.fields
    assert act(client, claim, "assess").status_code == 400
    assert RewardClaim.objects.get(pk=claim.pk).state == ClaimState.PENDING
    assert act(client, claim, "assess", units="35.5").status_code == 302
    claim.refresh_from_db()
    assert (claim.units, claim.amount) == (Decimal("35.50"), Decimal("71.00"))


def test_cancel_needs_a_reason_and_reverses_a_paid_claim(staff, client, closed_claim):
    claim = paid_claim(closed_claim.report, officer=staff["officer"], approver=staff["approver"])
    client.force_login(staff["officer"])
    assert act(client, claim, "cancel", reason="").status_code == 400
    assert act(client, claim, "cancel", reason="举报不实，追回奖励").status_code == 302
    claim.refresh_from_db()
    assert claim.state == ClaimState.CANCELLED
    reversal = LedgerEntry.objects.get(claim=claim, kind=LedgerEntry.Kind.REVERSAL)
    assert reversal.amount == Decimal("50.00") and reversal.balance_after == Decimal("5000.00")
    assert offered(client, claim) == set()


def test_approval_beyond_the_fund_is_refused_with_the_message(staff, client, make_staff):
    rule(amount="50.00")
    fund(staff["approver"], budget="100.00", allocate="30.00")
    report = inform()
    close(report, staff["supervisor"])
    claim = claim_assess(claim=report.reward_claims.get(), actor=staff["officer"])
    client.force_login(staff["approver"])
    response = act(client, claim, "approve")
    assert response.status_code == 400
    assert RewardClaim.objects.get(pk=claim.pk).state == ClaimState.ELIGIBLE
    messages = [str(m) for m in response.context["messages"]]
    assert messages and "30" in messages[0]


# --- the sealed identity -----------------------------------------------------------------


def test_reveal_needs_a_reason_is_logged_and_never_cached(staff, client, closed_claim):
    client.force_login(staff["approver"])
    url = reverse("rewards_claim_reveal", args=[closed_claim.pk])
    refused_reveal = client.post(url, {"reason": ""})
    assert refused_reveal.status_code == 400 and PHONE not in refused_reveal.text
    assert not PiiAccess.objects.exists()
    response = client.post(url, {"reason": "核对收款账户"})
    assert response.status_code == 200
    assert NAME in response.text and PHONE in response.text and ACCOUNT in response.text
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    access = PiiAccess.objects.get()
    assert (access.user, access.informant, access.report, access.reason) == (
        staff["approver"],
        closed_claim.informant,
        closed_claim.report,
        "核对收款账户",
    )
    assert client.get(url).status_code == 405  # never by GET
    # The claim page itself stays sealed afterwards.
    assert PHONE not in client.get(reverse("rewards_claim", args=[closed_claim.pk])).text


# --- the fund ----------------------------------------------------------------------------


def test_approver_sets_up_a_fund_and_allocates(staff, client, reference_data):
    year = timezone.localdate().year + 1
    client.force_login(staff["approver"])
    response = client.post(reverse("reward-funds:add"), {"year": year, "budget": "2000.00"})
    assert response.status_code == 302
    assert RewardFund.objects.get(year=year).budget == Decimal("2000.00")
    allocate = reverse("rewards_fund_allocate", args=[year])
    assert client.post(allocate, {"amount": "1500.00", "note": "首批"}).status_code == 302
    over = client.post(allocate, {"amount": "600.00"})
    assert over.status_code == 400 and "amount" in over.context["allocate_form"].errors
    entries = LedgerEntry.objects.filter(fund__year=year)
    assert [(e.kind, e.amount, e.balance_after) for e in entries] == [
        (LedgerEntry.Kind.ALLOCATION, Decimal("1500.00"), Decimal("1500.00"))
    ]
    page = client.get(reverse("rewards_funds")).text
    assert f'data-year="{year}"' in page and "1500.00" in page and "500.00" in page


@pytest.mark.parametrize("role", ["officer", "auditor"])
def test_only_approvers_move_money_into_the_fund(role, staff, client, scheme):
    client.force_login(staff[role])
    response = client.post(
        reverse("rewards_fund_allocate", args=[scheme.year]), {"amount": "10.00"}
    )
    assert refused(response)
    assert refused(client.post(reverse("reward-funds:add"), {"year": 2099, "budget": "1"}))
    assert LedgerEntry.objects.count() == 1


def test_funds_show_committed_and_available(staff, client, scheme):
    report = inform()
    close(report, staff["supervisor"])
    from tests.support.rewards import approved_claim

    approved_claim(report, officer=staff["officer"], approver=staff["approver"])
    client.force_login(staff["auditor"])
    page = client.get(reverse("rewards_funds")).text
    assert '<td data-field="committed">50.00</td>' in page
    assert '<td data-field="available">4950.00</td>' in page
    assert '<td data-field="balance">5000.00</td>' in page


# --- the monthly report ------------------------------------------------------------------


def test_monthly_report_nets_reversals_by_category_and_town(staff, client, scheme):
    from complaints.rewards.services.claims import claim_cancel

    claims = []
    for cell in GridCell.objects.order_by("pk")[:3]:
        report = inform(cell=cell)
        close(report, staff["supervisor"])
        claims.append(paid_claim(report, officer=staff["officer"], approver=staff["approver"]))
    claim_cancel(claim=claims[0], actor=staff["officer"], reason="追回")
    client.force_login(staff["auditor"])
    response = client.get(reverse("rewards_report"), {"year": scheme.year})
    assert response.status_code == 200
    month = timezone.localdate().month
    row = next(m for m in response.context["months"] if m["month"] == month)
    assert (row["count"], row["amount"]) == (2, Decimal("100.00"))
    assert [(c["count"], c["amount"]) for c in row["categories"]] == [(2, Decimal("100.00"))]
    assert sum(t["amount"] for t in row["towns"]) == Decimal("100.00")
    assert f'data-month="{month}"' in response.text and "100.00" in response.text


# --- the finance export ------------------------------------------------------------------


def _export(client, **period):
    today = timezone.localdate()
    data = {"start": str(today - timedelta(days=1)), "end": str(today)}
    data.update(period)
    return client.post(reverse("rewards_export"), data)


def _sheet_rows(response) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(response.content))
    return list(workbook.active.iter_rows(values_only=True))


@pytest.fixture
def two_paid(staff, scheme):
    claims = []
    people = (("甲某", "13966660001"), ("乙某", "13966660002"))
    for (name, phone), cell in zip(people, GridCell.objects.order_by("pk"), strict=False):
        report = inform(cell=cell, identities=[identity(phone=phone, name=name)])
        close(report, staff["supervisor"])
        claims.append(
            paid_claim(
                report,
                officer=staff["officer"],
                approver=staff["approver"],
                reference=f"TXN-{cell.pk}",
            )
        )
    return claims


def test_export_with_identity_for_the_officer_logs_each_informant(staff, client, two_paid):
    client.force_login(staff["officer"])
    response = _export(client)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _sheet_rows(response)
    assert len(rows) == 3 and len(rows[0]) == 10
    body = {row[0]: row for row in rows[1:]}
    first = body[two_paid[0].report.reference]
    assert first[3] == 50 and first[5] == f"TXN-{two_paid[0].report.grid_cell_id}"
    assert first[7:9] == ("甲某", "13966660001")
    log = DataExport.objects.get()
    assert (log.user, log.row_count, log.includes_identity) == (staff["officer"], 2, True)
    accesses = PiiAccess.objects.filter(user=staff["officer"], reason="finance export")
    assert {a.informant_id for a in accesses} == {c.informant_id for c in two_paid}


def test_auditor_export_has_no_identity_columns(staff, client, two_paid):
    client.force_login(staff["auditor"])
    page = client.get(reverse("rewards_export"))
    assert 'data-identity="false"' in page.text
    response = _export(client)
    assert response.status_code == 200
    rows = _sheet_rows(response)
    assert len(rows[0]) == 7 and len(rows) == 3
    flat = " ".join(str(cell) for row in rows for cell in row)
    assert "甲某" not in flat and "13966660001" not in flat
    log = DataExport.objects.get()
    assert (log.user, log.row_count, log.includes_identity) == (staff["auditor"], 2, False)
    assert not PiiAccess.objects.exists()
    # The auditor reads the export log afterwards.
    listing = client.get(reverse("data-exports:index"))
    assert listing.status_code == 200 and "reward-payments" in listing.text


def test_export_period_outside_payments_is_empty_but_logged(staff, client, two_paid):
    client.force_login(staff["approver"])
    response = _export(client, start="2001-01-01", end="2001-01-31")
    assert len(_sheet_rows(response)) == 1
    assert DataExport.objects.get().row_count == 0
    assert not PiiAccess.objects.exists()
    bad = _export(client, start="2001-02-01", end="2001-01-01")
    assert bad.status_code == 400 and DataExport.objects.count() == 1
