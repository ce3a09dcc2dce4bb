"""CSV and XLSX exports of a directory selection (large-account members and staff)."""

import csv
import tempfile

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from .models import HeadcountBand, LegalForm, RevenueBand
from .search import Criteria, matches
from .selectors import Reference

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 2000


def neutralise(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe (OWASP advice)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def headers() -> list[str]:
    return [
        _("SIREN"),
        _("Raison sociale"),
        _("Forme juridique"),
        _("Site web"),
        _("Année de création"),
        _("Département"),
        _("Région"),
        _("Domaines"),
        _("Code NAF"),
        _("Effectif"),
        _("Chiffre d'affaires"),
        _("Labels"),
        _("Mots-clés"),
        _("E-mail de contact"),
        _("Description"),
        _("Fiche"),
    ]


def rows(criteria: Criteria, ref: Reference):
    """Export rows in the page's order, read by batches through a server-side cursor."""
    legal = dict(LegalForm.choices)
    headcount = dict(HeadcountBand.choices)
    revenue = dict(RevenueBand.choices)
    departements = {d.code: d.name for d in ref.departements}
    regions = ref.region_names
    domains = {d.pk: d.name for d in ref.domains}
    labels = {lab.pk: lab.name for lab in ref.labels}
    detail = settings.SITE_URL + reverse("directory:detail", args=["000000000"])
    detail = detail.removesuffix("000000000/")
    qs = matches(criteria).values_list(
        "siren",
        "name",
        "legal_form",
        "website",
        "founded_year",
        "departement_id",
        "region_id",
        "domain_ids",
        "naf__code",
        "headcount_band",
        "revenue_band",
        "label_ids",
        "keywords",
        "contact_email",
        "description",
    )
    for row in qs.iterator(chunk_size=BATCH):
        (siren, name, form, web, year, dept, region, dom, naf, hc, rev, lab, kw, email, desc) = row
        yield [
            neutralise(v)
            for v in (
                siren,
                name,
                str(legal.get(form, form or "")),
                web,
                year if year is not None else "",
                f"{dept} – {departements.get(dept, '')}" if dept else "",
                regions.get(region, ""),
                ", ".join(domains[i] for i in dom if i in domains),
                naf or "",
                str(headcount.get(hc, "")),
                str(revenue.get(rev, "")),
                ", ".join(labels[i] for i in lab if i in labels),
                kw,
                email,
                desc,
                f"{detail}{siren}/",
            )
        ]


def filename(extension: str) -> str:
    return f"annuaire-pme-{timezone.localdate():%Y-%m-%d}.{extension}"


class _Echo:
    def write(self, value):
        return value


def csv_response(criteria: Criteria, ref: Reference) -> StreamingHttpResponse:
    """UTF-8 with BOM and semicolons, as Excel in French expects; streamed row by row."""
    writer = csv.writer(_Echo(), delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")

    def stream():
        yield "\ufeff" + writer.writerow(headers())
        buffer = []
        for row in rows(criteria, ref):
            buffer.append(writer.writerow(row))
            if len(buffer) >= 500:
                yield "".join(buffer)
                buffer = []
        if buffer:
            yield "".join(buffer)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename("csv")}"'
    return response


def xlsx_response(criteria: Criteria, ref: Reference) -> FileResponse:
    """openpyxl in write-only mode, spooled to a temporary file (kept in memory while small)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("PME"))
    sheet.append(headers())
    for row in rows(criteria, ref):
        sheet.append(row)
    output = tempfile.SpooledTemporaryFile(max_size=20 * 1024 * 1024)  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=filename("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
