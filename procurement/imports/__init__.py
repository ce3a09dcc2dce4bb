"""Spreadsheet import of order lines: reading CSV/XLSX, validating, staging, copying into the database.

- `columns`: the expected columns and how headers are recognised;
- `parsing`: French numbers, dates, SIRENs;
- `readers`: CSV (encoding and separator detection) and XLSX (openpyxl, read-only) rows;
- `samples`: the downloadable templates;
- `pipeline`: validation (preview) and the all-or-nothing import (COPY).
"""

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
BACKGROUND_ABOVE_ROWS = 5_000
MAX_STORED_ERRORS = 1_000
