"""Updates from case systems: verified, stored raw, applied once, shown on the timeline."""

import json
import logging
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from complaints.casefeed.connectors import DeliveryFailed, ExternalUpdate, connector_for
from complaints.casefeed.signing import SignatureInvalid, signature_verify
from complaints.casefeed.status import (
    external_status_action,
    external_status_normalise,
    external_status_public,
)
from complaints.cases.services.events import case_event_record
from complaints.cases.services.transitions import report_transition
from complaints.cases.workflow import Action, public_state, transition_for
from complaints.models import (
    CaseEvent,
    CaseSystem,
    ConnectorKind,
    Delivery,
    DeliveryState,
    InboundUpdate,
    Report,
)

logger = logging.getLogger(__name__)


class CallbackRefused(Exception):
    """An inbound callback was refused; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def inbound_update_apply(
    *, case_system: CaseSystem, delivery: Delivery, update: ExternalUpdate, verified: bool
) -> InboundUpdate | None:
    """Store ``update`` and apply it once; None when its key was seen before (a replay).

    An update older than the last applied one is stored as stale and changes nothing; the
    same status again at the same or an earlier time is stored as unchanged; so updates may
    arrive twice and out of order. An applied update fires the workflow action its status
    maps to (``status.EXTERNAL_ACTION``) through ``report_transition`` with the case system as
    actor when the table allows it from the report's state, and otherwise adds a public
    timeline note.
    """
    status = external_status_normalise(update.status)[:40]
    try:
        with transaction.atomic():
            locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
            if InboundUpdate.objects.filter(case_system=case_system, key=update.key).exists():
                return None
            last = locked.external_updated_at
            if last and update.updated_at < last:
                outcome = InboundUpdate.Outcome.STALE
            elif status == locked.external_status and (
                not update.note or (last and update.updated_at <= last)
            ):
                # The same status again (a re-sent update under another key): no step forward.
                outcome = InboundUpdate.Outcome.UNCHANGED
            else:
                outcome = InboundUpdate.Outcome.APPLIED
            row = InboundUpdate.objects.create(
                case_system=case_system,
                delivery=locked,
                key=update.key[:120],
                raw=update.raw,
                verified=verified,
                external_status=status,
                external_updated_at=update.updated_at,
                note=update.note[:2000],
                outcome=outcome,
            )
            if outcome != InboundUpdate.Outcome.STALE:
                locked.external_status = status
                locked.external_updated_at = update.updated_at
                locked.save(update_fields=["external_status", "external_updated_at"])
            if outcome == InboundUpdate.Outcome.APPLIED:
                _update_to_report(case_system=case_system, delivery=locked, update=update)
    except IntegrityError:
        return None  # the same update applied concurrently by another request
    return row


def _duplicate_original(*, case_system: CaseSystem, report: Report, named: str) -> Report | None:
    """The report we know that the case system names as the original, or None."""
    named = (named or "").strip()
    if not named:
        return None
    original = Report.objects.filter(reference=named).first()
    if original is None:
        hit = (
            Delivery.objects.filter(case_system=case_system, external_id=named)
            .select_related("report")
            .first()
        )
        original = hit.report if hit else None
    if original is None or original.pk == report.pk:
        return None
    return original


def _update_to_report(*, case_system: CaseSystem, delivery: Delivery, update) -> None:
    """Fire the workflow action the external status maps to, when the table allows it from
    the report's state (through ``report_transition``, as the case system); otherwise put a
    public note on the timeline (unless it would only repeat what the resident sees)."""
    report = Report.objects.get(pk=delivery.report_id)
    status = external_status_normalise(update.status)
    action = external_status_action(status)
    transition = transition_for(state=report.state, action=action) if action else None
    duplicate_of = None
    if action == Action.EXTERNAL_DUPLICATE:
        duplicate_of = _duplicate_original(
            case_system=case_system, report=report, named=update.duplicate_of
        )
        if duplicate_of is None:
            transition = None  # a duplicate of a case we do not know: a note only
    if transition is not None:
        try:
            with transaction.atomic():
                report_transition(
                    report=report,
                    action=action,
                    actor=case_system,
                    note=update.note[:2000],
                    expected_state=report.state,
                    duplicate_of=duplicate_of,
                )
            return
        except (PermissionDenied, ValidationError) as exc:
            logger.info(
                "update %s for %s applied as a note only: %s", update.key, report.reference, exc
            )
    shown = external_status_public(status)
    if shown is not None and not update.note and shown == public_state(report.state):
        return  # says nothing the resident's page does not already show
    note = _("City case system: %(state)s.") % {"state": shown.label if shown else status}
    if update.note:
        note = f"{note} {update.note}"
    case_event_record(report=report, kind=CaseEvent.Kind.NOTE, note=note[:2000])


def _parse_callback(body: bytes) -> tuple[dict, datetime]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CallbackRefused(400, _("The body is not valid JSON.")) from exc
    if not isinstance(data, dict):
        raise CallbackRefused(400, _("The body must be a JSON object."))
    for name in ("idempotency_key", "status", "updated_at"):
        if not isinstance(data.get(name), str) or not data[name].strip():
            raise CallbackRefused(400, _("The field %(name)s is missing.") % {"name": name})
    if len(data["idempotency_key"]) > 120 or len(data["status"]) > 40:
        raise CallbackRefused(400, _("idempotency_key or status is too long."))
    if not (isinstance(data.get("case_id"), str) or isinstance(data.get("reference"), str)):
        raise CallbackRefused(400, _("Give case_id or reference."))
    note = data.get("note", "")
    if not isinstance(note, str):
        raise CallbackRefused(400, _("note must be a string."))
    if not isinstance(data.get("duplicate_of") or "", str):
        raise CallbackRefused(400, _("duplicate_of must be a string."))
    try:
        when = parse_datetime(data["updated_at"])
    except ValueError:
        when = None
    if when is None or timezone.is_naive(when):
        raise CallbackRefused(400, _("updated_at must be an ISO 8601 time with an offset."))
    return data, when


def callback_receive(*, slug: str, timestamp: str, signature: str, body: bytes) -> InboundUpdate:
    """Verify and apply a status callback pushed by a webhook case system.

    Refuses (``CallbackRefused``, nothing changed) an unknown case system (404), a bad
    signature or a timestamp outside the window (401), a malformed body (400), an unknown
    case (404) and an update key seen before (409).
    """
    case_system = CaseSystem.objects.filter(slug=slug, is_active=True).first()
    if case_system is None or case_system.kind == ConnectorKind.BUILTIN:
        raise CallbackRefused(404, _("No such case system."))
    try:
        signature_verify(
            secret=case_system.secret,
            timestamp=timestamp,
            given=signature,
            body=body,
            window=settings.CASEFEED_CALLBACK_WINDOW,
        )
    except SignatureInvalid as exc:
        raise CallbackRefused(401, str(exc)) from exc
    data, when = _parse_callback(body)
    case_id, reference = data.get("case_id") or "", data.get("reference") or ""
    match = Q()
    if case_id:
        match |= Q(external_id=case_id)
    if reference:
        match |= Q(report__reference=reference)
    delivery = (
        Delivery.objects.filter(match, case_system=case_system, state=DeliveryState.DELIVERED)
        .select_related("report")
        .first()
    )
    if delivery is None:
        raise CallbackRefused(404, _("No delivered case with this case_id or reference."))
    update = ExternalUpdate(
        key=data["idempotency_key"],
        external_id=delivery.external_id,
        status=data["status"],
        updated_at=when,
        note=data.get("note", "")[:2000],
        raw=body.decode("utf-8", "replace")[:20000],
        duplicate_of=(data.get("duplicate_of") or "")[:80],
    )
    row = inbound_update_apply(
        case_system=case_system, delivery=delivery, update=update, verified=True
    )
    if row is None:
        raise CallbackRefused(409, _("This update was received before (replay)."))
    return row


def case_system_poll(*, case_system: CaseSystem) -> int:
    """Resolve tokens and fetch updates of delivered cases from one system; returns how many
    updates were applied."""
    connector = connector_for(case_system)
    delivered = list(
        Delivery.objects.filter(case_system=case_system, state=DeliveryState.DELIVERED)
        .exclude(external_status__in=["CLOSED", "FIXED"])
        .select_related("report")
    )
    try:
        for delivery in delivered:
            if delivery.external_token and not delivery.external_id:
                external_id = connector.resolve(delivery)
                if external_id:
                    Delivery.objects.filter(pk=delivery.pk).update(external_id=external_id)
                    Report.objects.filter(pk=delivery.report_id).update(
                        external_case_id=external_id, case_system=case_system.slug[:40]
                    )
                    delivery.external_id = external_id
        updates = connector.fetch_updates(delivered)
    except DeliveryFailed as exc:
        logger.warning("polling %s failed: %s", case_system.slug, exc)
        return 0
    by_id = {d.external_id: d for d in delivered if d.external_id}
    applied = 0
    # Oldest first; at the same time, the update feed's (extended) status after the request's.
    for update in sorted(updates, key=lambda u: (u.updated_at, u.key.startswith("upd:"))):
        row = inbound_update_apply(
            case_system=case_system,
            delivery=by_id[update.external_id],
            update=update,
            verified=True,
        )
        applied += bool(row and row.outcome == InboundUpdate.Outcome.APPLIED)
    return applied
