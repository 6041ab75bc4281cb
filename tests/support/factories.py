"""Test data from factories (factory_boy): staff by role, and reports in any workflow state.

A report is filed through the intake service (the real path: reference, access code, routing,
``submitted`` event) and then walked from ``received`` to the state asked for along a shortest
path of the transition table (complaints/cases/workflow.py), each step fired with
``report_transition`` by a staff member of the role the step needs. So its events, deadline,
department, extension request and closure times are what the workflow makes, never hand-set::

    ReportFactory()                                   # received
    ReportFactory(state=ReportState.HANDLED)          # received → registered → dispatched → handled
    ReportFactory(state="closed", anonymous=True)     # traits: anonymous, private, with_photo,
    ReportFactory(informant=True)                     #   informant
    ReportFactory(state="dispatched", actors={roles.DEPARTMENT_HANDLER: handler})

Staff are reused per role (and department) within a test: ``staff_for`` keeps them until
``staff_forget()``, which the ``tests.support.cases`` plugin calls before each test. Passwords
are hashed with the test settings' MD5 hasher (tests/conftest.py).
"""

import functools
import uuid
from collections import deque
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from complaints.cases.services.transitions import report_transition
from complaints.cases.workflow import RESIDENT, TRANSITIONS, Requirement, Transition
from complaints.intake.inputs import ReportInput
from complaints.intake.services.reports import report_submit
from complaints.intake.services.uploads import upload_draft_add
from complaints.models import Department, DepartmentMembership, Report, ReportKind, ReportState
from complaints.privacy.uploads import CleanPhoto, photo_sanitise
from portal import roles
from tests.complaints.conftest import POINT, category, photo

# --- Staff ----------------------------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    """A user without any role (password ``pw``)."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"fact-user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.invalid")
    password = factory.django.Password("pw")
    is_active = True


class StaffFactory(UserFactory):
    """A user in ``role``'s group (a ``portal.roles`` key); a handler may get a ``department``."""

    username = factory.Sequence(lambda n: f"fact-staff{n}")
    role = roles.INTAKE_OPERATOR
    department = None

    @classmethod
    def _create(cls, model_class, *args, role: str, department=None, **kwargs):
        user = super()._create(model_class, *args, **kwargs)
        user.groups.add(roles.group(role))
        if department is not None:
            DepartmentMembership.objects.create(user=user, department=department)
        return user

    @classmethod
    def _build(cls, model_class, *args, role: str, department=None, **kwargs):
        return super()._build(model_class, *args, **kwargs)


_staff: dict[tuple[str, int | None], object] = {}


def staff_forget() -> None:
    """Forget the staff kept for reuse (their rows went with the previous test's data)."""
    _staff.clear()


def staff_for(role: str, department: Department | None = None):
    """A staff member of ``role`` (a handler: of ``department``), the same one within a test."""
    key = (
        role,
        department.pk if department is not None and role == roles.DEPARTMENT_HANDLER else None,
    )
    user = _staff.get(key)
    if user is None:
        user = StaffFactory(
            role=role, department=department if role == roles.DEPARTMENT_HANDLER else None
        )
        _staff[key] = user
    return user


# --- Paths through the transition table -----------------------------------------------------


def _walkable(transition: Transition) -> bool:
    # Staff and resident rows that change the state; a case system acts only on reports
    # delivered to it, which is not set-up but a scenario of its own.
    return not transition.system and transition.target is not None


@functools.cache
def shortest_paths(source: str = ReportState.RECEIVED) -> dict[str, tuple[Transition, ...]]:
    """For each state the table reaches from ``source``: a shortest path (table order first)."""
    paths: dict[str, tuple[Transition, ...]] = {str(source): ()}
    queue = deque([str(source)])
    while queue:
        state = queue.popleft()
        for transition in TRANSITIONS:
            if not _walkable(transition) or state not in transition.sources:
                continue
            target = str(transition.target)
            if target not in paths:
                paths[target] = (*paths[state], transition)
                queue.append(target)
    return paths


def path_to(state: str, *, source: str = ReportState.RECEIVED) -> tuple[Transition, ...]:
    try:
        return shortest_paths(str(source))[str(state)]
    except KeyError:
        raise ValueError(f"the transition table does not reach {state!r} from {source!r}") from None


@functools.cache
def _after_photo() -> CleanPhoto:
    """One small sanitised JPEG, shared by every handling step (sanitising costs)."""
    from tests.complaints.conftest import jpeg_bytes

    return photo_sanitise(upload=photo("after.jpg", jpeg_bytes((64, 48))))


NOTES = {
    Requirement.REASON: "测试：理由",
    Requirement.NOTE: "测试：说明",
    Requirement.HANDLING_NOTE: "已清理完毕",
    Requirement.VERIFICATION: "现场核查合格",
}


