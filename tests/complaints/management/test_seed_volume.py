"""seed_volume: synthetic reports whose states, timelines and references hold together."""

import re
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from complaints.cases.services.deadlines import CLOCK_STATES
from complaints.management.commands.seed_volume import PATHS, SEED_ACCESS_CODE, SEED_PHONE
from complaints.models import CaseEvent, ReferenceCounter, Report, ReportState


def seed(reports: int, **options) -> str:
    out = StringIO()
    call_command("seed_volume", reports=reports, force=True, stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_needs_the_reference_data():
    with pytest.raises(CommandError, match="reference data"):
        seed(5)
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_refuses_with_debug_off_without_force(reference_data, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_volume", reports=5, stdout=StringIO())
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_reports_and_timelines_hold_together(reference_data):
    output = seed(300, events_per_report=5, years=2)
    assert "Loaded 300 reports" in output
    reports = list(Report.objects.all())
    assert len(reports) == 300
    assert len({r.reference for r in reports}) == 300
    assert all(re.fullmatch(r"BH-\d{4}-\d{6}", r.reference) for r in reports)
    # Believable spread: several states, categories and towns; older ones mostly closed.
    states = {r.state for r in reports}
    assert {ReportState.CLOSED, ReportState.DISPATCHED} <= states and len(states) >= 4
    assert len({r.category_id for r in reports}) > 5 and len({r.town_id for r in reports}) > 1

    events = {}
    for event in CaseEvent.objects.order_by("created_at", "pk"):
        events.setdefault(event.report_id, []).append(event)
    for report in reports:
        timeline = events[report.pk]
        path = PATHS[report.state]
        assert len(timeline) == max(5, len(path))
        assert timeline[0].kind == CaseEvent.Kind.SUBMITTED
        changes = [(e.from_state, e.to_state) for e in timeline if e.kind == "state_changed"]
        assert changes == list(pairwise(path)), report.state
        assert timeline[0].created_at == report.created_at
        assert report.grid_cell.community_id == report.community_id
        assert report.community.town_id == report.town_id
        if ReportState.DISPATCHED in path:
            assert report.department_id and report.deadline > report.dispatched_at
        else:
            assert report.department_id is None and report.deadline is None
        if report.state == ReportState.CLOSED:
            assert report.closed_on_time == (report.closed_at <= report.deadline)
    assert any(
        r.state in CLOCK_STATES and r.deadline < r.created_at.now(r.created_at.tzinfo)
        for r in reports
    )
    # Personal data as the models keep it: encrypted phone that decrypts, or anonymous.
    with_phone = [r for r in reports if not r.is_anonymous]
    assert with_phone and all(r.contact_phone == SEED_PHONE for r in with_phone)
    assert all(r.contact_phone == "" for r in reports if r.is_anonymous)
    # The reference counters moved past the seeded numbers: the next real report follows.
    for counter in ReferenceCounter.objects.all():
        numbers = [int(r.reference[-6:]) for r in reports if r.reference[3:7] == str(counter.year)]
        assert counter.last_number == max(numbers)


@pytest.mark.django_db
def test_a_second_run_adds_more_without_clashes(reference_data):
    seed(40)
    seed(40)
    assert Report.objects.count() == 80
    assert Report.objects.values("reference").distinct().count() == 80


@pytest.mark.django_db
def test_a_seeded_report_can_be_tracked(reference_data, site, client):
    seed(20)
    report = Report.objects.order_by("pk").first()
    response = client.post(
        reverse("complaints:track"),
        {"reference": report.reference, "access_code": SEED_ACCESS_CODE},
        follow=True,
    )
    assert response.status_code == 200
    assert report.reference in response.text
