"""A minimal OpenDocument spreadsheet (.ods) writer for the benchmark and the tests.

An ODS file is a zip holding `mimetype` (stored first, uncompressed), a manifest and
`content.xml` with the tables. Cells are written as strings, floats or dates; that is all an
import file needs, and it avoids a dependency only the tests would use.
"""

import datetime
import io
import zipfile
from decimal import Decimal
from xml.sax.saxutils import escape

_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""
_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    "<office:body><office:spreadsheet>"
)
_TAIL = "</office:spreadsheet></office:body></office:document-content>"


def _cell(value: object) -> str:
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int | float | Decimal):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    if isinstance(value, datetime.date):
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
            f"<text:p>{value:%d/%m/%Y}</text:p></table:table-cell>"
        )
    return (
        '<table:table-cell office:value-type="string">'
        f"<text:p>{escape(str(value))}</text:p></table:table-cell>"
    )


def write_ods(sheets: dict[str, list[list[object]]] | list[list[object]]) -> bytes:
    """Bytes of an .ods file: one table per {name: rows}, or a single "Feuille1"."""
    if not isinstance(sheets, dict):
        sheets = {"Feuille1": sheets}
    parts = [_HEAD]
    for name, rows in sheets.items():
        parts.append(f'<table:table table:name="{escape(name)}">')
        for row in rows:
            parts.append("<table:table-row>")
            parts.extend(_cell(v) for v in row)
            parts.append("</table:table-row>")
        parts.append("</table:table>")
    parts.append(_TAIL)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("META-INF/manifest.xml", _MANIFEST)
        archive.writestr("content.xml", "".join(parts))
    return buffer.getvalue()
