"""Contests through the admin: a responsible unit's staff contest a finding of their own object
within the window, a supervisor upholds (the deduction goes, the score history shows it) or
rejects it, every step in Wagtail's audit log; another unit's findings stay out of reach."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from complaints.models import Department, DepartmentMembership
from inspections.models import Contest, Finding
from inspections.scores import inspection_score, object_month_scores
from portal import roles
from tests.inspections.builders import inspection, market, standard

pytestmark = pytest.mark.django_db


def permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@pytest.fixture
def contractor_group(db):
    """What the contractor role holds (the role itself is declared in portal/roles.py)."""
    group = Group.objects.create(name="养护单位（测试）")
    group.permissions.add(
        permission("wagtailadmin.access_admin"), permission("inspections.contest_finding")
    )
    return group


def contractor(make_staff, group, unit: str, username: str):
    user = make_staff(roles.INSPECTOR, username)
    user.groups.set([group])
    DepartmentMembership.objects.create(user=user, department=Department.objects.get(key=unit))
    return user


@pytest.fixture
def setup(make_staff, reference_data, contractor_group):
    inspector = make_staff(roles.INSPECTOR, "inspector")
    manager = make_staff(roles.INSPECTION_MANAGER, "manager")
    manager.user_permissions.add(permission("inspections.decide_contest"))
    own = contractor(make_staff, contractor_group, "sanitation", "sanitation_staff")
    other = contractor(make_staff, contractor_group, "town_enforcement", "enforcement_staff")
    std = standard(("地面垃圾", "2", "10"), ("垃圾满溢", "3", "9"))
    when = f"{timezone.localtime() - timedelta(days=1):%Y-%m-%d %H:%M}"
    own_inspection = inspection(
        market("蠡园菜市场", unit="sanitation"),
        std,
        inspector,
        when,
        findings=[("地面垃圾", 2), ("垃圾满溢", 1)],
    )
    other_inspection = inspection(
        market("河埒菜市场", unit="town_enforcement"),
        std,
        inspector,
        when,
        findings=[("地面垃圾", 1)],
    )
    return {
        "manager": manager,
        "own": own,
        "other": other,
        "inspection": own_inspection,
        "finding": own_inspection.findings.get(item__text="地面垃圾"),
        "other_finding": other_inspection.findings.get(),
    }


def refused(response) -> bool:
    """Wagtail's admin answers a refusal with a redirect to its home page (or 403)."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    )


def contest(client, user, finding: Finding, reason: str = "当天已清扫，照片为清扫前拍摄"):
    client.force_login(user)
    return client.post(reverse("inspections_contest_file", args=[finding.pk]), {"reason": reason})


def decide(client, user, contest_: Contest, decision: str, note: str):
    client.force_login(user)
    return client.post(
        reverse("inspections_contest_decide", args=[contest_.pk]),
        {"decision": decision, "note": note},
    )


