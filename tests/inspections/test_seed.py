"""The demo command: objects per kind from the seed, one standard per kind, a few inspections."""

import pytest
from django.core.management import call_command

from inspections.models import Inspection, InspectionObject, Standard
from inspections.scores import inspection_score

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
    call_command("seed_inspections")
    assert InspectionObject.objects.count() == 60
    assert Standard.objects.count() == 6 and Inspection.objects.count() == inspections
