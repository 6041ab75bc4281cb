"""The reward screens of the back office: who may open which, and what they show (never an
informant's identity outside the logged reveal)."""

import pytest
from django.urls import reverse

from complaints.models import (
    ClaimState,
    DataExport,
    Department,
    GridCell,
    PiiAccess,
    ReportKind,
    ReportState,
    RewardExclusion,
    RewardRule,
)
from complaints.privacy.codes import phone_hash
from complaints.rewards.services.informants import informant_identity_reveal
from portal import roles
from tests.complaints.backoffice.test_cases_screens import refused
from tests.support.cases import submit
from tests.support.factories import report_walk
from tests.support.rewards import (
    close,
    dumping,
    inform,
    paid_claim,
)
from tests.support.rewards_admin import PHONE, no_identity

# --- the role × screen matrix ------------------------------------------------------------

ROLES = [
    "editor",
    "moderator",
    "intake",
    "handler",
    "supervisor",
    "officer",
    "approver",
    "auditor",
    "anonymous",
]
REWARD_STAFF = {"officer", "approver", "auditor"}

# screen → roles that get a 200 (everyone else: login redirect or refused)
SCREENS = {
    "queue": REWARD_STAFF,
    "detail": REWARD_STAFF,
    "ledger": REWARD_STAFF,
    "funds": REWARD_STAFF,
    "report": REWARD_STAFF,
    "export": REWARD_STAFF,
    "rules": REWARD_STAFF,
    "rule_add": {"officer"},
    "fund_add": {"approver"},
    "exclusions": {"officer"},
    "exclusion_add": {"officer"},
    "pii_log": {"auditor"},
    "export_log": {"auditor"},
    "erasure_log": {"auditor"},
}


def screen_url(name: str, claim) -> str:
    return {
        "queue": reverse("reward-claims:index"),
        "detail": reverse("rewards_claim", args=[claim.pk]),
        "ledger": reverse("rewards_ledger"),
        "funds": reverse("rewards_funds"),
        "report": reverse("rewards_report"),
        "export": reverse("rewards_export"),
        "rules": reverse("reward-rules:index"),
        "rule_add": reverse("reward-rules:add"),
        "fund_add": reverse("reward-funds:add"),
        "exclusions": reverse("reward-exclusions:index"),
        "exclusion_add": reverse("reward-exclusions:add"),
        "pii_log": reverse("wagtailsnippets_complaints_piiaccess:list"),
        "export_log": reverse("data-exports:index"),
        "erasure_log": reverse("identity-erasures:index"),
    }[name]


@pytest.mark.parametrize("role", ROLES)
def test_reward_screen_matrix(role, staff, client, closed_claim):
    if role != "anonymous":
        client.force_login(staff[role])
    for screen, allowed in SCREENS.items():
        response = client.get(screen_url(screen, closed_claim))
        if role == "anonymous":
            assert response.status_code == 302 and "/login/" in response["Location"], screen
        elif role in allowed:
            assert response.status_code == 200, (role, screen, response.status_code)
        else:
            assert refused(response), (role, screen, response.status_code)
    # The reveal: only the roles that may open identities; it is logged each time.
    before = PiiAccess.objects.count()
    response = client.post(
        reverse("rewards_claim_reveal", args=[closed_claim.pk]), {"reason": "核对收款账户"}
    )
    if role in ("officer", "approver"):
        assert response.status_code == 200 and PHONE in response.text
        assert PiiAccess.objects.count() == before + 1
    else:
        assert response.status_code in (302, 403)
        assert PHONE not in response.text if response.status_code == 403 else True
        assert PiiAccess.objects.count() == before


def test_handler_gets_no_reward_screen_and_no_identity(staff, client, closed_claim):
    client.force_login(staff["handler"])
    for screen in ("queue", "detail", "ledger", "funds", "export"):
        assert refused(client.get(screen_url(screen, closed_claim))), screen
    response = client.post(reverse("rewards_export"), {"start": "2000-01-01", "end": "2000-12-31"})
    assert refused(response)
    assert not DataExport.objects.exists()


# --- the claims queue --------------------------------------------------------------------


def test_queue_defaults_to_what_the_role_must_do(staff, client, scheme):
    from complaints.rewards.services.claims import claim_assess

    # Three different grid cells: each is the first report of its violation.
    first, second, third = GridCell.objects.order_by("pk")[:3]
    open_case = inform(cell=first)
    to_assess = inform(cell=second)
    close(to_assess, staff["supervisor"])
    to_approve = inform(cell=third)
    close(to_approve, staff["supervisor"])
    claim_assess(claim=to_approve.reward_claims.get(), actor=staff["officer"])
    url = reverse("reward-claims:index")

    client.force_login(staff["officer"])
    page = client.get(url).text
    assert to_assess.reference in page
    assert open_case.reference not in page and to_approve.reference not in page

    client.force_login(staff["approver"])
    page = client.get(url).text
    assert to_approve.reference in page
    assert to_assess.reference not in page and open_case.reference not in page

    everything = client.get(url, {"show": "all"}).text
    assert all(r.reference in everything for r in (open_case, to_assess, to_approve))
    eligible = client.get(url, {"show": "all", "state": ClaimState.ELIGIBLE}).text
    assert to_approve.reference in eligible and to_assess.reference not in eligible

    # The auditor acts on nothing: every claim by default.
    client.force_login(staff["auditor"])
    page = client.get(url).text
    assert all(r.reference in page for r in (open_case, to_assess, to_approve))


