"""A believable year of cases for the demo, filed and moved through the real services.

Each report is filed with ``report_submit`` and taken to its state with ``report_transition``
(and the satisfaction, support and reward services) by the demo accounts, on a simulated clock:
every step happens on its own day of this year, so timelines, deadlines (working time, the
holiday calendar), overdue cases, closures on time or late, ratings and the fund's ledger read
like a real year. Besides the history, a work list gives every demo role something waiting:
new and returned reports for intake, cases due soon and overdue in every department, handled
cases, extension and rework requests for the supervisor, claims in every state.

Idempotent: each report's submission token is derived from its number, so a second run finds
the reports it made and changes nothing. Residents never consented to messages (the demo
sends none); their contact details are there for the reveal screens.
"""

import hashlib
import io
import logging
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from unittest import mock

from django.utils import timezone

from complaints.cases.services.transitions import report_transition
from complaints.cases.workflow import Action
from complaints.intake.inputs import ReportInput
from complaints.intake.services.reports import report_submit, report_support
from complaints.models import (
    Category,
    ClaimState,
    Department,
    GridCell,
    PiiAccess,
    Report,
    ReportKind,
    ReportState,
    RewardClaim,
)
from complaints.privacy.uploads import CleanPhoto
from complaints.rewards.services.claims import claim_approve, claim_assess, claim_cancel, claim_pay
from complaints.rewards.services.informants import IdentityInput, informant_report_submit
from complaints.satisfaction.services import satisfaction_callback_record, satisfaction_submit
from demo.images import street_scene

# Derives the submission tokens of the demo's reports (do not change: idempotency).
NAMESPACE = uuid.UUID("6f1d2c1e-6a59-4c8e-9d33-3b1e2f8a7c10")
HISTORY = 300  # finished and older cases over the year
SEED = 2026

S = ReportState
ROADS = ("梁溪路", "蠡湖大道", "建筑路", "太湖大道", "湖滨路", "山水东路", "震泽路", "吴都路")
SPOTS = ("路口", "公交站台旁", "小区南门外", "菜市场东侧", "学校门口", "河道边", "停车场入口")
DETAILS = (
    "已经持续好几天了，希望尽快处理。",
    "影响行人通行，老人和孩子经过很不方便。",
    "晚上尤其明显，附近居民意见很大。",
    "周末人多的时候更严重，请安排人员看一看。",
    "之前反映过一次，至今还没有解决。",
    "天气热了有异味，麻烦尽快清理。",
    "存在安全隐患，请及时处置。",
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
HANDLING_NOTES = (
    "已安排作业人员到场处置，现场已恢复整洁。",
    "已联系责任单位整改完毕，并加强巡查。",
    "已现场劝导并督促当事人自行整改。",
    "已修复完成，经复查符合要求。",
)
REJECT_REASONS = ("经核实不属于城市管理职责范围，已告知反映人向相关部门反映。",)
RETURN_REASONS = ("该点位不在本单位管辖范围，请重新派遣。", "现场核实为其他部门职责，申请退回。")
EXTENSION_REASONS = ("需协调产权单位共同处置，材料尚未到位。", "涉及设施更换，配件需要采购。")
REWORK_COMMENTS = ("处理后没两天又恢复原样了。", "只清理了一半，角落里还有很多。")
VERIFY_NOTES = ("现场复核：处置到位。", "复核照片清晰，问题已解决。")


@dataclass(frozen=True)
class Plan:
    """What happens to one report: its state, and the extras along the way."""

    state: str
    department: str | None = None  # the category's department key (None: any)
    rated: str = ""  # a web rating after the (first) closure
    reworked: bool = False  # closed, sent back by the resident, handled and closed again
    verify_failed: bool = False
    callback: bool = False
    supporters: int = 0
    due: str = ""  # "overdue" or "soon": the deadline is moved there after dispatch
    days_ago: float = 0


@contextmanager
def clock(moment: datetime) -> Iterator[None]:
    """Run the services as if it were ``moment`` (auto_now fields, deadlines, years)."""
    with mock.patch.object(timezone, "now", lambda: moment):
        yield


def photo(seed: int, *, after: bool) -> CleanPhoto:
    """A small generated picture of the case's own street: its problem before the handling, the
    same street cleared after it (a pair per case, distinct between cases)."""
    picture = street_scene(seed, after=after, size=(480, 320))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=70)
    content = buffer.getvalue()
    return CleanPhoto(
        content=content, width=480, height=320, sha256=hashlib.sha256(content).hexdigest()
    )


