"""Each key figure reads the same on every surface: the account's figures page, its CSV and XLSX
exports, the member report (PDF and XLSX annex) and the programme report's annex.

The data is the report campaign (conftest) plus the two cases that used to split the surfaces:
an SME whose profile is pending review, and an SME whose profile was published after the
campaign closed. Neither is a registered SME for 2025.
"""

import csv
import datetime
import io
import re
import statistics
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from directory.models import Domain
from procurement import figures as one
from procurement.models import OrderLine
from reports import services
from reports.models import ReportJob
from spreadsheets import csv_cell as neutralise
from tests.factories import SMEProfileFactory, UserFactory, member_of, valid_siren

from .conftest import pdf_text

pytestmark = pytest.mark.django_db

PENDING_SIREN = valid_siren(555_001)
LATE_SIREN = valid_siren(555_002)


def flat(text: str) -> str:
    """Every kind of space and line break as one plain space."""
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\u00a0", " ")).strip()


@pytest.fixture(autouse=True)
def french():
    """Labels are computed here as well as in requests: the same language for both."""
    with translation.override("fr"):
        yield


@pytest.fixture
def data(report_data):
    alpha = report_data.members["Alpha Banque"]
    declaration = report_data.declarations[2025, "Alpha Banque"]
    SMEProfileFactory(
        siren=PENDING_SIREN, organisation__siren=PENDING_SIREN, name="En Attente", pending=True
    )
    SMEProfileFactory(
        siren=LATE_SIREN,
        organisation__siren=LATE_SIREN,
        name="Publiée Tard",
        # The 2025 campaign closes on 31 March 2026: published the next day, Paris time.
        published_at=datetime.datetime(2026, 4, 1, 0, 30, tzinfo=datetime.UTC),
    )
    for siren, name, amount, delay in (
        (PENDING_SIREN, "En Attente", 300_000, 45),
        (LATE_SIREN, "Publiée Tard", 125_000, 61),
    ):
        OrderLine.objects.create(
            declaration=declaration,
            sme_profile_id=siren,
            sme_name=name,
            amount=Decimal(amount),
            order_date=datetime.date(2025, 9, 1),
            domain=Domain.objects.get(slug="data-ia"),
            payment_delay_days=delay,
        )
    report_data.alpha = alpha
    return report_data


def run(job: ReportJob):
    version = services.run_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == ReportJob.State.DONE, job.error_message
    return version


