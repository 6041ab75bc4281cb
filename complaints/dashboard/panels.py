"""Each role's work on the admin home (Wagtail's ``construct_homepage_panels`` hook).

One panel per role (several for a user with several roles): counts of what waits for the user,
each linking to the queue that lists it, and the first items. Wagtail's own page panels stay
(editors and moderators keep them); these come first.

Years of data must not slow the home down: every count is the capped count of the queue menu
(``selectors.queues.count_capped``, shown as "999+"), every list is a ``LIMIT`` query with its
foreign keys joined, and a panel costs the same few queries with ten reports or a million.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.ui.components import Component

from complaints.cases.selectors import QUEUE_COUNT_CAP, count_capped, queue_reports
from complaints.cases.services.deadlines import CLOCK_STATES, due_soon_horizon
from complaints.models import (
    DataExport,
    PiiAccess,
    Report,
    ReportState,
)
from complaints.rewards.selectors.claims import claims_awaiting
from complaints.rewards.workflow import ClaimAction, awaiting_states
from portal import roles

# How many items a panel lists (the queue behind its counts lists them all).
PANEL_ITEMS = 5
# The auditor's counts cover this many days.
AUDIT_DAYS = 7


def shown_count(count: int) -> str:
    """A capped count as the queue menu shows it: "999+" above the cap."""
    return f"{QUEUE_COUNT_CAP}+" if count > QUEUE_COUNT_CAP else str(count)


def capped(queryset) -> str:
    return shown_count(count_capped(queryset, cap=QUEUE_COUNT_CAP))


def url_with(name: str, **query) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(query)}" if query else url


@dataclass
class Tally:
    """One count of the panel, linking to the queue that lists what it counts."""

    label: str
    count: str
    url: str
    alert: bool = False  # shown in red (overdue) when not zero


@dataclass
class Row:
    """One listed item: its title links to the case or claim page."""

    title: str
    url: str
    cells: list = field(default_factory=list)
    tag: str = ""
    alert: bool = False


# Columns of a listed item: its title, its tag (a status), then its cells.
CASE_HEADINGS = [_("Reference"), _("State"), _("Category"), _("Place"), _("Deadline")]


class RolePanel(Component):
    """A dashboard panel of one role's work (Wagtail's ``w-panel--dashboard`` look)."""

    template_name = "complaints/admin/home/role_panel.html"
    role = ""
    name = ""
    heading = ""
    icon = "tasks"
    order = 50
    queue_label = _("Open the queue")

    class Media:
        css = {"all": ["css/admin-home.css"]}

    def __init__(self, request):
        self.request = request
        self.user = request.user

    def tallies(self) -> list[Tally]:
        return []

    def rows(self) -> list[Row]:
        return []

    def row_headings(self) -> list:
        return CASE_HEADINGS

    def queue_url(self) -> str:
        return ""

    def empty_text(self):
        return _("Nothing waits for you here.")

    def get_context_data(self, parent_context=None):
        rows = self.rows()
        return {
            "panel_id": f"role-{self.name}",
            "heading": self.heading,
            "icon": self.icon,
            "role_label": roles.label(self.role),
            "tallies": self.tallies(),
            "rows": rows,
            "row_headings": self.row_headings() if rows else [],
            "queue_url": self.queue_url(),
            "queue_label": self.queue_label,
            "empty_text": self.empty_text(),
            "table": self.table(),
        }

    def table(self):
        return None


# --- case panels ---------------------------------------------------------------------------


def _deadline_text(report: Report, now) -> tuple[str, bool]:
    if not report.deadline:
        return "", False
    text = timezone.localtime(report.deadline).strftime("%m-%d %H:%M")
    overdue = report.state in CLOCK_STATES and report.deadline < now
    return (f"{text} · {_('overdue')}" if overdue else text), overdue


def case_rows(reports) -> list[Row]:
    now = timezone.now()
    rows = []
    for report in reports[:PANEL_ITEMS]:
        deadline, overdue = _deadline_text(report, now)
        place = " · ".join(p.name for p in (report.town, report.community) if p is not None)
        rows.append(
            Row(
                title=report.reference,
                url=reverse("complaints_case", args=[report.pk]),
                cells=[str(report.category), place, deadline],
                tag=report.get_state_display(),
                alert=overdue,
            )
        )
    return rows


class IntakePanel(RolePanel):
    role = roles.INTAKE_OPERATOR
    name = "intake"
    heading = _("New and returned reports")
    icon = "inbox"
    order = 40

    def queue_url(self):
        return reverse("cases-triage:index")

    def _triage(self):
        return queue_reports(user=self.user, queue="triage")

    def tallies(self):
        triage = self._triage()
        return [
            Tally(
                _("New reports"),
                capped(triage.filter(state=ReportState.RECEIVED)),
                url_with("cases-triage:index", state=ReportState.RECEIVED),
            ),
            Tally(
                _("Returned by departments"),
                capped(triage.filter(state=ReportState.RETURNED)),
                url_with("cases-triage:index", state=ReportState.RETURNED),
                alert=True,
            ),
            Tally(
                _("Registered, to dispatch"),
                capped(triage.filter(state=ReportState.REGISTERED)),
                url_with("cases-triage:index", state=ReportState.REGISTERED),
            ),
        ]

    def rows(self):
        waiting = self._triage().filter(state__in=(ReportState.RECEIVED, ReportState.RETURNED))
        return case_rows(waiting.order_by("created_at", "pk"))


class HandlerPanel(RolePanel):
    role = roles.DEPARTMENT_HANDLER
    name = "handler"
    heading = _("My department's cases")
    icon = "group"
    order = 41

    def queue_url(self):
        return reverse("cases-department:index")

    def tallies(self):
        now = timezone.now()
        open_cases = queue_reports(user=self.user, queue="department")
        return [
            Tally(
                _("Open"),
                capped(open_cases),
                reverse("cases-department:index"),
            ),
            Tally(
                _("Due soon"),
                capped(open_cases.filter(deadline__gte=now, deadline__lt=due_soon_horizon(now))),
                url_with("cases-department:index", due_soon="true"),
            ),
            Tally(
                _("Overdue"),
                capped(queue_reports(user=self.user, queue="overdue")),
                reverse("cases-overdue:index"),
                alert=True,
            ),
        ]

    def rows(self):
        # By deadline: the overdue first, then the soonest due.
        return case_rows(
            queue_reports(user=self.user, queue="department").order_by("deadline", "created_at")
        )


class SupervisorPanel(RolePanel):
    role = roles.SUPERVISOR
    name = "supervisor"
    heading = _("Awaiting my decision")
    icon = "tick-inverse"
    order = 42

    DECISION_STATES = (
        ReportState.HANDLED,
        ReportState.VERIFIED,
        ReportState.EXTENSION_REQUESTED,
        ReportState.REOPEN_REQUESTED,
    )

    def queue_url(self):
        return reverse("cases-verification:index")

    def tallies(self):
        verification = queue_reports(user=self.user, queue="verification")
        return [
            Tally(
                _("Awaiting verification"),
                capped(verification.filter(state=ReportState.HANDLED)),
                url_with("cases-verification:index", state=ReportState.HANDLED),
            ),
            Tally(
                _("Verified, to close"),
                capped(verification.filter(state=ReportState.VERIFIED)),
                url_with("cases-verification:index", state=ReportState.VERIFIED),
            ),
            Tally(
                _("Extension requests"),
                capped(verification.filter(state=ReportState.EXTENSION_REQUESTED)),
                url_with("cases-verification:index", state=ReportState.EXTENSION_REQUESTED),
            ),
            Tally(
                _("Rework requests"),
                capped(queue_reports(user=self.user, queue="reopen")),
                reverse("cases-reopen:index"),
            ),
        ]

    def rows(self):
        waiting = queue_reports(user=self.user, queue="all").filter(state__in=self.DECISION_STATES)
        return case_rows(waiting.order_by("deadline", "created_at"))


class OverdueByDepartmentPanel(RolePanel):
    """The supervisor's second panel: overdue cases per department (a small table)."""

    role = roles.SUPERVISOR
    name = "overdue-departments"
    heading = _("Overdue by department")
    icon = "time"
    order = 43
    queue_label = _("All overdue cases")

    def queue_url(self):
        return reverse("cases-overdue:index")

    def empty_text(self):
        return _("No case is overdue.")

    def tallies(self):
        return []

    def table(self):
        overdue = queue_reports(user=self.user, queue="overdue")
        # At most the cap's worth of overdue cases are grouped (one bounded query): above it,
        # the total says "999+" and the figures count the longest overdue.
        first = (
            overdue.select_related(None).order_by("deadline").values("pk")[: QUEUE_COUNT_CAP + 1]
        )
        groups = list(
            Report.objects.filter(pk__in=first)
            .values("department_id", "department__name")
            .annotate(count=Count("pk"))
            .order_by("-count", "department__name")
        )
        if not groups:
            return None
        total = sum(group["count"] for group in groups)
        return {
            "headings": [_("Department"), _("Overdue cases")],
            "rows": [
                {
                    "label": group["department__name"] or _("No department"),
                    "count": shown_count(group["count"]),
                    "url": url_with("cases-overdue:index", department=group["department_id"])
                    if group["department_id"]
                    else reverse("cases-overdue:index"),
                }
                for group in groups
            ],
            "total": shown_count(total),
            "capped": total > QUEUE_COUNT_CAP,
        }


