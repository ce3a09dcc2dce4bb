"""No figure the programme report publishes can be turned back into a hidden one.

Random programmes (members buying from SMEs of various regions, sizes and domains, with
singletons and dominated cells) go through the report's own decision of what is shown
(`rendering.programme_tables` and the key figures rows, as the PDF and the XLSX show them); an
attacker then tries every linear recovery: each table's total minus its visible cells, the
registered-SME purchases as a subtotal, the unregistered part as their difference.
"""

import dataclasses
import datetime
import re
from collections import defaultdict
from decimal import Decimal
from io import BytesIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from procurement.figures import empty_key_figures, key_figure_list
from reports import figures as report_figures
from reports import rendering
from reports.figures import BreakdownRow, ProgrammeFigures
from reports.published import REGISTERED, TOTAL, UNREGISTERED, programme_disclosure
from tests.disclosure.attack import recoverable

from .conftest import pdf_text

NS = "n.s."
REGIONS = ["11", "84", "53", ""]  # "" = not known
SIZES = ["11", "12", ""]
DOMAINS = ["1", "2", "3", "4"]


def sensitive(contributions: dict) -> bool:
    """The primary rules, written again here: fewer than 3 members, or one above 85 %."""
    amounts = [a for a in contributions.values() if a]
    total = sum(amounts)
    return 0 < len(amounts) < 3 or (total > 0 and max(amounts) * 100 > 85 * total)


# --- a programme as the report's figures ----------------------------------------------------


def breakdown(lines, key_of, smes) -> dict[str, dict]:
    """{key: {"members": {member: amount}, "smes": set}} from (member, sme, domain, amount)."""
    cells: dict[str, dict] = defaultdict(lambda: {"members": defaultdict(Decimal), "smes": set()})
    for member, sme, domain, amount in lines:
        key = key_of(smes[sme], domain)
        cells[key]["members"][member] += amount
        cells[key]["smes"].add(sme)
    return cells


def rows_of(cells: dict[str, dict], total: Decimal) -> list[BreakdownRow]:
    return [
        BreakdownRow(
            key=key,
            label=key or "Non renseigné",
            members=len(cell["members"]),
            smes=len(cell["smes"]),
            amount=sum(cell["members"].values()),
            share=sum(cell["members"].values()) * 100 / total if total else None,
            largest=max(cell["members"].values()),
        )
        for key, cell in sorted(cells.items())
    ]


def programme_of(members: int, smes: list[tuple], lines: list[tuple]) -> ProgrammeFigures:
    total = sum((line[3] for line in lines), Decimal(0))
    registered = sum((line[3] for line in lines if smes[line[1]][2]), Decimal(0))
    current = dataclasses.replace(
        empty_key_figures(2025),
        members=members,
        declarations=members,
        it_purchases=total * 4 + 1000,
        sme_purchases=total,
        registered_sme_purchases=registered,
        distinct_smes=len({line[1] for line in lines}),
        lines=len(lines),
    )

    def table(key_of):
        return rows_of(breakdown(lines, key_of, smes), total)

    return ProgrammeFigures(
        campaign_id=1,
        year=2025,
        methodology_version="test",
        methodology="",
        snapshot_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        current=current,
        previous=None,
        regions=table(lambda sme, _d: sme[0]),
        domains=table(lambda _s, domain: domain),
        sizes=table(lambda sme, _d: sme[1]),
        ranking=[],
        named_participants=[],
        anonymous_participants=members,
        margins={
            "total": table(lambda _s, _d: ""),
            "registered": table(lambda sme, _d: "yes" if sme[2] else "no"),
        },
    )


@st.composite
def programmes(draw):
    members = draw(st.integers(min_value=1, max_value=6))
    smes = []
    for _i in range(draw(st.integers(min_value=1, max_value=8))):
        registered = draw(st.booleans())
        region = draw(st.sampled_from(REGIONS)) if registered else ""
        size = draw(st.sampled_from(SIZES)) if registered else ""
        smes.append((region, size, registered))
    amount = st.one_of(
        st.integers(min_value=1, max_value=1_000), st.integers(min_value=1, max_value=5_000_000)
    )
    lines = draw(
        st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=members - 1),
                st.integers(min_value=0, max_value=len(smes) - 1),
                st.sampled_from(DOMAINS),
                amount.map(Decimal),
            ),
            min_size=1,
            max_size=25,
        )
    )
    return members, smes, lines


