"""What the declarations pages share: small helpers for responses."""

import csv

from django.core.exceptions import ValidationError
from django.http import HttpResponse

from spreadsheets import csv_cell

LINES_PER_PAGE = 50


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _hx(request) -> bool:
    return bool(getattr(request, "htmx", False))


def _csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return response


def _fr_decimal(value) -> str:
    return "" if value is None else f"{value:.2f}".replace(".", ",")
