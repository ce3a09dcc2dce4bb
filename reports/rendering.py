"""Turn figures into documents: the PDF (HTML template + print CSS, WeasyPrint) and the XLSX annex.

The presentation rules live here: French formats, and "n.s." wherever disclosure control
(`reports.published`: threshold, dominance and secondary suppression) hides a cell. The PDF and
the XLSX show the same values, decided once by `shown_rows` and `_key_rows`.
"""

import dataclasses
import io
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from charter.selectors import member_report_targets, programme_report_charter
from directory.maps import region_map_svg
from disclosure import DOMINANCE
from disclosure import THRESHOLD as MIN_MEMBERS
from effect.selectors import member_report_effect, programme_report_effect
from procurement.figures import Figure, key_figure_list, local_definition
from procurement.models import Campaign
from spreadsheets import Column, add_table, write_only_workbook

from . import charts, pdf_fonts
from . import formatting as fmt
from .figures import BreakdownRow, KeyFigures, MemberFigures, ProgrammeFigures
from .local import LocalReport, member_local_rows, report_local_share, report_rows
from .published import TOTAL, Disclosure, programme_disclosure

MEDIAN_NAMES = (
    "sme_purchases",
    "sme_share",
    "distinct_smes",
    "median_payment_delay",
    "paid_within_60_share",
)

FONTS_DIR = Path(settings.BASE_DIR) / "static" / "fonts"


def region_map(counts: dict[str, int], *, title: str, selected=frozenset()):
    svg = region_map_svg(counts, title=title, selected=selected)
    # The map names the generic "sans-serif"; in the PDF, use the font shipped with the reports.
    return mark_safe(  # noqa: S308 - the SVG comes escaped from the map builder
        str(svg).replace('font-family="sans-serif"', f'font-family="{charts.FONT}"')
    )


@dataclass(frozen=True)
class Cell:
    """A row of the key figures table, already formatted."""

    label: str
    value: str
    previous: str
    change: str


def _key_rows(
    current: KeyFigures,
    previous: KeyFigures | None,
    *,
    programme: bool,
    hidden: Collection[str] = (),
    hidden_previous: Collection[str] = (),
) -> list[Cell]:
    """Each key figure as `procurement.figures` defines and formats it (the account's figures
    page shows the same text), "n.s." where the programme's figures would reveal a member
    (`hidden`, `hidden_previous`: figures of year N, of year N-1, that disclosure control hides;
    the change from N-1 is hidden with either, since it would give the hidden one back)."""
    ns = fmt.not_significant()

    def pick(figures: KeyFigures | None, figure: Figure) -> str:
        if figures is None:
            return fmt.MISSING
        if programme and figures.suppressed and not figure.programme_only:
            return ns
        return figure.formatted(figures)

    def change(figure: Figure) -> str:
        if previous is None:
            return fmt.MISSING
        if programme and not figure.programme_only and (current.suppressed or previous.suppressed):
            return ns
        return figure.formatted_change(current, previous)

    return [
        Cell(
            label=str(figure.label),
            value=ns if figure.key in hidden else pick(current, figure),
            previous=ns if figure.key in hidden_previous else pick(previous, figure),
            change=ns if figure.key in {*hidden, *hidden_previous} else change(figure),
        )
        for figure in key_figure_list(programme=programme)
    ]


@dataclass(frozen=True)
class BreakdownCell:
    label: str
    members: str
    smes: str
    amount: str
    share: str
    value: Decimal | None  # for the chart; None where suppressed


@dataclass(frozen=True)
class ShownRow:
    """A breakdown row as published: the values a reader sees (None where missing), and whether
    the row (members, SMEs, amount and share together) or only its share is "n.s."."""

    key: str
    label: str
    members: int
    smes: int
    amount: Decimal
    share: Decimal | None
    hidden: bool
    share_hidden: bool


