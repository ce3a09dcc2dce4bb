"""Spreadsheet import of order lines: reading CSV/XLSX/XLS/ODS, validating, staging, copying into the database.

- `columns`: the expected columns and how headers are recognised;
- `parsing`: French numbers, dates, SIRENs;
- `readers`: what the file is (sniffed), CSV (encoding and separator detection) and
  spreadsheets (python-calamine) rows, damaged text repaired;
- `domains`: the domain column, the account's own words and suggestions;
- `messages`: errors and warnings by code, translated when shown;
- `samples`: the downloadable templates;
- `pipeline`: validation (preview) and the all-or-nothing import (COPY).
"""

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
BACKGROUND_ABOVE_ROWS = 5_000
MAX_STORED_ERRORS = 10_000
# Spreadsheets whose XML (declared sizes, already checked) exceeds this are validated in the
# background; their row count is not known before parsing.
BACKGROUND_ABOVE_XML_BYTES = 1_500_000
