"""Each role's admin home shows its work (issue 12): counts linking to the filtered queue and the
first items, through GET /admin/ as each role; no panel for a user without the role; the home
costs the same queries with a few reports or many."""

import html
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from complaints.models import DataExport, Report, ReportState
from complaints.rewards.services.claims import claim_assess
from complaints.rewards.services.informants import informant_identity_reveal
from tests.support.rewards_admin import no_identity

HOME = "/admin/"


def home_of(client, user) -> str:
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response.text


def panel(page: str, name: str) -> str:
    """The HTML of the role panel ``name`` (empty when absent)."""
    match = re.search(rf'<section[^>]*id="role-{name}-section".*?</section>', page, re.S)
    return match.group(0) if match else ""


def tallies(section: str) -> dict[str, tuple[str, str]]:
    """label → (count, link) of a panel's counts."""
    found = re.findall(
        r'<a href="([^"]*)" data-tally="\d+">\s*<span[^>]*>([^<]*)</span>\s*([^<]*?)\s*</a>',
        section,
    )
    return {label: (count, html.unescape(href)) for href, count, label in found}


def overdue(report: Report, hours: int = 3) -> Report:
    Report.objects.filter(pk=report.pk).update(deadline=timezone.now() - timedelta(hours=hours))
    return report


def case_url(report: Report) -> str:
    return reverse("complaints_case", args=[report.pk])


def test_intake_sees_new_and_returned_reports(client, intake, report_in):
    new = [report_in(ReportState.RECEIVED) for _ in range(2)]
    returned = report_in(ReportState.RETURNED)
    report_in(ReportState.DISPATCHED)  # not intake's work

    section = panel(home_of(client, intake), "intake")
    counts = tallies(section)
    triage = reverse("cases-triage:index")
    assert counts[gettext("New reports")] == ("2", f"{triage}?state=received")
    assert counts[gettext("Returned by departments")] == ("1", f"{triage}?state=returned")
    assert counts[gettext("Registered, to dispatch")] == ("0", f"{triage}?state=registered")
    for report in [*new, returned]:
        assert f'href="{case_url(report)}"' in section
        assert report.reference in section
    # The link answers with the filtered queue holding the reports.
    listing = client.get(f"{triage}?state=returned").text
    assert returned.reference in listing and new[0].reference not in listing


def test_handler_sees_their_department_due_soon_and_overdue(
    client, handler, other_handler, report_in
):
    late = overdue(report_in(ReportState.DISPATCHED))
    soon = report_in(ReportState.DISPATCHED)  # due in a day: within 24 working hours
    Report.objects.filter(pk=soon.pk).update(deadline=timezone.now() + timedelta(hours=2))
    later = report_in(ReportState.DISPATCHED)
    Report.objects.filter(pk=later.pk).update(deadline=timezone.now() + timedelta(days=20))

    section = panel(home_of(client, handler), "handler")
    counts = tallies(section)
    assert counts[gettext("Open")] == ("3", reverse("cases-department:index"))
    department = reverse("cases-department:index")
    assert counts[gettext("Due soon")] == ("1", f"{department}?due_soon=true")
    # The link answers with exactly the case due soon.
    listing = client.get(counts[gettext("Due soon")][1]).text
    assert soon.reference in listing
    assert late.reference not in listing and later.reference not in listing
    assert counts[gettext("Overdue")] == ("1", reverse("cases-overdue:index"))
    # Overdue first, then the soonest due.
    positions = [section.index(r.reference) for r in (late, soon, later)]
    assert positions == sorted(positions)

    other = panel(home_of(client, other_handler), "handler")  # greening: none of these
    assert tallies(other)[gettext("Open")][0] == "0"
    assert late.reference not in other


def test_supervisor_sees_decisions_and_overdue_by_department(
    client, supervisor, sanitation, report_in
):
    handled = report_in(ReportState.HANDLED)
    extension = report_in(ReportState.EXTENSION_REQUESTED)
    rework = report_in(ReportState.REOPEN_REQUESTED)
    late = [overdue(report_in(ReportState.DISPATCHED)) for _ in range(2)]

    page = home_of(client, supervisor)
    counts = tallies(panel(page, "supervisor"))
    verification = reverse("cases-verification:index")
    assert counts[gettext("Awaiting verification")] == ("1", f"{verification}?state=handled")
    assert counts[gettext("Extension requests")] == (
        "1",
        f"{verification}?state=extension_requested",
    )
    assert counts[gettext("Rework requests")] == ("1", reverse("cases-reopen:index"))
    for report in (handled, extension, rework):
        assert report.reference in panel(page, "supervisor")

    table = panel(page, "overdue-departments")
    overdue_url = f"{reverse('cases-overdue:index')}?department={sanitation.pk}"
    row = re.search(r'<a href="([^"]*)">环卫所</a>.*?>(\d+)</span>', table, re.S)
    assert row and (html.unescape(row.group(1)), row.group(2)) == (overdue_url, "2")
    listing = client.get(overdue_url).text
    assert all(r.reference in listing for r in late)


