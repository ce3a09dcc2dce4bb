"""One helper for every XLSX table (see the package's docstring)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

# Number formats (Excel and LibreOffice show the locale's separators).
FORMATS = {
    "date": "DD/MM/YYYY",
    "datetime": "DD/MM/YYYY HH:MM",
    "money": '#,##0.00 "€"',
    "euros": '#,##0 "€"',
    "percent": "0.0%",
    "integer": "0",
    "number": "#,##0.##",
    "text": "@",
}
WIDTHS = {"date": 12, "datetime": 17, "money": 16, "euros": 16, "percent": 10, "integer": 10}


@dataclass(frozen=True)
class Column:
    """A column's title and kind: "text", "integer", "number", "money" (cents), "euros" (whole),
    "percent" (the value is a percentage, 12.5 for 12.5 %, written as 0.125), "date",
    "datetime". `width` in characters (default: from the kind, or the title's length)."""

    title: str
    kind: str = "text"
    width: int | None = None


def neutralise(value):
    """openpyxl writes a string starting with "=" as a formula: it gets a leading apostrophe.
    Any other string is stored as text in an XLSX file ("+3,2 %" stays as it is)."""
    if isinstance(value, str) and value.startswith("="):
        return "'" + value
    return value


def write_only_workbook() -> Workbook:
    return Workbook(write_only=True)


def _value(value, kind: str):
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return neutralise(value)  # "n.s." and other words stay text in a number column
    if kind == "percent":
        return float(Decimal(str(value)) / 100)
    if kind in ("money", "euros", "number") and isinstance(value, Decimal):
        return float(value)
    if kind == "datetime" and isinstance(value, datetime.datetime) and value.tzinfo:
        return value.replace(tzinfo=None)  # Excel has no time zones: give local time
    return value


def add_table(workbook: Workbook, title: str, columns: list[Column], rows: Iterable) -> None:
    """A sheet named `title` (31 characters at most): header row, then `rows` (iterables of
    values in column order; datetimes already in local time)."""
    sheet = workbook.create_sheet(title=title[:31])
    for index, column in enumerate(columns, start=1):
        width = column.width or max(WIDTHS.get(column.kind, 14), min(len(column.title) + 2, 40))
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header = []
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.title)
        cell.font = bold
        cell.alignment = wrap
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        cells = []
        for column, value in zip(columns, row, strict=False):
            cell = WriteOnlyCell(sheet, value=_value(value, column.kind))
            if column.kind != "text" and not isinstance(cell.value, str):
                cell.number_format = FORMATS[column.kind]
            cells.append(cell)
        sheet.append(cells)
        count += 1
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A1:{last}{count + 1}"


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