def work_list(departments: list[str]) -> list[Plan]:
    """The open cases waiting for each demo role when they first sign in."""
    plans = [Plan(S.RECEIVED, days_ago=d) for d in (0.1, 0.3, 0.6, 1.2, 2.1, 3.2)]
    plans += [Plan(S.RETURNED, days_ago=d) for d in (1.5, 2.5, 4)]
    plans += [Plan(S.REGISTERED, days_ago=d) for d in (0.4, 1.1)]
    for key in departments:
        plans += [
            Plan(S.DISPATCHED, key, due="overdue", days_ago=9),
            Plan(S.DISPATCHED, key, due="soon", days_ago=2, supporters=2),
            Plan(S.DISPATCHED, key, days_ago=1),
            Plan(S.EXTENSION_REQUESTED, key, days_ago=3),
            Plan(S.HANDLED, key, days_ago=4),
        ]
    plans += [Plan(S.VERIFIED, days_ago=d) for d in (5, 6)]
    plans += [Plan(S.REOPEN_REQUESTED, rated="dissatisfied", days_ago=d) for d in (12, 20, 33)]
    return plans


def history(rng: random.Random) -> list[Plan]:
    """The year behind it: mostly closed (some late, reworked, rated, called back)."""
    plans = []
    for _index in range(HISTORY):
        days_ago = rng.uniform(8, 330)
        state = rng.choices(
            (S.CLOSED, S.REJECTED, S.DUPLICATE, S.DISPATCHED), weights=(86, 6, 4, 4)
        )[0]
        if state == S.DISPATCHED and days_ago > 40:
            state = S.CLOSED  # a few forgotten cases, not months old
        closed = state == S.CLOSED
        plans.append(
            Plan(
                state,
                rated=rng.choice(("satisfied", "satisfied", "basically", "", "")) if closed else "",
                reworked=closed and rng.random() < 0.06,
                verify_failed=closed and rng.random() < 0.05,
                callback=closed and rng.random() < 0.12,
                supporters=rng.choice((0, 0, 0, 0, 0, 0, 0, 0, 1, 2)),
                days_ago=days_ago,
            )
        )
    return plans


