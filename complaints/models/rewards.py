"""The reward scheme: versioned rules, claims, and the fund's append-only ledger.

The database guards the money: a claim has at most one payout and one reversal, a ledger
entry's running balance never goes below zero, and each entry's sequence number is unique per
fiscal year, so two writers racing for the same balance cannot both win (services also lock
the fund row). Entries are never updated or deleted.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 12, "decimal_places": 2}
POSITIVE = [MinValueValidator(Decimal("0.01"))]


class RewardRule(models.Model):
    """How much a valid report in one category earns, from ``effective_from`` on.

    Rules are versioned: a new rule for a category starts the day the previous one ends, and a
    claim always uses the rule in force on the day its report was filed.
    """

    class AmountKind(models.TextChoices):
        FIXED = "fixed", _("Fixed amount")
        PER_UNIT = "per_unit", _("Amount per unit")

    category = models.ForeignKey(
        "complaints.Category",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="reward_rules",
    )
    amount_kind = models.CharField(
        _("amount"), max_length=10, choices=AmountKind, default=AmountKind.FIXED
    )
    amount = models.DecimalField(
        _("amount (yuan)"),
        **MONEY,
        validators=POSITIVE,
        help_text=_("The reward, or the reward per unit."),
    )
    unit = models.CharField(
        _("unit"), max_length=20, blank=True, help_text=_("For per-unit amounts, e.g. m².")
    )
    minimum_amount = models.DecimalField(
        _("minimum (yuan)"), **MONEY, null=True, blank=True, validators=POSITIVE
    )
    maximum_amount = models.DecimalField(
        _("maximum (yuan)"), **MONEY, null=True, blank=True, validators=POSITIVE
    )
    daily_limit = models.PositiveSmallIntegerField(
        _("rewards per informant per day"), default=3, validators=[MinValueValidator(1)]
    )
    monthly_limit = models.PositiveSmallIntegerField(
        _("rewards per informant per month"), default=20, validators=[MinValueValidator(1)]
    )
    window_days = models.PositiveSmallIntegerField(
        _("claim window (days)"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("A violation must be reported within this many days of being seen."),
    )
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(
        _("effective until"), null=True, blank=True, help_text=_("Last day; empty: open-ended.")
    )
    evidence_note = models.CharField(
        _("evidence needed"),
        max_length=200,
        blank=True,
        help_text=_("Shown on the public scheme page, e.g. 'a near and a far photo'."),
    )
    evidence_note_en = models.CharField(
        _("evidence needed, in English"),
        max_length=300,
        blank=True,
        help_text=_("Shown on the English site; the Chinese text is shown when empty."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["category__code", "-effective_from"]
        verbose_name = _("reward rule")
        verbose_name_plural = _("reward rules")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "effective_from"], name="reward_rule_one_version_per_day"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="reward_rule_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(minimum_amount__isnull=True)
                | Q(maximum_amount__isnull=True)
                | Q(maximum_amount__gte=F("minimum_amount")),
                name="reward_rule_min_below_max",
            ),
        ]

    def __str__(self):
        return f"{self.category} · {self.effective_from:%Y-%m-%d}"

    def clean(self):
        errors = {}
        if self.effective_to and self.effective_from and self.effective_to < self.effective_from:
            errors["effective_to"] = _("The last day cannot be before the first.")
        if (
            self.minimum_amount is not None
            and self.maximum_amount is not None
            and self.maximum_amount < self.minimum_amount
        ):
            errors["maximum_amount"] = _("The maximum cannot be below the minimum.")
        if self.amount_kind == self.AmountKind.PER_UNIT and not self.unit:
            errors["unit"] = _("Name the unit of a per-unit amount.")
        if self.category_id and self.effective_from:
            overlapping = RewardRule.objects.filter(category_id=self.category_id).exclude(
                pk=self.pk
            )
            end = self.effective_to
            for other in overlapping:
                starts_before_other_ends = (
                    other.effective_to is None or self.effective_from <= other.effective_to
                )
                ends_after_other_starts = end is None or end >= other.effective_from
                if starts_before_other_ends and ends_after_other_starts:
                    errors["effective_from"] = _(
                        "Another rule for this category is in force then (from %(start)s)."
                    ) % {"start": other.effective_from}
                    break
        if errors:
            raise ValidationError(errors)


class ClaimState(models.TextChoices):
    PENDING = "pending", _("Awaiting assessment")
    ELIGIBLE = "eligible", _("Eligible, awaiting approval")
    INELIGIBLE = "ineligible", _("Not eligible")
    APPROVED = "approved", _("Approved, awaiting payment")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class RewardClaim(models.Model):
    """One informant's claim on the reward for one report."""

    report = models.ForeignKey(
        "complaints.Report",
        verbose_name=_("report"),
        on_delete=models.PROTECT,
        related_name="reward_claims",
    )
    informant = models.OneToOneField(
        "complaints.Informant",
        verbose_name=_("informant"),
        on_delete=models.PROTECT,
        related_name="claim",
    )
    state = models.CharField(
        _("state"), max_length=12, choices=ClaimState, default=ClaimState.PENDING, db_index=True
    )
    rule = models.ForeignKey(
        RewardRule,
        verbose_name=_("rule applied"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
    )
    units = models.DecimalField(_("units"), max_digits=10, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY, null=True, blank=True)
    # [{"code", "ok", "message" (msgid), "params"}], written by the eligibility service and
    # translated when shown (services.rewards.reason_text).
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("payment recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=64, blank=True)
    closed_at = models.DateTimeField(
        _("decided at"),
        null=True,
        blank=True,
        help_text="When the claim reached paid, ineligible or cancelled: retention counts from it.",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("reward claim")
        verbose_name_plural = _("reward claims")
        permissions = [
            ("assess_rewardclaim", "Can assess reward claims and propose rewards"),
            ("approve_rewardclaim", "Can approve proposed rewards (never their own)"),
            ("pay_rewardclaim", "Can record reward payments"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("proposed_by")),
                name="reward_claim_four_eyes",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["eligible", "approved", "paid"]) | Q(amount__gt=0),
                name="reward_claim_payable_has_amount",
            ),
        ]

    def __str__(self):
        return f"{self.report.reference} · {self.get_state_display()}"


class RewardFund(models.Model):
    """The reward fund of one fiscal (calendar) year; the row services lock to move money."""

    year = models.PositiveSmallIntegerField(_("fiscal year"), unique=True)
    budget = models.DecimalField(_("budget (yuan)"), **MONEY, validators=POSITIVE)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("reward fund")
        verbose_name_plural = _("reward funds")

    def __str__(self):
        return str(self.year)


class LedgerEntryQuerySet(models.QuerySet):
    """Bulk changes would bypass ``LedgerEntry.save``/``delete``: refuse them too."""

    def update(self, **kwargs):
        raise ValueError("Ledger entries are append-only: record a reversal instead.")

    def delete(self):
        raise ValueError("Ledger entries are append-only: record a reversal instead.")

    update.queryset_only = True
    delete.queryset_only = True


class LedgerEntry(models.Model):
    """One movement of the fund: allocations add, payouts subtract, reversals add back."""

    class Kind(models.TextChoices):
        ALLOCATION = "allocation", _("Allocation")
        PAYOUT = "payout", _("Payout")
        REVERSAL = "reversal", _("Reversal")

    fund = models.ForeignKey(
        RewardFund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="entries"
    )
    sequence = models.PositiveIntegerField(_("no."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY, help_text="Signed.")
    balance_after = models.DecimalField(_("balance (yuan)"), **MONEY)
    claim = models.ForeignKey(
        RewardClaim,
        verbose_name=_("claim"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
    )
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["fund", "sequence"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        permissions = [("allocate_ledgerentry", "Can allocate money to the reward fund")]
        constraints = [
            models.UniqueConstraint(fields=["fund", "sequence"], name="ledger_sequence_unique"),
            models.UniqueConstraint(
                fields=["claim", "kind"],
                condition=Q(claim__isnull=False),
                name="ledger_one_movement_per_claim_and_kind",
            ),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="ledger_balance_never_negative"
            ),
            models.CheckConstraint(
                condition=(Q(kind="payout", amount__lt=0, claim__isnull=False))
                | (Q(kind="reversal", amount__gt=0, claim__isnull=False))
                | Q(kind="allocation", claim__isnull=True),
                name="ledger_kind_sign_and_claim",
            ),
        ]

    def __str__(self):
        return f"{self.fund.year} #{self.sequence} {self.get_kind_display()} {self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Ledger entries are append-only: record a reversal instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Ledger entries are append-only: record a reversal instead.")
