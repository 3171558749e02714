"""Excel (XLSX) answers of the statistics' tables, through ``core.spreadsheet.safe_row``."""

import io

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook

from gridgov.core.spreadsheet import safe_row, sheet_title

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_response(filename: str, sheets: list[tuple[str, list, list[list]]]):
    """An XLSX download with one sheet per (title, header, rows)."""
    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title=sheet_title(title))
        sheet.append(safe_row(header))
        for row in rows:
            sheet.append(safe_row(row))
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def wants_xlsx(request) -> bool:
    return request.GET.get("export") == "xlsx"