class DemoYear:
    def __init__(self, *, actors: dict, handlers: dict[str, object]):
        self.actors = actors  # role key → user
        self.handlers = handlers  # department key → user
        self.rng = random.Random(SEED)  # noqa: S311  # nosec B311 - demo data, not secrets
        self.cells = list(GridCell.objects.select_related("community__town").order_by("pk"))
        self.categories = list(
            Category.objects.filter(is_active=True)
            .select_related("default_department")
            .order_by("pk")
        )
        self.departments = list(Department.objects.values_list("key", flat=True).order_by("key"))
        self.now = timezone.now()
        # This year only: references, the fund's year and the holiday calendar agree.
        self.year_start = timezone.make_aware(datetime(self.now.year, 1, 6, 9, 0))
        self.previous: Report | None = None

    # --- the clock -------------------------------------------------------------------------

    def moment(self, days_ago: float) -> datetime:
        moment = self.now - timedelta(days=days_ago)
        return max(moment, self.year_start)

    # --- filing ----------------------------------------------------------------------------

    def token(self, number: int) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"demo-report-{number}")

    def category_for(self, department: str | None) -> Category:
        choices = [
            c
            for c in self.categories
            if department is None or c.default_department.key == department
        ]
        return self.rng.choice(choices)

    def file(self, number: int, plan: Plan, at: datetime) -> Report:
        rng = self.rng
        category = self.category_for(plan.department)
        cell = rng.choice(self.cells)
        community, town = cell.community, cell.community.town
        spot = rng.choice(SPOTS)
        anonymous = category.anonymous_allowed and rng.random() < 0.4
        centre = cell.centre
        with clock(at):
            return report_submit(
                input=ReportInput(
                    submission_token=self.token(number),
                    category=category,
                    description=f"{community.name}{spot}{category.name}：{rng.choice(DETAILS)}",
                    observed_at=at - timedelta(hours=rng.uniform(1, 20)),
                    grid_cell=cell,
                    address=f"{town.name}{rng.choice(ROADS)}{rng.randrange(1, 300)}号{spot}",
                    latitude=Decimal(f"{centre[0]:.6f}") if centre else None,
                    longitude=Decimal(f"{centre[1]:.6f}") if centre else None,
                    is_anonymous=anonymous,
                    contact_name="" if anonymous else f"{rng.choice(SURNAMES)}先生",
                    contact_phone="" if anonymous else f"1380000{rng.randrange(10000):04d}",
                    consent_to_contact=False,  # the demo sends no messages
                    channel=rng.choices(("web", "hotline", "open311"), weights=(75, 20, 5))[0],
                )
            ).report

    # --- moving ----------------------------------------------------------------------------

    def step(self, report: Report, action: str, actor, at: datetime, **kwargs) -> Report:
        with clock(at):
            return report_transition(report=report, action=action, actor=actor, **kwargs)

    def handler_of(self, report: Report):
        return self.handlers[report.department.key]

    def run(self, number: int, plan: Plan) -> Report:
        rng = self.rng
        at = self.moment(plan.days_ago)
        report = self.file(number, plan, at)
        intake, supervisor = self.actors["intake_operator"], self.actors["supervisor"]

        def later(hours: float) -> datetime:
            nonlocal at
            at = min(at + timedelta(hours=hours), self.now - timedelta(minutes=5))
            return at

        target = plan.state
        for _index in range(plan.supporters if report.is_public else 0):
            with clock(later(rng.uniform(1, 10))):
                report_support(report=report, submission_token=uuid.uuid4())
        if target == S.RECEIVED:
            return report
        if target == S.REJECTED:
            return self.step(
                report, Action.REJECT, intake, later(2), note=rng.choice(REJECT_REASONS)
            )
        if target == S.DUPLICATE and self.previous is not None:
            return self.step(
                report, Action.MARK_DUPLICATE, intake, later(1), duplicate_of=self.previous
            )
        report = self.step(report, Action.REGISTER, intake, later(rng.uniform(0.2, 2)))
        self.previous = report
        if target in (S.REGISTERED, S.DUPLICATE):
            return report
        report = self.dispatch(report, intake, later(rng.uniform(0.2, 1)))
        if target == S.RETURNED:
            return self.step(
                report,
                Action.RETURN,
                self.handler_of(report),
                later(rng.uniform(1, 5)),
                note=rng.choice(RETURN_REASONS),
            )
        if target == S.EXTENSION_REQUESTED:
            return self.step(
                report,
                Action.REQUEST_EXTENSION,
                self.handler_of(report),
                later(rng.uniform(1, 8)),
                note=rng.choice(EXTENSION_REASONS),
                extension_amount=rng.choice((1, 2, 3)),
            )
        if target == S.DISPATCHED:
            return self.set_due(report, plan.due)
        # Most departments finish in time, some late: a share of the time they were given.
        share = rng.uniform(0.25, 1.15)
        report = self.handle(report, number, later(self.time_given(report) * share))
        if plan.verify_failed:
            report = self.step(
                report,
                Action.VERIFY_FAIL,
                supervisor,
                later(rng.uniform(2, 20)),
                note="复核发现仍有遗留，请返工。",
            )
            report = self.handle(report, number + 10_000, later(rng.uniform(4, 30)))
        if target == S.HANDLED:
            return report
        report = self.close(report, supervisor, at=later(rng.uniform(2, 20)), stop_at=target)
        if target == S.VERIFIED:
            return report
        if plan.reworked:
            report = self.rework(report, number, supervisor, later(rng.uniform(20, 60)))
            at = report.closed_at
        if plan.rated:
            rework = target == S.REOPEN_REQUESTED
            with clock(later(rng.uniform(2, 48))):
                satisfaction_submit(
                    report=report,
                    rating=plan.rated,
                    comment=rng.choice(REWORK_COMMENTS) if rework else "",
                    request_rework=rework,
                )
            report.refresh_from_db()
        if plan.callback and report.state == S.CLOSED:
            with clock(later(rng.uniform(24, 72))):
                satisfaction_callback_record(
                    report=report,
                    rating=rng.choice(("satisfied", "basically", "dissatisfied")),
                    comment="电话回访，居民认可处置结果。",
                    actor=supervisor,
                )
        return report

    @staticmethod
    def time_given(report: Report) -> float:
        """Hours from dispatch to the deadline."""
        return (report.deadline - report.dispatched_at).total_seconds() / 3600

    def dispatch(self, report: Report, intake, at: datetime) -> Report:
        return self.step(report, Action.DISPATCH, intake, at, department=report.department)

    def handle(self, report: Report, seed: int, at: datetime) -> Report:
        return self.step(
            report,
            Action.HANDLE,
            self.handler_of(report),
            at,
            note=self.rng.choice(HANDLING_NOTES),
            photos=[photo(seed, after=True)],
            before_photos=[photo(seed, after=False)],
        )

    def close(self, report: Report, supervisor, *, at: datetime, stop_at: str) -> Report:
        report = self.step(
            report, Action.VERIFY_PASS, supervisor, at, note=self.rng.choice(VERIFY_NOTES)
        )
        if stop_at == S.VERIFIED:
            return report
        return self.step(report, Action.CLOSE, supervisor, at + timedelta(hours=1))

    def rework(self, report: Report, number: int, supervisor, at: datetime) -> Report:
        with clock(at):
            satisfaction_submit(
                report=report,
                rating="dissatisfied",
                comment=self.rng.choice(REWORK_COMMENTS),
                request_rework=True,
            )
        report = self.step(
            report, Action.REOPEN, supervisor, at + timedelta(hours=3), note="同意返工。"
        )
        report = self.handle(report, number + 20_000, at + timedelta(hours=30))
        return self.close(report, supervisor, at=at + timedelta(hours=40), stop_at=S.CLOSED)

    def set_due(self, report: Report, due: str) -> Report:
        """Put a work-list deadline where the handler's panel shows it (set-up, not a step)."""
        if due == "overdue":
            deadline = self.now - timedelta(hours=self.rng.uniform(3, 30))
        elif due == "soon":
            deadline = self.now + timedelta(hours=self.rng.uniform(1, 5))
        else:
            return report
        Report.objects.filter(pk=report.pk).update(deadline=deadline)
        report.deadline = deadline
        return report