# --- reward panels -------------------------------------------------------------------------


def claim_rows(claims) -> list[Row]:
    rows = []
    for claim in claims[:PANEL_ITEMS]:
        report = claim.report
        rows.append(
            Row(
                title=report.reference,
                url=reverse("rewards_claim", args=[claim.pk]),
                cells=[
                    str(report.category),
                    report.town.name if report.town_id else "",
                    f"{claim.amount} 元" if claim.amount is not None else "",
                ],
                tag=claim.get_state_display(),
            )
        )
    return rows


CLAIM_HEADINGS = [_("Reference"), _("Claim state"), _("Category"), _("Town"), _("Amount")]


def _claims_url(**query) -> str:
    return url_with("reward-claims:index", **query)


def _claims_awaiting_url(action: ClaimAction) -> str:
    """The claims queue filtered on the state a claim waits in for ``action``."""
    (state,) = awaiting_states(action)
    return _claims_url(show="all", state=state)


class RewardOfficerPanel(RolePanel):
    role = roles.REWARD_OFFICER
    name = "reward-officer"
    heading = _("Reward claims to assess and to pay")
    icon = "tag"
    order = 44

    def queue_url(self):
        return _claims_url()

    def _to_assess(self):
        return claims_awaiting(action=ClaimAction.ASSESS)

    def _to_pay(self):
        return claims_awaiting(action=ClaimAction.PAY)

    def tallies(self):
        return [
            # The claims queue's default view: the claims needing my action.
            Tally(_("Claims to assess"), capped(self._to_assess()), _claims_url()),
            Tally(
                _("Claims to pay"),
                capped(self._to_pay()),
                _claims_awaiting_url(ClaimAction.PAY),
            ),
        ]

    def rows(self):
        return claim_rows(self._to_assess().order_by("created_at", "pk"))

    def row_headings(self):
        return CLAIM_HEADINGS


