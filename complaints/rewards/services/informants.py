"""Informant reports: filing one with sealed identities, and opening an identity (logged)."""

import logging
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from complaints.intake.inputs import ReportInput
from complaints.intake.services.reports import SubmitResult, report_submit
from complaints.models import Informant, PiiAccess, ReportKind, RewardClaim
from complaints.privacy.codes import phone_hash, phone_normalise
from complaints.rewards.inputs import IdentityInput

__all__ = ["IdentityInput", "informant_identity_reveal", "informant_report_submit"]

logger = logging.getLogger(__name__)

IDENTITY_FIELDS = "name, phone, payment account"


@transaction.atomic
def informant_report_submit(
    *,
    input: ReportInput,
    identities: Sequence[IdentityInput] = (),
) -> SubmitResult:
    """File an informant report, exactly once per submission token.

    ``input`` is what the report says; the intake service judges it like any report, as kind informant. The
    report enters the normal case workflow without any contact details; each identity (joint
    reporters share one reward) is sealed in an :class:`Informant` row with a pending
    :class:`RewardClaim`. No identity means no reward. ``access_code`` of the result is the
    receipt code, returned in clear this once.
    """
    input = input.replace(kind=ReportKind.INFORMANT)
    if not input.category.reward_eligible:
        raise ValidationError({"category": _("Reports in this category earn no reward.")})
    for identity in identities:
        if not (identity.name.strip() and identity.payment_account.strip()):
            raise ValidationError(
                _("To claim a reward give the real name, phone and payment account.")
            )
        if len(phone_normalise(identity.phone)) < 7:
            raise ValidationError({"phone": _("Enter a valid phone number.")})
    hashes = [phone_hash(identity.phone) for identity in identities]
    if len(set(hashes)) != len(hashes):
        raise ValidationError({"phone": _("Each joint reporter needs their own phone number.")})
    result = report_submit(input=input)
    if not result.created:
        return result
    for identity, hashed in zip(identities, hashes, strict=True):
        informant = Informant.objects.create(
            report=result.report,
            name=identity.name.strip(),
            phone=phone_normalise(identity.phone),
            payment_account=identity.payment_account.strip(),
            phone_hash=hashed,
        )
        RewardClaim.objects.create(report=result.report, informant=informant)
    logger.info(
        "informant report %s received with %s identities", result.report.reference, len(hashes)
    )
    return result


def informant_identity_reveal(*, informant: Informant, actor, reason: str) -> IdentityInput:
    """Open a sealed identity for a stated reason; the opening is logged for auditors."""
    if not actor.has_perm("complaints.reveal_informant"):
        raise PermissionDenied(_("Your role may not open informants' identities."))
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError({"reason": _("State why you need to see this identity.")})
    if informant.is_erased:
        raise ValidationError(_("This identity was erased under the retention rule."))
    PiiAccess.objects.create(
        user=actor,
        report_id=informant.report_id,
        informant=informant,
        fields=IDENTITY_FIELDS,
        reason=reason[:200],
    )
    logger.info("informant %s identity opened by user %s", informant.pk, actor.pk)
    return IdentityInput(
        name=informant.name, phone=informant.phone, payment_account=informant.payment_account
    )