def test_reward_staff_see_claims_to_assess_approve_and_pay(client, staff, closed_claim):
    officer, approver = staff["officer"], staff["approver"]
    reference = closed_claim.report.reference
    claim_link = f'href="{reverse("rewards_claim", args=[closed_claim.pk])}"'

    section = panel(home_of(client, officer), "reward-officer")
    assert tallies(section)[gettext("Claims to assess")][0] == "1"
    assert reference in section and claim_link in section
    assert (
        tallies(panel(home_of(client, approver), "reward-approver"))[gettext("Claims to approve")][
            0
        ]
        == "0"
    )

    claim_assess(claim=closed_claim, actor=officer)
    section = panel(home_of(client, approver), "reward-approver")
    count, link = tallies(section)[gettext("Claims to approve")]
    assert count == "1" and reference in section and claim_link in section
    assert client.get(link).status_code == 200 and reference in client.get(link).text
    assert (
        tallies(panel(home_of(client, officer), "reward-officer"))[gettext("Claims to assess")][0]
        == "0"
    )


def test_auditor_sees_recent_reveals_and_exports(client, staff, closed_claim):
    informant_identity_reveal(
        informant=closed_claim.informant, actor=staff["officer"], reason="核对收款账户"
    )
    DataExport.objects.create(
        user=staff["officer"], name="reward payments", row_count=3, includes_identity=True
    )
    page = home_of(client, staff["auditor"])
    reveals = panel(page, "auditor-reveals")
    assert tallies(reveals)[gettext("Informant identities opened (7 days)")][0] == "1"
    assert closed_claim.report.reference in reveals and "核对收款账户" in reveals
    assert no_identity(page)
    exports = panel(page, "auditor-exports")
    assert tallies(exports)[gettext("Exports (7 days)")] == ("1", reverse("data-exports:index"))
    assert "reward payments" in exports


def test_panels_only_for_their_roles(client, staff, report_in):
    report_in(ReportState.RECEIVED)
    editor_page = home_of(client, staff["editor"])
    assert 'id="role-' not in editor_page
    intake_page = home_of(client, staff["intake"])
    assert panel(intake_page, "intake")
    for other in ("handler", "supervisor", "reward-officer", "reward-approver", "auditor-reveals"):
        assert not panel(intake_page, other), other
    assert not panel(home_of(client, staff["auditor"]), "intake")


def test_a_user_with_two_roles_sees_both(client, staff, report_in):
    from portal import roles

    user = staff["intake"]
    user.groups.add(roles.group(roles.AUDITOR))
    page = home_of(client, user)
    assert panel(page, "intake") and panel(page, "auditor-exports")


def test_moderators_keep_wagtails_page_panels(client, staff, home):
    home.locked, home.locked_by, home.locked_at = True, staff["moderator"], timezone.now()
    home.save()
    page = home_of(client, staff["moderator"])
    assert 'id="locked-pages-section"' in page and 'id="role-' not in page


SCREENS = ("intake", "handler", "supervisor", "officer", "approver", "auditor")


@pytest.mark.parametrize("who", SCREENS)
def test_home_queries_do_not_grow_with_rows(who, client, staff, closed_claim, report_in):
    def some():
        for state in (
            ReportState.RECEIVED,
            ReportState.RETURNED,
            ReportState.HANDLED,
            ReportState.EXTENSION_REQUESTED,
            ReportState.REOPEN_REQUESTED,
        ):
            report_in(state)
        overdue(report_in(ReportState.DISPATCHED))
        DataExport.objects.create(user=staff["officer"], name="x", row_count=1)

    some()
    client.force_login(staff[who])
    client.get(HOME)  # warm-up: per-process caches
    with CaptureQueriesContext(connection) as few:
        client.get(HOME)
    for _ in range(3):
        some()
    call_command("seed_volume", reports=40, force=True, stdout=StringIO())
    with CaptureQueriesContext(connection) as many:
        page = client.get(HOME).text
    assert 'id="role-' in page
    assert len(many) == len(few)
    counts = [q["sql"] for q in many if "COUNT(" in q["sql"].upper()]
    assert all(re.search(r"\bLIMIT \d+", sql) for sql in counts), counts
