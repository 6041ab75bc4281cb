"""Plans and assignments: which inspector inspects which object, and the conflict-of-interest
rule (an inspector never inspects an object their own unit is responsible for)."""

import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from complaints.models import DepartmentMembership
from inspections.fieldwork import device_flags
from inspections.models import (
    Assignment,
    Inspection,
    InspectionCompany,
    InspectionObject,
    InspectionPlan,
)
from inspections.services import inspection_start
from portal import roles


def inspector_units(*, inspector, company: InspectionCompany | None = None) -> set[int]:
    """The department ids that are the inspector's own units: the departments they are a member
    of, and the unit each of their inspection companies (and ``company``) is, if any."""
    units = set(
        DepartmentMembership.objects.filter(user=inspector).values_list("department_id", flat=True)
    )
    units |= {
        unit
        for unit in InspectionCompany.objects.filter(members=inspector).values_list(
            "department_id", flat=True
        )
        if unit is not None
    }
    if company is not None and company.department_id is not None:
        units.add(company.department_id)
    return units


def assignment_refusal(*, inspector, obj: InspectionObject, company: InspectionCompany) -> str:
    """Why ``inspector`` may not be given ``obj`` in a plan of ``company`` ("" if they may)."""
    if not company.members.filter(pk=inspector.pk).exists():
        return _("%(inspector)s is not an inspector of %(company)s.") % {
            "inspector": inspector.get_username(),
            "company": company.name,
        }
    if not roles.user_has_role(inspector, roles.INSPECTOR):
        return _("%(inspector)s does not hold the role %(role)s.") % {
            "inspector": inspector.get_username(),
            "role": roles.label(roles.INSPECTOR),
        }
    if obj.responsible_unit_id in inspector_units(inspector=inspector, company=company):
        return _(
            "Conflict of interest: %(object)s is the responsibility of %(unit)s, the own unit "
            "of %(inspector)s."
        ) % {
            "object": obj.name,
            "unit": obj.responsible_unit.name,
            "inspector": inspector.get_username(),
        }
    return ""


def plan_objects(plan: InspectionPlan, *, rng: random.Random | None = None) -> list:
    """The plan's objects: every active object of its kind and grade, or a random sample."""
    objects = list(
        InspectionObject.objects.filter(kind=plan.kind, grade=plan.grade, active=True)
        .select_related("responsible_unit")
        .order_by("pk")
    )
    if plan.sample_size and plan.sample_size < len(objects):
        rng = rng or random.SystemRandom()
        objects = sorted(rng.sample(objects, plan.sample_size), key=lambda o: o.pk)
    return objects


def plan_allocate(plan: InspectionPlan, objects: list) -> list[tuple]:
    """(object, inspector) pairs: each object to an inspector of the plan's company, in turn,
    never to one whose own unit is responsible for it. Refuses (ValidationError) when an object
    has no inspector who may take it, or the plan has no object."""
    if not objects:
        raise ValidationError(_("There is no active object of this kind and grade."))
    inspectors = [
        user
        for user in plan.company.members.filter(is_active=True).order_by("pk")
        if roles.user_has_role(user, roles.INSPECTOR)
    ]
    if not inspectors:
        raise ValidationError(
            _("%(company)s has no active inspector with the role %(role)s.")
            % {"company": plan.company.name, "role": roles.label(roles.INSPECTOR)}
        )
    units = {user.pk: inspector_units(inspector=user, company=plan.company) for user in inspectors}
    load = dict.fromkeys(units, 0)
    chosen, refused = [], []
    for obj in objects:
        eligible = [u for u in inspectors if obj.responsible_unit_id not in units[u.pk]]
        if not eligible:
            refused.append(obj)
            continue
        inspector = min(eligible, key=lambda u: (load[u.pk], u.pk))
        load[inspector.pk] += 1
        chosen.append((obj, inspector))
    if refused:
        raise ValidationError(
            _(
                "Conflict of interest: no inspector of %(company)s may inspect %(objects)s, "
                "whose responsible unit is their own unit. Choose another company."
            )
            % {"company": plan.company.name, "objects": "、".join(o.name for o in refused)}
        )
    return chosen


def plan_assign(
    plan: InspectionPlan, *, allocation: list[tuple] | None = None, rng=None
) -> list[Assignment]:
    """Store the plan's assignments (``allocation`` from :func:`plan_allocate`, or made now)."""
    if allocation is None:
        allocation = plan_allocate(plan, plan_objects(plan, rng=rng))
    with transaction.atomic():
        return [
            Assignment.objects.create(plan=plan, object=obj, inspector=inspector, position=n)
            for n, (obj, inspector) in enumerate(allocation)
        ]


def assignments_of(inspector):
    """The inspector's assignments, the next one first: open ones of the earliest month (those
    started before the others), then the done ones."""
    return (
        Assignment.objects.filter(inspector=inspector)
        .select_related("object", "object__town", "plan", "inspection")
        .order_by("plan__month", "position", "pk")
    )


def assignment_start(*, assignment: Assignment, device_at=None, latitude=None, longitude=None):
    """Open the assignment's inspection (once: a second start finds the first), against the
    standard version in effect today; the device's time and position are checked and flagged."""
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.inspection_id:
            return locked.inspection
        obj = locked.object
        inspection = inspection_start(
            obj=obj, inspector=locked.inspector, latitude=latitude, longitude=longitude
        )
        inspection.device_at = device_at
        inspection.flags = device_flags(
            obj=obj, device_at=device_at, latitude=latitude, longitude=longitude
        )
        inspection.save(update_fields=["device_at", "flags"])
        locked.inspection = inspection
        locked.save(update_fields=["inspection"])
    assignment.inspection = inspection
    return inspection


def assignment_state(assignment: Assignment) -> str:
    if assignment.inspection_id is None:
        return "todo"
    if assignment.inspection.state == Inspection.State.SUBMITTED:  # type: ignore[union-attr]
        return "done"
    return "open"


def next_first(assignments) -> list[Assignment]:
    """Open inspections first, then the ones not begun, then the done ones (each in plan
    order), so the first row is the next object to visit."""
    rank = {"open": 0, "todo": 1, "done": 2}
    return sorted(assignments, key=lambda a: rank[assignment_state(a)])
