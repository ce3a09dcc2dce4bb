"""Rows of an uploaded CSV or XLSX file, as lists of raw cell values with their line number.

CSV: UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text") or Windows-1252, detected;
separator ";", "," or tab, detected on the header line.
XLSX: openpyxl in read-only mode (defusedxml protects the XML parsing); formulas are *not*
evaluated and are not read from their cached value either: a formula cell is reported as an error,
because a cached value may be missing or stale and the declaration must carry the typed figures.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _


class FileError(ValueError):
    """The file as a whole cannot be read; the message is shown to the user."""


class Formula(str):
    """The text of a formula cell, kept so that validation can report it."""


@dataclass
class Sheet:
    headers: list[object]
    rows: Iterator[tuple[int, list[object]]]  # (line number in the file, cells)
    close: object = None


def decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def detect_separator(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (";", "\t", ",")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ";"


def count_rows(path: Path, file_format: str) -> int | None:
    """Number of data lines (header excluded), cheaply; None when an XLSX does not say."""
    if file_format == "csv":
        with path.open("rb") as handle:
            raw = handle.read()
        text = decode(raw)
        lines = text.count("\n") + (0 if text.endswith("\n") else 1)
        return max(0, lines - 1)
    return _xlsx_declared_rows(path)


def _xlsx_declared_rows(path: Path) -> int | None:
    """The row count the first sheet declares in its <dimension> tag, read from the first bytes
    of its XML without loading the workbook (which would parse every shared string)."""
    import re
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
            rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
            first = re.search(r"<(?:\w+:)?sheet\b[^>]*\br:id=\"([^\"]+)\"", workbook)
            target = first and re.search(
                rf"<Relationship\b[^>]*\bId=\"{re.escape(first.group(1))}\"[^>]*\bTarget=\"([^\"]+)\"",
                rels,
            )
            if not target:
                target = (
                    re.search(
                        rf"<Relationship\b[^>]*\bTarget=\"([^\"]+)\"[^>]*\bId=\"{re.escape(first.group(1))}\"",
                        rels,
                    )
                    if first
                    else None
                )
            if not target:
                return None
            name = target.group(1).lstrip("/")
            name = name if name.startswith("xl/") else f"xl/{name}"
            with archive.open(name) as sheet:
                head = sheet.read(4096).decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise FileError(_("Ce fichier XLSX est illisible ou n'est pas un classeur Excel.")) from exc
    dimension = re.search(r"<(?:\w+:)?dimension\b[^>]*\bref=\"[A-Z]+\d+:[A-Z]+(\d+)\"", head)
    return max(0, int(dimension.group(1)) - 1) if dimension else None


def _open_workbook(path: Path):
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, lxml/defusedxml errors…
        raise FileError(_("Ce fichier XLSX est illisible ou n'est pas un classeur Excel.")) from exc


def read_csv(path: Path) -> Sheet:
    text = decode(path.read_bytes())
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_separator(first_line))
    try:
        headers = next(reader)
    except StopIteration as exc:
        raise FileError(_("Le fichier est vide.")) from exc
    except csv.Error as exc:
        raise FileError(_("Le fichier CSV est illisible.")) from exc

    def rows() -> Iterator[tuple[int, list[object]]]:
        try:
            for cells in reader:
                yield reader.line_num, cells
        except csv.Error as exc:
            raise FileError(
                _("Le fichier CSV est mal formé vers la ligne %(line)s.")
                % {"line": reader.line_num}
            ) from exc

    return Sheet(headers=headers, rows=rows())


def read_xlsx(path: Path) -> Sheet:
    workbook = _open_workbook(path)
    sheet = workbook.worksheets[0]
    iterator = sheet.iter_rows(values_only=True)
    try:
        headers = list(next(iterator))
    except StopIteration as exc:
        workbook.close()
        raise FileError(_("Le classeur est vide.")) from exc

    def rows() -> Iterator[tuple[int, list[object]]]:
        try:
            for line, values in enumerate(iterator, start=2):
                yield (
                    line,
                    [Formula(v) if isinstance(v, str) and v.startswith("=") else v for v in values],
                )
        finally:
            workbook.close()

    return Sheet(headers=headers, rows=rows(), close=workbook.close)


def open_sheet(path: Path, file_format: str) -> Sheet:
    return read_csv(path) if file_format == "csv" else read_xlsx(path)
