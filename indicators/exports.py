"""CSV and XLSX files of the statistics tables; no cell can run as a formula.

Town, community and category names are entered in the admin: every text cell goes through
``portal.exports.safe_row`` (the project's one formula-injection guard) and XLSX text cells are
typed as strings.
"""

import csv
import io

from django.http import HttpResponse

from portal.exports import safe_row

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def table_file(*, fmt: str, title: str, header: list, rows: list[list]) -> bytes:
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        for values in [header, *rows]:
            writer.writerow(safe_row(values))
        # A byte-order mark: Excel opens UTF-8 Chinese text correctly only with it.
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = title[:31]
        for values in [header, *rows]:
            sheet.append(safe_row(values))
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
        xlsx = io.BytesIO()
        workbook.save(xlsx)
        return xlsx.getvalue()
    raise ValueError(f"Unknown export format {fmt!r}")


def table_response(*, fmt: str, filename: str, title: str, header: list, rows: list[list]):
    response = HttpResponse(
        table_file(fmt=fmt, title=title, header=header, rows=rows),
        content_type=CONTENT_TYPES[fmt],
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