def test_queue_and_detail_show_no_identity(staff, client, closed_claim):
    for role in ("officer", "approver", "auditor"):
        client.force_login(staff[role])
        queue = client.get(reverse("reward-claims:index"), {"show": "all"})
        assert closed_claim.report.reference in queue.text
        assert no_identity(queue.text)
        detail = client.get(reverse("rewards_claim", args=[closed_claim.pk]))
        assert 'data-identity="sealed"' in detail.text
        assert no_identity(detail.text)


def test_auditor_sees_no_reveal_form_and_cannot_reveal(staff, client, closed_claim):
    client.force_login(staff["auditor"])
    detail = client.get(reverse("rewards_claim", args=[closed_claim.pk]))
    assert "claim-reveal" not in detail.text
    client.force_login(staff["officer"])
    assert "claim-reveal" in client.get(reverse("rewards_claim", args=[closed_claim.pk])).text


def test_case_link_only_for_roles_that_see_cases(staff, client, closed_claim, make_staff):
    client.force_login(staff["officer"])
    assert (
        "claim-case-link" not in client.get(reverse("rewards_claim", args=[closed_claim.pk])).text
    )
    both = make_staff(roles.REWARD_OFFICER, "officer_and_supervisor")
    both.groups.add(staff["supervisor"].groups.get())
    client.force_login(both)
    page = client.get(reverse("rewards_claim", args=[closed_claim.pk])).text
    assert reverse("complaints_case", args=[closed_claim.report.pk]) in page


# --- handlers never see who reported ----------------------------------------------------


@pytest.mark.parametrize("role", ["handler", "supervisor", "intake"])
def test_case_screens_keep_the_informant_sealed(role, staff, client, informant_report):
    report = report_walk(
        informant_report,
        ReportState.DISPATCHED,
        department=Department.objects.get(key="sanitation"),
    )
    assert report.kind == ReportKind.INFORMANT
    client.force_login(staff[role])
    page = client.get(reverse("complaints_case", args=[report.pk]))
    assert page.status_code == 200
    assert "case-informant-sealed" in page.text
    assert no_identity(page.text)
    queue = client.get(reverse("cases-all:index"))
    assert report.reference in queue.text and no_identity(queue.text)
    export = client.get(reverse("cases-all:index"), {"export": "csv"})
    body = b"".join(export.streaming_content).decode()
    assert report.reference in body and no_identity(body)