# --- what a reader sees, and what they can compute from it ----------------------------------


def published(figures: ProgrammeFigures):
    """(shown values, hidden keys, equations) as the PDF and the XLSX publish them."""
    disclosure = programme_disclosure(figures)
    tables = rendering.programme_tables(figures, disclosure)
    key_rows = dict(
        zip(
            (f.key for f in key_figure_list(programme=True)),
            rendering.programme_key_rows(figures, disclosure),
            strict=True,
        )
    )
    shown, hidden = {}, {UNREGISTERED}
    for key, figure_key, value in (
        (TOTAL, "sme_purchases", figures.current.sme_purchases),
        (REGISTERED, "registered_sme_purchases", figures.current.registered_sme_purchases),
    ):
        if key_rows[figure_key].value == NS:
            hidden.add(key)
            assert key_rows[figure_key].change in (NS, "–")  # no change from N-1 either
        else:
            shown[key] = value
    # A share is an amount over a total: shown only where both are.
    if TOTAL in hidden:
        assert key_rows["sme_share"].value == NS
    if hidden & {TOTAL, REGISTERED}:
        assert key_rows["registered_share"].value == NS
    equations = [((REGISTERED, UNREGISTERED), TOTAL)]
    for table, rows in tables.items():
        for row in rows:
            if row.hidden:
                hidden.add((table, row.key))
                assert row.share_hidden
            else:
                shown[table, row.key] = row.amount
            if TOTAL in hidden:
                assert row.share_hidden
        equations.append((tuple((table, row.key) for row in rows), TOTAL))
        known = tuple((table, row.key) for row in rows if row.key)
        if table != "domain" and sum(row.amount for row in rows if row.key) == (
            figures.current.registered_sme_purchases
        ):
            equations.append((known, REGISTERED))
    return shown, hidden, equations, disclosure


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programme=programmes())
def test_no_published_figure_of_a_random_programme_gives_a_hidden_one_back(programme):
    members, smes, lines = programme
    figures = programme_of(members, smes, lines)
    shown, hidden, equations, _disclosure = published(figures)

    # Every cell the primary rules protect is hidden (rules written again in this test).
    for table, key_of in (
        ("region", lambda sme, _d: sme[0]),
        ("domain", lambda _s, domain: domain),
        ("size", lambda sme, _d: sme[1]),
    ):
        for key, cell in breakdown(lines, key_of, smes).items():
            if sensitive(cell["members"]):
                assert (table, key) in hidden, (table, key)
    unregistered = breakdown(lines, lambda sme, _d: "yes" if sme[2] else "no", smes).get("no")

    found = recoverable(shown, hidden, equations)
    # The unregistered SMEs' part is never printed; a reader may compute it only when it is
    # not sensitive. An empty figure (no registered SME at all) says nothing about anyone.
    empty = {REGISTERED} if not figures.current.registered_sme_purchases else set()
    assert set(found) <= {UNREGISTERED} | empty, found
    if unregistered and sensitive(unregistered["members"]):
        assert UNREGISTERED not in found


# --- the generated XLSX annex ---------------------------------------------------------------


def euros(text) -> Decimal:
    return Decimal(re.sub(r"[^\d,]", "", text).replace(",", "."))