class RewardPayerPanel(RolePanel):
    """Approved claims waiting for payment, for whoever records payments (the officers)."""

    role = roles.REWARD_OFFICER
    name = "reward-payer"
    heading = _("Approved claims to pay")
    icon = "success"
    order = 45

    def queue_url(self):
        return _claims_awaiting_url(ClaimAction.PAY)

    def tallies(self):
        return []

    def rows(self):
        return claim_rows(claims_awaiting(action=ClaimAction.PAY).order_by("approved_at", "pk"))

    def row_headings(self):
        return CLAIM_HEADINGS


class RewardApproverPanel(RolePanel):
    role = roles.REWARD_APPROVER
    name = "reward-approver"
    heading = _("Reward claims to approve")
    icon = "tag"
    order = 46

    def _to_approve(self):
        return claims_awaiting(action=ClaimAction.APPROVE)

    def queue_url(self):
        return _claims_awaiting_url(ClaimAction.APPROVE)

    def tallies(self):
        return [
            Tally(
                _("Claims to approve"),
                capped(self._to_approve()),
                _claims_awaiting_url(ClaimAction.APPROVE),
            )
        ]

    def rows(self):
        return claim_rows(self._to_approve().order_by("proposed_at", "pk"))

    def row_headings(self):
        return CLAIM_HEADINGS


