"""CSV cells: text a spreadsheet would run as a formula gets a leading apostrophe (OWASP advice:
a cell starting with =, +, -, @, a tab or a carriage return). XLSX cells need less: see
`xlsx.neutralise`, since an XLSX file stores text as text and only "=" makes openpyxl write a
formula."""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value
