"""The informant's journey through HTTP: the scheme page and form, the receipt code shown once,
following up with the code alone, the reward decision, and the public transparency figures."""

import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from complaints.cases.services.transitions import report_transition
from complaints.intake.views import SESSION_TRACKED
from complaints.models import (
    ClaimState,
    DepartmentMembership,
    GridCell,
    Informant,
    Report,
    ReportKind,
    ReportState,
    RewardClaim,
    RewardFund,
    RewardRule,
)
from complaints.reference.services.reference_data import reward_rules_load_from_csv
from complaints.rewards.services.claims import (
    claim_approve,
    claim_assess,
    claim_cancel,
    claim_pay,
    fund_allocate,
)
from portal import roles
from tests.complaints.conftest import POINT, category, jpeg_bytes, photo

pytestmark = pytest.mark.django_db

CODE_RE = re.compile(r'id="receipt-code">([A-Z0-9-]{29})<')
NAME, PHONE, ACCOUNT = "李秀英", "13912345678", "6222020200112233445"
JOINT_NAME, JOINT_PHONE, JOINT_ACCOUNT = "王建国", "13700001111", "6217000010002000300"
CLIENT_IP = "203.0.113.77"


@pytest.fixture(autouse=True)
def informant_settings(settings):
    settings.COMPLAINTS_RATE_INFORMANT_IP = "100/h"
    settings.COMPLAINTS_RATE_INFORMANT_LOOKUP_IP = "100/h"


@pytest.fixture
def scheme(site, reference_data):
    """The demo taxonomy with its reward rules in force since 1 January."""
    reward_rules_load_from_csv()
    return site


@pytest.fixture
def form_url():
    return reverse("complaints:informant_report_create")


@pytest.fixture
def follow_up_url():
    return reverse("complaints:informant_follow_up")


