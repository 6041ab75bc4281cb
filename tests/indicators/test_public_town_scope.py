"""Town-level staff see only their town's figures on the statistics screen and in its exports
(indicators/town_scope.py), through HTTP."""

import csv
import io

import pytest
from django.urls import reverse

from complaints.models import Department, DepartmentMembership, Town
from portal import roles
from tests.complaints.conftest import reference_data  # noqa: F401  (fixture)
from tests.indicators.builders import case, rate

pytestmark = pytest.mark.django_db

URL = "/admin/indicators/"
MARCH = {"period": "month", "day": "2026-03-10", "dimension": "town"}


@pytest.fixture
def towns(reference_data):  # noqa: F811
    first, second = Town.objects.order_by("code")[:2]
    for town, count in ((first, 3), (second, 7)):
        department = Department.objects.create(
            key=f"town-{town.pk}", name=f"{town.name}城管中队", level="town", town=town
        )
        for _number in range(count):
            report = case(
                created="2026-03-02 09:00",
                state="closed",
                town=town,
                department=department,
                registered="2026-03-02 09:10",
                dispatched="2026-03-02 09:30",
                deadline="2026-03-02 17:00",
                closed="2026-03-02 16:00",
                on_time=True,
            )
            rate(report, "satisfied", when="2026-03-03 10:00")
    return first, second


@pytest.fixture
def town_handler(make_staff, towns):
    user = make_staff(roles.DEPARTMENT_HANDLER, "town-handler")
    DepartmentMembership.objects.create(user=user, department=towns[0].departments.get())
    return user


def rows_of(page: str, table_id: str) -> list[str]:
    start = page.index(f'id="{table_id}"')
    table = page[start : page.index("</table>", start)]
    return [cell.split("</th>")[0] for cell in table.split('<th scope="row">')[1:]]


def test_a_town_handler_sees_only_their_town(client, town_handler, towns):
    first, second = towns
    client.force_login(town_handler)
    response = client.get(URL, MARCH)
    assert response.status_code == 200
    page = response.content.decode()
    assert rows_of(page, "indicator-table")[0] == first.name
    assert second.name not in page
    assert rows_of(page, "town-ranking") == [first.name]
    assert rows_of(page, "department-ranking") == [f"{first.name}城管中队"]


def test_asking_for_another_town_is_refused(client, town_handler, towns):
    client.force_login(town_handler)
    response = client.get(URL, {**MARCH, "town": towns[1].pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    export = client.get(URL, {**MARCH, "town": towns[1].pk, "export": "csv"})
    assert export.status_code == 302


@pytest.mark.parametrize("table", ["indicators", "towns", "departments"])
def test_exports_hold_only_the_town(client, town_handler, towns, table):
    first, second = towns
    client.force_login(town_handler)
    response = client.get(URL, {**MARCH, "export": "csv", "table": table})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    text = "\n".join(",".join(row) for row in rows)
    assert second.name not in text
    assert first.name in text
    if table == "indicators":
        assert rows[1][1] == "3"  # received: the town's three reports, not the district's ten


def test_a_handler_of_a_district_department_sees_no_statistics(client, make_staff, towns):
    user = make_staff(roles.DEPARTMENT_HANDLER, "district-handler")
    district = Department.objects.create(key="district-x", name="区市容科", level="district")
    DepartmentMembership.objects.create(user=user, department=district)
    client.force_login(user)
    assert client.get(URL, MARCH).status_code == 302


def test_the_menu_shows_the_screen_to_a_town_handler(client, town_handler):
    client.force_login(town_handler)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert URL in page


def test_a_supervisor_still_sees_every_town(client, make_staff, towns):
    client.force_login(make_staff(roles.SUPERVISOR))
    page = client.get(URL, MARCH).content.decode()
    assert {towns[0].name, towns[1].name} <= set(rows_of(page, "town-ranking"))


def test_the_town_screens_query_count_does_not_grow_with_the_reports(client, town_handler, towns):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from complaints.models import Report
    from tests.indicators.builders import copies

    client.force_login(town_handler)
    report = Report.objects.filter(town=towns[0]).first()
    client.get(URL, MARCH)  # warm-up

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, MARCH).status_code == 200
        return len(queries)

    copies(report, 7)  # 10 reports of the town
    few = count()
    copies(report, 190)
    assert count() == few
