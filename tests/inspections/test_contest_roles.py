"""The roles carry the contest permissions: a 养护单位 member contests, the 督查管理 decides."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Department, DepartmentMembership
from inspections.models import Contest
from portal import roles
from tests.inspections.builders import inspection, market, standard

pytestmark = pytest.mark.django_db


def test_the_roles_carry_the_contest_permissions(client, make_staff, reference_data):
    contractor = make_staff(roles.CONTRACTOR, "contractor")
    DepartmentMembership.objects.create(
        user=contractor, department=Department.objects.get(key="sanitation")
    )
    manager = make_staff(roles.INSPECTION_MANAGER, "manager")
    std = standard(("地面垃圾", "2", "10"))
    when = f"{timezone.localtime() - timedelta(days=1):%Y-%m-%d %H:%M}"
    insp = inspection(market(unit="sanitation"), std, manager, when, findings=[("地面垃圾", 1)])
    client.force_login(contractor)
    assert client.get(reverse("inspections_own_results")).status_code == 200
    url = reverse("inspections_contest_file", args=[insp.findings.get().pk])
    assert client.post(url, {"reason": "已清扫"}).status_code == 302
    client.force_login(manager)
    contest = Contest.objects.get()
    url = reverse("inspections_contest_decide", args=[contest.pk])
    assert client.post(url, {"decision": "uphold", "note": "予以采纳"}).status_code == 302
    contest.refresh_from_db()
    assert contest.state == Contest.State.UPHELD
