"""CSV and XLSX exports of a directory selection (large-account members and staff)."""

import csv
import tempfile

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from spreadsheets import Column, add_table, csv_cell, write_only_workbook

from .models import HeadcountBand, LegalForm, RevenueBand
from .search import Criteria, matches
from .selectors import Reference

BATCH = 2000


def columns() -> list[Column]:
    return [
        Column(_("SIREN"), width=11),
        Column(_("Raison sociale"), width=30),
        Column(_("Forme juridique")),
        Column(_("Site web"), width=32),
        Column(_("Année de création"), "integer", width=10),
        Column(_("Département"), width=22),
        Column(_("Région"), width=24),
        Column(_("Domaines"), width=40),
        Column(_("Code NAF"), width=10),
        Column(_("Effectif"), width=18),
        Column(_("Chiffre d'affaires"), width=18),
        Column(_("Labels"), width=24),
        Column(_("Mots-clés"), width=36),
        Column(_("E-mail de contact"), width=30),
        Column(_("Description"), width=60),
        Column(_("Fiche"), width=45),
    ]


def headers() -> list[str]:
    return [column.title for column in columns()]


def rows(criteria: Criteria, ref: Reference, *, site_url: str = ""):
    """`site_url`: scheme and host of the links to the profiles (the request's; SITE_URL by
    default, for background work)."""
    """Export rows in the page's order, read by batches through a server-side cursor."""
    legal = dict(LegalForm.choices)
    headcount = dict(HeadcountBand.choices)
    revenue = dict(RevenueBand.choices)
    departements = {d.code: d.name for d in ref.departements}
    regions = ref.region_names
    domains = {d.pk: d.name for d in ref.domains}
    labels = {lab.pk: lab.name for lab in ref.labels}
    detail = (site_url or settings.SITE_URL) + reverse("directory:detail", args=["000000000"])
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
            csv_cell(v)
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


def csv_response(
    criteria: Criteria, ref: Reference, *, site_url: str = ""
) -> StreamingHttpResponse:
    """UTF-8 with BOM and semicolons, as Excel in French expects; streamed row by row."""
    writer = csv.writer(_Echo(), delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")

    def stream():
        yield "\ufeff" + writer.writerow(headers())
        buffer = []
        for row in rows(criteria, ref, site_url=site_url):
            buffer.append(writer.writerow(row))
            if len(buffer) >= 500:
                yield "".join(buffer)
                buffer = []
        if buffer:
            yield "".join(buffer)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename("csv")}"'
    return response


def xlsx_response(criteria: Criteria, ref: Reference, *, site_url: str = "") -> FileResponse:
    """openpyxl in write-only mode, spooled to a temporary file (kept in memory while small)."""
    workbook = write_only_workbook()
    add_table(workbook, _("PME"), columns(), rows(criteria, ref, site_url=site_url))
    output = tempfile.SpooledTemporaryFile(max_size=20 * 1024 * 1024)  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=filename("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
