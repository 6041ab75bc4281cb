"""The inspector's phone screen (public-site style, not the admin): their assignments, the next
first; an object's checklist, where they start the inspection, record findings and submit.

Only users holding the 第三方督查员 role, and only their own assignments (another's is a 404).
Every form works without JavaScript; static/js/inspector.js adds the device's time and position
and keeps findings on the device until the server acknowledges them (JSON answers).
"""

import uuid
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from inspections.assignments import (
    assignment_start,
    assignment_state,
    assignments_of,
    next_first,
)
from inspections.fieldwork import device_flags
from inspections.forms import FindingForm, StartForm
from inspections.models import Assignment, Finding, Inspection, Standard
from inspections.scores import inspection_score
from inspections.services import finding_record, inspection_submit
from portal import roles


def inspector_required(*, post_only: bool = False):
    """Signed in (else the sign-in page), in the inspector role (else 403), then the method."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not roles.user_has_role(request.user, roles.INSPECTOR):
                raise PermissionDenied
            if post_only and request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            return view(request, *args, **kwargs)

        return never_cache(wrapped)

    return decorator


def own_assignment(request, pk: int) -> Assignment:
    return get_object_or_404(
        Assignment.objects.select_related("object", "object__town", "plan", "inspection"),
        pk=pk,
        inspector=request.user,
    )


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@inspector_required()
def assignment_list(request):
    rows = []
    for assignment in next_first(assignments_of(request.user)):
        state = assignment_state(assignment)
        inspection = assignment.inspection
        score = inspection_score(inspection) if inspection and state == "done" else None
        rows.append({"assignment": assignment, "state": state, "score": score})
    return render(
        request,
        "inspections/assignments.html",
        {"rows": rows, "next": rows[0] if rows and rows[0]["state"] != "done" else None},
    )


def _page(request, assignment: Assignment, *, finding_form=None, status=200):
    inspection = assignment.inspection
    state = assignment_state(assignment)
    standard = (
        inspection.standard
        if inspection
        else Standard.in_effect(
            kind=assignment.object.kind, grade=assignment.object.grade, on=timezone.localdate()
        )
    )
    findings = list(inspection.findings.select_related("item").order_by("pk")) if inspection else []
    if state == "open" and finding_form is None:
        finding_form = FindingForm(standard=standard, initial={"client_uuid": uuid.uuid4()})
    return render(
        request,
        "inspections/assignment.html",
        {
            "assignment": assignment,
            "object": assignment.object,
            "state": state,
            "standard": standard,
            "items": list(standard.items.order_by("sort_order", "pk")) if standard else [],
            "inspection": inspection,
            "findings": findings,
            "score": inspection_score(inspection) if inspection else None,
            "start_form": StartForm(),
            "finding_form": finding_form,
        },
        status=status,
    )


@inspector_required()
def assignment_detail(request, pk: int):
    return _page(request, own_assignment(request, pk))


@inspector_required(post_only=True)
def assignment_begin(request, pk: int):
    assignment = own_assignment(request, pk)
    form = StartForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    try:
        assignment_start(
            assignment=assignment,
            device_at=data.get("device_at"),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("inspector:assignment", pk=assignment.pk)


@inspector_required(post_only=True)
def finding_add(request, pk: int):
    """Record one finding. Its ``client_uuid`` comes from the device (or the page without
    JavaScript): a resend finds the stored finding and is acknowledged again."""
    assignment = own_assignment(request, pk)
    inspection: Inspection | None = assignment.inspection
    if inspection is None:
        return _refuse(request, assignment, _("Start the inspection first."))
    sent_uuid = _uuid_or_none(request.POST.get("client_uuid", ""))
    if sent_uuid is not None:
        stored = Finding.objects.filter(client_uuid=sent_uuid).first()
        if stored is not None:
            if stored.inspection_id != inspection.pk:
                return _refuse(
                    request, assignment, _("This finding belongs to another inspection.")
                )
            return _acknowledge(request, assignment, stored, created=False)
    if inspection.state != Inspection.State.OPEN:
        return _refuse(request, assignment, _("This inspection has been submitted."))
    form = FindingForm(request.POST, request.FILES, standard=inspection.standard)
    if not form.is_valid():
        if wants_json(request):
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        return _page(request, assignment, finding_form=form, status=400)
    data = form.cleaned_data
    clean_photo = data["photo"]
    photo = (
        ContentFile(clean_photo.content, name=f"{data['client_uuid']}.{clean_photo.extension}")
        if clean_photo
        else None
    )
    try:
        finding, created = finding_record(
            inspection=inspection,
            item=data["item"],
            client_uuid=data["client_uuid"],
            occurrences=data["occurrences"],
            note=data["note"],
            photo=photo,
            device_at=data["device_at"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            flags=device_flags(
                obj=assignment.object,
                device_at=data["device_at"],
                latitude=data["latitude"],
                longitude=data["longitude"],
            ),
        )
    except ValidationError as error:
        return _refuse(request, assignment, " ".join(error.messages))
    return _acknowledge(request, assignment, finding, created=created)


def _uuid_or_none(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _acknowledge(request, assignment, finding: Finding, *, created: bool):
    if wants_json(request):
        return JsonResponse(
            {"client_uuid": str(finding.client_uuid), "id": finding.pk, "created": created},
            status=201 if created else 200,
        )
    messages.success(request, _("The finding is recorded."))
    return redirect(reverse("inspector:assignment", args=[assignment.pk]) + "#findings")


def _refuse(request, assignment, message: str):
    if wants_json(request):
        return JsonResponse({"errors": {"__all__": [{"message": message}]}}, status=409)
    messages.error(request, message)
    return redirect("inspector:assignment", pk=assignment.pk)


@inspector_required(post_only=True)
def assignment_submit(request, pk: int):
    assignment = own_assignment(request, pk)
    if assignment.inspection is None:
        messages.error(request, _("Start the inspection first."))
        return redirect("inspector:assignment", pk=assignment.pk)
    inspection_submit(inspection=assignment.inspection)
    messages.success(
        request,
        _("Submitted. Score: %(score)s.") % {"score": inspection_score(assignment.inspection)},
    )
    return redirect("inspector:assignment", pk=assignment.pk)
