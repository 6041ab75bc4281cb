"""The statistics screen and the score weights in the Wagtail admin, through HTTP."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints.models import Town
from indicators.columns import COLUMNS
from indicators.models import ScoreWeights
from portal import roles
from tests.complaints.conftest import reference_data  # noqa: F401  (fixture)
from tests.indicators.builders import case, copies, rate

URL = "/admin/indicators/"
MARCH = {"period": "month", "day": "2026-03-10", "dimension": "town"}


@pytest.fixture
def town(reference_data):  # noqa: F811
    return Town.objects.order_by("code").first()


def closed_case(town, *, name_day="02", on_time=True):
    report = case(
        created=f"2026-03-{name_day} 09:00",
        state="closed",
        town=town,
        registered=f"2026-03-{name_day} 09:10",
        dispatched=f"2026-03-{name_day} 09:30",
        deadline=f"2026-03-{name_day} 17:00",
        closed=f"2026-03-{name_day} 16:00",
        on_time=on_time,
    )
    rate(report, "satisfied", when=f"2026-03-{name_day} 18:00")
    return report


@pytest.mark.parametrize(
    "role, status",
    [
        (roles.SUPERVISOR, 200),
        (roles.AUDITOR, 200),
        (None, 200),  # superuser
        (roles.INTAKE_OPERATOR, 302),
        (roles.DEPARTMENT_HANDLER, 302),
        (roles.PUBLICITY_EDITOR, 302),
        (roles.REWARD_OFFICER, 302),
    ],
)
def test_only_supervisors_auditors_and_administrators_see_the_statistics(
    client,
    make_staff,
    reference_data,  # noqa: F811
    role,
    status,
):
    client.force_login(make_staff(role))
    response = client.get(URL, MARCH)
    assert response.status_code == status
    if status == 302:  # Wagtail's answer to PermissionDenied: back to the dashboard
        assert response["Location"] == reverse("wagtailadmin_home")
        assert client.get(URL, {**MARCH, "export": "csv"}).status_code == 302


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("wagtailadmin_login") in response["Location"]


def test_the_screen_shows_indicators_ranking_grade_and_weights_version(client, make_staff, town):
    closed_case(town)
    client.force_login(make_staff(roles.SUPERVISOR))
    page = client.get(URL, MARCH).content.decode()
    assert "indicator-table" in page and "town-ranking" in page
    # One report, closed on time, rated satisfied, no rework: 100 on every weighted input.
    assert town.name in page
    assert "100.0 %" in page
    assert 'statistics-grade--A">A<' in page
    version = ScoreWeights.objects.get().version
    assert f'data-weights-version="{version}"' in page
    assert "<svg" in page and "w-sr-only" in page


def test_the_menu_shows_the_screen_to_those_who_may_open_it(client, make_staff, reference_data):  # noqa: F811
    client.force_login(make_staff(roles.AUDITOR))
    assert URL in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(make_staff(roles.INTAKE_OPERATOR))
    assert URL not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_query_count_of_the_screen_does_not_grow_with_the_reports(client, make_staff, town):
    template = closed_case(town)
    client.force_login(make_staff(roles.SUPERVISOR))
    client.get(URL, MARCH)  # warm the session and the user's permissions
    copies(template, 9)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, MARCH).status_code == 200
    copies(template, 190)
    with CaptureQueriesContext(connection) as many:
        page = client.get(URL, MARCH).content.decode()
    assert len(few) == len(many)
    assert ">200<" in page  # received, in the town row


@pytest.mark.parametrize("table", ["indicators", "towns", "departments"])
def test_csv_exports_cannot_carry_formulas(client, make_staff, town, table):
    Town.objects.filter(pk=town.pk).update(name='=HYPERLINK("http://evil.example","x")')
    closed_case(town)
    client.force_login(make_staff(roles.AUDITOR))
    response = client.get(URL, {**MARCH, "export": "csv", "table": table})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    names = [cell for row in rows for cell in row if "HYPERLINK" in cell]
    if table != "departments":
        assert names == ['\'=HYPERLINK("http://evil.example","x")']
    assert not any(cell.startswith("=") for row in rows for cell in row)


def test_xlsx_export_types_text_as_text(client, make_staff, town):
    from openpyxl import load_workbook

    Town.objects.filter(pk=town.pk).update(name="=1+1")
    closed_case(town)
    client.force_login(make_staff(roles.SUPERVISOR))
    response = client.get(URL, {**MARCH, "export": "xlsx", "table": "towns"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert len(header) == 5 + len(COLUMNS)
    cells = {cell.value: cell.data_type for row in sheet.iter_rows(min_row=2) for cell in row}
    assert cells["'=1+1"] == "s"
    assert "=1+1" not in cells


def weights_form(**overrides) -> dict:
    return {
        "effective_from": timezone.localdate().replace(day=1).isoformat(),
        "on_time_rate": "100",
        "closure_rate": "0",
        "satisfaction_rate": "0",
        "rework_free_rate": "0",
        "response_rate": "0",
        "other_weights": "{}",
        "note": "只看按期结案率",
        **overrides,
    }


def test_a_weights_change_is_a_new_version_and_old_scores_keep_theirs(client, make_staff, town):
    admin = make_staff(None)
    client.force_login(admin)
    first = ScoreWeights.objects.get()
    response = client.post(reverse("score_weights:add"), weights_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    second = ScoreWeights.objects.exclude(pk=first.pk).get()
    assert second.version == first.version + 1
    assert second.created_by == admin
    first.refresh_from_db()
    assert first.on_time_rate == 40  # untouched

    # Last month keeps version 1, this month uses version 2.
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).isoformat()
    before = client.get(URL, {**MARCH, "day": last_month}).content.decode()
    assert f'data-weights-version="{first.version}"' in before
    now = client.get(URL, {**MARCH, "day": today.isoformat()}).content.decode()
    assert f'data-weights-version="{second.version}"' in now

    # No edit, no delete, even for the administrator.
    assert client.get(reverse("score_weights:edit", args=[first.pk])).status_code == 302
    assert client.post(reverse("score_weights:delete", args=[first.pk])).status_code == 302
    assert ScoreWeights.objects.count() == 2
    with pytest.raises(ValueError):
        first.save()


def test_a_new_version_cannot_rewrite_a_finished_month(client, make_staff, reference_data):  # noqa: F811
    client.force_login(make_staff(None))
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    response = client.post(
        reverse("score_weights:add"), weights_form(effective_from=last_month.isoformat())
    )
    assert response.status_code == 200
    assert ScoreWeights.objects.count() == 1


def test_the_new_version_form_starts_from_the_latest_weights(client, make_staff, reference_data):  # noqa: F811
    client.force_login(make_staff(None))
    page = client.get(reverse("score_weights:add")).content.decode()
    assert 'name="on_time_rate" value="40"' in page


def test_weights_all_zero_are_refused(client, make_staff, reference_data):  # noqa: F811
    client.force_login(make_staff(None))
    response = client.post(
        reverse("score_weights:add"),
        {
            "effective_from": timezone.localdate().isoformat(),
            **dict.fromkeys(ScoreWeights.BUILT_IN, "0"),
            "other_weights": "{}",
            "note": "x",
        },
    )
    assert response.status_code == 200
    assert ScoreWeights.objects.count() == 1


def test_supervisors_see_the_weights_but_add_none(client, make_staff, reference_data):  # noqa: F811
    client.force_login(make_staff(roles.SUPERVISOR))
    assert client.get(reverse("score_weights:index")).status_code == 200
    assert client.get(reverse("score_weights:add")).status_code == 302
