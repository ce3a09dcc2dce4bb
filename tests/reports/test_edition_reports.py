"""An edition's report: the same engine over the edition's members and the edition's SMEs."""

from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from reports import figures as report_figures
from reports import services
from reports.models import ReportVersion
from reports.published import programme_disclosure
from tests.factories import EditionAccountFactory, EditionFactory, UserFactory

from .conftest import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(staff=True)


def lyon_edition(report_data, members=("Alpha Banque", "Beta Assurances", "Gamma Énergie")):
    """The Rhône (69) edition: Lyon Logiciels and Rhône Data are its SMEs."""
    edition = EditionFactory(name="Lyon Métropole", slug="lyon", territory=["69"])
    for name in members:
        EditionAccountFactory(edition=edition, organisation=report_data.members[name])
    # A refused request: not a member.
    EditionAccountFactory(
        edition=edition, organisation=report_data.members["Delta Transports"], state="refused"
    )
    return edition


def generate(campaign, staff, edition) -> ReportVersion:
    job = services.request_programme_report(campaign=campaign, by=staff, edition=edition)
    return services.run_job(job_id=job.pk)


def test_edition_figures_count_its_members_purchases_from_its_smes_only(report_data):
    figures = report_figures.programme_figures(
        report_data.campaign, edition=lyon_edition(report_data)
    )
    current = figures.current
    # Alpha → Lyon Logiciels 100 000, Beta → Lyon Logiciels 80 000, Gamma → Rhône Data 40 000;
    # Delta (refused) and the purchases from Paris, Rennes and an unregistered SME are left out.
    assert current.sme_purchases == Decimal("220000")
    assert current.declarations == 3 and current.members == 3
    assert current.distinct_smes == 2
    assert current.it_purchases == Decimal("3800000")
    # The members' total: their purchases from every SME (inside the edition or not).
    assert figures.members_total.sme_purchases == Decimal("405000")
    assert {row.key: row.amount for row in figures.regions} == {"84": Decimal("220000")}
    assert [m.display_name for m in figures.ranking][:1] == ["Alpha Banque"]
    assert figures.named_participants == ["Alpha Banque", "Beta Assurances"]
    assert figures.anonymous_participants == 1
    assert figures.edition_regions == ("84",)
    # Year N-1: the same members, the same SMEs (Alpha and Beta → Lyon Logiciels).
    assert figures.previous.sme_purchases == Decimal("90000")
    assert not programme_disclosure(figures).total_hidden


def test_sectoral_edition_counts_the_smes_of_its_domains(report_data):
    from directory.models import Domain

    cyber = Domain.objects.get(slug="cybersecurite")
    profile = report_data.smes["Rennes Cyber"]
    profile.domain_ids = [cyber.pk]
    profile.save()
    edition = EditionFactory(sector=["cybersecurite"])
    for name in ("Alpha Banque", "Beta Assurances", "Gamma Énergie", "Delta Transports"):
        EditionAccountFactory(edition=edition, organisation=report_data.members[name])
    figures = report_figures.programme_figures(report_data.campaign, edition=edition)
    assert figures.current.sme_purchases == Decimal("70000")  # Alpha 50 000 + Beta 20 000
    assert figures.current.declarations == 4


def test_edition_without_territory_counts_no_purchase(report_data):
    edition = EditionFactory()
    EditionAccountFactory(edition=edition, organisation=report_data.members["Alpha Banque"])
    figures = report_figures.programme_figures(report_data.campaign, edition=edition)
    assert figures.current.sme_purchases == 0
    assert figures.members_total.sme_purchases == Decimal("175000")


def test_edition_report_with_two_members_publishes_no_figure_of_theirs(report_data, staff):
    edition = lyon_edition(report_data, members=("Alpha Banque", "Beta Assurances"))
    version = generate(report_data.campaign, staff, edition)
    assert version.edition == edition and version.number == 1
    text = pdf_text(version.pdf.read())
    assert "Lyon Métropole" in text
    assert "180 000 €" not in text  # Alpha + Beta from Lyon Logiciels
    assert "335 000 €" not in text  # their total from every SME
    assert "Alpha Banque" in text  # named in the participants' list (it agreed)
    rows = {label: value for label, value, _change in version.key_figures["rows"]}
    assert rows["Achats auprès des PME"] == "n.s."
    assert rows["Achats des membres auprès de toutes les PME (dans l'édition ou non)"] == "n.s."
    sheet = load_workbook(BytesIO(version.xlsx.read()))["Chiffres clés"]
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert 180000 not in values and "180 000 €" not in " ".join(map(str, values))


def test_edition_report_is_versioned_per_edition_and_shows_its_figures(report_data, staff):
    edition = lyon_edition(report_data)
    national = services.run_job(
        job_id=services.request_programme_report(campaign=report_data.campaign, by=staff).pk
    )
    first = generate(report_data.campaign, staff, edition)
    second = generate(report_data.campaign, staff, edition)
    assert (national.number, first.number, second.number) == (1, 1, 2)
    text = pdf_text(first.pdf.read())
    assert "220 000 €" in text and "405 000 €" in text
    assert "Membre A" in text  # Gamma did not agree to be named
    assert "Gamma" not in text
    assert first.pdf.name.endswith("pacte-pme-lyon-2025-v1.pdf")

    # Publishing an edition's version replaces only that edition's published one.
    services.publish_version(version=national, by=staff)
    services.publish_version(version=first, by=staff)
    services.publish_version(version=second, by=staff)
    national.refresh_from_db()
    first.refresh_from_db()
    assert national.is_published and not first.is_published


def test_members_total_is_hidden_when_it_would_reveal_one_members_purchases_elsewhere(
    report_data,
):
    """With Paris and Rennes in the edition too, the members' only purchase outside it is Alpha's
    25 000 € from an unregistered SME: the members' total minus the edition's total would give it
    back, so the members' total is "n.s." while the edition's total stays shown."""
    from reports import rendering

    edition = EditionFactory(territory=["69", "75", "35"])
    for name in ("Alpha Banque", "Beta Assurances", "Gamma Énergie"):
        EditionAccountFactory(edition=edition, organisation=report_data.members[name])
    figures = report_figures.programme_figures(report_data.campaign, edition=edition)
    assert figures.current.sme_purchases == Decimal("380000")
    assert figures.members_total.sme_purchases == Decimal("405000")
    disclosure = programme_disclosure(figures)
    assert disclosure.members_total_hidden and not disclosure.total_hidden
    rows = {row[0]: row[1] for row in rendering.key_figures_summary(figures, disclosure)}
    assert rows["Achats auprès des PME"] == "380\u202f000\u00a0€"
    assert rows["Achats des membres auprès de toutes les PME (dans l'édition ou non)"] == "n.s."
    assert rows["Membres de l'édition"] == "3"


def test_national_edition_counts_every_line_of_its_members(report_data):
    edition = EditionFactory(kind="national")
    for name in ("Alpha Banque", "Beta Assurances", "Gamma Énergie"):
        EditionAccountFactory(edition=edition, organisation=report_data.members[name])
    figures = report_figures.programme_figures(report_data.campaign, edition=edition)
    assert figures.current.sme_purchases == figures.members_total.sme_purchases == Decimal("405000")
    assert not programme_disclosure(figures).members_total_hidden
