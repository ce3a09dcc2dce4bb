"""A large account's own figures over the years, and their exports."""

import dataclasses
import io

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.decorators import large_account_required
from editions.models import Edition
from editions.selectors import account_editions, territory_departements
from spreadsheets import Column, add_table, workbook_bytes, write_only_workbook

from .. import figures, selectors
from ..models import Campaign
from .common import _csv_response, _fr_decimal

# The columns of the "by year" table and sheet, from the one definition of each figure.
YEAR_COLUMNS = [
    "it_purchases",
    "sme_purchases",
    "sme_share",
    "registered_sme_purchases",
    "registered_share",
    "distinct_smes",
    "median_payment_delay",
    "paid_within_60_share",
]


def _year_columns() -> list[figures.Figure]:
    by_key = {f.key: f for f in figures.KEY_FIGURES}
    return [by_key[key] for key in YEAR_COLUMNS]


def _figures_year(request, years: list[figures.AccountYear]) -> int | None:
    available = [row.year for row in years]
    try:
        wanted = int(request.GET.get("annee", ""))
    except ValueError:
        wanted = None
    if wanted in available:
        return wanted
    return available[0] if available else None


def _key_table(years: list[figures.AccountYear], year: int) -> tuple[figures.AccountYear, list]:
    """The selected year's key figures against N-1, formatted as in the account's report."""
    current = next(row for row in years if row.year == year)
    previous = figures.account_previous_year(years, year)
    return current, figures.key_rows(current.figures, previous)


def _local_table(organisation, campaign: Campaign) -> list[figures.LocalRow]:
    """The account's local-purchasing share of the year (whatever the declaration's state, as
    the key figures above) against N-1 (submitted only, as the account's report), plus the share
    placed in the territory of each territorial edition the account belongs to."""
    previous_campaign = Campaign.objects.filter(year=campaign.year - 1).first()

    def pair(territory=None):
        campaigns = [campaign, previous_campaign] if previous_campaign else [campaign]
        shares = figures.local_shares(
            campaigns, organisation_ids=[organisation.pk], territory=territory, any_state=[campaign]
        )
        previous = shares[previous_campaign.year] if previous_campaign else None
        return figures.local_rows(shares[campaign.year], previous)

    rows = pair()
    editions = account_editions(organisation).filter(kind=Edition.Kind.TERRITORIAL)
    for edition in editions.order_by("name"):
        territory_row = next(
            row for row in pair(territory_departements(edition)) if row.key == "territory"
        )
        label = _("Part des achats PME auprès de PME du territoire de l'édition « %(name)s »") % {
            "name": edition.name
        }
        rows.insert(2, dataclasses.replace(territory_row, label=label))
    return rows


@large_account_required
def account_figures(request):
    organisation = request.organisation
    years = selectors.account_years(organisation)
    year = _figures_year(request, years)
    columns = _year_columns()
    context = {
        "organisation": organisation,
        "year": year,
        "columns": [str(f.label) for f in columns],
        "years": [
            {"row": row, "cells": [f.formatted(row.figures) for f in columns]} for row in years
        ],
    }
    if year is not None:
        current, key_rows = _key_table(years, year)
        campaign = Campaign.objects.get(year=year)
        context |= {
            "selected": current,
            "key_rows": key_rows,
            "registered_definition": figures.registered_sme_definition(campaign),
            "local_rows": _local_table(organisation, campaign),
            "local_definition": figures.local_definition(),
            **selectors.account_breakdowns(
                organisation, year, campaign=campaign, declaration_id=current.declaration_id
            ),
        }
    return render(request, "procurement/account_figures.html", context)


def _key_table_header(year: int) -> list[str]:
    return [_("Indicateur"), str(year), str(year - 1), _("Évolution")]


@require_GET
@large_account_required
def account_key_figures_export(request):
    """The selected year's key figures (CSV), the same text as the page and the report."""
    organisation = request.organisation
    years = selectors.account_years(organisation)
    year = _figures_year(request, years)
    if year is None:
        raise Http404
    _current, key_rows = _key_table(years, year)
    local_rows = _local_table(organisation, Campaign.objects.get(year=year))
    return _csv_response(
        f"chiffres-cles-{year}.csv",
        _key_table_header(year),
        ([row.label, row.value, row.previous, row.change] for row in [*key_rows, *local_rows]),
    )


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
    "Site acheteur",
    "SIRET du site",
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
            line.site.name if line.site else "",
            line.site.siret if line.site else "",
        ]


# Figure kinds (procurement.figures) -> XLSX column kinds (spreadsheets).
SHEET_KINDS = {"euros": "euros", "percent": "percent", "number": "integer", "days": "number"}
LINE_COLUMNS = [
    Column(title, kind, width=width)
    for title, kind, width in zip(
        LINE_EXPORT_HEADER,
        [
            "text",
            "text",
            "text",
            "text",
            "money",
            "date",
            "text",
            "text",
            "integer",
            "text",
            "text",
            "text",
            "text",
        ],
        [11, 30, 10, 24, 16, 12, 30, 16, 12, 16, 40, 30, 16],
        strict=True,
    )
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
    workbook = write_only_workbook()
    add_table(
        workbook,
        _("Chiffres clés"),
        [
            Column(str(title), width=44 if i == 0 else 16)
            for i, title in enumerate(_key_table_header(year))
        ],
        ([row.label, row.value, row.previous, row.change] for row in _key_table(years, year)[1]),
    )
    add_table(
        workbook,
        _("Achats locaux"),
        [
            Column(str(title), width=60 if i == 0 else 16)
            for i, title in enumerate(_key_table_header(year))
        ],
        (
            [row.label, row.value, row.previous, row.change]
            for row in _local_table(organisation, Campaign.objects.get(year=year))
        ),
    )
    # The same figures as numbers, one row per year (amounts in €, shares as percentages).
    columns = _year_columns()
    add_table(
        workbook,
        _("Années"),
        [
            Column(_("Année"), "integer"),
            Column(_("État"), width=12),
            *(Column(str(f.label), SHEET_KINDS.get(f.kind, "number")) for f in columns),
        ],
        (
            [row.year, str(row.state_label), *(f.value(row.figures) for f in columns)]
            for row in years
        ),
    )
    breakdowns = selectors.account_breakdowns(organisation, year)
    for title, rows, key in (
        (_("Régions"), breakdowns["by_region"], "region"),
        (_("Domaines"), breakdowns["by_domain"], "domain__name"),
    ):
        add_table(
            workbook,
            title,
            [
                Column(title, width=34),
                Column(_("Montant HT (€)"), "money"),
                Column(_("Lignes"), "integer"),
                Column(_("PME"), "integer"),
            ],
            (
                [row[key] or _("Non renseignée"), row["total"], row["lines"], row["smes"]]
                for row in rows
            ),
        )
    add_table(
        workbook,
        _("Lignes %(year)s") % {"year": year},
        LINE_COLUMNS,
        _line_export_rows(lines, decimal_as_text=False),
    )
    buffer = io.BytesIO(workbook_bytes(workbook))
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
