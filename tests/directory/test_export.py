import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from directory.models import Departement
from spreadsheets import csv_cell as neutralise
from tests.factories import OrganisationFactory, SMEProfileFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db
CSV = reverse("directory:export_csv")
XLSX = reverse("directory:export_xlsx")


@pytest.fixture
def hostile():
    return SMEProfileFactory(
        name='=HYPERLINK("http://evil")',
        keywords="+33 1 23, -moins",
        description="@SUM(A1:A2)",
        contact_email="a@b.example",
    )


def _csv_rows(response):
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:]), delimiter=";"))


def test_csv_has_bom_semicolons_and_escaped_formulas(client, hostile):
    client.force_login(member_of(OrganisationFactory()))
    response = client.get(CSV)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv_rows(response)
    assert rows[0][0] == "SIREN"
    row = rows[1]
    assert row[1] == '\'=HYPERLINK("http://evil")'
    assert row[12] == "'+33 1 23, -moins"
    assert row[14] == "'@SUM(A1:A2)"


def test_xlsx_escapes_formulas(client, hostile):
    client.force_login(UserFactory(staff=True))
    response = client.get(XLSX)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    values = [c.value for c in sheet[2]]
    assert values[1] == '\'=HYPERLINK("http://evil")'
    assert values[14] == "'@SUM(A1:A2)"
    assert all(c.data_type != "f" for c in sheet[2])


def test_export_follows_the_current_selection(client):
    lyon = Departement.objects.get(code="69")
    rennes = Departement.objects.get(code="35")
    SMEProfileFactory(name="Lyonnaise", departement=lyon, region=lyon.region)
    SMEProfileFactory(name="Rennaise", departement=rennes, region=rennes.region)
    SMEProfileFactory(name="Cachée", draft=True)
    client.force_login(member_of(OrganisationFactory()))
    rows = _csv_rows(client.get(CSV, {"region": "53"}))
    assert [r[1] for r in rows[1:]] == ["Rennaise"]


@pytest.mark.parametrize("url", [CSV, XLSX])
def test_export_permissions(client, url):
    client.force_login(member_of(SMEProfileFactory().organisation))
    assert client.get(url).status_code == 403
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@x", "\tx", "\rx"])
def test_neutralise_prefixes_formula_triggers(value):
    assert neutralise(value) == "'" + value
    assert neutralise("Normal") == "Normal"
    assert neutralise(2015) == 2015