def shown_rows(
    rows: list[BreakdownRow], table: str, disclosure: Disclosure | None
) -> list[ShownRow]:
    """What the PDF and the XLSX show of a breakdown; `disclosure` None: a member's own figures,
    all shown."""
    shown = []
    for row in rows:
        hidden = disclosure is not None and disclosure.hidden(table, row.key)
        shown.append(
            ShownRow(
                key=row.key,
                label=row.label,
                members=row.members,
                smes=row.smes,
                amount=row.amount,
                share=row.share,
                hidden=hidden,
                share_hidden=disclosure is not None and disclosure.share_hidden(table, row.key),
            )
        )
    return shown


def _breakdown_rows(rows: list[ShownRow]) -> list[BreakdownCell]:
    ns = fmt.not_significant()
    return [
        BreakdownCell(
            label=row.label,
            members=ns if row.hidden else fmt.number(row.members),
            smes=ns if row.hidden else fmt.number(row.smes),
            amount=ns if row.hidden else fmt.euros(row.amount),
            share=ns if row.share_hidden else fmt.percent(row.share),
            value=None if row.hidden else row.amount,
        )
        for row in rows
    ]


def _bars(cells: list[BreakdownCell], *, title: str):
    return charts.bar_chart_svg(
        [(c.label, c.value, c.amount) for c in cells],
        title=title,
    )


def programme_key_rows(figures: ProgrammeFigures, disclosure: Disclosure) -> list[Cell]:
    rows = _key_rows(
        figures.current,
        figures.previous,
        programme=True,
        hidden=disclosure.hidden_key_figures,
        hidden_previous=disclosure.hidden_previous_key_figures,
    )
    if figures.is_edition:
        rows = _edition_key_rows(figures, disclosure, rows)
    return rows


def _edition_key_rows(
    figures: ProgrammeFigures, disclosure: Disclosure, rows: list[Cell]
) -> list[Cell]:
    """An edition's key figures: its members counted instead of the programme's, and, last, its
    members' SME purchases from every SME (inside the edition or not), for comparison."""
    keys = [figure.key for figure in key_figure_list(programme=True)]
    rows = [
        Cell(_("Membres de l'édition"), row.value, row.previous, row.change)
        if key == "members"
        else row
        for key, row in zip(keys, rows, strict=True)
    ]
    total = figures.members_total
    if total is None:
        return rows
    ns = fmt.not_significant()
    hidden = disclosure.members_total_hidden or total.suppressed
    rows.append(
        Cell(
            label=_("Achats des membres auprès de toutes les PME (dans l'édition ou non)"),
            value=ns if hidden else fmt.euros(total.sme_purchases),
            previous=fmt.MISSING,
            change=fmt.MISSING,
        )
    )
    return rows


def key_figures_summary(
    figures: ProgrammeFigures, disclosure: Disclosure | None = None
) -> list[list[str]]:
    """The public page's key figures: [label, value, change from last year]."""
    disclosure = disclosure or programme_disclosure(figures)
    return [[row.label, row.value, row.change] for row in programme_key_rows(figures, disclosure)]


def programme_tables(
    figures: ProgrammeFigures, disclosure: Disclosure
) -> dict[str, list[ShownRow]]:
    """The report's three breakdowns as published (PDF and XLSX alike)."""
    return {
        "region": shown_rows(figures.regions, "region", disclosure),
        "domain": shown_rows(figures.domains, "domain", disclosure),
        "size": shown_rows(figures.sizes, "size", disclosure),
    }


