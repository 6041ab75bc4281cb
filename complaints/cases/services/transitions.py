"""The one service that moves a report through the workflow table of complaints/cases/workflow.py."""

import logging
from collections.abc import Callable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.cases.services.deadlines import deadline_compute, report_deadline_for
from complaints.cases.services.events import case_event_record
from complaints.cases.workflow import (
    Action,
    Requirement,
    Transition,
    role_may_fire,
    transition_effects,
    transition_for,
    user_roles,
)
from complaints.models import (
    Attachment,
    CaseEvent,
    CaseSystem,
    Category,
    Delivery,
    DeliveryState,
    Department,
    ExtensionRequest,
    Report,
    ReportState,
    ReportSupporter,
)
from complaints.privacy.uploads import CleanPhoto, PhotoRejected, photo_sanitise
from portal import roles

logger = logging.getLogger(__name__)

NOTE_REQUIREMENTS = {Requirement.REASON, Requirement.HANDLING_NOTE, Requirement.VERIFICATION}


class TransitionNotAllowed(ValidationError):
    """The table has no such action from the report's current state (or it changed meanwhile)."""


# Public notes of the case-system actions when the case system sent none.
SYSTEM_DEFAULT_NOTES = {
    Action.EXTERNAL_PROGRESS: lambda: _("The city case system is dealing with it."),
    Action.EXTERNAL_RESOLVE: lambda: _("The city case system reports it resolved."),
    Action.EXTERNAL_REJECT: lambda: _(
        "The city case system says this is not the district's responsibility."
    ),
    Action.EXTERNAL_DUPLICATE: lambda: "",
    Action.EXTERNAL_REOPEN: lambda: _("The city case system reopened it for rework."),
}


def _check_actor(*, actor, transition: Transition, report: Report) -> None:
    if not role_may_fire(user=actor, transition=transition):
        raise PermissionDenied(_("Your role may not do this."))
    if isinstance(actor, CaseSystem):
        # A case system moves only the reports that were delivered to it.
        delivered = Delivery.objects.filter(
            report=report, case_system=actor, state=DeliveryState.DELIVERED
        ).exists()
        if not delivered:
            raise PermissionDenied(_("This case was not delivered to this case system."))
        return
    held = user_roles(actor)
    # A handler acts on their own department's cases only, unless another role allows it.
    if roles.DEPARTMENT_HANDLER in transition.roles and (
        set(transition.roles) & held == {roles.DEPARTMENT_HANDLER}
    ):
        from complaints.cases.selectors import report_visible_to

        if not report_visible_to(user=actor, report=report):
            raise PermissionDenied(_("This case belongs to another department."))


def _check_requirements(
    *,
    transition: Transition,
    report: Report,
    note: str,
    department: Department | None,
    duplicate_of: Report | None,
    category: Category | None,
    photos: Sequence[CleanPhoto],
    extension_amount: int | None,
) -> None:
    errors: dict[str, str] = {}
    for requirement in transition.requires:
        if requirement in NOTE_REQUIREMENTS and not note.strip():
            errors["note"] = _("Please give %(what)s.") % {"what": requirement.label}
        elif requirement == Requirement.DEPARTMENT and department is None:
            errors["department"] = _("Choose the department.")
        elif requirement == Requirement.CATEGORY and (
            category is None or category.pk == report.category_id
        ):
            errors["category"] = _("Choose a different category.")
        elif requirement == Requirement.AFTER_PHOTO and not photos:
            errors["photos"] = _("Add at least one photo taken after the handling.")
        elif requirement == Requirement.EXTENSION and not extension_amount:
            errors["extension_amount"] = _("Say how much more time is needed.")
        elif requirement == Requirement.DUPLICATE_OF:
            if duplicate_of is None:
                errors["duplicate_of"] = _("Give the reference of the original report.")
            elif duplicate_of.pk == report.pk:
                errors["duplicate_of"] = _("A report cannot duplicate itself.")
            elif duplicate_of.state in (ReportState.REJECTED, ReportState.DUPLICATE):
                errors["duplicate_of"] = _("The original must be a registered report.")
    if errors:
        raise ValidationError(errors)


def photos_sanitise(*, uploads, field: str = "photos") -> list[CleanPhoto]:
    """Validate and clean handling photos with the residents' rules; raises ValidationError."""
    photos = []
    for upload in uploads or ():
        if not getattr(upload, "size", 0):
            continue
        try:
            photos.append(photo_sanitise(upload=upload))
        except PhotoRejected as exc:
            raise ValidationError({field: str(exc)}) from exc
    return photos


def _action_label(action: str) -> str:
    """The action's translated name for messages; unknown keys are shown as given."""
    try:
        return str(Action(action).label)
    except ValueError:
        return action


def _clean(photos: Sequence, *, field: str = "photos") -> list[CleanPhoto]:
    if all(isinstance(p, CleanPhoto) for p in photos):
        return list(photos)
    return photos_sanitise(uploads=photos, field=field)