# --- the auditor ---------------------------------------------------------------------------


class AuditorRevealsPanel(RolePanel):
    role = roles.AUDITOR
    name = "auditor-reveals"
    heading = _("Recent identity and contact openings")
    icon = "view"
    order = 47
    queue_label = _("The whole log")

    def queue_url(self):
        return reverse("wagtailsnippets_complaints_piiaccess:list")

    def empty_text(self):
        return _("No identity or contact detail was opened lately.")

    def tallies(self):
        since = timezone.now() - timedelta(days=AUDIT_DAYS)
        recent = PiiAccess.objects.filter(created_at__gte=since)
        list_url = reverse("wagtailsnippets_complaints_piiaccess:list")
        return [
            Tally(
                _("Informant identities opened (7 days)"),
                capped(recent.filter(informant__isnull=False)),
                f"{list_url}?{urlencode({'informant_opening': 'true'})}",
            ),
            Tally(
                _("Contact details revealed (7 days)"),
                capped(recent.filter(informant__isnull=True)),
                f"{list_url}?{urlencode({'informant_opening': 'false'})}",
            ),
        ]

    def rows(self):
        accesses = PiiAccess.objects.select_related("user", "report").order_by("-created_at", "-pk")
        return [
            Row(
                title=access.report.reference,
                url=reverse("wagtailsnippets_complaints_piiaccess:inspect", args=[access.pk]),
                cells=[
                    access.user.get_username(),
                    access.reason,
                    timezone.localtime(access.created_at).strftime("%Y-%m-%d %H:%M"),
                ],
                tag=_("Informant identity") if access.informant_id else _("Contact details"),
            )
            for access in accesses[:PANEL_ITEMS]
        ]

    def row_headings(self):
        return [_("Reference"), _("Opened"), _("Staff member"), _("Reason"), _("Time")]


class AuditorExportsPanel(RolePanel):
    role = roles.AUDITOR
    name = "auditor-exports"
    heading = _("Recent data exports")
    icon = "download"
    order = 48
    queue_label = _("All exports")

    def queue_url(self):
        return reverse("data-exports:index")

    def empty_text(self):
        return _("No data was exported lately.")

    def tallies(self):
        since = timezone.now() - timedelta(days=AUDIT_DAYS)
        recent = DataExport.objects.filter(created_at__gte=since)
        return [
            Tally(_("Exports (7 days)"), capped(recent), reverse("data-exports:index")),
            Tally(
                _("With identities (7 days)"),
                capped(recent.filter(includes_identity=True)),
                url_with("data-exports:index", includes_identity="true"),
            ),
        ]

    def rows(self):
        exports = DataExport.objects.select_related("user").order_by("-created_at", "-pk")
        return [
            Row(
                title=export.name,
                url=reverse("data-exports:inspect", args=[export.pk]),
                cells=[
                    export.user.get_username(),
                    str(export.row_count),
                    timezone.localtime(export.created_at).strftime("%Y-%m-%d %H:%M"),
                ],
                tag=_("Includes identities") if export.includes_identity else "",
            )
            for export in exports[:PANEL_ITEMS]
        ]

    def row_headings(self):
        return [
            _("Export"),
            _("Identities"),
            _("Staff member"),
            pgettext_lazy("number of exported rows", "Rows"),
            _("Time"),
        ]


PANELS: tuple[type[RolePanel], ...] = (
    IntakePanel,
    HandlerPanel,
    SupervisorPanel,
    OverdueByDepartmentPanel,
    RewardOfficerPanel,
    RewardPayerPanel,
    RewardApproverPanel,
    AuditorRevealsPanel,
    AuditorExportsPanel,
)


def role_panels(request) -> list[RolePanel]:
    """The panels of every role ``request.user``'s groups hold (a superuser without a role
    group keeps Wagtail's panels only)."""
    held = roles.user_roles_of(request.user)
    return [panel(request) for panel in PANELS if panel.role in held]


def add_role_panels(request, panels: list) -> None:
    """The ``construct_homepage_panels`` hook: the role panels before Wagtail's own."""
    panels.extend(role_panels(request))
