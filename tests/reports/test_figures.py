"""Figures computed in SQL equal those computed here from the data set, and the PDF shows them."""

import re
import statistics
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from reports import figures, formatting, rendering, services
from reports.models import ReportJob
from tests.factories import UserFactory

from .conftest import LINES_2025, MEMBERS, SMES, pdf_fonts, pdf_text, plain

pytestmark = pytest.mark.django_db


def expected_2025():
    """The key figures of LINES_2025, computed in Python from the data set's definition."""
    amounts = [Decimal(line[2]) for line in LINES_2025]
    delays = [line[4] for line in LINES_2025 if line[4] is not None]
    it_total = sum(total for _named, total in MEMBERS.values())
    return {
        "it": it_total,
        "sme": sum(amounts),
        "registered": sum(Decimal(line[2]) for line in LINES_2025 if line[1] in SMES),
        "share": sum(amounts) * 100 / it_total,
        "smes": len({line[1] for line in LINES_2025}),
        "median": Decimal(str(statistics.median(delays))),
        "within": Decimal(sum(1 for d in delays if d <= 60)) * 100 / len(delays),
    }


def generate_programme_report(campaign):
    staff = UserFactory(staff=True)
    job = services.request_programme_report(campaign=campaign, by=staff)
    version = services.run_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == ReportJob.State.DONE, job.error_message
    return version


def test_key_figures_match_an_independent_computation(report_data):
    expected = expected_2025()
    current = figures.key_figures(report_data.campaign)
    assert current.declarations == 4
    assert current.it_purchases == expected["it"]
    assert current.sme_purchases == expected["sme"]
    assert current.registered_sme_purchases == expected["registered"]
    assert current.distinct_smes == expected["smes"]
    assert current.median_payment_delay == expected["median"]
    assert current.paid_within_60_share == expected["within"]
    assert current.sme_share == expected["share"]


def test_programme_pdf_shows_the_figures_computed_independently(report_data):
    expected = expected_2025()
    version = generate_programme_report(report_data.campaign)
    text = pdf_text(version.pdf.read())
    assert "Rapport 2025 – version 1" in text
    for value in (
        "485 000 €",  # SME purchases, from the definition below
        plain(formatting.euros(expected["sme"])),
        plain(formatting.euros(expected["it"])),
        plain(formatting.percent(expected["share"])),
        "11,3 %",
        "52,5 jours",
        "62,5 %",
    ):
        assert value in text, value
    assert re.search(r"PME distinctes\s+5\b", text)
    # Registered-SME purchases minus SME purchases would give Alpha's purchases from the one
    # unregistered SME (25 000 €): that figure and its share are not published.
    assert plain(formatting.euros(expected["registered"])) not in text
    assert re.search(r"Achats auprès des PME innovantes inscrites\s+n\.s\.", text)
    # Year-on-year change of SME purchases: 485 000 against 100 000 in 2024.
    assert "+385,0 %" in text
    # Page numbers and table of contents.
    assert "Page 3 / " in text
    assert re.search(r"2\. Chiffres clés\s*\.*\s*3", text)


def test_pdf_uses_the_font_shipped_with_the_project(report_data):
    version = generate_programme_report(report_data.campaign)
    fonts = pdf_fonts(version.pdf.read())
    assert fonts and all("Lato" in font for font in fonts), fonts


