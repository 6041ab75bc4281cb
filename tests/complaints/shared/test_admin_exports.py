"""Formula injection in exports: text planted in forms and settings reaches every CSV and XLSX
the portal produces, downloaded through HTTP by the role that may, and is never a formula.

Each export is opened from its raw bytes (``csv`` / ``openpyxl.load_workbook``): no cell may
start with a formula character, no XLSX cell may be typed "f", and each planted payload must be
there, escaped with a leading apostrophe (so the checks cannot pass on an empty file).
"""

import csv
import io
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.admin.views.mixins import SpreadsheetExportMixin

from complaints.models import (
    Department,
    GridCell,
    Holiday,
    PiiAccess,
    Report,
    RewardClaim,
    RoutingRule,
    Town,
)
from complaints.rewards.services.informants import IdentityInput
from portal import roles
from portal.exports import FormulaSafeExportMixin, safe_cell
from tests.complaints.conftest import POINT, category
from tests.support.cases import submit
from tests.support.rewards import (
    close,
    dumping,
    inform,
    paid_claim,
    rule,
)

pytestmark = pytest.mark.django_db

# What a spreadsheet program reads as the start of a formula (kept apart from the code under
# test on purpose).
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
LINK = '=HYPERLINK("http://evil.example","x")'
PAYLOADS = {
    "equals": LINK,
    "plus": '+HYPERLINK("http://evil.example","x")',
    "minus": "-2+3+cmd|' /C calc'!A0",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\t" + LINK,
    "cr": "\r" + LINK,
}
FORMATS = ["csv", "xlsx"]


def _same(text: str) -> str:
    # XML turns a bare CR into LF when the workbook is read back.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def download(client, url: str, export_format: str) -> list[tuple[object, str | None]]:
    """GET the listing's export; every cell of it as (value, openpyxl data type or None)."""
    response = client.get(url, {"export": export_format})
    assert response.status_code == 200, response
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if export_format == "csv":
        assert response["Content-Type"].startswith("text/csv")
        rows = csv.reader(io.StringIO(body.decode("utf-8"), newline=""))
        return [(value, None) for row in rows for value in row]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return workbook_cells(body)


def workbook_cells(body: bytes) -> list[tuple[object, str | None]]:
    workbook = load_workbook(io.BytesIO(body))
    return [
        (cell.value, cell.data_type)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
    ]


def assert_formula_safe(cells, planted) -> None:
    for value, data_type in cells:
        assert data_type != "f", value
        if isinstance(value, str):
            assert not value.startswith(TRIGGERS), repr(value)
    texts = {_same(value) for value, _type in cells if isinstance(value, str)}
    for payload in planted:
        assert _same("'" + payload) in texts, (payload, texts)


def test_the_helper_escapes_text_only():
    assert safe_cell(LINK) == "'" + LINK
    assert safe_cell("  =1+1") == "'  =1+1"
    assert safe_cell("赵 =1") == "赵 =1"
    assert safe_cell("") == ""
    for number in (-5, -2.5, Decimal("-50.00"), 0):
        assert safe_cell(number) == number
    moment = datetime(2026, 1, 2, 3, 4)
    assert safe_cell(moment) is moment and safe_cell(None) is None


# --- Wagtail listing exports ---------------------------------------------------------------


@pytest.mark.parametrize("export_format", FORMATS)
def test_holiday_names(client, supervisor, export_format):
    first = date(2031, 1, 1)
    for offset, payload in enumerate(PAYLOADS.values()):
        Holiday.objects.create(date=first + timedelta(days=offset), name=payload)
    client.force_login(supervisor)
    url = reverse("wagtailsnippets_complaints_holiday:list")
    cells = download(client, url, export_format)
    assert_formula_safe(cells, PAYLOADS.values())
    if export_format == "xlsx":  # dates stay dates
        assert (date(2031, 1, 1), "d") in {(v, t) for v, t in cells if isinstance(v, date)}