def test_an_upheld_contest_removes_the_deduction_and_the_history_shows_it(client, setup):
    finding, insp = setup["finding"], setup["inspection"]
    assert inspection_score(insp) == Decimal(93)  # 100 − 2×2 − 3

    client.force_login(setup["own"])
    page = client.get(reverse("inspections_own_results")).content.decode()
    assert reverse("inspections_contest_file", args=[finding.pk]) in page

    response = contest(client, setup["own"], finding)
    assert response.status_code == 302, response.content.decode()[:1500]
    filed = Contest.objects.get(finding=finding)
    assert filed.state == Contest.State.PENDING
    assert inspection_score(insp) == Decimal(93)  # nothing changes until it is decided

    client.force_login(setup["manager"])
    assert (
        f'data-contest="{filed.pk}"' in client.get(reverse("inspections_contests")).content.decode()
    )
    response = decide(client, setup["manager"], filed, "uphold", "照片时间早于作业时间，予以采纳")
    assert response.status_code == 302
    filed.refresh_from_db()
    assert (filed.state, filed.decided_by) == (Contest.State.UPHELD, setup["manager"])
    assert inspection_score(insp) == Decimal(97)
    assert inspection_score(insp, as_recorded=True) == Decimal(93)
    month = timezone.localdate(insp.inspected_at)
    assert object_month_scores(month)[insp.object_id] == Decimal("97.00")
    # The inspection's admin page shows the contest beside its finding, linked to the decision.
    page = client.get(reverse("inspections:inspect", args=[insp.pk])).content.decode()
    assert reverse("inspections_contest_decide", args=[filed.pk]) in page

    client.force_login(setup["own"])
    page = client.get(reverse("inspections_own_results")).content.decode()
    assert '<td class="score-recorded">93</td>' in page
    assert '<td class="score-now">97' in page
    actions = list(
        ModelLogEntry.objects.filter(object_id=str(filed.pk)).values_list("action", "user")
    )
    assert ("inspections.contest.file", setup["own"].pk) in actions
    assert ("inspections.contest.uphold", setup["manager"].pk) in actions
    # Decided once: a second decision is refused.
    assert refused(decide(client, setup["manager"], filed, "reject", "再议"))
    filed.refresh_from_db()
    assert filed.state == Contest.State.UPHELD


def test_a_rejected_contest_keeps_the_deduction(client, setup):
    finding, insp = setup["finding"], setup["inspection"]
    contest(client, setup["own"], finding)
    filed = Contest.objects.get(finding=finding)
    response = decide(client, setup["manager"], filed, "reject", "现场照片清晰，维持扣分")
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.state == Contest.State.REJECTED and filed.decision_note == "现场照片清晰，维持扣分"
    assert inspection_score(insp) == Decimal(93)
    assert ModelLogEntry.objects.filter(
        object_id=str(filed.pk), action="inspections.contest.reject"
    ).exists()
    # One contest per finding.
    assert contest(client, setup["own"], finding).status_code == 200
    assert Contest.objects.filter(finding=finding).count() == 1


def test_a_decision_needs_a_note_and_the_supervisor(client, setup):
    contest(client, setup["own"], setup["finding"])
    filed = Contest.objects.get()
    assert decide(client, setup["manager"], filed, "uphold", "").status_code == 200
    assert refused(decide(client, setup["own"], filed, "uphold", "自己批准"))
    filed.refresh_from_db()
    assert filed.state == Contest.State.PENDING


def test_out_of_the_window_a_contest_is_refused(client, setup, settings):
    insp = setup["inspection"]
    insp.inspected_at = timezone.now() - timedelta(days=3, hours=1)
    insp.save()
    response = contest(client, setup["own"], setup["finding"])
    assert response.status_code == 200
    assert not Contest.objects.exists()
    deadline = timezone.localtime(insp.inspected_at + timedelta(days=3))
    assert f"{deadline:%Y-%m-%d %H:%M}" in response.content.decode()  # "closed on …"
    settings.INSPECTIONS_CONTEST_WINDOW_DAYS = 5
    assert contest(client, setup["own"], setup["finding"]).status_code == 302
    assert Contest.objects.count() == 1


def test_a_contractor_reaches_only_their_own_units_findings(client, setup):
    other_finding = setup["other_finding"]
    client.force_login(setup["own"])
    page = client.get(reverse("inspections_own_results")).content.decode()
    assert f'data-finding="{setup["finding"].pk}"' in page
    assert f'data-finding="{other_finding.pk}"' not in page and "河埒菜市场" not in page
    url = reverse("inspections_contest_file", args=[other_finding.pk])
    assert client.get(url).status_code == 404
    assert contest(client, setup["own"], other_finding).status_code == 404
    assert not Contest.objects.exists()
    # Contractors do not decide, and the manager without the contest permission has no results.
    assert refused(client.get(reverse("inspections_contests")))
    client.force_login(setup["manager"])
    assert refused(client.get(reverse("inspections_own_results")))