def _attach_photo(
    *, report: Report, photo: CleanPhoto, kind: str = Attachment.Kind.HANDLING
) -> Attachment:
    attachment = Attachment(
        report=report,
        kind=kind,
        sha256=photo.sha256,
        width=photo.width,
        height=photo.height,
        size=len(photo.content),
        is_public=True,
        created_at=timezone.now(),
    )
    attachment.image.save("photo.jpg", ContentFile(photo.content), save=False)
    attachment.save()
    return attachment


def report_transition(
    *,
    report: Report,
    action: str,
    actor,
    note: str = "",
    expected_state: str | None = None,
    department: Department | None = None,
    duplicate_of: Report | None = None,
    category: Category | None = None,
    photos: Sequence = (),
    before_photos: Sequence = (),
    extension_amount: int | None = None,
) -> Report:
    """Fire ``action`` on ``report`` as ``actor`` (None: the resident) and return the report.

    In one transaction: lock the report row, check the transition table (the state, the
    actor's role, a handler's department, what the action requires), apply the action's
    effects, and append a ``CaseEvent`` (which queues notifications once committed).
    ``expected_state`` is the state the actor saw: if someone else moved the case meanwhile,
    the action is refused rather than applied to a case the actor has not seen.

    ``photos`` (after the handling) and ``before_photos`` (optional, taken by the handler
    before the work) are uploaded files (validated and re-encoded here) or ``CleanPhoto``.
    Raises ``TransitionNotAllowed``, ``PermissionDenied`` or ``ValidationError`` (keyed by the
    form field that is missing); nothing is written then.
    """
    clean_photos = _clean(photos)
    clean_before_photos = _clean(before_photos, field="before_photos")
    now = timezone.now()
    with transaction.atomic():
        locked = Report.objects.select_for_update().select_related("category").get(pk=report.pk)
        if expected_state is not None and locked.state != expected_state:
            raise TransitionNotAllowed(
                _("Someone else changed this case meanwhile: it is now “%(state)s”.")
                % {"state": locked.get_state_display()}
            )
        transition = transition_for(state=locked.state, action=action)
        if transition is None:
            raise TransitionNotAllowed(
                _("“%(action)s” is not possible while the case is “%(state)s”.")
                % {"action": _action_label(action), "state": locked.get_state_display()}
            )
        _check_actor(actor=actor, transition=transition, report=locked)
        _check_requirements(
            transition=transition,
            report=locked,
            note=note,
            department=department,
            duplicate_of=duplicate_of,
            category=category,
            photos=clean_photos,
            extension_amount=extension_amount,
        )
        from_state = locked.state
        event_note = note.strip()
        if transition.system and not event_note:
            event_note = SYSTEM_DEFAULT_NOTES[transition.action]()
        event_actor = None if isinstance(actor, CaseSystem) else actor
        handler = EFFECTS.get(transition.action)
        if handler is not None:
            extra = handler(
                report=locked,
                actor=actor,
                now=now,
                note=event_note,
                department=department,
                duplicate_of=duplicate_of,
                category=category,
                photos=clean_photos,
                before_photos=clean_before_photos,
                extension_amount=extension_amount,
            )
            if extra:
                event_note = f"{event_note}\n{extra}".strip() if event_note else extra
        if transition.target is not None:
            locked.state = transition.target
        locked.save()
        if transition.target is None:
            case_event_record(
                report=locked,
                kind=CaseEvent.Kind.NOTE,
                note=event_note,
                is_public=transition.public,
                actor=event_actor,
            )
        else:
            case_event_record(
                report=locked,
                kind=CaseEvent.Kind.STATE_CHANGED,
                from_state=from_state,
                to_state=transition.target,
                note=event_note,
                is_public=transition.public,
                actor=event_actor,
            )
        # What other features do on this action (queue a case-feed delivery, invite a
        # rating ...), registered by them; inside the transaction, so it commits or rolls back
        # with the state change.
        for effect in transition_effects(transition.action):
            effect(report=locked, transition=transition)
    logger.info(
        "report %s: %s (%s → %s) by %s",
        locked.reference,
        action,
        from_state,
        locked.state,
        f"case system {actor.slug}"
        if isinstance(actor, CaseSystem)
        else getattr(actor, "pk", "resident"),
    )
    return locked


# --- Effects of each action, applied to the locked row before it is saved -----------------


def _dispatch(*, report, department, now, **_kw):
    report.department = department
    report.dispatched_at = now
    report.deadline = report_deadline_for(report=report, start=now)
    return _("Dispatched to %(department)s, due %(deadline)s.") % {
        "department": department.name,
        "deadline": timezone.localtime(report.deadline).strftime("%Y-%m-%d %H:%M"),
    }


def _return(*, report, **_kw):
    report.deadline = None
    report.dispatched_at = None
    return ""


