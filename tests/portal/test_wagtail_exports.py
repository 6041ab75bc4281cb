"""Wagtail's own report exports (site history) are formula-safe like the portal's."""

import csv
import io

import openpyxl
import pytest

from portal.exports import FORMULA_TRIGGERS

pytestmark = pytest.mark.django_db

PAYLOAD = '=HYPERLINK("http://evil.example","x")'


def test_site_history_export_neutralises_a_formula_page_title(client, home, make_staff):
    admin = make_staff(None)
    home.title = PAYLOAD
    home.save_revision(user=admin).publish(user=admin)
    client.force_login(admin)

    response = client.get("/admin/reports/site-history/", {"export": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    cells = [cell for row in rows for cell in row]
    assert f"'{PAYLOAD}" in cells
    assert not [c for c in cells if c.startswith(FORMULA_TRIGGERS)]

    response = client.get("/admin/reports/site-history/", {"export": "xlsx"})
    assert response.status_code == 200
    content = getattr(response, "content", None) or b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    values = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert f"'{PAYLOAD}" in [c.value for c in values]
    assert not [c for c in values if c.data_type == "f"]