# --- informant reports and their claims ----------------------------------------------------

# Claim state → how many informant reports end there.
CLAIMS = {
    "pending_open": 2,  # the case is still being handled
    ClaimState.PENDING: 3,  # the case is closed: the officer assesses
    ClaimState.INELIGIBLE: 1,
    ClaimState.ELIGIBLE: 3,  # proposed: the approver decides
    ClaimState.APPROVED: 2,  # the officer records the payment
    ClaimState.PAID: 4,
    ClaimState.CANCELLED: 1,  # paid, then reversed
}


def seed_claims(year: DemoYear, *, first_number: int) -> int:
    """Informant reports with a claim in every state; returns how many were filed now."""
    from complaints.models import RewardRule

    officer = year.actors["reward_officer"]
    approver = year.actors["reward_approver"]
    supervisor = year.actors["supervisor"]
    rewarded = list(
        Category.objects.filter(
            reward_eligible=True,
            is_active=True,
            reward_rules__in=RewardRule.objects.filter(amount_kind=RewardRule.AmountKind.FIXED),
        )
        .select_related("default_department")
        .distinct()
        .order_by("pk")
    )
    if not rewarded:
        return 0
    created = 0
    number = first_number
    # Oldest first: the ledger's entries come in the order of their dates.
    days = 150
    for outcome, count in CLAIMS.items():
        for _index in range(count):
            number += 1
            days -= 7
            token = year.token(number)
            if Report.objects.filter(submission_token=token).exists():
                continue
            at = year.moment(days)
            category = year.rng.choice(rewarded)
            cell = year.rng.choice(year.cells)
            with clock(at):
                report = informant_report_submit(
                    input=ReportInput(
                        submission_token=token,
                        category=category,
                        description=f"{cell.community.name}有人{category.name}，我拍了照片。",
                        # Seen ten days before it was reported: outside the claim window.
                        observed_at=at
                        - (
                            timedelta(days=10)
                            if outcome == ClaimState.INELIGIBLE
                            else timedelta(hours=3)
                        ),
                        grid_cell=cell,
                        address=f"{cell.community.town.name}{year.rng.choice(ROADS)}附近",
                    ),
                    identities=[
                        IdentityInput(
                            name=f"{year.rng.choice(SURNAMES)}{year.rng.choice('明华军丽强芳')}",
                            phone=f"1390000{number:04d}",
                            payment_account=f"6222 0200 {number:04d} {number * 7 % 10000:04d}",
                        )
                    ],
                ).report
            created += 1
            intake = year.actors["intake_operator"]
            report = year.step(report, Action.REGISTER, intake, at + timedelta(hours=1))
            report = year.dispatch(report, intake, at + timedelta(hours=2))
            if outcome == "pending_open":
                continue
            report = year.handle(report, number, at + timedelta(hours=20))
            report = year.close(report, supervisor, at=at + timedelta(hours=30), stop_at=S.CLOSED)
            claim = RewardClaim.objects.get(report=report)
            if outcome == ClaimState.PENDING:
                continue
            with clock(at + timedelta(days=2)):
                claim = claim_assess(claim=claim, actor=officer)
            if outcome == ClaimState.INELIGIBLE:
                continue
            if outcome == ClaimState.ELIGIBLE or claim.state != ClaimState.ELIGIBLE:
                continue
            with clock(at + timedelta(days=3)):
                claim = claim_approve(claim=claim, actor=approver)
            if outcome == ClaimState.APPROVED:
                continue
            with clock(at + timedelta(days=4)):
                claim_pay(claim=claim, actor=officer, payment_reference=f"ZF{number:08d}")
            if outcome == ClaimState.CANCELLED:
                with clock(at + timedelta(days=5)):
                    claim_cancel(
                        claim=claim, actor=officer, reason="复查发现举报内容与事实不符，收回奖励。"
                    )
    return created