@pytest.mark.parametrize("role", ["supervisor", "intake"])
def test_contact_reveal_does_nothing_for_an_informant_report(role, staff, client, informant_report):
    client.force_login(staff[role])
    response = client.post(
        reverse("complaints_case_reveal", args=[informant_report.pk]), {"reason": "回访核实"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("complaints_case", args=[informant_report.pk])
    assert not PiiAccess.objects.exists()
    assert no_identity(client.get(response["Location"]).text)


def test_handler_may_not_reveal_an_informant_either(staff, client, informant_report):
    client.force_login(staff["handler"])
    response = client.post(
        reverse("complaints_case_reveal", args=[informant_report.pk]), {"reason": "x"}
    )
    assert refused(response) or response.status_code == 404
    assert not PiiAccess.objects.exists()


# --- logs are read-only, for everyone ---------------------------------------------------


def test_logs_are_read_only_even_for_a_superuser(staff, client, closed_claim, make_staff):
    informant_identity_reveal(
        informant=closed_claim.informant, actor=staff["officer"], reason="核对身份信息"
    )
    access = PiiAccess.objects.get()
    DataExport.objects.create(user=staff["officer"], name="reward-payments", row_count=1)
    export = DataExport.objects.get()
    client.force_login(make_staff(None, "root"))
    listing = client.get(reverse("wagtailsnippets_complaints_piiaccess:list"))
    assert listing.status_code == 200
    assert reverse("wagtailsnippets_complaints_piiaccess:add") not in listing.text
    for url in (
        reverse("wagtailsnippets_complaints_piiaccess:edit", args=[access.pk]),
        reverse("wagtailsnippets_complaints_piiaccess:delete", args=[access.pk]),
        reverse("wagtailsnippets_complaints_piiaccess:add"),
    ):
        assert refused(client.get(url)), url
        assert refused(client.post(url, {"reason": "changed"})), url
    assert PiiAccess.objects.get().reason == "核对身份信息"
    inspect = client.get(reverse("data-exports:inspect", args=[export.pk]))
    assert inspect.status_code == 200
    # Neither the exports log nor the erasures log has any write screen.
    from django.urls import NoReverseMatch

    for name in ("data-exports", "identity-erasures", "reward-claims"):
        for view in ("add", "edit", "delete"):
            with pytest.raises(NoReverseMatch):
                reverse(f"{name}:{view}", args=[] if view == "add" else [1])


def test_auditor_filters_the_access_log_to_informant_openings(staff, client, closed_claim):
    informant_identity_reveal(
        informant=closed_claim.informant, actor=staff["approver"], reason="审批前核对"
    )
    contact_case = submit()
    PiiAccess.objects.create(
        user=staff["intake"], report=contact_case, fields="contact_phone", reason="回访"
    )
    client.force_login(staff["auditor"])
    url = reverse("wagtailsnippets_complaints_piiaccess:list")
    everything = client.get(url).text
    assert closed_claim.report.reference in everything and contact_case.reference in everything
    only_informants = client.get(url, {"informant_opening": "true"}).text
    assert closed_claim.report.reference in only_informants
    assert contact_case.reference not in only_informants


def test_ledger_has_no_edit_or_delete_anywhere(staff, client, closed_claim):
    paid_claim(closed_claim.report, officer=staff["officer"], approver=staff["approver"])
    client.force_login(staff["approver"])
    page = client.get(reverse("rewards_ledger")).text
    assert 'data-kind="allocation"' in page and 'data-kind="payout"' in page
    assert "/edit/" not in page and "/delete/" not in page


# --- rules and exclusions ----------------------------------------------------------------


def _rule_post(**overrides) -> dict:
    data = {
        "category": dumping().pk,
        "amount_kind": "fixed",
        "amount": "80.00",
        "unit": "",
        "minimum_amount": "",
        "maximum_amount": "",
        "daily_limit": "3",
        "monthly_limit": "20",
        "window_days": "3",
        "effective_from": "2030-01-01",
        "effective_to": "",
        "evidence_note": "近景和远景照片各一张",
    }
    data.update(overrides)
    return data


def test_officer_adds_a_rule_and_an_overlapping_version_is_refused(staff, client, reference_data):
    client.force_login(staff["officer"])
    url = reverse("reward-rules:add")
    response = client.post(url, _rule_post(effective_to="2030-12-31"))
    assert response.status_code == 302, response.context["form"].errors
    assert RewardRule.objects.filter(effective_from="2030-01-01").exists()
    response = client.post(url, _rule_post(effective_from="2030-06-01"))
    assert response.status_code == 200
    assert "effective_from" in response.context["form"].errors
    assert RewardRule.objects.count() == 1
    # The next version, starting the day after, is fine.
    response = client.post(url, _rule_post(effective_from="2031-01-01", amount="100.00"))
    assert response.status_code == 302
    listing = client.get(reverse("reward-rules:index")).text
    assert "2031" in listing and "100.00" in listing


def test_approver_may_view_rules_but_not_add(staff, client, reference_data):
    client.force_login(staff["approver"])
    assert client.get(reverse("reward-rules:index")).status_code == 200
    assert refused(client.post(reverse("reward-rules:add"), _rule_post()))
    assert not RewardRule.objects.exists()


def test_exclusion_keeps_only_the_phone_hash(staff, client, reference_data):
    client.force_login(staff["officer"])
    response = client.post(
        reverse("reward-exclusions:add"), {"phone": "+86 139-5555-0009", "label": "城管队员"}
    )
    assert response.status_code == 302
    exclusion = RewardExclusion.objects.get()
    assert exclusion.phone_hash == phone_hash("13955550009")
    assert exclusion.added_by == staff["officer"]
    assert "13955550009" not in str(exclusion.__dict__)
    listing = client.get(reverse("reward-exclusions:index")).text
    assert "城管队员" in listing and "13955550009" not in listing
    again = client.post(reverse("reward-exclusions:add"), {"phone": "13955550009", "label": "x"})
    assert again.status_code == 200 and RewardExclusion.objects.count() == 1


def test_excluded_informant_is_ineligible_after_the_officer_lists_the_phone(
    staff, client, closed_claim
):
    client.force_login(staff["officer"])
    client.post(reverse("reward-exclusions:add"), {"phone": PHONE, "label": "工作人员亲属"})
    response = client.post(
        reverse("rewards_claim", args=[closed_claim.pk]), {"action": "assess", "assess-note": ""}
    )
    assert response.status_code == 302
    closed_claim.refresh_from_db()
    assert closed_claim.state == ClaimState.INELIGIBLE
    failed = {r["code"] for r in closed_claim.reasons if not r["ok"]}
    assert failed == {"not_excluded"}
    page = client.get(reverse("rewards_claim", args=[closed_claim.pk])).text
    assert 'data-code="not_excluded" data-ok="false"' in page
