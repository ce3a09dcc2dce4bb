"""The local-purchasing share in the member and programme reports (PDF and XLSX)."""

import io
from decimal import Decimal

import openpyxl

from directory.models import Departement
from procurement.models import OrderLine
from reports import figures, rendering
from reports.local import local_report_rows
from reports.published import programme_disclosure
from tests.factories import SiteFactory

from .conftest import pdf_text


def _name_sites(report_data):
    """Gamma's Lyon site buys Rhône Data (69, same département) and Paris Cloud (75)."""
    gamma = report_data.members["Gamma Énergie"]
    lyon = SiteFactory(
        organisation=gamma, name="Lyon Part-Dieu", departement=Departement.objects.get(code="69")
    )
    OrderLine.objects.filter(
        declaration__organisation=gamma, declaration__campaign=report_data.campaign
    ).update(site=lyon)
    return gamma


def test_member_report_shows_its_local_share(report_data):
    gamma = _name_sites(report_data)
    member = figures.member_figures(report_data.campaign, organisation=gamma)
    rows = {
        row.key: row for row in rendering.member_context(member, version_number=1)["local_rows"]
    }
    # 40 000 € of Gamma's 70 000 € went to an SME of the Rhône, where its site is.
    assert rows["same_departement"].value == "57,1\u00a0%"
    assert rows["site_unknown"].value == "0,0\u00a0%"
    # In 2024 Gamma's line named no site: everything was "site unknown".
    assert rows["site_unknown"].previous == "100,0\u00a0%"
    assert rows["site_unknown"].change == "−100,0\u00a0pt"
    text = pdf_text(rendering.member_pdf(member, version_number=1))
    assert "Achats locaux" in text
    assert "Part des achats PME dans le département du site acheteur" in text
    assert "57,1 %" in text
    sheet = openpyxl.load_workbook(io.BytesIO(rendering.member_xlsx(member)))["Achats locaux"]
    assert [cell.value for cell in sheet[2]][:2] == [
        "Part des achats PME dans le département du site acheteur",
        "57,1\u00a0%",
    ]


def test_programme_report_hides_a_local_share_only_one_member_makes(report_data):
    _name_sites(report_data)
    programme = figures.programme_figures(report_data.campaign)
    disclosure = programme_disclosure(programme)
    context = rendering.programme_context(programme, version_number=1, disclosure=disclosure)
    rows = {row.key: row for row in context["local_rows"]}
    # Only Gamma names sites: its same-département purchases are one member's -> n.s.
    assert rows["same_departement"].value == "n.s."
    assert rows["same_departement"].change == "n.s."
    # Three other members' lines name no site: that share is shown.
    assert rows["site_unknown"].value != "n.s."
    assert Decimal(rows["site_unknown"].value.split("\u00a0")[0].replace(",", ".")) > 80


def test_edition_reports_get_a_territory_share(report_data):
    _name_sites(report_data)
    members = [m.pk for m in report_data.members.values()]
    rows = {
        row.key: row
        for row in local_report_rows(
            report_data.campaign.pk, organisation_ids=members, territory=["69"]
        )
    }
    # Lyon Logiciels and Rhône Data (69): 100 000 + 80 000 + 40 000 + 70 000 of 485 000 €.
    assert rows["territory"].value == "59,8\u00a0%"


def test_edition_report_shows_its_members_local_share_with_the_territory(report_data):
    from reports.published import programme_disclosure as disclosure_of
    from tests.factories import EditionAccountFactory, EditionFactory

    _name_sites(report_data)
    edition = EditionFactory(name="Lyon Métropole", slug="lyon", territory=["69"])
    for name in ("Alpha Banque", "Beta Assurances", "Gamma Énergie"):
        EditionAccountFactory(edition=edition, organisation=report_data.members[name])
    edition_figures = figures.programme_figures(report_data.campaign, edition=edition)
    local = edition_figures.local_share
    # The members' purchases from every SME (405 000 €), of which 220 000 € in the Rhône.
    assert local.current.sme_purchases == Decimal("405000")
    assert local.current.territory_share.quantize(Decimal("0.1")) == Decimal("54.3")
    context = rendering.programme_context(
        edition_figures, version_number=1, disclosure=disclosure_of(edition_figures)
    )
    rows = {row.key: row for row in context["local_rows"]}
    assert rows["territory"].value == "54,3\u00a0%"
    text = pdf_text(
        rendering.programme_pdf(
            edition_figures, version_number=1, disclosure=disclosure_of(edition_figures)
        )
    )
    assert "Achats locaux" in text and "Part des achats PME auprès de PME du territoire" in text


def test_programme_report_reads_the_local_share_in_its_pass_over_the_lines(report_data):
    """The programme report takes each year's local share from its one pass over that year's
    lines: the same LocalShare as `procurement.figures.local_share`, every part and its members,
    year N and N-1 (a Rhône SME bought from a Rhône site, others from no site)."""
    from procurement.figures import local_share

    _name_sites(report_data)
    programme = figures.programme_figures(report_data.campaign)
    assert programme.local_share.current == local_share(report_data.campaign)
    assert programme.local_share.previous == local_share(report_data.previous)
    assert programme.local_share.current.parts["same_departement"].amount == Decimal(40_000)
    assert programme.local_share.current.parts["same_departement"].members == 1
    for campaign in (report_data.campaign, report_data.previous):
        for full in (True, False):
            one_pass = figures.year_pass(campaign, full=full, local=True)
            assert one_pass.local_share == local_share(campaign)


def test_a_batch_of_member_reports_reads_each_members_local_share_in_one_query(report_data):
    """Member reports travel in batches: each member's own local share (N and N-1) comes from one
    grouped query, the same rows as the member's share computed alone, and rendering the PDF and
    XLSX of a member asks nothing more of the database for it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.local import member_local_rows

    gamma = _name_sites(report_data)
    members = list(report_data.members.values())
    batch = figures.members_figures(report_data.campaign, organisations=members)
    for member in members:
        alone = member_local_rows(campaign_id=report_data.campaign.pk, organisation_id=member.pk)
        assert rendering.member_local_context(batch[member.pk])["local_rows"] == alone
    rows = {r.key: r for r in rendering.member_local_context(batch[gamma.pk])["local_rows"]}
    assert rows["same_departement"].value == "57,1\u00a0%"
    with CaptureQueriesContext(connection) as queries:
        rendering.member_local_context(batch[gamma.pk])
    assert not [q for q in queries.captured_queries if "procurement_site" in q["sql"]]