def seed_audit_trail(year: DemoYear) -> None:
    """This week's identity and contact openings and a finance export (the auditor's panels),
    once: only while nobody opened anything yet."""
    from complaints.models import Informant
    from complaints.rewards.services.exports import reward_payments_export
    from complaints.rewards.services.informants import informant_identity_reveal

    if PiiAccess.objects.exists():
        return
    officer = year.actors["reward_officer"]
    intake = year.actors["intake_operator"]
    informants = Informant.objects.filter(claim__state=ClaimState.PAID).order_by("pk")[:2]
    for days, informant in zip((3, 1), informants, strict=False):
        with clock(year.now - timedelta(days=days)):
            informant_identity_reveal(
                informant=informant, actor=officer, reason="核对收款账户信息。"
            )
    for days, report in zip(
        (2, 0.5),
        Report.objects.filter(kind=ReportKind.COMPLAINT, is_anonymous=False).order_by("-pk")[:2],
        strict=False,
    ):
        with clock(year.now - timedelta(days=days)):
            PiiAccess.objects.create(
                user=intake, report=report, fields="name, phone", reason="电话联系反映人核实位置。"
            )
    with clock(year.now - timedelta(days=1)):
        reward_payments_export(
            actor=officer,
            start=year.year_start.date(),
            end=timezone.localdate(year.now),
        )


def seed_cases(*, actors: dict, handlers: dict, stdout) -> int:
    """The demo year (see the module's docstring); returns how many reports were filed now."""
    with quiet_logs():
        return _seed_cases(actors=actors, handlers=handlers)


@contextmanager
def quiet_logs() -> Iterator[None]:
    """Not one INFO line per case step in the seed_demo output."""
    previous = logging.root.manager.disable
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(previous)


def _seed_cases(*, actors: dict, handlers: dict) -> int:
    year = DemoYear(actors=actors, handlers=handlers)
    plans = work_list(year.departments) + history(year.rng)
    # Filed in date order, so references grow with the dates.
    numbered = sorted(enumerate(plans, start=1), key=lambda item: -item[1].days_ago)
    existing = set(
        Report.objects.filter(
            submission_token__in=[year.token(n) for n, _plan in numbered]
        ).values_list("submission_token", flat=True)
    )
    created = 0
    for number, plan in numbered:
        if year.token(number) in existing:
            continue
        year.run(number, plan)
        created += 1
    created += seed_claims(year, first_number=len(plans) + 1)
    seed_audit_trail(year)
    return created
