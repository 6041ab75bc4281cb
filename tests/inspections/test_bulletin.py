"""The monthly inspection bulletin on hand-built inspections with known answers: the lowest
objects and units, unrectified findings, repeat findings; the admin page and its PDF."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from inspections.bulletin import inspection_bulletin
from inspections.models import Contest
from portal import roles
from tests.inspections.builders import inspection, market, standard

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)


@pytest.fixture
def manager(make_staff, reference_data):
    return make_staff(roles.INSPECTION_MANAGER, "manager")


@pytest.fixture
def month(manager):
    """February, March and April inspections of three markets (scores in the comments)."""
    std = standard(("地面垃圾", "2", "10", True, 4), ("垃圾满溢", "3", "9"))
    a = market("A市场", unit="sanitation")
    b = market("B市场", unit="sanitation")
    c = market("C市场", unit="town_enforcement")
    february = inspection(a, std, manager, "2026-02-10 09:00", findings=[("地面垃圾", 1)])
    # An upheld contest takes February's finding out of every list.
    Contest.objects.create(
        finding=february.findings.get(),
        reason="已清扫",
        contested_by=manager,
        state=Contest.State.UPHELD,
    )
    inspection(b, std, manager, "2026-02-15 09:00", findings=[("垃圾满溢", 1)])
    inspection(a, std, manager, "2026-03-02 09:00", findings=[("地面垃圾", 2)])  # 96
    inspection(
        a, std, manager, "2026-03-20 09:00", findings=[("地面垃圾", 1), ("垃圾满溢", 1)]
    )  # 95 → A: 95.50
    inspection(b, std, manager, "2026-03-05 09:00", findings=[("垃圾满溢", 3)])  # 91
    inspection(c, std, manager, "2026-03-06 09:00")  # 100
    # Neither an inspection in progress nor April's counts in March.
    inspection(c, std, manager, "2026-03-07 09:00", findings=[("地面垃圾", 5)], submitted=False)
    inspection(a, std, manager, "2026-04-02 09:00", findings=[("地面垃圾", 1)])
    return {"a": a, "b": b, "c": c}


def test_the_figures_of_a_month(month):
    bulletin = inspection_bulletin(MARCH)
    assert (bulletin.inspections, bulletin.objects) == (4, 3)
    assert [(row.object.name, row.score) for row in bulletin.lowest_objects] == [
        ("B市场", Decimal("91.00")),
        ("A市场", Decimal("95.50")),
        ("C市场", Decimal("100.00")),
    ]
    units = [(g.name, g.score, g.objects) for g in bulletin.lowest_units]
    assert [score for _name, score, _n in units] == [Decimal("93.25"), Decimal("100.00")]
    assert [n for _name, _score, n in units] == [2, 1]
    # The findings that need rectification (地面垃圾), up to March, none of them with a case.
    assert [
        (f.inspection.object.name, f"{f.inspection.inspected_at:%m-%d}", f.occurrences)
        for f in bulletin.unrectified
    ] == [("A市场", "03-02", 2), ("A市场", "03-20", 1)]
    assert [(r.object.name, r.item, r.this_month, r.last_month) for r in bulletin.repeats] == [
        ("A市场", "地面垃圾", 2, 0),
        ("B市场", "垃圾满溢", 1, 1),
    ]


def test_a_month_without_inspections_is_empty_but_lists_what_is_still_unrectified(month):
    bulletin = inspection_bulletin(date(2026, 5, 1))
    assert bulletin.lowest_objects == [] and bulletin.lowest_units == []
    assert bulletin.repeats == []
    # April's finding and March's two are still open in May.
    assert len(bulletin.unrectified) == 3


def test_the_admin_page_and_the_pdf(client, manager, month):
    client.force_login(manager)
    response = client.get(reverse("inspections_bulletin"), {"month": "2026-03"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="bulletin-objects"' in page and "91.00" in page and "95.50" in page
    assert page.index("B市场") < page.index("A市场")
    assert "?month=2026-03" in page

    response = client.get(reverse("inspections_bulletin_pdf"), {"month": "2026-03"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "inspection-bulletin-2026-03.pdf" in response["Content-Disposition"]


def test_only_who_reads_inspections_sees_the_bulletin(client, make_staff, reference_data):
    intake = make_staff(roles.INTAKE_OPERATOR, "intake")
    client.force_login(intake)
    for name in ("inspections_bulletin", "inspections_bulletin_pdf"):
        response = client.get(reverse(name))
        assert response.status_code in (302, 403)
        assert response.status_code == 403 or response["Location"] == reverse("wagtailadmin_home")
