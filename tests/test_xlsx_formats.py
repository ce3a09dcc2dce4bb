"""Every XLSX export reads well in a spreadsheet: real dates shown dd/mm/yyyy, amounts in €,
shares as percentages, a frozen header row, an autofilter, columns wide enough; links use the
host the person is on."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from spreadsheets import Column, add_table, workbook_bytes, write_only_workbook
from tests.factories import (
    CampaignFactory,
    DeclarationFactory,
    OrderLineFactory,
    OrganisationFactory,
    SMEProfileFactory,
    member_of,
)


def _workbook(content: bytes):
    return load_workbook(io.BytesIO(content))


def assert_table_layout(sheet) -> None:
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
    assert sheet["A1"].font.bold
    assert all(
        (sheet.column_dimensions[letter].width or 0) >= 8
        for letter in sheet.auto_filter.ref.split(":")[1].rstrip("0123456789")
    )


def test_the_shared_helper_writes_number_formats_freeze_panes_and_a_filter():
    workbook = write_only_workbook()
    add_table(
        workbook,
        "Table",
        [
            Column("Nom"),
            Column("Montant", "money"),
            Column("Part", "percent"),
            Column("Date", "date"),
        ],
        [["=danger", Decimal("1234.5"), Decimal("12.5"), datetime.date(2026, 11, 30)]],
    )
    sheet = _workbook(workbook_bytes(workbook))["Table"]
    assert_table_layout(sheet)
    assert sheet.auto_filter.ref == "A1:D2"
    assert sheet["A2"].value == "'=danger"
    assert sheet["B2"].value == 1234.5 and "€" in sheet["B2"].number_format
    assert sheet["C2"].value == 0.125 and sheet["C2"].number_format == "0.0%"
    assert sheet["D2"].value == datetime.datetime(2026, 11, 30)
    assert sheet["D2"].number_format == "DD/MM/YYYY"


@pytest.mark.django_db
def test_directory_export_has_the_layout_and_links_on_the_requests_host(client, settings):
    settings.ALLOWED_HOSTS = ["annuaire.example"]
    client.force_login(member_of(OrganisationFactory()))
    profile = SMEProfileFactory(name="Lien Absolu")
    response = client.get(reverse("directory:export_xlsx"), HTTP_HOST="annuaire.example:8123")
    sheet = _workbook(b"".join(response.streaming_content)).active
    assert_table_layout(sheet)
    links = [row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert f"http://annuaire.example:8123/annuaire/pme/{profile.siren}/" in links


@pytest.mark.django_db
def test_account_figures_export_has_dates_amounts_and_percentages(client):
    account = OrganisationFactory()
    campaign = CampaignFactory(year=2025, closed=True)
    declaration = DeclarationFactory(campaign=campaign, organisation=account, submitted=True)
    OrderLineFactory(declaration=declaration, amount=Decimal("1500.50"))
    client.force_login(member_of(account))
    response = client.get(
        reverse("procurement:account_figures_export", args=["xlsx"]), {"annee": 2025}
    )
    workbook = _workbook(response.content)
    for sheet in workbook.worksheets:
        assert_table_layout(sheet)
    lines = workbook["Lignes 2025"]
    header = [cell.value for cell in lines[1]]
    amount = lines.cell(row=2, column=header.index("Montant HT (€)") + 1)
    date = lines.cell(row=2, column=header.index("Date de commande") + 1)
    assert amount.value == 1500.5 and "€" in amount.number_format
    assert isinstance(date.value, datetime.datetime) and date.number_format == "DD/MM/YYYY"
    years = workbook["Années"]
    header = [cell.value for cell in years[1]]
    share = years.cell(row=2, column=header.index("Part PME des achats") + 1)
    assert share.number_format == "0.0%"


@pytest.mark.django_db
def test_campaign_dashboard_export_in_xlsx(client):
    from tests.factories import UserFactory

    account = OrganisationFactory(name="Compte Tableur")
    campaign = CampaignFactory(year=2025)
    declaration = DeclarationFactory(campaign=campaign, organisation=account, submitted=True)
    OrderLineFactory(declaration=declaration, amount=Decimal("250000"))
    client.force_login(UserFactory(staff=True))
    response = client.get(reverse("procurement:campaign_export_xlsx", args=[campaign.pk]))
    sheet = _workbook(response.content).active
    assert_table_layout(sheet)
    header = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "Compte Tableur")
    share = row[header.index("Part PME (%)")]
    assert share.value == 0.25 and share.number_format == "0.0%"
    assert "€" in row[header.index("Achats PME (€ HT)")].number_format
    activity = row[header.index("Dernière activité")]
    assert activity.number_format == "DD/MM/YYYY HH:MM"
