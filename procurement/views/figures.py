"""A large account's own figures over the years, and their exports."""

import io

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.decorators import large_account_required
from directory.exports import neutralise

from .. import selectors
from .common import _csv_response, _fr_decimal


def _figures_year(request, years: list[dict]) -> int | None:
    available = [row["year"] for row in years]
    try:
        wanted = int(request.GET.get("annee", ""))
    except ValueError:
        wanted = None
    if wanted in available:
        return wanted
    return available[0] if available else None


@large_account_required
def account_figures(request):
    organisation = request.organisation
    years = selectors.account_years(organisation)
    year = _figures_year(request, years)
    context = {"years": years, "year": year, "organisation": organisation}
    if year is not None:
        context |= {
            "by_region": selectors.account_by_region(organisation, year),
            "by_domain": selectors.account_by_domain(organisation, year),
            "top_smes": selectors.account_top_smes(organisation, year),
        }
    return render(request, "procurement/account_figures.html", context)


LINE_EXPORT_HEADER = [
    "SIREN",
    "Raison sociale",
    "PME inscrite",
    "Région",
    "Montant HT (€)",
    "Date de commande",
    "Domaine",
    "Référence",
    "Délai de paiement (jours)",
    "Réponse de la PME",
    "Commentaire de la PME",
]


def _line_export_rows(lines, *, decimal_as_text: bool):
    for line in lines.iterator(chunk_size=2000):
        yield [
            line.sme_siren,
            line.sme_name,
            _("oui") if line.registered else _("non"),
            line.region or "",
            _fr_decimal(line.amount) if decimal_as_text else line.amount,
            line.order_date.strftime("%d/%m/%Y") if decimal_as_text else line.order_date,
            line.domain.name,
            line.reference,
            "" if line.payment_delay_days is None else line.payment_delay_days,
            line.get_sme_status_display(),
            line.sme_comment,
        ]


@require_GET
@large_account_required
def account_figures_export(request, fmt):
    organisation = request.organisation
    years = selectors.account_years(organisation)
    year = _figures_year(request, years)
    if year is None:
        raise Http404
    lines = selectors.account_year_lines(organisation, year)
    filename = f"commandes-pme-{year}"
    if fmt == "csv":
        return _csv_response(
            f"{filename}.csv", LINE_EXPORT_HEADER, _line_export_rows(lines, decimal_as_text=True)
        )
    if fmt != "xlsx":
        raise Http404
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet(_("Années"))
    summary.append(
        [_("Année"), _("Achats informatiques"), _("Achats PME"), _("Part PME (%)"), _("PME")]
    )
    for row in years:
        summary.append(
            [
                row["year"],
                row["it_purchases_total"],
                row["sme_total"],
                round(row["sme_share"], 2) if row["sme_share"] is not None else None,
                row["smes"],
            ]
        )
    for title, rows, key in (
        (_("Régions"), selectors.account_by_region(organisation, year), "region"),
        (_("Domaines"), selectors.account_by_domain(organisation, year), "domain__name"),
    ):
        sheet = workbook.create_sheet(title)
        sheet.append([title, _("Montant HT (€)"), _("Lignes"), _("PME")])
        for row in rows:
            sheet.append([row[key] or _("Non renseignée"), row["total"], row["lines"], row["smes"]])
    sheet = workbook.create_sheet(_("Lignes %(year)s") % {"year": year})
    sheet.append(LINE_EXPORT_HEADER)
    for row in _line_export_rows(lines, decimal_as_text=False):
        sheet.append([neutralise(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