@pytest.mark.parametrize("export_format", FORMATS)
def test_routing_rule_notes(client, supervisor, export_format):
    towns = list(Town.objects.order_by("pk"))
    department = Department.objects.first()
    for town, payload in zip(towns, PAYLOADS.values(), strict=False):
        RoutingRule.objects.create(
            category=dumping(), town=town, department=department, note=payload
        )
    planted = list(PAYLOADS.values())[: len(towns)]
    assert len(planted) >= 4
    client.force_login(supervisor)
    url = reverse("wagtailsnippets_complaints_routingrule:list")
    assert_formula_safe(download(client, url, export_format), planted)


@pytest.mark.parametrize("export_format", FORMATS)
def test_reward_rule_officer_notes_keep_amounts_as_numbers(client, staff, scheme, export_format):
    start = timezone.localdate() - timedelta(days=100)
    for offset, payload in enumerate(PAYLOADS.values()):
        rule(
            dumping(),
            amount="75.50",
            effective_from=start - timedelta(days=offset),
            evidence_note=payload,
        )
    client.force_login(staff["officer"])
    cells = download(client, reverse("reward-rules:index"), export_format)
    assert_formula_safe(cells, PAYLOADS.values())
    if export_format == "xlsx":
        assert (75.5, "n") in {(v, t) for v, t in cells if not isinstance(v, str)}


@pytest.mark.parametrize("export_format", FORMATS)
def test_pii_access_reasons(client, staff, closed_claim, make_staff, export_format):
    # One reason typed into the real reveal form...
    client.force_login(staff["approver"])
    reveal = reverse("rewards_claim_reveal", args=[closed_claim.pk])
    assert client.post(reveal, {"reason": LINK}).status_code == 200
    assert PiiAccess.objects.get().reason == LINK
    # ...the others (the form strips leading white space) and a username Django accepts.
    odd_user = make_staff(roles.REWARD_APPROVER, "-evil+1")
    for payload in list(PAYLOADS.values())[1:]:
        PiiAccess.objects.create(
            user=odd_user,
            report=closed_claim.report,
            informant=closed_claim.informant,
            fields="name",
            reason=payload,
        )
    client.force_login(staff["auditor"])
    url = reverse("wagtailsnippets_complaints_piiaccess:list")
    assert_formula_safe(download(client, url, export_format), [*PAYLOADS.values(), "-evil+1"])


@pytest.mark.parametrize("export_format", FORMATS)
def test_case_queue_rows(client, intake, export_format):
    report = submit()
    town_payload, department_payload = PAYLOADS["at"], PAYLOADS["plus"]
    Town.objects.filter(pk=report.town_id).update(name=town_payload)
    department = Department.objects.exclude(pk=report.department_id).first()
    Department.objects.filter(pk=department.pk).update(name=department_payload)
    Report.objects.filter(pk=report.pk).update(department=department)
    client.force_login(intake)
    cells = download(client, reverse("cases-triage:index"), export_format)
    values = {_same(v) for v, _t in cells if isinstance(v, str)}
    assert report.reference in values
    # The community is written "town · community": escaped as a whole.
    assert_formula_safe(cells, [town_payload, department_payload])


@pytest.mark.parametrize("export_format", FORMATS)
def test_reference_data_names(client, make_staff, reference_data, export_format):
    towns = list(Town.objects.order_by("pk"))
    for town, payload in zip(towns, PAYLOADS.values(), strict=False):
        Town.objects.filter(pk=town.pk).update(name=payload + town.code)
    client.force_login(make_staff(None))
    url = reverse("wagtailsnippets_complaints_town:list")
    planted = [p + t.code for t, p in zip(towns, PAYLOADS.values(), strict=False)]
    assert_formula_safe(download(client, url, export_format), planted)


