"""The outbox: deliveries written with the registration, claimed and delivered by workers.

Claiming is safe with any number of workers on any number of machines: a worker takes a batch
of due rows in one statement (``deliveries_claim``; on PostgreSQL ``FOR UPDATE SKIP LOCKED``, on
SQLite inside a ``BEGIN IMMEDIATE`` transaction), a compare-and-set that alone guarantees one
owner. A claim is a lease: a worker that dies leaves its rows to be claimed again once the lease
has run out, and the retry carries the same idempotency key, so the case system creates no
second case.

The lease covers one delivery, not the batch: ``delivery_attempt`` renews the row's lease
(compare-and-set on the claim token) right before sending, so a row whose lease ran out while it
waited for its turn in the batch, and was taken over, is not sent again. Only the holder of the
current token records a result, so the attempt log has at most one success per delivery. A
worker told to stop hands back the rows of its batch it has not sent.

A failed delivery is retried with capped back-off and dead-lettered by age
(``CASEFEED_DEAD_LETTER_AFTER`` hours since its first attempt), so a receiver that is down for
hours does not dead-letter the queue; ``CASEFEED_MAX_ATTEMPTS`` adds an optional limit by count.
"""

import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Prefetch, Q
from django.utils import timezone

from complaints.casefeed.connectors import DeliveryFailed, connector_for
from complaints.casefeed.connectors.base import EVIDENCE_PREFETCH
from complaints.models import (
    Attachment,
    CaseSystem,
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    Report,
)

logger = logging.getLogger(__name__)


def case_system_for(*, report: Report) -> CaseSystem | None:
    """The case system a report's category is configured for, else the default, else None."""
    systems = CaseSystem.objects.filter(is_active=True)
    return (
        systems.filter(categories=report.category_id).order_by("pk").first()
        or systems.filter(is_default=True).first()
    )


def delivery_enqueue(*, report: Report) -> Delivery | None:
    """Queue the delivery of a just-registered report; call inside the registration's transaction.

    None when the report stays in the built-in workflow only. Registering again (after a
    return to intake) finds the first row: a report becomes one case per case system.
    """
    case_system = case_system_for(report=report)
    if case_system is None:
        return None
    delivery, _created = Delivery.objects.get_or_create(
        report=report,
        case_system=case_system,
        defaults={"next_attempt_at": timezone.now()},
    )
    return delivery


def _due(now: datetime) -> Q:
    return Q(state=DeliveryState.PENDING, next_attempt_at__lte=now) | Q(
        state=DeliveryState.IN_FLIGHT, lease_until__lt=now
    )


@dataclass(frozen=True)
class Claim:
    delivery: Delivery
    attempt: DeliveryAttempt
    token: uuid.UUID


def deliveries_claim(
    *, worker: str, batch: int = 10, now: datetime | None = None, exclude=()
) -> list[Claim]:
    """Take up to ``batch`` due deliveries for ``worker`` (rows in ``exclude`` are left alone).

    The rows are taken in one statement, ``WITH picked AS MATERIALIZED (SELECT ... LIMIT n)
    UPDATE ... WHERE id IN picked RETURNING id``: on PostgreSQL the pick locks them ``FOR
    UPDATE SKIP LOCKED``, so concurrent workers take different rows without waiting for each
    other; on SQLite the
    statement runs in a ``BEGIN IMMEDIATE`` transaction (the settings' transaction mode), so
    claims are serialised. The outer ``WHERE`` repeats the due condition: a compare-and-set
    that alone guarantees one owner. Each claim carries a fresh token; every row's lease is
    then renewed (compare-and-set on that token) right before it is sent, and only the holder
    of the current token records a result.
    """
    now = now or timezone.now()
    lease_until = now + timedelta(seconds=settings.CASEFEED_LEASE_SECONDS)
    token = uuid.uuid4()
    with transaction.atomic():
        ids = _claim_statement(
            worker=worker[:80],
            token=token,
            lease_until=lease_until,
            now=now,
            batch=batch,
            exclude=list(exclude),
        )
        if not ids:
            return []
        deliveries = list(
            Delivery.objects.select_related(
                "case_system",
                "report__category",
                "report__town",
                "report__community",
                "report__grid_cell",
                "report__department",
            )
            .prefetch_related(
                Prefetch(
                    "report__attachments",
                    queryset=Attachment.objects.filter(kind=Attachment.Kind.EVIDENCE),
                    to_attr=EVIDENCE_PREFETCH,
                )
            )
            .filter(pk__in=ids)
            .order_by("next_attempt_at", "pk")
        )
        attempts = DeliveryAttempt.objects.bulk_create(
            [
                DeliveryAttempt(
                    delivery=delivery,
                    number=delivery.attempts,
                    worker=worker[:80],
                    started_at=now,
                )
                for delivery in deliveries
            ]
        )
    return [
        Claim(delivery=delivery, attempt=attempt, token=token)
        for delivery, attempt in zip(deliveries, attempts, strict=True)
    ]