def programme_context(
    figures: ProgrammeFigures, *, version_number: int, disclosure: Disclosure | None = None
) -> dict:
    disclosure = disclosure or programme_disclosure(figures)
    tables = programme_tables(figures, disclosure)
    regions = _breakdown_rows(tables["region"])
    domains = _breakdown_rows(tables["domain"])
    sizes = _breakdown_rows(tables["size"])
    # The map leaves hidden regions blank; an edition's map outlines its territory's regions.
    map_counts = {row.key: row.smes for row in tables["region"] if row.key and not row.hidden}
    ns = fmt.not_significant()
    ranking = [
        {
            "rank": member.rank,
            "name": member.display_name,
            "named": member.named,
            "share": fmt.percent(member.sme_share),
        }
        for member in figures.ranking
    ]
    key_rows = programme_key_rows(figures, disclosure)
    return {
        "figures": figures,
        "version_number": version_number,
        "year": figures.year,
        "previous_year": figures.year - 1,
        "key_rows": key_rows,
        # Achats PME, part PME, PME distinctes, délai médian.
        "highlights": [key_rows[i] for i in (3, 4, 7, 8)],
        "regions": regions,
        "domains": domains,
        "sizes": sizes,
        "region_map": region_map(
            map_counts,
            title=_("PME fournisseuses par région en %(year)s") % {"year": figures.year},
            selected=frozenset(figures.edition_regions),
        ),
        "domain_chart": _bars(domains, title=_("Achats auprès des PME par domaine")),
        "size_chart": _bars(sizes, title=_("Achats auprès des PME par taille de PME")),
        "ranking": ranking if figures.ranking_shown else [],
        "ranking_suppressed": not figures.ranking_shown,
        "named_participants": figures.named_participants,
        "anonymous_participants": figures.anonymous_participants,
        "ns": ns,
        "generated_at": timezone.localtime(),
        "snapshot_at": timezone.localtime(figures.snapshot_at),
        "min_members": MIN_MEMBERS,
        "dominance_percent": int(DOMINANCE * 100),
        # The charter: how many members met each target, the disputes' time to resolve (the
        # programme's, not shown in an edition's report).
        "charter": {"target_counts": [], "disputes": None}
        if figures.is_edition
        else programme_report_charter(campaign_id=figures.campaign_id),
        # The Pacte effect: contacts followed by orders (an edition's: its members' contacts).
        "effect": programme_report_effect(
            figures.year,
            account_ids=set(figures.edition_members) if figures.is_edition else None,
        ),
        "edition_name": figures.edition_name,
        "edition_kind": figures.edition_kind,
        # The local-purchasing share (reports.local): the programme's, or an edition's members'
        # with its territory's share, kept on the figures (ProgrammeFigures.local_share).
        **programme_local_context(figures, disclosure),
    }


def member_context(figures: MemberFigures, *, version_number: int) -> dict:
    medians = figures.medians
    ns = fmt.not_significant()

    def median(name: str, formatter) -> str:
        # A median over fewer than three members would give the others' figures away.
        return formatter(getattr(medians, name)) if medians.shown(name) else ns

    current = figures.current
    comparison = [
        (_("Achats auprès des PME"), fmt.euros(current.sme_purchases), median("sme_purchases", fmt.euros)),
        (_("Part PME des achats"), fmt.percent(current.sme_share), median("sme_share", fmt.percent)),
        (_("PME distinctes"), fmt.number(current.distinct_smes), median("distinct_smes", lambda v: fmt.number(v, 1 if v is not None and v % 1 else 0))),
        (_("Délai de paiement médian"), fmt.days(current.median_payment_delay), median("median_payment_delay", fmt.days)),
        (_("Commandes payées sous 60 jours"), fmt.percent(current.paid_within_60_share), median("paid_within_60_share", fmt.percent)),
    ]  # fmt: skip
    return {
        "figures": figures,
        "version_number": version_number,
        "year": figures.year,
        "previous_year": figures.year - 1,
        "key_rows": _key_rows(current, figures.previous, programme=False),
        "comparison": comparison,
        "regions": _breakdown_rows(shown_rows(figures.regions, "region", None)),
        "domains": _breakdown_rows(shown_rows(figures.domains, "domain", None)),
        "top_smes": [
            {"name": sme.name, "siren": sme.siren, "amount": fmt.euros(sme.amount)}
            for sme in figures.top_smes
        ],
        "generated_at": timezone.localtime(),
        "snapshot_at": timezone.localtime(figures.snapshot_at),
        "medians_suppressed": medians.suppressed,
        "medians_partly_suppressed": not medians.suppressed
        and not all(medians.shown(name) for name in MEDIAN_NAMES),
        "min_members": MIN_MEMBERS,
        # The charter: the member's yearly targets against its submitted figures.
        "charter_targets": member_report_targets(
            organisation_id=figures.organisation_id, campaign_id=figures.campaign_id
        ),
        # The Pacte effect: the member's contacts followed by orders, and its sponsorship days.
        "effect": member_report_effect(figures.organisation_id, figures.year),
        "ns": ns,
        **member_local_context(figures),
    }


