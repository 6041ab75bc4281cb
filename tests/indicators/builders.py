"""Reports with a known history for the indicator tests.

A report is filed through the intake service (``submit``) and its history is then written as
it would have happened at given moments: the timeline events the workflow writes, with their
times, and the report's fields the workflow keeps (state, deadline, closure). The workflow
itself is tested in tests/complaints/cases/; here the point is known answers.
"""

from datetime import datetime

from django.utils import timezone

from complaints.models import CaseEvent, Report, SatisfactionResponse
from tests.support.cases import submit


def at(text: str) -> datetime:
    """An aware local moment from "2026-03-02 09:00"."""
    return timezone.make_aware(datetime.fromisoformat(text))


def _event(report, to_state, moment):
    event = CaseEvent.objects.create(
        report=report, kind=CaseEvent.Kind.STATE_CHANGED, to_state=to_state
    )
    CaseEvent.objects.filter(pk=event.pk).update(created_at=at(moment))


def case(
    *,
    created: str,
    state: str = "received",
    town=None,
    department=None,
    category=None,
    registered: str | None = None,
    dispatched: str | None = None,
    deadline: str | None = None,
    closed: str | None = None,
    on_time: bool | None = None,
    rework: int = 0,
    supporters: int = 0,
) -> Report:
    overrides = {"category": category} if category is not None else {}
    report = submit(**overrides)
    if registered:
        _event(report, "registered", registered)
    if dispatched:
        _event(report, "dispatched", dispatched)
    if closed:
        _event(report, "closed", closed)
    fields = {
        "created_at": at(created),
        "state": state,
        "deadline": at(deadline) if deadline else None,
        "dispatched_at": at(dispatched) if dispatched else None,
        "closed_at": at(closed) if closed else None,
        "closed_on_time": on_time,
        "rework_count": rework,
        "supporter_count": supporters,
    }
    if town is not None:
        fields["town"] = town
    if department is not None:
        fields["department"] = department
    Report.objects.filter(pk=report.pk).update(**fields)
    report.refresh_from_db()
    return report


def rate(report, rating: str, *, when: str, channel: str = "web", closure: int = 0):
    response = SatisfactionResponse.objects.create(
        report=report, rating=rating, channel=channel, closure=closure
    )
    SatisfactionResponse.objects.filter(pk=response.pk).update(created_at=at(when))
    return response


def copies(report: Report, n: int) -> None:
    """``n`` more reports with the history of ``report`` (bulk inserts: volume tests only)."""
    import uuid

    fields = {
        f.attname: getattr(report, f.attname)
        for f in Report._meta.concrete_fields
        if f.attname not in ("id", "reference", "submission_token")
    }
    created = Report.objects.bulk_create(
        Report(**fields, reference=f"T-{uuid.uuid4().hex[:12]}", submission_token=uuid.uuid4())
        for _ in range(n)
    )
    if not all(r.pk for r in created):  # databases that do not return keys
        created = list(Report.objects.filter(reference__startswith="T-"))
    events = list(report.events.values("kind", "from_state", "to_state", "created_at"))
    CaseEvent.objects.bulk_create(
        CaseEvent(report=copy, **event) for copy in created for event in events
    )