def informant_data(**overrides) -> dict:
    """A complete violation report (偷倒垃圾, fixed ¥500) seen an hour ago, claiming the reward."""
    seen = timezone.localtime(timezone.now() - timedelta(hours=1))
    data = {
        "submission_token": str(uuid.uuid4()),
        "draft_token": uuid.uuid4().hex + uuid.uuid4().hex[:8],
        "category": str(category("event", "0105").pk),
        "description": "有人开着小货车在河边倒建筑垃圾，车牌看不清。",
        "observed_at": seen.strftime("%Y-%m-%dT%H:%M"),
        "town": "",
        "community": "",
        "grid_cell": "",
        "address": "太湖大道 100 号东侧河边",
        "latitude": str(POINT[0]),
        "longitude": str(POINT[1]),
        "reward": "claim",
        "name": NAME,
        "phone": PHONE,
        "payment_account": ACCOUNT,
        "joint_name": "",
        "joint_phone": "",
        "joint_payment_account": "",
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def file_report(client, url, data=None, **files):
    """Post the form, then open the receipt; returns (report, receipt code)."""
    response = client.post(url, {**(data or informant_data()), **files})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("complaints:informant_receipt")
    receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    code = CODE_RE.search(receipt.content.decode()).group(1)
    reference = re.search(r'id="receipt-reference">(BH-\d{4}-\d{6})<', receipt.content.decode())
    return Report.objects.get(reference=reference.group(1)), code


def in_cell(cell, **overrides) -> dict:
    """The report placed by town, community and grid cell instead of coordinates."""
    return informant_data(
        latitude="",
        longitude="",
        town=str(cell.community.town_id),
        community=str(cell.community_id),
        grid_cell=str(cell.pk),
        **overrides,
    )


def follow_up(client, url, code):
    return client.post(url, {"code": code})


def claim_states(html: str) -> list[str]:
    return re.findall(r'data-claim-state="([a-z]+)"', html)


def close_case(report: Report, make_staff) -> Report:
    """Staff take the case through the workflow to closure, as in the case admin."""
    intake = make_staff(roles.INTAKE_OPERATOR)
    supervisor = make_staff(roles.SUPERVISOR)
    handler = make_staff(roles.DEPARTMENT_HANDLER)
    department = report.category.default_department
    DepartmentMembership.objects.create(user=handler, department=department)
    report_transition(report=report, action="register", actor=intake)
    report_transition(report=report, action="dispatch", actor=intake, department=department)
    after = SimpleUploadedFile("after.jpg", jpeg_bytes(), "image/jpeg")
    report_transition(report=report, action="handle", actor=handler, note="已清运", photos=[after])
    report_transition(report=report, action="verify_pass", actor=supervisor, note="现场已清理")
    report_transition(report=report, action="close", actor=supervisor)
    report.refresh_from_db()
    assert report.state == ReportState.CLOSED
    return report


@pytest.fixture
def reward_staff(make_staff):
    officer = make_staff(roles.REWARD_OFFICER)
    approver = make_staff(roles.REWARD_APPROVER)
    RewardFund.objects.create(year=timezone.localdate().year, budget=Decimal("10000"))
    fund_allocate(year=timezone.localdate().year, amount=Decimal("5000"), actor=approver)
    return officer, approver


def pay(claim: RewardClaim, officer, approver, reference="ZF-2026-0001") -> RewardClaim:
    claim = claim_assess(claim=claim, actor=officer)
    assert claim.state == ClaimState.ELIGIBLE, claim.reasons
    claim_approve(claim=claim, actor=approver)
    claim_pay(claim=claim, actor=officer, payment_reference=reference)
    claim.refresh_from_db()
    return claim


# --- the scheme page and form -------------------------------------------------------------


def test_form_lists_the_rules_in_force_and_the_eligible_categories_only(client, scheme, form_url):
    response = client.get(form_url)
    assert response.status_code == 200
    html = response.content.decode()
    rules = RewardRule.objects.select_related("category")
    # The reference data's violation rules (绿地 is a facility, not a violation: no rule).
    assert rules.count() == 13
    for rule in rules:
        assert f'data-category="{rule.category_id}"' in html
    assert "¥500" in html  # 偷倒垃圾, fixed
    assert "m²" in html  # 私搭乱建, per unit with its bounds
    assert "¥20" in html and "¥500" in html
    choices = [value for value, _label in response.context["form"].fields["category"].choices]
    assert str(category("event", "0102").pk) not in map(str, choices)  # not reward-eligible
    assert category("event", "0105").pk in choices
    for name in ("observed_at", "photos", "reward", "name", "phone", "payment_account"):
        assert f'name="{name}"' in html
    # The time seen is typed as text with its format shown (the browser's picker would show
    # its own "mm/dd/yyyy"): tests/complaints/rewards/test_forms_observed_at.py.
    assert 'type="datetime-local"' not in html
    assert 'name="website"' in html and 'name="submission_token"' in html
    assert reverse("complaints:reward_transparency") in html


def test_scheme_explained_in_english(client, scheme):
    html = client.get("/en/report-violation/").content.decode()
    assert "Report a violation" in html
    assert "We do not store your IP address" in html
    assert "¥1 per m², at least ¥20, at most ¥500" in html
    assert "close-up photo" in html


def test_a_rule_not_yet_in_force_is_not_offered(client, scheme, form_url):
    tomorrow = timezone.localdate() + timedelta(days=1)
    barbecue = category("event", "0506")
    RewardRule.objects.filter(category=barbecue).update(effective_from=tomorrow)
    response = client.get(form_url)
    choices = [value for value, _label in response.context["form"].fields["category"].choices]
    assert barbecue.pk not in choices
    answer = client.post(form_url, informant_data(category=str(barbecue.pk)))
    assert answer.status_code == 200 and "category" in answer.context["form"].errors
    assert not Report.objects.exists()


# --- the journey ---------------------------------------------------------------------------


def test_journey_report_receipt_follow_up_and_reward_paid(
    client, scheme, form_url, follow_up_url, make_staff, reward_staff
):
    report, code = file_report(
        client, form_url, photos=[photo("near.jpg"), photo("far.jpg", jpeg_bytes(gps=True))]
    )
    assert report.kind == ReportKind.INFORMANT
    assert report.is_public is False
    assert report.is_anonymous
    assert (report.contact_name, report.contact_phone, report.contact_email) == ("", "", "")
    assert report.observed_at is not None
    assert report.attachments.count() == 2
    assert report.grid_cell is not None  # found from the coordinates like a complaint
    informant = Informant.objects.get(report=report)
    assert (informant.name, informant.phone, informant.payment_account) == (NAME, PHONE, ACCOUNT)
    assert RewardClaim.objects.get(report=report).state == ClaimState.PENDING
    assert code not in report.access_code_hash and len(code) == 29

    # The receipt code is shown once only.
    again = client.get(reverse("complaints:informant_receipt"))
    assert again.status_code == 200
    assert code not in again.content.decode() and 'id="receipt-shown"' in again.content.decode()
    # And the report is not added to this browser's complaint tracking list.
    assert report.reference not in client.session.get(SESSION_TRACKED, [])
    status_url = reverse("complaints:report_status", kwargs={"reference": report.reference})
    assert client.get(status_url).status_code == 302

    # Another browser follows up with the code alone (lower case, spaces instead of dashes).
    other = client.__class__()
    page = follow_up(other, follow_up_url, code.lower().replace("-", " "))
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0")
    html = page.content.decode()
    assert report.reference in html and report.category.name in html
    assert 'data-state="received"' in html
    assert claim_states(html) == ["pending"]
    assert NAME not in html and PHONE not in html and ACCOUNT not in html

    # Staff close the case; the reward officer proposes, the approver approves, payment.
    close_case(report, make_staff)
    officer, approver = reward_staff
    claim = pay(RewardClaim.objects.get(report=report), officer, approver)
    assert claim.amount == Decimal("500.00")

    html = follow_up(other, follow_up_url, code).content.decode()
    assert 'data-state="closed"' in html
    assert claim_states(html) == ["paid"]
    assert 'data-amount="500.00"' in html
    assert "ZF-2026-0001" in html
    assert timezone.localtime(claim.paid_at).strftime("%Y-%m-%d") in html
    # Nothing about the staff who handled it, nor their notes.
    for staff in (officer, approver):
        assert staff.username not in html
    assert "已清运" not in html and "现场已清理" not in html
    assert NAME not in html and PHONE not in html and ACCOUNT not in html


def test_follow_up_shows_why_a_claim_is_not_eligible(
    client, scheme, form_url, follow_up_url, make_staff, reward_staff
):
    seen = timezone.localtime(timezone.now() - timedelta(days=5))  # the window is 3 days
    report, code = file_report(
        client, form_url, informant_data(observed_at=seen.strftime("%Y-%m-%dT%H:%M"))
    )
    close_case(report, make_staff)
    officer, _approver = reward_staff
    claim = claim_assess(claim=RewardClaim.objects.get(report=report), actor=officer)
    assert claim.state == ClaimState.INELIGIBLE
    assert [r["code"] for r in claim.reasons if not r["ok"]] == ["window"]

    # Assessed in Chinese (the staff's language), read in the informant's language.
    response = client.__class__().post(f"/en{follow_up_url}", {"code": code})
    html = response.content.decode()
    assert claim_states(html) == ["ineligible"]
    assert "Reported more than 3 days after the violation was seen." in html
    assert "data-amount" not in html
    with translation.override("zh-hans"):
        chinese = translation.gettext(
            "Reported more than %(days)s days after the violation was seen."
        )
    assert chinese != "Reported more than %(days)s days after the violation was seen."
    html = client.__class__().post(follow_up_url, {"code": code}).content.decode()
    assert chinese % {"days": 3} in html


def test_joint_reporters_each_have_a_claim_and_share_the_reward(
    client, scheme, form_url, follow_up_url, make_staff, reward_staff
):
    data = informant_data(
        joint_name=JOINT_NAME, joint_phone=JOINT_PHONE, joint_payment_account=JOINT_ACCOUNT
    )
    report, code = file_report(client, form_url, data)
    assert report.informants.count() == 2
    close_case(report, make_staff)
    officer, approver = reward_staff
    for claim in RewardClaim.objects.filter(report=report):
        assert pay(claim, officer, approver, reference=f"ZF-{claim.pk}").amount == Decimal("250")
    html = follow_up(client, follow_up_url, code).content.decode()
    assert claim_states(html) == ["paid", "paid"]
    assert html.count('data-amount="250.00"') == 2
    assert JOINT_NAME not in html and NAME not in html


def test_without_identity_there_is_no_claim(client, scheme, form_url, follow_up_url):
    data = informant_data(reward="none", name="", phone="", payment_account="")
    _report, code = file_report(client, form_url, data)
    assert not Informant.objects.exists() and not RewardClaim.objects.exists()
    html = follow_up(client, follow_up_url, code).content.decode()
    assert claim_states(html) == ["none"]


def test_identity_given_but_no_reward_chosen_is_not_kept(client, scheme, form_url):
    file_report(client, form_url, informant_data(reward="none"))
    assert not Informant.objects.exists()


@pytest.mark.parametrize("missing", ["name", "phone", "payment_account"])
def test_claiming_needs_all_three_identity_fields(client, scheme, form_url, missing):
    response = client.post(form_url, informant_data(**{missing: ""}))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [missing]
    assert f'id="field-{missing}"' in response.content.decode()
    assert not Report.objects.exists()


def test_joint_reporter_all_or_nothing_and_own_phone(client, scheme, form_url):
    response = client.post(form_url, informant_data(joint_name=JOINT_NAME))
    assert set(response.context["form"].errors) == {"joint_phone", "joint_payment_account"}
    response = client.post(
        form_url,
        informant_data(
            joint_name=JOINT_NAME, joint_phone=PHONE, joint_payment_account=JOINT_ACCOUNT
        ),
    )
    # Checked by the service: each joint reporter needs their own phone.
    assert response.status_code == 200 and "phone" in response.context["form"].errors
    assert not Report.objects.exists()


def test_choice_of_reward_is_required(client, scheme, form_url):
    response = client.post(form_url, informant_data(reward=""))
    assert "reward" in response.context["form"].errors
    assert not Report.objects.exists()


def test_bad_input_is_answered_next_to_the_field(client, scheme, form_url):
    future = timezone.localtime(timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        form_url,
        informant_data(
            observed_at=future,
            category=str(category("event", "0102").pk),  # not in the reward scheme
            phone="12345",
        ),
    )
    assert response.status_code == 200
    assert {"observed_at", "category", "phone"} <= set(response.context["form"].errors)
    response = client.post(form_url, informant_data(observed_at=""))
    assert "observed_at" in response.context["form"].errors
    assert not Report.objects.exists()


def test_photos_are_kept_when_another_field_is_wrong(client, scheme, form_url):
    data = informant_data(description="")
    response = client.post(form_url, {**data, "photos": [photo()]})
    assert response.status_code == 200 and len(response.context["form"].drafts) == 1
    report, _code = file_report(client, form_url, {**data, "description": "河边有人倒垃圾。"})
    assert report.attachments.count() == 1


def test_double_submission_files_one_report(client, scheme, form_url):
    data = informant_data()
    file_report(client, form_url, data)
    again = client.post(form_url, data)
    assert again.status_code == 302
    assert Report.objects.count() == 1 and Informant.objects.count() == 1


def test_honeypot_discards_the_post(client, scheme, form_url):
    response = client.post(form_url, informant_data(website="http://spam.example"))
    assert response.status_code == 400
    assert not Report.objects.exists()


def test_receipt_without_a_report_leads_to_the_form(client, scheme):
    response = client.get(reverse("complaints:informant_receipt"))
    assert response.status_code == 302
    assert response["Location"] == reverse("complaints:informant_report_create")


# --- sealed identity and no IP -------------------------------------------------------------


def _raw_rows(model) -> list[str]:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - a model's own table name
        return [" ".join(str(value) for value in row) for row in cursor.fetchall()]


def test_identity_is_never_stored_in_clear_and_no_ip_anywhere(scheme, form_url):
    from django.test import Client

    client = Client(REMOTE_ADDR=CLIENT_IP)
    data = informant_data(
        joint_name=JOINT_NAME, joint_phone=JOINT_PHONE, joint_payment_account=JOINT_ACCOUNT
    )
    file_report(client, form_url, data)
    secrets = (NAME, PHONE, ACCOUNT, JOINT_NAME, JOINT_PHONE, JOINT_ACCOUNT)
    for model in (Report, Informant, RewardClaim):
        for row in _raw_rows(model):
            for secret in secrets:
                assert secret not in row, (model.__name__, secret)
    # No table of the whole database holds the informant's address.
    for model in apps.get_models():
        if not model._meta.managed:
            continue  # no table of its own (portal.RoleMarker only carries permissions)
        for row in _raw_rows(model):
            assert CLIENT_IP not in row, model.__name__


# --- follow-up errors and rate limits -----------------------------------------------------


def test_wrong_or_malformed_code_is_refused(client, scheme, form_url, follow_up_url):
    _report, code = file_report(client, form_url)
    wrong = ("2" if code[0] != "2" else "3") + code[1:]
    response = follow_up(client, follow_up_url, wrong)
    assert response.status_code == 404
    assert "code" in response.context["form"].errors
    assert "informant-status" not in response.content.decode()
    short = follow_up(client, follow_up_url, "ABCD-EFGH")
    assert short.status_code == 200 and "code" in short.context["form"].errors
    assert client.get(follow_up_url).status_code == 200


def test_a_complaint_access_code_does_not_open_the_follow_up(client, scheme, follow_up_url):
    from complaints.privacy.codes import access_code_hash, receipt_code_generate

    code = receipt_code_generate()
    report, _code = file_report(client, reverse("complaints:informant_report_create"))
    Report.objects.filter(pk=report.pk).update(
        kind=ReportKind.COMPLAINT, access_code_hash=access_code_hash(code)
    )
    assert follow_up(client, follow_up_url, code).status_code == 404


def test_the_complaint_tracking_page_does_not_open_an_informant_report(client, scheme, form_url):
    report, code = file_report(client, form_url)
    status_url = reverse("complaints:report_status", kwargs={"reference": report.reference})
    # The QR-link path of complaints (reference and code in the URL) stays shut.
    assert client.get(status_url, {"code": code}).status_code == 404
    assert report.reference not in client.session.get(SESSION_TRACKED, [])


def test_submission_rate_limit_gives_429(client, scheme, form_url, settings):
    settings.COMPLAINTS_RATE_INFORMANT_IP = "2/h"
    for _ in range(2):
        assert client.post(form_url, informant_data()).status_code == 302
    assert client.post(form_url, informant_data()).status_code == 429
    assert Report.objects.count() == 2
    # Another address is counted apart.
    other = client.__class__(REMOTE_ADDR="198.51.100.20")
    assert other.post(form_url, informant_data()).status_code == 302


def test_follow_up_rate_limit_gives_429(client, scheme, follow_up_url, settings):
    settings.COMPLAINTS_RATE_INFORMANT_LOOKUP_IP = "3/h"
    codes = [
        follow_up(client, follow_up_url, "2222-3333-4444-5555-6666-7777").status_code
        for _ in range(4)
    ]
    assert codes == [404, 404, 404, 429]


def test_rate_limit_key_is_a_keyed_hash_of_the_address(settings):
    from django.test import RequestFactory

    from complaints.privacy.crypto import keyed_hash
    from complaints.shared.ratelimits import key_informant_ip

    request = RequestFactory().post("/", REMOTE_ADDR=CLIENT_IP)
    key = key_informant_ip("g", request)
    assert CLIENT_IP not in key and len(key) == 64
    assert key == keyed_hash(CLIENT_IP, purpose="informant-rate")
    assert key != keyed_hash(CLIENT_IP, purpose="access-code")


# --- transparency ------------------------------------------------------------------------


def test_transparency_counts_paid_rewards_per_month_and_category(
    client, scheme, form_url, make_staff, reward_staff
):
    officer, approver = reward_staff
    cells = list(GridCell.objects.select_related("community")[:4])
    paid = []
    for n, code in enumerate(["0105", "0105", "0201"]):
        report, _code = file_report(
            client, form_url, in_cell(cells[n], category=str(category("event", code).pk))
        )
        close_case(report, make_staff)
        paid.append(pay(report.reward_claims.get(), officer, approver, reference=f"ZF-{n}"))
    # A payout reversed later does not count.
    claim_cancel(claim=paid[2], actor=officer, reason="举报人系工作人员亲属")
    # Test set-up: one of the remaining payments was made two months ago.
    two_months_ago = timezone.now() - timedelta(days=62)
    RewardClaim.objects.filter(pk=paid[1].pk).update(paid_at=two_months_ago)
    file_report(client, form_url, in_cell(cells[3]))  # pending claims do not count either

    response = client.get(reverse("complaints:reward_transparency"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-reports="2" data-amount="1000.00"' in html  # the 12-month total
    months = {m.month: m for m in response.context["months"]}
    assert len(months) == 12
    this_month = timezone.localdate().replace(day=1)
    earlier = timezone.localtime(two_months_ago).date().replace(day=1)
    assert months[this_month].reports == 1 and months[this_month].amount == Decimal("500")
    assert months[earlier].reports == 1
    assert [row.category_name for row in months[this_month].rows] == ["偷倒垃圾"]
    assert "小广告" not in html  # the reversed one
    for secret in (NAME, PHONE, ACCOUNT, officer.username):
        assert secret not in html

    year = client.get(reverse("complaints:reward_transparency"), {"year": this_month.year})
    assert year.status_code == 200
    assert all(m.month.year == this_month.year for m in year.context["months"])
    bogus = client.get(reverse("complaints:reward_transparency"), {"year": "1999"})
    assert bogus.status_code == 200 and len(bogus.context["months"]) == 12


def test_transparency_in_english_without_any_payment(client, scheme):
    html = client.get("/en/rewards/transparency/").content.decode()
    assert "Rewards paid for reported violations" in html
    assert "Last 12 months: 0 rewarded reports" in html


def test_complaint_form_never_suggests_an_informant_report_nearby(client, scheme, form_url):
    from tests.complaints.conftest import form_data

    file_report(client, form_url)
    complaint = form_data(category=str(category("event", "0105").pk))
    response = client.__class__().post(reverse("complaints:report_create"), complaint)
    assert response.status_code == 302  # filed at once: no "is it one of these?" step
    assert Report.objects.filter(kind=ReportKind.COMPLAINT).count() == 1