def test_cells_describing_fewer_than_three_members_are_not_shown(report_data):
    version = generate_programme_report(report_data.campaign)
    text = pdf_text(version.pdf.read())
    # Brittany's SME is a supplier of two members only: its row is suppressed.
    assert re.search(r"Bretagne\s+n\.s\.\s+n\.s\.\s+n\.s\.\s+n\.s\.", text)
    # Auvergne-Rhône-Alpes has four members: shown (100 000 + 80 000 + 40 000 + 70 000).
    assert re.search(r"Auvergne-Rhône-Alpes\s+4\s+2\s+290 000 €", text)
    # 70 000 € is Brittany's (and the cloud domain's) amount: it must appear nowhere.
    assert "70 000 €" not in text
    sheet = load_workbook(BytesIO(version.xlsx.read()), read_only=True)["Régions"]
    rows = {row[0]: row[1:] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Bretagne"] == ("n.s.", "n.s.", "n.s.", "n.s.")
    assert rows["Auvergne-Rhône-Alpes"][2] == 290000


def test_members_who_did_not_agree_are_anonymised(report_data):
    version = generate_programme_report(report_data.campaign)
    text = pdf_text(version.pdf.read())
    assert "Alpha Banque" in text and "Beta Assurances" in text
    assert "Gamma Énergie" not in text and "Delta Transports" not in text
    # Ranked by SME share: Beta 20 %, Alpha 17,5 %, Delta 16 % (Membre A), Gamma 3,5 % (Membre B).
    assert re.search(r"1\s+Beta Assurances\s+20,0 %", text)
    assert re.search(r"3\s+Membre A\s+16,0 %", text)
    assert re.search(r"4\s+Membre B\s+3,5 %", text)
    assert "Et 2 membres ayant choisi de ne pas être nommés" in text
    ranking = load_workbook(BytesIO(version.xlsx.read()), read_only=True)["Classement"]
    names = [row[1] for row in ranking.iter_rows(min_row=2, values_only=True)]
    assert names == ["Beta Assurances", "Alpha Banque", "Membre A", "Membre B"]


def test_too_few_declarations_suppress_the_key_figures_and_the_ranking(report_data):
    report_data.declarations[2025, "Gamma Énergie"].delete()
    report_data.declarations[2025, "Delta Transports"].delete()
    version = generate_programme_report(report_data.campaign)
    text = pdf_text(version.pdf.read())
    assert re.search(r"Achats auprès des PME\s+n\.s\.", text)
    assert "Beta Assurances" not in text.split("Annexe")[0].split("6. Classement")[-1]
    assert "le classement n'est pas publié" in text
    assert "n.s." in str(version.key_figures)


def test_member_report_compares_with_the_programme_median(report_data):
    gamma = report_data.members["Gamma Énergie"]
    figures_ = figures.member_figures(report_data.campaign, organisation=gamma)
    assert figures_.current.sme_purchases == Decimal(70_000)
    # Median of the members' SME purchases: 175 000, 160 000, 70 000, 80 000 -> 120 000.
    assert figures_.medians.sme_purchases == Decimal(120_000)
    # Median of the shares: 17,5 / 20 / 3,5 / 16 -> 16,75 %.
    assert figures_.medians.sme_share == Decimal("16.75")
    assert [s.name for s in figures_.top_smes] == ["Rhône Data", "Paris Cloud"]
    assert figures_.previous.sme_purchases == Decimal(10_000)
    text = pdf_text(rendering.member_pdf(figures_, version_number=1))
    assert "Gamma Énergie" in text
    assert "70 000 €" in text and "120 000 €" in text and "16,8 %" in text


def test_french_number_formats():
    assert formatting.euros(Decimal("1234567.4")) == "1\u202f234\u202f567\u00a0€"
    assert formatting.percent(Decimal("12.5")) == "12,5\u00a0%"
    assert formatting.change_points(Decimal("10"), Decimal("12.5")) == "−2,5\u00a0pt"
    assert formatting.change_ratio(Decimal(110), Decimal(100)) == "+10,0\u00a0%"
    assert formatting.euros(None) == "–"


def test_names_typed_by_members_stay_text_in_the_annex(report_data):
    from accounts.models import Organisation

    Organisation.objects.filter(name="Alpha Banque").update(name='=HYPERLINK("http://x","y")')
    version = generate_programme_report(report_data.campaign)
    ranking = load_workbook(BytesIO(version.xlsx.read()))["Classement"]
    cells = [row[1] for row in ranking.iter_rows(min_row=2)]
    assert '\'=HYPERLINK("http://x","y")' in [cell.value for cell in cells]
    assert all(cell.data_type != "f" for cell in cells)


def test_a_batch_of_members_gets_the_figures_of_each_member_alone(report_data):
    campaign = report_data.campaign
    members = list(report_data.members.values())
    batch = figures.members_figures(campaign, organisations=members)
    previous = figures.previous_campaign(campaign)
    for member in members:
        alone = figures.breakdowns(campaign, organisation_id=member.pk)
        got = batch[member.pk]
        assert got.current == figures.key_figures(campaign, organisation_id=member.pk)
        assert got.previous == figures.key_figures(previous, organisation_id=member.pk)
        assert got.regions == alone["region"] and got.domains == alone["domain"]
        assert got.top_smes and got.top_smes[0].amount == max(s.amount for s in got.top_smes)


def test_the_programme_figures_read_each_year_once_and_give_the_same_figures(report_data):
    campaign = report_data.campaign
    previous = figures.previous_campaign(campaign)
    programme = figures.programme_figures(campaign)
    assert programme.current == figures.key_figures(campaign)
    assert programme.previous == figures.key_figures(previous)
    assert programme.previous_margins == figures.margins(previous)
    # The ranking from the pass's sums is the ranking summing the lines itself.
    assert programme.ranking == figures.ranking(campaign)


def test_the_median_from_a_histogram_is_postgresqls_percentile_cont():
    import random
    from collections import Counter

    from django.db import connection

    rng = random.Random(12)
    for size in (1, 2, 3, 4, 7, 10, 101, 1000):
        values = [rng.randint(0, 400) for _ in range(size)]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) "
                "FROM unnest(%s::smallint[]) AS v",
                [values],
            )
            (expected,) = cursor.fetchone()
        histogram = sorted(Counter(values).items())
        assert figures.percentile_cont(0.5, histogram) == expected, values
    assert figures.percentile_cont(0.5, []) is None


def test_the_domains_counted_without_the_bit_mask_give_the_same_breakdowns(report_data):
    """Domain ids up to MASK_MAX_DOMAIN_ID make each SME's domains a bit mask in `year_pass`; a
    domain beyond (staff add domains over the years) switches it to counting (domain, SME)
    pairs: the same figures either way, in both years' passes."""
    from directory.models import Domain

    campaign = report_data.campaign
    previous = figures.previous_campaign(campaign)
    with_mask = [figures.year_pass(c, local=True) for c in (campaign, previous)]
    Domain.objects.create(
        pk=figures.MASK_MAX_DOMAIN_ID + 1, slug="domaine-recent", name="Domaine récent"
    )
    assert not figures._domain_ids_fit_a_mask()
    without_mask = [figures.year_pass(c, local=True) for c in (campaign, previous)]
    assert without_mask == with_mask
    assert with_mask[0].parts["domain"] and all(r.smes for r in with_mask[0].parts["domain"])
