"""Retention: an informant's sealed identity is erased once their claim has long been decided.

The claim (state, amount, reasons, payment reference) and the fund's ledger stay intact: the
money trail survives, the person behind it does not. Each erasure leaves an
:class:`~complaints.models.IdentityErasure` row saying what was erased and when.
"""

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Concat
from django.utils import timezone

from complaints.models import ClaimState, IdentityErasure, Informant, RewardClaim

logger = logging.getLogger(__name__)

# Claims in these states are decided for good; ``RewardClaim.closed_at`` says since when.
CLOSED_CLAIM_STATES = (ClaimState.PAID, ClaimState.INELIGIBLE, ClaimState.CANCELLED)
# The sealed identity: (field name, label recorded in IdentityErasure.fields).
IDENTITY_FIELDS = (
    ("name", "name"),
    ("phone", "phone"),
    ("payment_account", "payment account"),
    ("phone_hash", "phone hash"),
)
BATCH_SIZE = 200


@dataclass
class ErasureResult:
    cutoff: datetime
    dry_run: bool
    erased: int = 0
    references: list[str] = field(default_factory=list)
    by_claim_state: Counter = field(default_factory=Counter)


def _due_claims(cutoff: datetime):
    return RewardClaim.objects.filter(
        state__in=CLOSED_CLAIM_STATES,
        closed_at__isnull=False,
        closed_at__lt=cutoff,
        informant__erased_at__isnull=True,
    )


def informant_identities_erase(
    *,
    now: datetime | None = None,
    older_than_days: int | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> ErasureResult:
    """Erase the identities whose claim was closed more than ``older_than_days`` days ago.

    ``older_than_days`` defaults to ``settings.REWARD_IDENTITY_RETENTION_DAYS``. Pending,
    eligible and approved claims are never touched. Works in batches, each one transaction
    that locks its claims and re-checks them, so a claim reassessed meanwhile is left alone and
    an interrupted run simply continues next time (already erased identities are skipped).
    ``progress(done, total)`` is called after each batch. ``dry_run`` reports and writes nothing.
    """
    days = settings.REWARD_IDENTITY_RETENTION_DAYS if older_than_days is None else older_than_days
    if days < 0:
        raise ValueError("older_than_days cannot be negative")
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    result = ErasureResult(cutoff=cutoff, dry_run=dry_run)
    due = list(_due_claims(cutoff).order_by("pk").values_list("pk", flat=True))
    total = len(due)
    for start in range(0, total, batch_size):
        batch = due[start : start + batch_size]
        if dry_run:
            rows = (
                _due_claims(cutoff).filter(pk__in=batch).values_list("report__reference", "state")
            )
            for reference, state in rows:
                result.references.append(reference)
                result.by_claim_state[state] += 1
                result.erased += 1
        else:
            _erase_batch(batch, cutoff=cutoff, now=now, result=result)
        if progress is not None:
            progress(min(start + batch_size, total), total)
    if not dry_run and result.erased:
        logger.info(
            "erased %s informant identities (claims closed before %s)", result.erased, cutoff
        )
    return result


def _filled_fields_expression():
    # Which identity fields held something, computed by the database: nothing is decrypted.
    parts = []
    for name, label in IDENTITY_FIELDS:
        filled = ~Q(**{f"informant__{name}": ""})
        parts.append(Case(When(filled, then=Value(f"{label},")), default=Value("")))
    return Concat(*parts)


@transaction.atomic
def _erase_batch(claim_ids: list[int], *, cutoff: datetime, now: datetime, result: ErasureResult):
    claims = _due_claims(cutoff).filter(pk__in=claim_ids)
    if connection.features.has_select_for_update_of:
        # Lock the claims (not the reports joined for their reference): a claim reassessed
        # meanwhile waits, then is re-checked here.
        claims = claims.select_for_update(of=("self",))
    elif connection.features.has_select_for_update:
        claims = claims.select_for_update()
    rows = list(
        claims.annotate(filled=_filled_fields_expression()).values_list(
            "informant_id", "report__reference", "state", "filled"
        )
    )
    if not rows:
        return
    Informant.objects.filter(pk__in=[row[0] for row in rows]).update(
        name="", phone="", payment_account="", phone_hash="", erased_at=now
    )
    IdentityErasure.objects.bulk_create(
        IdentityErasure(
            informant_id=informant_id,
            report_reference=reference,
            fields=", ".join(label for label in filled.split(",") if label),
            claim_state=state,
        )
        for informant_id, reference, state, filled in rows
    )
    for _, reference, state, _ in rows:
        result.references.append(reference)
        result.by_claim_state[state] += 1
    result.erased += len(rows)
