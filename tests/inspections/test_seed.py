"""The demo command: objects per kind from the seed, one standard per kind, a few inspections."""

import pytest
from django.core.management import call_command

from inspections.models import Assignment, Inspection, InspectionObject, Standard
from inspections.scores import inspection_score
from portal import roles

pytestmark = pytest.mark.django_db


def test_seed_inspections_is_complete_and_idempotent(reference_data):
    call_command("seed_inspections")
    counts = {
        kind: InspectionObject.objects.filter(kind=kind).count()
        for kind in ("market", "alley", "toilet")
    }
    assert counts == {"market": 9, "alley": 18, "toilet": 18}
    assert Standard.objects.count() == 6
    assert all(s.items.exists() for s in Standard.objects.all())
    inspections = Inspection.objects.count()
    assert inspections > 0
    assert all(0 <= inspection_score(i) <= 100 for i in Inspection.objects.all())
    # This month's markets are assigned to the demo inspector, who holds the inspector role.
    assigned = Assignment.objects.filter(inspector__username="demo_inspector")
    assert assigned.count() == 9
    assert roles.user_has_role(assigned.first().inspector, roles.INSPECTOR)
    call_command("seed_inspections")
    assert InspectionObject.objects.count() == 60
    assert Standard.objects.count() == 6 and Inspection.objects.count() == inspections
    assert Assignment.objects.count() == 9