def sheet_rows(data: bytes, title: str) -> list[list]:
    sheet = load_workbook(io.BytesIO(data), read_only=True)[title]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def page_key_rows(html: str) -> list[list[str]]:
    table = html.split('data-testid="key-figures"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        rows.append([flat(c) for c in cells])
    return rows


def test_every_key_figure_reads_the_same_on_every_surface(data, client):
    campaign = data.campaign
    alpha = data.alpha
    staff = UserFactory(staff=True)

    # The one definition, for the member and the programme.
    member = one.key_figures(campaign, organisation_id=alpha.pk)
    programme = one.key_figures(campaign)
    previous = one.key_figures(data.previous, organisation_id=alpha.pk)
    expected_rows = [
        [row.label, row.value, row.previous, row.change] for row in one.key_rows(member, previous)
    ]
    # Independently: Alpha's registered SMEs are Lyon Logiciels and Rennes Cyber only.
    assert member.sme_purchases == Decimal(100_000 + 50_000 + 25_000 + 300_000 + 125_000)
    assert member.registered_sme_purchases == Decimal(150_000)
    assert member.registered_smes == 2
    assert member.distinct_smes == 5
    assert member.median_payment_delay == Decimal(statistics.median([30, 90, 45, 61]))
    assert member.paid_within_60_share == Decimal(50)
    assert [row[0] for row in expected_rows] == [
        "Achats informatiques externes",
        "Achats auprès des PME",
        "Part PME des achats",
        "Achats auprès des PME innovantes inscrites",
        "Part des PME inscrites dans les achats PME",
        "PME distinctes",
        "Délai de paiement médian",
        "Commandes payées sous 60 jours",
    ]
    flat_expected = [[flat(cell) for cell in row] for row in expected_rows]
    assert flat_expected[4][1] == "25,0 %"  # 150 000 / 600 000, not 75 % (pending counted)

    # 1. The account's figures page.
    client.force_login(member_of(alpha))
    page = client.get(reverse("procurement:account_figures"), {"annee": 2025})
    assert page.status_code == 200
    html = page.content.decode()
    assert page_key_rows(html) == flat_expected
    assert "le 31 mars 2026" in flat(html)  # the methodology says what "registered" means

    # 2. Its key-figures CSV.
    response = client.get(reverse("procurement:account_key_figures_export"), {"annee": 2025})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Indicateur", "2025", "2024", "Évolution"]
    # The same text; like every CSV cell of the portal, a leading "+" is escaped (formula cells).
    key_count = len(expected_rows)
    assert rows[1 : 1 + key_count] == [[neutralise(cell) for cell in row] for row in expected_rows]
    # Then the local-purchasing share (procurement.figures.local_share), as on the page.
    assert rows[1 + key_count][0] == "Part des achats PME dans le département du site acheteur"

    # 3. Its XLSX: the same key figures sheet, and the figures as numbers per year.
    response = client.get(
        reverse("procurement:account_figures_export", args=["xlsx"]), {"annee": 2025}
    )
    account_xlsx = response.content
    assert sheet_rows(account_xlsx, "Chiffres clés")[1:] == expected_rows
    years = sheet_rows(account_xlsx, "Années")
    header, row_2025 = years[0], next(r for r in years[1:] if r[0] == 2025)
    by_label = dict(zip(header, row_2025, strict=True))
    assert Decimal(str(by_label["Achats auprès des PME"])) == member.sme_purchases
    assert (
        Decimal(str(by_label["Achats auprès des PME innovantes inscrites"]))
        == member.registered_sme_purchases
    )
    # Shares are percentages in the sheet: 0.25 shown "25.0%".
    assert Decimal(str(by_label["Part des PME inscrites dans les achats PME"])) == Decimal("0.25")
    assert by_label["PME distinctes"] == member.distinct_smes

    # 4. Its order lines (CSV): recomputing every figure from them gives the same numbers.
    response = client.get(
        reverse("procurement:account_figures_export", args=["csv"]), {"annee": 2025}
    )
    lines = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    amounts = [Decimal(line["Montant HT (€)"].replace(",", ".")) for line in lines]
    registered = [
        Decimal(line["Montant HT (€)"].replace(",", "."))
        for line in lines
        if line["PME inscrite"] == "oui"
    ]
    delays = [
        int(line["Délai de paiement (jours)"])
        for line in lines
        if line["Délai de paiement (jours)"]
    ]
    assert sum(amounts) == member.sme_purchases
    assert sum(registered) == member.registered_sme_purchases
    assert len({line["SIREN"] for line in lines}) == member.distinct_smes
    assert Decimal(statistics.median(delays)) == member.median_payment_delay

    # 5. The member report: PDF text and XLSX annex.
    (job,) = [
        j
        for j in services.request_member_reports(campaign=campaign, by=staff)
        if j.organisation_id == alpha.pk
    ]
    version = run(job)
    assert sheet_rows(version.xlsx.read(), "Chiffres clés")[1:] == expected_rows
    text = flat(pdf_text(version.pdf.read()))
    for row in flat_expected:
        assert " ".join(row) in text, row
    assert "le 31 mars 2026" in text

    # 6. The programme report's annex: the programme's figures, and they add up the members'.
    version = run(services.request_programme_report(campaign=campaign, by=staff))
    programme_rows = {row[0]: row[1] for row in sheet_rows(version.xlsx.read(), "Chiffres clés")}
    shown = 0
    for figure in one.key_figure_list(programme=True):
        cell = programme_rows[str(figure.label)]
        # Disclosure control may hide a cell ("n.s."); a cell shown reads as defined.
        assert cell in (figure.formatted(programme), "n.s."), figure.key
        shown += cell != "n.s."
    assert shown >= 3
    members = [one.key_figures(campaign, organisation_id=org.pk) for org in data.members.values()]
    assert programme.sme_purchases == sum(m.sme_purchases for m in members)
    assert programme.registered_sme_purchases == sum(m.registered_sme_purchases for m in members)


def test_a_profile_counts_as_registered_from_its_publication_until_the_campaign_closes(data):
    """The SQL rule and the per-line flag of the exports agree, at the boundary too."""
    campaign = data.campaign
    cutoff = one.registered_cutoff(campaign)
    assert cutoff == datetime.datetime(2026, 3, 31, 22, 0, tzinfo=datetime.UTC)  # Paris, CEST
    alpha = data.alpha
    before = one.key_figures(campaign, organisation_id=alpha.pk).registered_sme_purchases
    late = data.smes["Lyon Logiciels"].__class__.objects.get(siren=LATE_SIREN)
    late.published_at = cutoff - datetime.timedelta(seconds=1)
    late.save(update_fields=["published_at"])
    after = one.key_figures(campaign, organisation_id=alpha.pk).registered_sme_purchases
    assert after == before + Decimal(125_000)
    flagged = (
        OrderLine.objects.filter(declaration__campaign=campaign, sme_profile_id=LATE_SIREN)
        .annotate(registered=one.registered_sme(campaign))
        .get()
    )
    assert flagged.registered
    late.published_at = cutoff
    late.save(update_fields=["published_at"])
    assert one.key_figures(campaign, organisation_id=alpha.pk).registered_sme_purchases == before


def test_the_figures_page_says_what_registered_means_in_english_too(data, client):
    client.force_login(member_of(data.alpha))
    client.cookies["django_language"] = "en"
    with translation.override("fr"):  # the request activates English in this thread: restore
        page = flat(
            client.get(reverse("procurement:account_figures"), {"annee": 2025}).content.decode()
        )
    assert "Key figures 2025" in page and "How these figures are computed" in page
    assert "no later than the closing day of the 2025 campaign, 31 March 2026" in page