def _admin_views(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _admin_views(pattern.url_patterns)
        else:
            yield pattern.callback


def test_every_listing_export_of_the_project_models_is_formula_safe():
    """A new viewset on Wagtail's own base (not complaints/shared/admin_exports.py) fails here."""
    exporting = {}
    for view in _admin_views(get_resolver().url_patterns):
        view_class = getattr(view, "view_class", None)
        model = getattr(view, "view_initkwargs", {}).get("model")
        if not (view_class and model and issubclass(view_class, SpreadsheetExportMixin)):
            continue
        if not view.view_initkwargs.get("list_export", view_class.list_export):
            continue  # no export (CSV/XLSX with no column)
        if model._meta.app_label in ("complaints", "cms", "portal"):
            exporting.setdefault(model._meta.model_name, set()).add(view_class)
    expected = {
        "holiday",
        "routingrule",
        "satisfactionresponse",
        "piiaccess",
        "report",
        "rewardrule",
        "dataexport",
        "identityerasure",
        "category",
        "town",
    }
    assert expected <= set(exporting), set(exporting)
    for model_name, view_classes in exporting.items():
        for view_class in view_classes:
            assert issubclass(view_class, FormulaSafeExportMixin), (model_name, view_class)


# --- the finance workbook ------------------------------------------------------------------


TOWN_PAYLOADS = [PAYLOADS["tab"], PAYLOADS["cr"]]
REFERENCES = [PAYLOADS["minus"], PAYLOADS["at"], PAYLOADS["equals"]]


@pytest.fixture
def planted_payments(staff, scheme, site, client, settings):
    """One informant files through the public form with a formula for a name and account, two
    through the builders; each claim is paid with an officer's payment reference that is a
    formula too. The services strip names, accounts and references, so the tab / CR variants
    go into the names of the reports' towns (staff-managed reference data)."""
    settings.COMPLAINTS_RATE_INFORMANT_IP = "100/h"
    seen = timezone.localtime(timezone.now() - timedelta(hours=1))
    response = client.post(
        reverse("complaints:informant_report_create"),
        {
            "submission_token": str(uuid.uuid4()),
            "draft_token": uuid.uuid4().hex + uuid.uuid4().hex[:8],
            "category": str(category("event", "0105").pk),
            "description": "有人开着小货车在河边倒建筑垃圾。",
            "observed_at": seen.strftime("%Y-%m-%dT%H:%M"),
            "address": "太湖大道 100 号东侧河边",
            "latitude": str(POINT[0]),
            "longitude": str(POINT[1]),
            "reward": "claim",
            "name": PAYLOADS["equals"],
            "phone": "13955550101",
            "payment_account": PAYLOADS["plus"],
            "website": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    reports = [Report.objects.get()]
    # Elsewhere (a second report of the same spot would not be the first, so not rewarded).
    other_cells = GridCell.objects.exclude(pk=reports[0].grid_cell_id).order_by("pk")
    variants = [(PAYLOADS["at"], PAYLOADS["minus"]), (PAYLOADS["minus"], PAYLOADS["at"])]
    for phone, (name, account), cell in zip(
        ("13955550102", "13955550103"), variants, other_cells, strict=False
    ):
        sealed = IdentityInput(name=name, phone=phone, payment_account=account)
        reports.append(inform(cell=cell, identities=[sealed]))
    for report, reference in zip(reports, REFERENCES, strict=True):
        close(report, staff["supervisor"])
        paid_claim(
            report, officer=staff["officer"], approver=staff["approver"], reference=reference
        )
    assert RewardClaim.objects.filter(paid_at__isnull=False).count() == 3
    towns = Town.objects.order_by("pk")[:2]
    for report, town, payload in zip(reports[1:], towns, TOWN_PAYLOADS, strict=True):
        Town.objects.filter(pk=town.pk).update(name=payload)
        Report.objects.filter(pk=report.pk).update(town=town)
    return reports


def _finance_export(client):
    today = timezone.localdate()
    period = {"start": str(today - timedelta(days=1)), "end": str(today)}
    response = client.post(reverse("rewards_export"), period)
    assert response.status_code == 200
    return workbook_cells(response.content)


def test_finance_workbook_with_identities(client, staff, planted_payments):
    client.force_login(staff["officer"])
    cells = _finance_export(client)
    assert_formula_safe(cells, PAYLOADS.values())
    # Amounts stay numbers and payment times stay dates.
    assert (50, "n") in {(v, t) for v, t in cells if not isinstance(v, str)}
    assert any(isinstance(v, datetime) for v, _t in cells)


def test_finance_workbook_without_identities(client, staff, planted_payments):
    client.force_login(staff["auditor"])
    cells = _finance_export(client)
    assert_formula_safe(cells, [*REFERENCES, *TOWN_PAYLOADS])
    assert "'" + PAYLOADS["plus"] not in {v for v, _t in cells}
