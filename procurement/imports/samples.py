"""The downloadable templates: the expected columns and one example row."""

import csv
import io

from .columns import COLUMNS


def _example_row(year: int) -> list[str]:
    return [c.example.format(year=year) for c in COLUMNS]


def template_csv(*, year: int) -> bytes:
    """Semicolon-separated, UTF-8 with BOM so that Excel opens it with the accents right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([str(c.label) for c in COLUMNS])
    writer.writerow(_example_row(year))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(*, year: int) -> bytes:
    import datetime
    from decimal import Decimal

    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Commandes"
    sheet.append([str(c.label) for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(
        [
            "732829320",
            "Cyberbase",
            Decimal("12500.00"),
            datetime.date(year, 3, 15),
            *_example_row(year)[4:],
        ]
    )
    sheet["C2"].number_format = "#,##0.00"
    sheet["D2"].number_format = "DD/MM/YYYY"
    sheet["A2"].number_format = "@"
    for column, width in zip("ABCDEFG", (14, 30, 16, 18, 28, 18, 24), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