def _claim_statement(
    *, worker: str, token: uuid.UUID, lease_until: datetime, now: datetime, batch: int, exclude
) -> list[int]:
    """The one claiming statement; returns the ids taken."""
    quote = connection.ops.quote_name
    table = quote(Delivery._meta.db_table)
    column = {f.name: quote(f.column) for f in Delivery._meta.concrete_fields}
    due = (
        f"(({column['state']} = %s AND {column['next_attempt_at']} <= %s) "
        f"OR ({column['state']} = %s AND {column['lease_until']} < %s))"
    )
    due_params = [DeliveryState.PENDING, now, DeliveryState.IN_FLIGHT, now]
    excluded = ""
    if exclude:
        excluded = f" AND {column['id']} NOT IN ({', '.join(['%s'] * len(exclude))})"
    lock = (
        " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    )
    # Identifiers come from the model, every value is a parameter.
    # The picked ids are MATERIALIZED: evaluated once. As a plain ``IN (subquery)``,
    # PostgreSQL may run the locking subquery again for each row it updates, and each run
    # skips the rows just updated and picks new ones, so a batch of 2 took every due row.
    sql = (
        f"WITH picked AS MATERIALIZED (SELECT {column['id']} FROM {table} "  # noqa: S608  # nosec B608
        f"WHERE {due}{excluded} "
        f"ORDER BY {column['next_attempt_at']}, {column['id']} LIMIT %s{lock}) "
        f"UPDATE {table} SET {column['state']} = %s, {column['claimed_by']} = %s, "
        f"{column['claim_token']} = %s, {column['lease_until']} = %s, "
        f"{column['attempts']} = {column['attempts']} + 1 "
        f"WHERE {due} AND {column['id']} IN (SELECT {column['id']} FROM picked) "
        f"RETURNING {column['id']}"
    )
    field = Delivery._meta.get_field
    params = [
        *_prepared_due(due_params),
        *exclude,
        batch,
        DeliveryState.IN_FLIGHT,
        worker,
        field("claim_token").get_db_prep_value(token, connection),
        field("lease_until").get_db_prep_value(lease_until, connection),
        *_prepared_due(due_params),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _prepared_due(params: list) -> list:
    """The due condition's values as the database expects them (aware datetimes on SQLite)."""
    field = Delivery._meta.get_field("next_attempt_at")
    return [
        field.get_db_prep_value(value, connection) if isinstance(value, datetime) else value
        for value in params
    ]


def backoff_delay(*, attempts: int) -> timedelta:
    """Exponential back-off with jitter: base·2^(n-1) capped, then a random 50–100 % of it."""
    exponent = min(max(attempts - 1, 0), 40)  # attempts are unbounded when dead-lettering by age
    ceiling = min(settings.CASEFEED_BACKOFF_MAX, settings.CASEFEED_BACKOFF_BASE * 2**exponent)
    return timedelta(seconds=ceiling * random.uniform(0.5, 1.0))  # noqa: S311 - not crypto


def _record(
    claim: Claim,
    *,
    outcome: str,
    fields: dict,
    error: str = "",
    http_status=None,
    report_fields: dict | None = None,
) -> bool:
    now = timezone.now()
    with transaction.atomic():
        # Only the holder of the current claim may record; a worker whose lease ran out and
        # whose row was claimed again changes nothing on the delivery, and its attempt is
        # logged as a failure ("lease lost"), never as a second success.
        mine = Delivery.objects.filter(
            pk=claim.delivery.pk, claim_token=claim.token, state=DeliveryState.IN_FLIGHT
        ).update(**fields, claim_token=None, lease_until=None)
        if not mine:
            error = f"{LEASE_LOST}; the attempt's own result: {outcome} {error}".strip()
            outcome = DeliveryAttempt.Outcome.FAILURE
        DeliveryAttempt.objects.filter(pk=claim.attempt.pk).update(
            outcome=outcome, error=error[:2000], http_status=http_status, finished_at=now
        )
        if mine and report_fields:
            Report.objects.filter(pk=claim.delivery.report_id).update(**report_fields)
    if not mine:
        logger.warning("delivery %s: lease lost before the result was recorded", claim.delivery.pk)
    return bool(mine)


LEASE_LOST = "lease lost to another worker"


def _renew(claim: Claim) -> bool:
    """Extend the claim's lease right before sending; False when another worker holds the row."""
    lease_until = timezone.now() + timedelta(seconds=settings.CASEFEED_LEASE_SECONDS)
    return bool(
        Delivery.objects.filter(
            pk=claim.delivery.pk, claim_token=claim.token, state=DeliveryState.IN_FLIGHT
        ).update(lease_until=lease_until)
    )


def delivery_attempt(claim: Claim) -> bool:
    """Deliver one claimed row and record the result; True when the case was created."""
    delivery = claim.delivery
    if not _renew(claim):
        # Claimed in a batch whose lease ran out before this row's turn: someone else sends it.
        DeliveryAttempt.objects.filter(pk=claim.attempt.pk).update(
            outcome=DeliveryAttempt.Outcome.FAILURE,
            error=f"{LEASE_LOST} before sending; not sent",
            finished_at=timezone.now(),
        )
        logger.warning("delivery %s: lease lost before sending; skipped", delivery.pk)
        return False
    connector = connector_for(delivery.case_system)
    try:
        case = connector.deliver(delivery)
    except DeliveryFailed as exc:
        return _failed(claim, str(exc), http_status=exc.http_status, permanent=exc.permanent)
    except Exception as exc:
        # A bug in one connector must cost one attempt, not stop the worker.
        logger.exception("delivery %s: connector error", delivery.pk)
        return _failed(claim, f"{type(exc).__name__}: {exc}", http_status=None, permanent=False)
    now = timezone.now()
    recorded = _record(
        claim,
        outcome=DeliveryAttempt.Outcome.SUCCESS,
        fields={
            "state": DeliveryState.DELIVERED,
            "external_id": case.external_id,
            "external_token": case.token,
            "delivered_at": now,
            "last_error": "",
        },
        report_fields=(
            {"external_case_id": case.external_id, "case_system": delivery.case_system.slug[:40]}
            if case.external_id
            else None
        ),
    )
    logger.info("delivery %s: %s → %s", delivery.pk, delivery.report.reference, case)
    return recorded


def first_attempt_at(delivery: Delivery) -> datetime:
    """When the current run of attempts began: the latest attempt number 1 (a staff retry
    starts the numbering again), else the time the row was queued."""
    started = (
        DeliveryAttempt.objects.filter(delivery=delivery, number=1)
        .aggregate(first=Max("started_at"))
        .get("first")
    )
    return started or delivery.created_at


def _dead_letter_reason(delivery: Delivery, *, permanent: bool, now: datetime) -> str:
    if permanent:
        return "permanent failure"
    if settings.CASEFEED_MAX_ATTEMPTS and delivery.attempts >= settings.CASEFEED_MAX_ATTEMPTS:
        return f"{delivery.attempts} attempts"
    if settings.CASEFEED_DEAD_LETTER_AFTER > 0:
        failing_for = now - first_attempt_at(delivery)
        if failing_for >= timedelta(hours=settings.CASEFEED_DEAD_LETTER_AFTER):
            return f"failing for {failing_for.total_seconds() / 3600:.1f} h"
    return ""


def _failed(claim: Claim, error: str, *, http_status, permanent: bool) -> bool:
    delivery = claim.delivery
    reason = _dead_letter_reason(delivery, permanent=permanent, now=timezone.now())
    dead = bool(reason)
    fields = {"last_error": error[:2000]}
    if dead:
        fields["state"] = DeliveryState.DEAD
    else:
        fields["state"] = DeliveryState.PENDING
        fields["next_attempt_at"] = timezone.now() + backoff_delay(attempts=delivery.attempts)
    mine = _record(
        claim,
        outcome=DeliveryAttempt.Outcome.FAILURE,
        fields=fields,
        error=error,
        http_status=http_status,
    )
    if dead and mine:
        # The alert: an ERROR line for the log watchers; staff see the row on the admin's
        # "Case feed health" screen with its attempt log and a "Retry now" button.
        logger.error(
            "delivery %s of report %s to %s DEAD-LETTERED (%s) after attempt %s: %s",
            delivery.pk,
            delivery.report.reference,
            delivery.case_system.slug,
            reason,
            delivery.attempts,
            error,
        )
    else:
        logger.warning("delivery %s attempt %s failed: %s", delivery.pk, delivery.attempts, error)
    return False


def deliveries_drain(
    *, worker: str, batch: int = 10, stop: Callable[[], bool] | None = None
) -> tuple[int, int]:
    """Claim up to ``batch`` due deliveries in one statement, then send and record them one at
    a time, each under its own lease (renewed right before sending, so a slow case system
    cannot make a row outlive its lease); returns (claimed, delivered).

    ``stop`` is asked between deliveries (a worker told to shut down): the rows not yet sent
    are handed back at once instead of waiting for their leases to run out.
    """
    claims = deliveries_claim(worker=worker, batch=batch)
    delivered = 0
    for index, claim in enumerate(claims):
        if stop is not None and stop():
            _release(claims[index:])
            break
        delivered += delivery_attempt(claim)
    return len(claims), delivered


def _release(claims: list[Claim]) -> None:
    """Hand back claimed rows that were not sent: due again now (their attempts are logged
    as not sent). Rows whose lease another worker took meanwhile are left to it."""
    if not claims:
        return
    now = timezone.now()
    with transaction.atomic():
        released = Delivery.objects.filter(
            pk__in=[c.delivery.pk for c in claims],
            claim_token=claims[0].token,
            state=DeliveryState.IN_FLIGHT,
        ).update(
            state=DeliveryState.PENDING, next_attempt_at=now, claim_token=None, lease_until=None
        )
        DeliveryAttempt.objects.filter(
            pk__in=[c.attempt.pk for c in claims], outcome=DeliveryAttempt.Outcome.STARTED
        ).update(
            outcome=DeliveryAttempt.Outcome.FAILURE,
            error=NOT_SENT_STOPPING,
            finished_at=now,
        )
    logger.info("worker stopping: %s claimed deliveries handed back unsent", released)


NOT_SENT_STOPPING = "not sent: the worker was stopping; handed back to the queue"


def delivery_retry(*, delivery: Delivery, actor=None) -> bool:
    """Staff: put a dead-lettered (or waiting) delivery back in the queue now, with a fresh
    budget of attempts and the same idempotency key."""
    updated = Delivery.objects.filter(
        pk=delivery.pk, state__in=[DeliveryState.DEAD, DeliveryState.PENDING]
    ).update(state=DeliveryState.PENDING, next_attempt_at=timezone.now(), attempts=0)
    if updated:
        logger.info("delivery %s requeued by %s", delivery.pk, getattr(actor, "pk", None))
    return bool(updated)


def casefeed_health(*, now: datetime | None = None) -> list[dict]:
    """Per case system: pending, failing (pending after a failure), dead, in flight, oldest
    pending age and last success."""
    now = now or timezone.now()
    rows = []
    for system in CaseSystem.objects.order_by("name"):
        deliveries = Delivery.objects.filter(case_system=system)
        figures = deliveries.aggregate(
            pending=Count("pk", filter=Q(state=DeliveryState.PENDING)),
            failing=Count("pk", filter=Q(state=DeliveryState.PENDING, attempts__gt=0)),
            dead=Count("pk", filter=Q(state=DeliveryState.DEAD)),
            in_flight=Count("pk", filter=Q(state=DeliveryState.IN_FLIGHT)),
            delivered=Count("pk", filter=Q(state=DeliveryState.DELIVERED)),
            oldest=Min(
                "created_at", filter=Q(state__in=[DeliveryState.PENDING, DeliveryState.IN_FLIGHT])
            ),
            last_success=Max("delivered_at"),
        )
        figures["oldest_age"] = (now - figures["oldest"]) if figures["oldest"] else None
        rows.append({"system": system, **figures})
    return rows


def casefeed_backlog(*, now: datetime | None = None) -> dict:
    """For /healthz: deliveries due now (waiting for a worker), how long the oldest has been
    due, and how many are dead-lettered. A due row that waits long means no worker drains."""
    now = now or timezone.now()
    due = Delivery.objects.filter(_due(now))
    figures = due.aggregate(
        due=Count("pk"),
        oldest_pending=Min("next_attempt_at", filter=Q(state=DeliveryState.PENDING)),
        oldest_lease=Min("lease_until", filter=Q(state=DeliveryState.IN_FLIGHT)),
    )
    since = [t for t in (figures["oldest_pending"], figures["oldest_lease"]) if t]
    return {
        "due": figures["due"],
        "oldest_due_age_seconds": round((now - min(since)).total_seconds()) if since else 0,
        "dead": Delivery.objects.filter(state=DeliveryState.DEAD).count(),
    }