@pytest.mark.django_db
def test_the_programme_annex_has_no_recoverable_hidden_cell(report_data):
    """The conftest programme, plus a dominant order: Delta buys 1 M€ of data and AI from Paris
    Cloud (Île-de-France, 11 to 49 employees), so three cells are one member's figure."""
    from directory.models import Domain
    from procurement.models import OrderLine

    OrderLine.objects.create(
        declaration=report_data.declarations[2025, "Delta Transports"],
        sme_profile_id=report_data.smes["Paris Cloud"].siren,
        sme_name="Paris Cloud",
        amount=Decimal(1_000_000),
        order_date=datetime.date(2025, 6, 1),
        domain=Domain.objects.get(slug="data-ia"),
    )
    figures = report_figures.programme_figures(report_data.campaign)
    disclosure = programme_disclosure(figures)
    workbook = load_workbook(BytesIO(rendering.programme_xlsx(figures)), read_only=True)

    key = {row[0]: row[1] for row in workbook["Chiffres clés"].iter_rows(values_only=True)}
    shown, hidden = {}, {UNREGISTERED}
    for cell, label in (
        (TOTAL, "Achats auprès des PME"),
        (REGISTERED, "Achats auprès des PME innovantes inscrites"),
    ):
        if key[label] == NS:
            hidden.add(cell)
        else:
            shown[cell] = euros(key[label])
    equations = [((REGISTERED, UNREGISTERED), TOTAL)]
    labels = {}
    for sheet in ("Régions", "Domaines", "Tailles"):
        parts = []
        for label, members, smes, amount, share in workbook[sheet].iter_rows(
            min_row=2, values_only=True
        ):
            parts.append((sheet, label))
            labels[sheet, label] = amount
            if amount == NS:
                assert members == smes == share == NS
                hidden.add((sheet, label))
            else:
                shown[sheet, label] = Decimal(str(amount))
        equations.append((tuple(parts), TOTAL))
        if sheet != "Domaines":
            known = tuple(p for p in parts if not p[1].startswith("Non renseign"))
            equations.append((known, REGISTERED))  # the strongest reader: assumes it holds

    # Dominance: Île-de-France (1,1 M€, 91,8 % Delta's) and data and AI (1,09 M€) are hidden,
    # though four and three members contribute to them.
    assert labels["Régions", "Île-de-France"] == NS
    assert labels["Domaines", "Data et intelligence artificielle"] == NS
    assert disclosure.counts()["secondary"] >= 1
    found = recoverable(shown, hidden, equations)
    assert set(found) <= {UNREGISTERED}, found
    # Alpha alone bought from the unregistered SME: that difference is protected too.
    assert UNREGISTERED not in found
    # The map leaves hidden regions blank: only shown regions carry a count.
    context = rendering.programme_context(figures, version_number=1, disclosure=disclosure)
    region_map = str(context["region_map"]).replace("\u202f", " ").replace("\xa0", " ")
    assert "Auvergne-Rhône-Alpes : 2 PME" in region_map
    assert "Île-de-France : 1 PME" not in region_map and "Bretagne : 1 PME" not in region_map


def test_last_year_column_hides_what_would_give_last_years_unregistered_part():
    """Year N-1 shows only key figures, but total minus registered is one member's figure there
    too: last year's registered purchases, their share and the changes from them are "n.s."."""
    smes = [("11", "11", True), ("84", "12", True), ("", "", False)]
    lines = [(m, s, "1", Decimal(100 + 10 * m)) for m in range(4) for s in range(2)]
    figures = programme_of(4, smes, lines)
    previous_lines = [*lines, (0, 2, "1", Decimal(500))]  # only member 0 buys unregistered
    previous = programme_of(4, smes, previous_lines)
    figures = dataclasses.replace(
        figures,
        previous=dataclasses.replace(previous.current, year=2024),
        previous_margins=previous.margins,
    )
    disclosure = programme_disclosure(figures)
    rows = dict(
        zip(
            (f.key for f in key_figure_list(programme=True)),
            rendering.programme_key_rows(figures, disclosure),
            strict=True,
        )
    )
    for key in ("registered_sme_purchases", "registered_share"):
        assert rows[key].previous == NS and rows[key].change == NS, key
        assert rows[key].value != NS, key  # this year every SME is registered: nothing to hide
    assert rows["sme_purchases"].previous != NS and rows["sme_purchases"].change != NS


@pytest.mark.django_db
def test_a_median_over_fewer_than_three_members_is_not_shown_in_a_member_report(report_data):
    """Only Alpha and Beta give payment delays: the median of two is their average, from which
    either reads the other's delay. The other medians (four members) stay shown."""
    from procurement.models import OrderLine

    OrderLine.objects.filter(
        declaration__organisation__name__in=["Gamma Énergie", "Delta Transports"]
    ).update(payment_delay_days=None)
    alpha = report_data.members["Alpha Banque"]
    member = report_figures.member_figures(report_data.campaign, organisation=alpha)
    assert member.medians.declarations_with_delay == 2
    comparison = {
        label: median
        for label, _own, median in rendering.member_context(member, version_number=1)["comparison"]
    }
    assert comparison["Délai de paiement médian"] == NS
    assert comparison["Commandes payées sous 60 jours"] == NS
    assert comparison["Achats auprès des PME"] != NS
    text = pdf_text(rendering.member_pdf(member, version_number=1))
    assert "Une médiane calculée sur moins de 3 membres n'est pas publiée" in text
