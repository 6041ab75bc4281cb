"""Set-up for the reward-scheme tests: rules, informant reports, closed cases, staff, a fund."""

import itertools
import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from complaints.cases.services.transitions import report_transition
from complaints.cases.workflow import Action
from complaints.intake.inputs import ReportInput
from complaints.models import GridCell, Report, ReportState, RewardRule
from complaints.rewards.services.claims import claim_approve, claim_assess, claim_pay, fund_allocate
from complaints.rewards.services.informants import IdentityInput, informant_report_submit
from portal import roles
from tests.complaints.conftest import category
from tests.support.factories import report_walk

_phones = itertools.count(13900000001)


def dumping():
    """偷倒垃圾 (illegal dumping): reward-eligible in the demo taxonomy."""
    return category("event", "0105")


def structures():
    """私搭乱建 (unauthorised structures): rewarded per m² in the demo scheme."""
    return category("event", "0101")


def cells() -> list[GridCell]:
    return list(GridCell.objects.order_by("pk")[:2])


def rule(cat=None, *, amount="50.00", effective_from: date | None = None, **fields) -> RewardRule:
    return RewardRule.objects.create(
        category=cat or dumping(),
        amount=Decimal(amount),
        effective_from=effective_from or timezone.localdate() - timedelta(days=400),
        **fields,
    )


def identity(phone: str | None = None, name: str = "王五") -> IdentityInput:
    return IdentityInput(
        name=name,
        phone=phone or str(next(_phones)),
        payment_account=f"6222 0000 {uuid.uuid4().int % 10**8:08d}",
    )


def inform(*, cat=None, cell: GridCell | None = None, identities=None, **overrides) -> Report:
    """An informant report with one identity (unless told otherwise), filed now."""
    data = {
        "submission_token": uuid.uuid4(),
        "category": cat or dumping(),
        "description": "有人往河边偷倒建筑垃圾",
        "observed_at": timezone.now() - timedelta(hours=2),
        "grid_cell": cell or cells()[0],
        "address": "太湖大道 100 号",
        "identities": [identity()] if identities is None else identities,
    }
    data.update(overrides)
    identities = data.pop("identities")
    return informant_report_submit(input=ReportInput(**data), identities=identities).report


def close(report: Report, supervisor) -> Report:
    """Walked through the workflow to closed, the last steps (verify, close) by ``supervisor``."""
    return report_walk(report, ReportState.CLOSED, actors={roles.SUPERVISOR: supervisor})


def reject(report: Report, intake) -> Report:
    return report_transition(report=report, action=Action.REJECT, actor=intake, note="不属实")


def fund(approver, *, budget="10000.00", allocate="0", year: int | None = None):
    """The year's fund with ``budget``, of which ``allocate`` is put in by ``approver``."""
    from complaints.models import RewardFund

    year = year or timezone.localdate().year
    fund_row = RewardFund.objects.create(year=year, budget=Decimal(budget))
    if Decimal(allocate) > 0:
        fund_allocate(year=year, amount=Decimal(allocate), actor=approver)
    return fund_row


def approved_claim(report: Report, *, officer, approver, units=None):
    claim = report.reward_claims.get()
    claim = claim_assess(claim=claim, actor=officer, units=units)
    return claim_approve(claim=claim, actor=approver)


def paid_claim(report: Report, *, officer, approver, reference="PAY-1", units=None):
    claim = approved_claim(report, officer=officer, approver=approver, units=units)
    claim_pay(claim=claim, actor=officer, payment_reference=reference)
    claim.refresh_from_db()
    return claim


def role_groups_with_permissions() -> None:
    """The role groups and their permissions, as migrations made them (a transactional test may
    start after a flush). Not ``roles.sync_roles``: that is for the migrations' app registry."""
    from django.contrib.auth.models import Group, Permission

    for role, permissions in roles.MODEL_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=roles.label(role))
        group.permissions.set(
            [
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
                for app_label, codename in (
                    *(p.split(".") for p in permissions),
                    ("portal", roles.marker_codename(role)),
                )
            ]
        )
