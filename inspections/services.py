"""Writes of the inspections: record a finding (idempotent per device id), submit an
inspection, and turn the findings that need rectification into cases."""

import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.cases.services.deadlines import working_time_add
from complaints.cases.workflow import Action, on_transition
from complaints.intake.inputs import ReportInput
from complaints.intake.services.reports import report_submit
from complaints.models import Report, ReportChannel, ReportState
from inspections.models import Finding, Inspection, InspectionObject, Standard, StandardItem


def inspection_start(
    *,
    obj: InspectionObject,
    inspector,
    inspected_at=None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Inspection:
    """Open an inspection of ``obj`` against the standard version in effect that day."""
    inspected_at = inspected_at or timezone.now()
    standard = Standard.in_effect(
        kind=obj.kind, grade=obj.grade, on=timezone.localdate(inspected_at)
    )
    if standard is None:
        raise ValidationError(_("No standard is in effect for this object's kind and grade."))
    return Inspection.objects.create(
        object=obj,
        standard=standard,
        inspector=inspector,
        inspected_at=inspected_at,
        latitude=latitude,
        longitude=longitude,
    )


def finding_record(
    *,
    inspection: Inspection,
    item: StandardItem,
    client_uuid: uuid.UUID,
    occurrences: int = 1,
    note: str = "",
    photo=None,
    device_at=None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    flags: list[str] | None = None,
) -> tuple[Finding, bool]:
    """Store a finding once per ``client_uuid``: a resend after a dropped connection returns the
    stored finding and ``False``. Its ``flags`` (inspections.fieldwork) are added to the
    inspection's, where the manager sees them."""
    existing = Finding.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        if existing.inspection_id != inspection.pk:
            raise ValidationError(_("This finding belongs to another inspection."))
        return existing, False
    if inspection.state != Inspection.State.OPEN:
        raise ValidationError(_("This inspection has been submitted."))
    finding = Finding(
        inspection=inspection,
        item=item,
        client_uuid=client_uuid,
        occurrences=occurrences,
        note=note,
        device_at=device_at,
        latitude=latitude,
        longitude=longitude,
        flags=list(flags or []),
    )
    if photo is not None:
        finding.photo = photo
    finding.full_clean()
    try:
        with transaction.atomic():
            finding.save()
            if flags:
                locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
                merged = sorted(set(locked.flags) | set(flags))
                if merged != locked.flags:
                    locked.flags = merged
                    locked.save(update_fields=["flags"])
                inspection.flags = merged
    except IntegrityError:
        # The same finding arriving twice at the same moment: the other request stored it.
        existing = Finding.objects.filter(client_uuid=client_uuid).first()
        if existing is None:
            raise
        return existing, False
    return finding, True


def inspection_submit(*, inspection: Inspection) -> list[Report]:
    """Close the inspection; each finding that needs rectification becomes a case (channel
    "inspection") proposed to the object's responsible unit. Returns the cases made."""
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if locked.state == Inspection.State.SUBMITTED:
            return []
        locked.state = Inspection.State.SUBMITTED
        locked.save(update_fields=["state"])
        cases = [
            finding_case_create(finding=finding)
            for finding in locked.findings.select_related("item", "inspection__object").filter(
                item__needs_rectification=True, report__isnull=True
            )
        ]
    inspection.state = locked.state
    return cases


def finding_case_create(*, finding: Finding) -> Report:
    """File the case of a finding that needs rectification, once."""
    if finding.report_id:
        return finding.report  # type: ignore[return-value]
    item = finding.item
    obj = finding.inspection.object
    if item.category is None:
        raise ValidationError(_("The standard item has no case category."))
    description = _("Inspection finding at %(object)s: %(item)s (×%(count)s). %(note)s") % {
        "object": obj.name,
        "item": item.text,
        "count": finding.occurrences,
        "note": finding.note,
    }
    case = ReportInput(
        # Derived from the finding's device id: filing the case twice finds the first.
        submission_token=uuid.uuid5(finding.client_uuid, "case"),
        category=item.category,
        description=description.strip(),
        observed_at=finding.inspection.inspected_at,
        town=obj.town,
        address=obj.name,
        is_anonymous=True,
        is_public=False,
        channel=ReportChannel.INSPECTION,
    )
    position = {"latitude", "longitude"}
    try:
        result = report_submit(
            input=case.replace(
                latitude=finding.inspection.latitude, longitude=finding.inspection.longitude
            )
        )
    except ValidationError as error:
        # A phone's position intake refuses (outside the district's grid, at an object on its
        # edge): the case is filed by the object's town and name instead, never lost.
        if not set(getattr(error, "error_dict", {})) & position:
            raise
        result = report_submit(input=case)
    report = result.report
    if report.state == ReportState.RECEIVED and report.department_id != obj.responsible_unit_id:
        # Intake sees the object's responsible unit proposed, whatever the category's routing.
        report.department = obj.responsible_unit
        report.save(update_fields=["department"])
    finding.report = report
    finding.save(update_fields=["report"])
    return report


@on_transition(Action.DISPATCH)
def rectification_deadline(*, report: Report, transition) -> None:
    """A case from an inspection is due within its standard item's rectification hours."""
    if report.channel != ReportChannel.INSPECTION or report.dispatched_at is None:
        return
    finding = Finding.objects.filter(report=report).select_related("item").first()
    if finding is None or not finding.item.rectification_hours:
        return
    report.deadline = working_time_add(
        start=report.dispatched_at, minutes=finding.item.rectification_hours * 60
    )
    report.save(update_fields=["deadline"])