def _may_act(user, *, role: str, report: Report) -> bool:
    """A given handler acts only on their department's cases (else a handler of it does)."""
    if role != roles.DEPARTMENT_HANDLER:
        return True
    return DepartmentMembership.objects.filter(user=user, department=report.department).exists()


def report_walk(
    report: Report,
    state: str,
    *,
    actors: Mapping[str, object] | None = None,
    department: Department | None = None,
    duplicate_of: Report | None = None,
) -> Report:
    """Move ``report`` from its state to ``state`` along the table's shortest path.

    ``actors`` maps roles to the users who fire their steps (the rest: ``staff_for``);
    ``department`` is where a dispatch sends it (default: where intake routed it, else
    sanitation); ``duplicate_of`` is the original of a duplicate (default: a fresh report).
    """
    actors = dict(actors or {})
    for transition in path_to(state, source=report.state):
        role = transition.roles[0]
        kwargs: dict = {}
        for requirement in transition.requires:
            if requirement in NOTES:
                kwargs["note"] = NOTES[requirement]
            elif requirement == Requirement.DEPARTMENT:
                kwargs["department"] = (
                    department or report.department or Department.objects.get(key="sanitation")
                )
            elif requirement == Requirement.DUPLICATE_OF:
                kwargs["duplicate_of"] = duplicate_of or ReportFactory()
            elif requirement == Requirement.EXTENSION:
                kwargs["extension_amount"] = 2
            elif requirement == Requirement.AFTER_PHOTO:
                kwargs["photos"] = [_after_photo()]
        if role == RESIDENT:
            actor = None
        elif role in actors and _may_act(actors[role], role=role, report=report):
            actor = actors[role]
        else:
            actor = staff_for(role, report.department)
        report = report_transition(report=report, action=transition.action, actor=actor, **kwargs)
    return report


# --- Reports --------------------------------------------------------------------------------


def _draft():
    return upload_draft_add(
        token=uuid.uuid4().hex + uuid.uuid4().hex[:8], upload=photo("before.jpg")
    )


class ReportFactory(factory.Factory):
    """A report filed through intake, then walked to ``state`` through the workflow."""

    class Meta:
        model = Report

    class Params:
        informant = factory.Trait(
            kind=ReportKind.INFORMANT,
            category=factory.LazyFunction(lambda: category("event", "0105")),
            description="有人往河边偷倒建筑垃圾",
        )
        anonymous = factory.Trait(is_anonymous=True)
        private = factory.Trait(is_public=False)
        with_photo = factory.Trait(photo_drafts=factory.LazyFunction(lambda: [_draft()]))

    submission_token = factory.LazyFunction(uuid.uuid4)
    kind = ReportKind.COMPLAINT
    category = factory.LazyFunction(lambda: category("event", "0102"))
    description = "路口垃圾堆满了"
    latitude = Decimal(str(POINT[0]))
    longitude = Decimal(str(POINT[1]))
    address = "太湖大道 100 号"
    is_anonymous = False
    contact_name = "张三"
    contact_phone = "13812345678"
    contact_email = "zhang@example.com"
    consent_to_contact = True
    is_public = True
    photo_drafts: tuple = ()
    # Not fields: where the workflow takes the report after intake (see report_walk).
    state = ReportState.RECEIVED
    actors = None
    department = None
    duplicate_of = None

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise NotImplementedError("a report exists only once intake has filed it: use create")

    @classmethod
    def _create(
        cls,
        model_class,
        *args,
        state=ReportState.RECEIVED,
        actors=None,
        department=None,
        duplicate_of=None,
        **kwargs,
    ):
        report = report_file(**kwargs)
        return report_walk(
            report, state, actors=actors, department=department, duplicate_of=duplicate_of
        )


def report_file(*, kind: str = ReportKind.COMPLAINT, **data) -> Report:
    """File a report through the intake service (an informant's through the rewards one)."""
    if kind == ReportKind.INFORMANT:
        from complaints.rewards.services.informants import IdentityInput, informant_report_submit

        for field in ("is_anonymous", "contact_name", "contact_phone", "contact_email"):
            data.pop(field, None)
        data.pop("consent_to_contact", None)
        data.pop("is_public", None)
        data.setdefault("observed_at", timezone.now() - timedelta(hours=2))
        data.setdefault(
            "identities",
            [IdentityInput(name="王五", phone="13900000001", payment_account="6222 0000 12345678")],
        )
        identities = data.pop("identities")
        return informant_report_submit(input=ReportInput(**data), identities=identities).report
    return report_submit(input=ReportInput(kind=kind, **data)).report
