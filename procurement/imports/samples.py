"""The downloadable templates: the expected columns, one example row and the valid domain names.

The last template column, "Site acheteur" (optional), is left empty in the example row: it takes
the SIRET or the name of one of the account's sites. CSV: a ninth column "Domaines possibles" lists the names, one a line; the import ignores a
column it does not know and a line whose known columns are empty, so the template imports as is.
XLSX: the names are on a second sheet "Domaines" and the domain column offers them in a drop-down
list (data validation).
"""

import csv
import io

from django.utils.translation import gettext_lazy as _

from .columns import COLUMNS


def _example_row(year: int) -> list[str]:
    return [c.example.format(year=year) for c in COLUMNS]


DOMAINS_HEADER = _("Domaines possibles")


def template_csv(*, year: int, domains: list[str]) -> bytes:
    """Semicolon-separated, UTF-8 with BOM so that Excel opens it with the accents right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([*(str(c.label) for c in COLUMNS), str(DOMAINS_HEADER)])
    names = list(domains) or [""]
    writer.writerow([*_example_row(year), names[0]])
    for name in names[1:]:
        writer.writerow([""] * len(COLUMNS) + [name])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(*, year: int, domains: list[str]) -> bytes:
    import datetime
    from decimal import Decimal

    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

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
    for column, width in zip("ABCDEFGH", (14, 30, 16, 18, 28, 18, 24, 30), strict=True):
        sheet.column_dimensions[column].width = width
    names = workbook.create_sheet(str(_("Domaines")))
    names.append([str(DOMAINS_HEADER)])
    names["A1"].font = Font(bold=True)
    for name in domains:
        names.append([name])
    names.column_dimensions["A"].width = 40
    if domains:
        validation = DataValidation(
            type="list",
            formula1=f"'{names.title}'!$A$2:$A${len(domains) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=str(_("Domaine inconnu")),
            error=str(_("Choisissez un domaine de la liste (feuille « Domaines »).")),
        )
        sheet.add_data_validation(validation)
        validation.add("E2:E100000")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
