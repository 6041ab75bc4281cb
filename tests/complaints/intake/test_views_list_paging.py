"""The public list pages without counting the whole list, in the same number of queries."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints.intake.inputs import ReportInput
from complaints.intake.services.reports import report_submit
from tests.complaints.conftest import POINT, category

pytestmark = pytest.mark.django_db


def file_reports(n: int) -> None:
    cat = category("event", "0102")
    for _ in range(n):
        report_submit(
            input=ReportInput(
                submission_token=uuid.uuid4(),
                category=cat,
                description="垃圾满溢。",
                latitude=POINT[0],
                longitude=POINT[1],
                is_anonymous=True,
            )
        )


def visit(client, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("complaints:report_list"), params)
    assert response.status_code == 200
    return response, [q["sql"] for q in queries.captured_queries]


def test_no_full_count_and_constant_queries(client, site, reference_data):
    visit(client)  # warm: site settings and the Site are created and cached on first use
    file_reports(3)
    _response, few = visit(client)
    file_reports(42)
    response, many = visit(client)
    assert len(many) == len(few), "\n".join(s[:120] for s in [*few, "-----", *many])
    assert not [sql for sql in many if "COUNT(" in sql.upper()]
    html = response.content.decode()
    assert "第 1 页" in html and "page=2" in html


def test_pages_walk_to_the_end(client, site, reference_data):
    file_reports(45)
    seen = []
    for number in (1, 2, 3):
        response, _sql = visit(client, page=number)
        page = response.context["page"]
        seen += [r.reference for r in page]
        assert page.has_next == (number < 3)
        assert page.has_previous == (number > 1)
    assert len(seen) == len(set(seen)) == 45
    # Nonsense page numbers give the first page, never an error.
    for bad in ("0", "-3", "x", "99999999"):
        response, _sql = visit(client, page=bad)
        assert response.context["page"].number == 1
