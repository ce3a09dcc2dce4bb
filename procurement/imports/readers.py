"""Rows of an uploaded file, whatever program wrote it.

- The content is sniffed first: a PNG renamed `.csv` is refused as "not a CSV file", a PDF renamed
  `.xlsx` as "not a spreadsheet"; spreadsheet formats are read by content, not by extension (an
  `.xls` that is really an XLSX is read).
- Spreadsheets (XLSX, XLSM, XLS, ODS) are read with python-calamine (Rust). Before any parsing, the
  zip archives (XLSX, ODS) are checked from their central directory: a workbook whose members would
  decompress to more than 200 MB in all, or with a member compressed more than 100:1, is refused
  (a "zip bomb": a small file with huge shared strings). The sheet used is the first one whose
  first rows hold the expected headers; its name is shown on the preview.
- Formula cells: calamine gives the value cached by the spreadsheet program when the file was
  saved, i.e. what the buyer saw. We read it: refusing formulas would send buyers back to "paste
  values" for every ERP export, and a file saved by a spreadsheet program always carries its cached
  values (a formula without one reads as an empty cell, hence "valeur manquante").
- CSV: UTF-8 (with or without BOM), UTF-16 (with BOM, or without where the NUL bytes say so) or
  Windows-1252; separator ";", "," or tab, detected on the header line. The file is streamed.
- Damaged text (C1 control characters, mojibake) is repaired by `repair_text`, which the pipeline
  calls once per distinct value.
"""

import codecs
import csv
import itertools
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .columns import match_headers

MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100
MAX_ZIP_MEMBERS = 10_000
HEADER_SEARCH_ROWS = 10
SPREADSHEET_FORMATS = ("xlsx", "xls", "ods")
FORMAT_BY_SUFFIX = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".ods": "ods",
}


class FileError(ValueError):
    """The file as a whole cannot be read: a code of messages.ERRORS and its parameters."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params

    def __str__(self) -> str:
        from .messages import error_text

        return error_text(self.code, self.params)


@dataclass
class Sheet:
    headers: list[object]
    rows: Iterator[tuple[int, list[object]]]  # (line number in the file, cells)
    header_line: int = 1
    sheet_name: str = ""
    close: Callable[[], None] | None = field(default=None)
    # Rows below the header, known once a spreadsheet is parsed (for the progress bar only).
    data_rows: int | None = None


# --- What is this file? ------------------------------------------------------------------------

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"%PDF", "PDF"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "XLS"),  # OLE2: old Excel (or old Word…)
    (b"PK\x03\x04", "ZIP"),
    (b"PK\x05\x06", "ZIP"),
    (b"\x1f\x8b", "GZIP"),
    (b"Rar!", "RAR"),
    (b"7z\xbc\xaf", "7Z"),
    (b"{\\rtf", "RTF"),
)


def sniff(path: Path) -> str:
    """What the content is: "TEXT", "XLSX", "ODS", "XLS", "ZIP", "PNG", "PDF"…, "BINARY"."""
    with path.open("rb") as handle:
        head = handle.read(8192)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            if kind == "ZIP":
                return _zip_kind(path)
            return kind
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(head):
        return "TEXT"
    if b"\x00" in head:
        return "BINARY"
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return "BINARY" if controls > len(head) // 100 + 1 else "TEXT"


def _looks_utf16(head: bytes) -> bool:
    sample = head[:2000]
    return len(sample) >= 4 and (
        sample[1::2].count(0) > len(sample) // 4 or sample[0::2].count(0) > len(sample) // 4
    )


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist()[:MAX_ZIP_MEMBERS])
            if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
                return "XLSX"
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100]
                if b"opendocument.spreadsheet" in mimetype:
                    return "ODS"
                return "ODF"
            if "word/document.xml" in names:
                return "DOCX"
    except (zipfile.BadZipFile, OSError, KeyError):
        return "ZIP"
    return "ZIP"


def check_archive(path: Path) -> None:
    """Refuse a zip whose declared member sizes are absurd, before anything decompresses it."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileError("unreadable") from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise FileError("unreadable")
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > 1024 * 1024:
            ratio = member.file_size / max(member.compress_size, 1)
            if ratio > MAX_ZIP_RATIO:
                raise FileError("zip_ratio", ratio=int(ratio))
    if total > MAX_UNZIPPED_BYTES:
        raise FileError(
            "too_big_unzipped",
            size=total // (1024 * 1024),
            max=MAX_UNZIPPED_BYTES // (1024 * 1024),
        )


def check_file(path: Path, file_format: str) -> str:
    """Refuse a file that is not what its extension says (or a zip bomb); returns the format to
    read it with ("csv", or a spreadsheet format by its content)."""
    kind = sniff(path)
    if file_format == "csv":
        if kind != "TEXT":
            raise FileError("not_csv", kind=kind)
        return "csv"
    if kind not in {"XLSX", "ODS", "XLS"}:
        raise FileError("not_spreadsheet", format=file_format.upper(), kind=kind)
    if kind in {"XLSX", "ODS"}:
        check_archive(path)
    return kind.lower()


def spreadsheet_weight(path: Path, kind: str) -> int:
    """Bytes of XML (declared, already checked) or of file a spreadsheet holds: what decides
    between validating at once and in the background (never the sheet's own <dimension>)."""
    if kind == "xls":
        return path.stat().st_size
    with zipfile.ZipFile(path) as archive:
        return sum(m.file_size for m in archive.infolist())


# --- Damaged text ------------------------------------------------------------------------------

# U+0080–U+009F are C1 control characters; in a spreadsheet they are nearly always Windows-1252
# bytes that a program decoded as Latin-1 ("€" became U+0080). Five bytes have no meaning in
# Windows-1252 and are left alone.
_C1 = {}
for _code in range(0x80, 0xA0):
    try:
        _C1[_code] = bytes([_code]).decode("cp1252")
    except UnicodeDecodeError:
        continue
