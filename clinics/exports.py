"""Every spreadsheet download (CSV and Excel) is written here, so that no text a user typed can
run as a formula when staff open the file: a clinic named ``=HYPERLINK("http://…"&A3,"詳細")``
stays text.

- CSV: a text cell that starts with ``= + - @``, a tab or a carriage return gets a leading
  apostrophe (OWASP's advice; Excel hides it). Numbers, and text that reads as a number such as
  ``-12.5%``, are written as they are. The member importer removes the apostrophe again.
- Excel: text cells are stored as text, never as formulas.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from itertools import chain, islice
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?[0-9][0-9,]*(\.[0-9]+)?%?")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
WIDTH_SAMPLE_ROWS = 500  # column widths are fitted to the header and the rows after it


def csv_cell(value):
    """A value as a CSV cell that Excel will not run."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_bytes(rows: Iterable[list]) -> bytes:
    """UTF-8 with BOM and CRLF: Excel opens it as Japanese text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def xlsx_bytes(rows: Iterable[list], *, title: str, all_text: bool = False) -> bytes:
    """One sheet: the header row bold and frozen, widths fitted to the contents, text never a
    formula. ``all_text`` writes numbers as text too (a 法人番号 keeps its 13 digits and a
    leading 0 stays). Rows are written as they come: memory stays flat for a long list."""
    rows = iter(rows)
    first = list(islice(rows, WIDTH_SAMPLE_ROWS))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    widths: dict[int, int] = {}
    for row in first:
        for column, value in enumerate(row, start=1):
            width = _display_width("" if value is None else str(value))
            widths[column] = max(widths.get(column, 0), width)
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    for number, row in enumerate(chain(first, rows)):
        cells = []
        for value in row:
            if all_text and value is not None:
                value = str(value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula
                if all_text:
                    cell.number_format = "@"
            if number == 0:
                cell.font = bold
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(rows: Iterable[list], *, fmt: str, title: str, filename: str, fallback: str,
             all_text: bool = False) -> HttpResponse:  # fmt: skip
    """The rows as a CSV or .xlsx attachment. ``filename`` is the real (Japanese) name, given
    as filename*; ``fallback`` is an ASCII name for old clients."""
    content = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows, title=title, all_text=all_text)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition(filename, fallback)
    return response


def content_disposition(filename: str, fallback: str) -> str:
    """``attachment`` with an ASCII fallback name and the real (Japanese) one as filename*."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
