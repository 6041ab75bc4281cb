"""The finance export of paid rewards: an XLSX file, logged, with identities only for those
who may open them (and then each informant's opening is logged too).

Names and payment accounts come from a public form and payment references from officers: every
text cell is made formula-safe (``portal.exports``) and stored as text, never as a formula."""

import io
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import DataExport, PiiAccess
from complaints.rewards.selectors.claims import claims_paid_between
from complaints.rewards.services.informants import IDENTITY_FIELDS
from portal.exports import safe_row

EXPORT_NAME = "reward-payments"
FINANCE_REASON = "finance export"


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content: bytes
    log: DataExport


def _append(sheet, values) -> None:
    """Append a row whose text can never be a formula (escaped, and typed as a string)."""
    sheet.append(safe_row(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


@transaction.atomic
def reward_payments_export(*, actor, start: date, end: date) -> ExportFile:
    """The claims paid from ``start`` to ``end`` as a workbook for finance.

    Name, phone and payment account are included only when ``actor`` may open identities
    (``complaints.reveal_informant``); each informant whose identity is included gets a
    ``PiiAccess`` row with the reason "finance export". Every export writes a ``DataExport``.
    """
    from openpyxl import Workbook

    with_identity = actor.has_perm("complaints.reveal_informant")
    claims = list(claims_paid_between(start=start, end=end))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Reward payments")
    header = [
        _("Reference"),
        _("Category"),
        _("Town"),
        _("Amount (yuan)"),
        _("Paid at"),
        _("Payment reference"),
        _("Claim state"),
    ]
    if with_identity:
        header += [_("Real name"), _("Phone"), _("Payment account")]
    _append(sheet, header)
    for claim in claims:
        report = claim.report
        row = [
            report.reference,
            str(report.category),
            report.town.name if report.town else "",
            claim.amount,
            timezone.localtime(claim.paid_at).replace(tzinfo=None),
            claim.payment_reference,
            claim.get_state_display(),
        ]
        if with_identity:
            informant = claim.informant
            row += [informant.name, informant.phone, informant.payment_account]
        _append(sheet, row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    log = DataExport.objects.create(
        user=actor,
        name=EXPORT_NAME,
        filters=f"paid {start.isoformat()}..{end.isoformat()}",
        row_count=len(claims),
        includes_identity=with_identity,
    )
    if with_identity:
        PiiAccess.objects.bulk_create(
            PiiAccess(
                user=actor,
                report_id=claim.report_id,
                informant_id=claim.informant_id,
                fields=IDENTITY_FIELDS,
                reason=FINANCE_REASON,
            )
            for claim in claims
        )
    return ExportFile(
        filename=f"{EXPORT_NAME}-{start.isoformat()}-{end.isoformat()}.xlsx",
        content=buffer.getvalue(),
        log=log,
    )