# --- the local-purchasing share (reports.local) -----------------------------------------------


def programme_local_context(figures: ProgrammeFigures, disclosure: Disclosure) -> dict:
    """The programme's (or an edition's) local-purchasing rows, under the report's disclosure
    rules: the shares are of the members' SME purchases, the programme's total T, or, in an
    edition's report, its members' total M (all hidden with it); the territory share of an
    edition also gives back T ÷ M, so it goes when T is hidden."""
    local = figures.local_share
    if not isinstance(local, LocalReport):  # figures made before the share was kept on them
        local = report_local_share(Campaign.objects.get(pk=figures.campaign_id))
    if figures.is_edition:
        total_hidden = disclosure.members_total_hidden
        previous_total_hidden = disclosure.previous.hidden(TOTAL)
    else:
        total_hidden = disclosure.total_hidden
        previous_total_hidden = disclosure.previous.hidden(TOTAL)
    rows = report_rows(
        local, total_hidden=total_hidden, previous_total_hidden=previous_total_hidden
    )
    if figures.is_edition and disclosure.total_hidden:
        ns = fmt.not_significant()
        rows = [
            dataclasses.replace(row, value=ns, change=ns) if row.key == "territory" else row
            for row in rows
        ]
    return {"local_rows": rows, "local_definition": local_definition()}


def member_local_context(figures: MemberFigures) -> dict:
    """The member's own local share, all shown (computed with the batch's figures, else now)."""
    if figures.local_share is not None:
        rows = report_rows(figures.local_share, protect=False)
    else:
        rows = member_local_rows(
            campaign_id=figures.campaign_id, organisation_id=figures.organisation_id
        )
    return {"local_rows": rows, "local_definition": local_definition()}


def _local_sheet(workbook, figures, rows) -> None:
    """The local-purchasing rows as a sheet of the XLSX annex."""
    _sheet(
        workbook,
        _("Achats locaux"),
        [_("Indicateur"), str(figures.year), str(figures.year - 1), _("Évolution")],
        ([row.label, row.value, row.previous, row.change] for row in rows),
    )


