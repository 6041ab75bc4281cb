"""'Add my voice' may open only a public open complaint that the form itself offered.

The outside review found that any reference typed into the ``support`` field was accepted, so a
visitor could follow an informant report or a private complaint by guessing its sequential
reference, and that the answers told an existing reference from a made-up one. These tests go
through the public form, as that visitor would.
"""

import re
import uuid

import pytest

from complaints.intake.inputs import ReportInput
from complaints.intake.services.reports import report_submit
from complaints.intake.views import support_offer_sign
from complaints.models import CaseEvent, Category, Report, ReportKind, ReportState, ReportSupporter
from tests.complaints.conftest import POINT, POINT_NEARBY, category, form_data
from tests.support.factories import report_walk

pytestmark = pytest.mark.django_db

VOLATILE = [
    re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'),
    re.compile(r'nonce="[^"]+"'),
]


def normalised(response) -> tuple[int, str]:
    """The response as a visitor could compare it: status and body without per-request tokens."""
    body = response.content.decode()
    for pattern in VOLATILE:
        body = pattern.sub("", body)
    return response.status_code, body


def plant(*, kind=ReportKind.COMPLAINT, is_public=True, cat: Category | None = None) -> Report:
    """A report filed at the form's point, in the form's category unless told otherwise."""
    return report_submit(
        input=ReportInput(
            submission_token=uuid.uuid4(),
            category=cat or category("event", "0102"),
            description="河边有人偷倒垃圾。",
            latitude=POINT[0],
            longitude=POINT[1],
            contact_phone="13700000000",
            consent_to_contact=True,
            is_public=is_public,
            kind=kind,
        )
    ).report


def nearby_form(**overrides) -> dict:
    """The form a neighbour fills in about 100 m away, with a fixed submission token."""
    return form_data(
        latitude=str(POINT_NEARBY[0]),
        longitude=str(POINT_NEARBY[1]),
        contact_phone="13900001111",
        contact_email="",
        **overrides,
    )


def nothing_stored(*reports: Report) -> None:
    assert not ReportSupporter.objects.exists()
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.SUPPORTER_ADDED).exists()
    for report in reports:
        report.refresh_from_db()
        assert report.supporter_count == 0


def test_only_public_open_complaints_are_suggested(client, site, reference_data, report_url):
    shown = plant()
    plant(kind=ReportKind.INFORMANT)
    plant(is_public=False)
    closed = plant()
    report_walk(closed, ReportState.CLOSED)
    response = client.post(report_url, nearby_form())
    assert response.status_code == 200
    assert [r for r, _state in response.context["nearby"]] == [shown]


def test_category_not_shown_publicly_is_never_suggested(client, site, reference_data, report_url):
    hidden = plant()
    Category.objects.filter(pk=hidden.category_id).update(public_allowed=False)
    response = client.post(report_url, nearby_form(confirm_new=None))
    # No suggestion: the report is filed as a new one straight away.
    assert response.status_code == 302
    assert hidden.reference not in response.content.decode()


def test_offered_report_can_be_supported(client, site, reference_data, report_url):
    open_report = plant()
    data = nearby_form()
    offer_page = client.post(report_url, data)
    offer = re.search(r'name="support_offer" value="([^"]+)"', offer_page.content.decode())
    assert offer is not None
    response = client.post(
        report_url, {**data, "support": open_report.reference, "support_offer": offer.group(1)}
    )
    assert response.status_code == 302
    open_report.refresh_from_db()
    assert open_report.supporter_count == 1


@pytest.mark.parametrize(
    "target",
    ["informant", "private", "closed", "made_up", "not_offered", "forged_offer", "other_form"],
)
def test_every_refusal_is_the_same_and_stores_nothing(
    client, site, reference_data, report_url, target
):
    informant = plant(kind=ReportKind.INFORMANT)
    private = plant(is_public=False)
    closed = plant()
    report_walk(closed, ReportState.CLOSED)
    public = plant()
    data = nearby_form()
    # A genuinely offered, open public complaint gives the baseline refusal when its offer is
    # missing; every other case must answer exactly like it.
    baseline = client.post(report_url, {**data, "support": public.reference})

    reference, offer = {
        # Even a validly signed offer naming them (which the form never makes) is refused.
        "informant": (informant.reference, [informant.reference]),
        "private": (private.reference, [private.reference]),
        "closed": (closed.reference, [closed.reference]),
        "made_up": ("BH-2026-999999", ["BH-2026-999999"]),
        "not_offered": (public.reference, []),
        "forged_offer": (public.reference, None),
        "other_form": (public.reference, "other-token"),
    }[target]
    if offer is None:
        signed = "eyJ0IjoiIn0:forged:signature"
    elif offer == "other-token":
        signed = support_offer_sign([public.reference], submission_token=uuid.uuid4())
    else:
        signed = support_offer_sign(offer, submission_token=data["submission_token"])
    response = client.post(report_url, {**data, "support": reference, "support_offer": signed})

    assert normalised(response) == normalised(baseline)
    assert response.status_code == 200
    assert "无法附议该诉求" in response.content.decode()
    nothing_stored(informant, private, closed, public)
    assert "complaints_supported" not in client.session


def test_sweeping_references_around_an_informant_report_tells_nothing(
    client, site, reference_data, report_url
):
    before = plant(is_public=False)
    informant = plant(kind=ReportKind.INFORMANT)
    after = plant(is_public=False)
    prefix, number = informant.reference.rsplit("-", 1)
    data = nearby_form()
    answers = {}
    for n in range(int(number) - 5, int(number) + 6):
        reference = f"{prefix}-{n:06d}"
        # The sweeper even brings a signed offer naming the reference they try.
        offer = support_offer_sign([reference], submission_token=data["submission_token"])
        answers[reference] = normalised(
            client.post(report_url, {**data, "support": reference, "support_offer": offer})
        )
    assert {before.reference, informant.reference, after.reference} <= answers.keys()
    assert len(set(answers.values())) == 1, "a reference answered differently from the others"
    nothing_stored(before, informant, after)
