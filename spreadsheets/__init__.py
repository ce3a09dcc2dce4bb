"""XLSX tables written the same way by every export (directory, account figures, campaign
dashboard, report annexes): a bold frozen header row with an autofilter, sensible column widths,
real dates shown dd/mm/yyyy, amounts with a euro number format, shares as percentages, and text
that a spreadsheet would run as a formula neutralised.

Pure Python over openpyxl (write-only mode, so that large exports stream): no Django and none of
the project's apps, so every app may use it, like `disclosure/`.
"""

from .csvcells import csv_cell
from .xlsx import Column, add_table, workbook_bytes, write_only_workbook

__all__ = ["Column", "add_table", "csv_cell", "workbook_bytes", "write_only_workbook"]