def _change_category(*, report, category, **_kw):
    from complaints.reference.services.routing import department_route

    old = report.category
    report.category = category
    report.department = department_route(
        category=category, town=report.town, grid_cell=report.grid_cell
    ).department
    return _("Category changed from %(old)s to %(new)s.") % {"old": old, "new": category}


def _mark_duplicate(*, report, duplicate_of, now, **_kw):
    original = duplicate_of
    while original.duplicate_of_id:  # link to the root of a chain
        original = original.duplicate_of
    report.duplicate_of = original
    # The duplicate's reporter follows the original from now on, like a supporter.
    if report.has_contact:
        ReportSupporter.objects.get_or_create(
            submission_token=report.submission_token,
            defaults={
                "report": original,
                "contact_name": report.contact_name,
                "contact_phone": report.contact_phone,
                "contact_email": report.contact_email,
                "contact_phone_hash": report.contact_phone_hash,
                "consent_to_contact": report.consent_to_contact,
            },
        )
    Report.objects.filter(pk=original.pk).update(supporter_count=F("supporter_count") + 1)
    case_event_record(report=original, kind=CaseEvent.Kind.SUPPORTER_ADDED)
    return _("Same problem as %(reference)s; follow that report.") % {
        "reference": original.reference
    }


def _request_extension(*, report, actor, note, extension_amount, **_kw):
    ExtensionRequest.objects.create(
        report=report,
        amount=extension_amount,
        unit=report.category.time_unit,
        reason=note,
        requested_by=actor,
    )
    return _("Asked for %(amount)s more %(unit)s.") % {
        "amount": extension_amount,
        "unit": report.category.get_time_unit_display(),
    }


def _pending_extension(report) -> ExtensionRequest:
    return report.extension_requests.filter(approved__isnull=True).latest("created_at")


def _approve_extension(*, report, actor, now, **_kw):
    request = _pending_extension(report)
    request.approved, request.decided_by, request.decided_at = True, actor, now
    request.save()
    start = max(report.deadline or now, now)
    report.deadline = deadline_compute(start=start, amount=request.amount, unit=request.unit)
    return _("New deadline %(deadline)s.") % {
        "deadline": timezone.localtime(report.deadline).strftime("%Y-%m-%d %H:%M")
    }


def _decline_extension(*, report, actor, now, **_kw):
    request = _pending_extension(report)
    request.approved, request.decided_by, request.decided_at = False, actor, now
    request.save()
    return ""


def _handle(*, report, photos, before_photos=(), **_kw):
    for photo in before_photos:
        _attach_photo(report=report, photo=photo, kind=Attachment.Kind.BEFORE_HANDLING)
    for photo in photos:
        _attach_photo(report=report, photo=photo)
    return ""


def _rework(*, report, now, **_kw):
    report.rework_count += 1
    report.dispatched_at = now
    report.deadline = report_deadline_for(report=report, start=now)
    report.closed_at = None
    report.closed_on_time = None
    return ""


def _external_progress(*, report, now, **_kw):
    report.dispatched_at = now
    report.deadline = report_deadline_for(report=report, start=now)
    return ""


def _external_resolve(*, report, now, **_kw):
    """Closed like a normal close; handled externally means handled now, if not before."""
    _record_closure(report=report, now=now, handled_at_default=now)
    return ""


def _external_reject(*, report, **_kw):
    report.deadline = None
    return ""


def _close(*, report, now, **_kw):
    _record_closure(report=report, now=now)
    return ""


def _record_closure(*, report, now, handled_at_default=None) -> None:
    """Closure time, and on time when the (last) handling came by the deadline."""
    report.closed_at = now
    handled = (
        report.events.filter(kind=CaseEvent.Kind.STATE_CHANGED, to_state=ReportState.HANDLED)
        .order_by("-created_at", "-pk")
        .values_list("created_at", flat=True)
        .first()
    ) or handled_at_default
    report.closed_on_time = bool(report.deadline and handled and handled <= report.deadline)


EFFECTS: dict[str, Callable[..., str | None]] = {
    Action.DISPATCH: _dispatch,
    Action.RETURN: _return,
    Action.CHANGE_CATEGORY: _change_category,
    Action.MARK_DUPLICATE: _mark_duplicate,
    Action.REQUEST_EXTENSION: _request_extension,
    Action.APPROVE_EXTENSION: _approve_extension,
    Action.DECLINE_EXTENSION: _decline_extension,
    Action.HANDLE: _handle,
    Action.VERIFY_FAIL: _rework,
    Action.CLOSE: _close,
    Action.REOPEN: _rework,
    Action.EXTERNAL_PROGRESS: _external_progress,
    Action.EXTERNAL_RESOLVE: _external_resolve,
    Action.EXTERNAL_REJECT: _external_reject,
    Action.EXTERNAL_DUPLICATE: _mark_duplicate,
    Action.EXTERNAL_REOPEN: _rework,
}