_SUSPECT = re.compile("[\u0080-\u009f\u00c2\u00c3\u00c5\u00e2\u00ef]")


def repair_text(text: str) -> str:
    """C1 control characters read as Windows-1252, then mojibake ("SociÃ©tÃ©") undone by ftfy."""
    if text.isascii() or not _SUSPECT.search(text):
        return text
    fixed = text
    if any("\u0080" <= c <= "\u009f" for c in fixed):
        # Mojibake first (UTF-8 bytes read as Latin-1 leave C1 characters too: "â\x80\x99").
        fixed = _fix_encoding(fixed)
        fixed = fixed.translate(_C1)
    return _fix_encoding(fixed)


def _fix_encoding(text: str) -> str:
    import ftfy

    return ftfy.fix_encoding(text)


# --- CSV ---------------------------------------------------------------------------------------


def detect_encoding(path: Path) -> tuple[str, int]:
    """(codec, bytes of BOM to skip)."""
    with path.open("rb") as handle:
        head = handle.read(4096)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8", 3
        if head.startswith(codecs.BOM_UTF16_LE):
            return "utf-16-le", 2
        if head.startswith(codecs.BOM_UTF16_BE):
            return "utf-16-be", 2
        if _looks_utf16(head):
            return ("utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"), 0
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(1024 * 1024):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252", 0
    return "utf-8", 0


def decode(raw: bytes) -> str:
    """Bytes of a small CSV as text (same rules as the streamed reader)."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
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
    """Number of data lines of a CSV (header excluded), counted on the bytes; None for a
    spreadsheet (its own <dimension> tag is not trusted)."""
    if file_format != "csv":
        return None
    encoding, _bom = detect_encoding(path)
    newline = "\n".encode(encoding)
    lines = 0
    last = b""
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            lines += chunk.count(newline)
            last = chunk
    if last and not last.endswith(newline):
        lines += 1
    return max(0, lines - 1)


def _find_header(rows: list[list[object]]) -> int:
    """Index of the row holding the headers among the first rows (a title line may precede)."""
    best, best_score = 0, -1
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        positions, _written, missing = match_headers(
            [repair_text(c) if isinstance(c, str) else c for c in cells]
        )
        score = len(positions) * 10 - len(missing)
        if not missing:
            return index
        if score > best_score and positions:
            best, best_score = index, score
    return best


def read_csv(path: Path) -> Sheet:
    encoding, bom = detect_encoding(path)
    handle = path.open("r", encoding=encoding, errors="replace", newline="")
    if bom:
        handle.read(1)  # the BOM, decoded as U+FEFF
    first = handle.readline()
    while first and not first.strip():
        first = handle.readline()
    if not first:
        handle.close()
        raise FileError("empty")

    def lines() -> Iterator[str]:
        yield first
        yield from handle

    reader = csv.reader(lines(), delimiter=detect_separator(first))
    head: list[tuple[int, list[object]]] = []
    try:
        for cells in reader:
            head.append((reader.line_num, cells))
            if len(head) >= HEADER_SEARCH_ROWS:
                break
    except csv.Error as exc:
        handle.close()
        raise FileError("csv_malformed", line=reader.line_num) from exc
    header_index = _find_header([cells for _line, cells in head])
    header_line, headers = head[header_index]

    def rows() -> Iterator[tuple[int, list[object]]]:
        try:
            yield from head[header_index + 1 :]
            for cells in reader:
                yield reader.line_num, cells
        except csv.Error as exc:
            raise FileError("csv_malformed", line=reader.line_num) from exc
        finally:
            handle.close()

    return Sheet(headers=headers, rows=rows(), header_line=header_line, close=handle.close)


# --- Spreadsheets ------------------------------------------------------------------------------


def read_spreadsheet(path: Path) -> Sheet:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        with path.open("rb") as handle:
            workbook = CalamineWorkbook.from_filelike(handle)
    except (CalamineError, ValueError, OSError) as exc:
        raise FileError("unreadable") from exc
    except Exception as exc:  # calamine's Rust errors (zip, xml) surface as various types
        raise FileError("unreadable") from exc
    chosen = None
    for index, meta in enumerate(workbook.sheets_metadata):
        if "chart" in str(getattr(meta, "typ", "")).lower():
            continue
        try:
            sheet = workbook.get_sheet_by_index(index)
        except Exception as exc:
            raise FileError("unreadable") from exc
        iterator = sheet.iter_rows()
        head = list(itertools.islice(iterator, HEADER_SEARCH_ROWS))
        if not head:
            continue
        header_index = _find_header(head)
        _positions, _written, missing = match_headers(
            [repair_text(c) if isinstance(c, str) else c for c in head[header_index]]
        )
        if chosen is None or not missing:
            chosen = (sheet, head, iterator, header_index, meta.name)
        if not missing:
            break
    workbook.close()
    if chosen is None:
        raise FileError("empty")
    sheet, head, iterator, header_index, name = chosen

    def rows() -> Iterator[tuple[int, list[object]]]:
        line = header_index + 1
        for cells in head[header_index + 1 :]:
            line += 1
            yield line, cells
        for cells in iterator:
            line += 1
            yield line, cells

    return Sheet(
        headers=head[header_index],
        rows=rows(),
        header_line=header_index + 1,
        sheet_name=name,
        data_rows=max(0, sheet.height - header_index - 1),
    )


def open_sheet(path: Path, file_format: str) -> Sheet:
    kind = check_file(path, file_format)
    return read_csv(path) if kind == "csv" else read_spreadsheet(path)
