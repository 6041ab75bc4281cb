"""The transition table, tested from the table itself: every row works, nothing else does."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from complaints.cases.services.transitions import TransitionNotAllowed, report_transition
from complaints.cases.workflow import (
    CASE_SYSTEM,
    PUBLIC_STATE,
    RESIDENT,
    STAFF_ROLES,
    TRANSITIONS,
    Action,
    Requirement,
    transition_for,
)
from complaints.models import (
    Attachment,
    CaseEvent,
    CaseSystem,
    ConnectorKind,
    Delivery,
    DeliveryState,
    Report,
    ReportState,
    ReportSupporter,
)
from complaints.notifications.sms import MemorySmsBackend
from portal import roles
from tests.complaints.conftest import category, jpeg_bytes
from tests.support.cases import submit

CASES = [(t, source) for t in TRANSITIONS for source in t.sources]


def _id(case):
    transition, source = case
    return f"{source}-{transition.action}"


@pytest.fixture
def case_system(reference_data):
    return CaseSystem.objects.create(
        name="区数字城管平台",
        slug="district",
        kind=ConnectorKind.WEBHOOK,
        endpoint="http://127.0.0.1:9/webhook",
        secret="s",
    )


@pytest.fixture
def actors(intake, handler, supervisor, case_system):
    return {
        roles.INTAKE_OPERATOR: intake,
        roles.DEPARTMENT_HANDLER: handler,
        roles.SUPERVISOR: supervisor,
        RESIDENT: None,
        CASE_SYSTEM: case_system,
    }


def delivered_to(system, report) -> None:
    Delivery.objects.get_or_create(
        report=report,
        case_system=system,
        defaults={
            "state": DeliveryState.DELIVERED,
            "next_attempt_at": timezone.now(),
            "external_id": f"CS-{report.pk}",
        },
    )


def actor_for(actors, role, report):
    """The actor of ``role``; a case system gets the report delivered to it first."""
    actor = actors[role]
    if role == CASE_SYSTEM:
        delivered_to(actor, report)
    return actor


def inputs_for(transition, report) -> dict:
    """Everything the row requires, valid."""
    from complaints.models import Department

    kwargs = {"note": "说明"}
    for requirement in transition.requires:
        if requirement == Requirement.DEPARTMENT:
            kwargs["department"] = Department.objects.get(key="sanitation")
        elif requirement == Requirement.DUPLICATE_OF:
            kwargs["duplicate_of"] = submit(description="原始报告")
        elif requirement == Requirement.CATEGORY:
            kwargs["category"] = category("event", "0104")
        elif requirement == Requirement.AFTER_PHOTO:
            kwargs["photos"] = [SimpleUploadedFile("after.jpg", jpeg_bytes(), "image/jpeg")]
        elif requirement == Requirement.EXTENSION:
            kwargs["extension_amount"] = 3
    return kwargs


def test_every_state_has_a_public_state():
    assert set(PUBLIC_STATE) == set(ReportState)


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_allowed_transition_succeeds_with_its_effects(case, report_in, actors):
    transition, source = case
    report = report_in(source)
    actor = actor_for(actors, transition.roles[0], report)
    before = report.events.count()
    rework_before = report.rework_count

    result = report_transition(
        report=report,
        action=transition.action,
        actor=actor,
        expected_state=source,
        **inputs_for(transition, report),
    )

    report.refresh_from_db()
    assert result.state == report.state == (transition.target or source)
    assert report.events.count() == before + 1
    event = report.events.last()
    # A case system is no user: its events record no actor.
    assert event.actor == (None if transition.system else actor)
    assert event.is_public == transition.public
    if transition.system:
        assert transition.roles == (CASE_SYSTEM,) and event.note  # a default public note
    if transition.target:
        assert (event.kind, event.from_state, event.to_state) == (
            CaseEvent.Kind.STATE_CHANGED,
            source,
            transition.target,
        )
    action = transition.action
    if action == Action.DISPATCH:
        assert report.deadline and report.dispatched_at and report.department.key == "sanitation"
    if action == Action.EXTERNAL_PROGRESS:
        assert report.deadline and report.dispatched_at
    if action in (Action.VERIFY_FAIL, Action.REOPEN, Action.EXTERNAL_REOPEN):
        assert report.rework_count == rework_before + 1
    if action in (Action.CLOSE, Action.EXTERNAL_RESOLVE):
        assert report.closed_at is not None and report.closed_on_time is not None
    if action == Action.HANDLE:
        assert report.attachments.filter(kind=Attachment.Kind.HANDLING).count() == 1
    if action in (Action.MARK_DUPLICATE, Action.EXTERNAL_DUPLICATE):
        assert report.duplicate_of is not None
        assert ReportSupporter.objects.filter(report=report.duplicate_of).count() == 1
    if action == Action.APPROVE_EXTENSION:
        assert report.extension_requests.get().approved is True
    if action == Action.CHANGE_CATEGORY:
        assert report.category.code == "0104"


@pytest.mark.parametrize("state", ReportState.values)
def test_every_action_not_in_table_is_refused(state, report_in, make_staff):
    """For each state, every action the table does not allow from it (generated)."""
    report = report_in(state)
    events = report.events.count()
    superuser = make_staff(None)
    forbidden = [a for a in Action.values if transition_for(state=state, action=a) is None]
    assert forbidden
    for action in forbidden:
        for actor in (superuser, None):
            with pytest.raises(TransitionNotAllowed):
                report_transition(report=report, action=action, actor=actor, note="x")
    report.refresh_from_db()
    assert report.state == state
    assert report.events.count() == events  # nothing recorded since the set-up


@pytest.mark.parametrize("transition", TRANSITIONS, ids=lambda t: str(t.action))
def test_every_other_role_is_refused(transition, report_in, actors):
    source = transition.sources[0]
    report = report_in(source)
    wrong = [role for role in (*STAFF_ROLES, RESIDENT, CASE_SYSTEM) if role not in transition.roles]
    assert wrong
    for role in wrong:
        with pytest.raises(PermissionDenied):
            report_transition(
                report=report,
                action=transition.action,
                actor=actor_for(actors, role, report),
                **inputs_for(transition, report),
            )
    assert Report.objects.get(pk=report.pk).state == source


@pytest.mark.parametrize(
    "transition", [t for t in TRANSITIONS if t.requires], ids=lambda t: str(t.action)
)
def test_requirements_are_enforced(transition, report_in, actors):
    report = report_in(transition.sources[0])
    with pytest.raises(ValidationError):
        report_transition(
            report=report,
            action=transition.action,
            actor=actor_for(actors, transition.roles[0], report),
        )
    assert report.events.count() == Report.objects.get(pk=report.pk).events.count()


SYSTEM_ROWS = [t for t in TRANSITIONS if t.system]


def test_case_system_rows_are_explicit_in_the_table():
    assert {t.action for t in SYSTEM_ROWS} == {
        Action.EXTERNAL_PROGRESS,
        Action.EXTERNAL_RESOLVE,
        Action.EXTERNAL_REJECT,
        Action.EXTERNAL_DUPLICATE,
        Action.EXTERNAL_REOPEN,
    }
    staff_only = {Requirement.HANDLING_NOTE, Requirement.AFTER_PHOTO, Requirement.VERIFICATION}
    for t in TRANSITIONS:
        assert (CASE_SYSTEM in t.roles) == t.system
        if t.system:
            assert t.roles == (CASE_SYSTEM,) and not staff_only & set(t.requires)


@pytest.mark.parametrize("transition", SYSTEM_ROWS, ids=lambda t: str(t.action))
def test_case_system_moves_only_reports_delivered_to_it(transition, report_in, actors, make_staff):
    report = report_in(transition.sources[0])
    other = CaseSystem.objects.create(
        name="别的系统", slug="other", kind=ConnectorKind.WEBHOOK, endpoint="http://x.invalid/"
    )
    delivered_to(other, report)
    kwargs = inputs_for(transition, report)
    for actor in (actors[CASE_SYSTEM], make_staff(None)):  # not delivered to it; a superuser
        with pytest.raises(PermissionDenied):
            report_transition(report=report, action=transition.action, actor=actor, **kwargs)
    other.is_active = False
    other.save()
    with pytest.raises(PermissionDenied):
        report_transition(report=report, action=transition.action, actor=other, **kwargs)
    assert Report.objects.get(pk=report.pk).state == transition.sources[0]


def test_handler_of_another_department_is_refused(report_in, other_handler):
    report = report_in(ReportState.DISPATCHED)
    with pytest.raises(PermissionDenied):
        report_transition(
            report=report, action=Action.RETURN, actor=other_handler, note="不是我们的"
        )


def test_stale_expected_state_is_refused(report_in, intake):
    report = report_in(ReportState.RECEIVED)
    report_transition(report=report, action=Action.REGISTER, actor=intake)
    with pytest.raises(TransitionNotAllowed):
        report_transition(
            report=report,
            action=Action.MARK_DUPLICATE,
            actor=intake,
            expected_state=ReportState.RECEIVED,
            duplicate_of=submit(),
        )


def test_public_state_change_notifies_reporter_and_supporters(
    report_in, supervisor, django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    report = report_in(ReportState.VERIFIED)
    ReportSupporter.objects.create(
        report=report,
        submission_token=uuid.uuid4(),
        contact_email="li@example.com",
        consent_to_contact=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        report_transition(report=report, action=Action.CLOSE, actor=supervisor)
    recipients = sorted(m.to[0] for m in mailoutbox)
    texts = [m["text"] for m in MemorySmsBackend.outbox]
    # The state change reaches each follower once, by their channel: the supporter (e-mail
    # only) by e-mail, the reporter (phone and e-mail, no choice made) by SMS. The rating
    # invitation is not a state change: it goes to the reporter by both.
    assert recipients == ["li@example.com", "zhang@example.com"]
    assert [m["phone"] for m in MemorySmsBackend.outbox] == ["13812345678", "13812345678"]
    assert "已结案" in texts[0] and "/rate/" in texts[1]
    zhang = next(m for m in mailoutbox if m.to == ["zhang@example.com"])
    assert "/rate/" in zhang.body


def test_resident_hears_of_public_steps_only(
    report_in, supervisor, django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    handled = report_in(ReportState.HANDLED)
    with django_capture_on_commit_callbacks(execute=True):
        report_transition(report=handled, action=Action.VERIFY_PASS, actor=supervisor, note="合格")
    assert mailoutbox == []

    asked = report_in(ReportState.REOPEN_REQUESTED)
    with django_capture_on_commit_callbacks(execute=True):
        report_transition(
            report=asked, action=Action.DECLINE_REOPEN, actor=supervisor, note="已核实处理到位"
        )
    # One message, by the reporter's channel (SMS by default when both contacts are given).
    messages = [m.body for m in mailoutbox] + [m["text"] for m in MemorySmsBackend.outbox]
    assert len(messages) == 1 and "已核实处理到位" in messages[0]