def render_pdf(template: str, context: dict) -> bytes:
    """HTML template + print CSS -> PDF bytes, with the fonts shipped under static/fonts."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    pdf_fonts.install()
    html = render_to_string(template, context)
    font_config = FontConfiguration()
    document = HTML(string=html, base_url=str(FONTS_DIR) + "/")
    return document.write_pdf(font_config=font_config)


def programme_pdf(
    figures: ProgrammeFigures, *, version_number: int, disclosure: Disclosure | None = None
) -> bytes:
    return render_pdf(
        "reports/pdf/programme.html",
        programme_context(figures, version_number=version_number, disclosure=disclosure),
    )


def member_pdf(figures: MemberFigures, *, version_number: int) -> bytes:
    return render_pdf(
        "reports/pdf/member.html", member_context(figures, version_number=version_number)
    )


# --- XLSX annex -------------------------------------------------------------------------------


def _sheet(workbook, title: str, header: list, rows) -> None:
    """A table of the annex (`header`: titles, or spreadsheets.Column with a number format)."""
    columns = [h if isinstance(h, Column) else Column(str(h), width=16) for h in header]
    if columns and columns[0].kind == "text" and columns[0].width == 16:
        columns[0] = Column(columns[0].title, width=40)
    add_table(workbook, title, columns, rows)  # text cells neutralised by the writer


def _number_or_ns(value, hidden: bool):
    if hidden:
        return fmt.not_significant()
    if isinstance(value, Decimal):
        return float(round(value, 2))
    return value


def _breakdown_sheet(workbook, title: str, first: str, rows: list[ShownRow]):
    _sheet(
        workbook,
        title,
        [
            first,
            Column(_("Membres"), "integer"),
            Column(_("PME distinctes"), "integer"),
            Column(_("Achats PME (€ HT)"), "euros", width=18),
            Column(_("Part (%)"), "percent"),
        ],
        (
            [
                row.label,
                _number_or_ns(row.members, row.hidden),
                _number_or_ns(row.smes, row.hidden),
                _number_or_ns(row.amount, row.hidden),
                _number_or_ns(row.share, row.share_hidden),
            ]
            for row in rows
        ),
    )


def _workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _key_figures_sheet(workbook, figures, rows: list[Cell]) -> None:
    """The key figures of year N and N-1 with their change, first sheet of both annexes."""
    _sheet(
        workbook,
        _("Chiffres clés"),
        [_("Indicateur"), str(figures.year), str(figures.year - 1), _("Évolution")],
        ([row.label, row.value, row.previous, row.change] for row in rows),
    )


def programme_xlsx(figures: ProgrammeFigures, *, disclosure: Disclosure | None = None) -> bytes:
    disclosure = disclosure or programme_disclosure(figures)
    tables = programme_tables(figures, disclosure)
    workbook = write_only_workbook()
    _key_figures_sheet(workbook, figures, programme_key_rows(figures, disclosure))
    _breakdown_sheet(workbook, _("Régions"), _("Région"), tables["region"])
    _breakdown_sheet(workbook, _("Domaines"), _("Domaine"), tables["domain"])
    _breakdown_sheet(workbook, _("Tailles"), _("Effectif de la PME"), tables["size"])
    _local_sheet(workbook, figures, programme_local_context(figures, disclosure)["local_rows"])
    _sheet(
        workbook,
        _("Classement"),
        [
            Column(_("Rang"), "integer"),
            Column(_("Membre"), width=40),
            Column(_("Part PME (%)"), "percent"),
        ],
        (
            [m.rank, m.display_name, _number_or_ns(m.sme_share, False)]
            for m in (figures.ranking if figures.ranking_shown else [])
        ),
    )
    _sheet(
        workbook,
        _("Membres participants"),
        [_("Membre")],
        [
            *([name] for name in figures.named_participants),
            *(
                [_("+ %(count)s membre(s) ayant choisi de ne pas être nommé(s)") % {"count": figures.anonymous_participants}]
                for _i in range(1 if figures.anonymous_participants else 0)
            ),
        ],
    )  # fmt: skip
    return _workbook_bytes(workbook)


def member_xlsx(figures: MemberFigures) -> bytes:
    workbook = write_only_workbook()
    _key_figures_sheet(
        workbook, figures, _key_rows(figures.current, figures.previous, programme=False)
    )
    _breakdown_sheet(
        workbook, _("Régions"), _("Région"), shown_rows(figures.regions, "region", None)
    )
    _breakdown_sheet(
        workbook, _("Domaines"), _("Domaine"), shown_rows(figures.domains, "domain", None)
    )
    _local_sheet(workbook, figures, member_local_context(figures)["local_rows"])
    _sheet(
        workbook,
        _("Principales PME"),
        [
            Column(_("SIREN"), width=11),
            Column(_("PME"), width=36),
            Column(_("Achats (€ HT)"), "money", width=18),
            Column(_("Commandes"), "integer"),
        ],
        ([s.siren, s.name, float(s.amount), s.lines] for s in figures.top_smes),
    )
    return _workbook_bytes(workbook)
