"""Spreadsheet import: formats, errors with line and column, all or nothing, replace vs add."""

import datetime
import io
import time
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from procurement import services
from procurement.imports.messages import error_text
from procurement.models import ImportJob, OrderLine
from tests.factories import OrderLineFactory

from .conftest import YEAR

HEADER = "SIREN;Raison sociale;Montant HT (€);Date de commande;Domaine;Référence;Délai de paiement (jours)"


def csv_upload(text: str, *, encoding="utf-8", name="commandes.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def rows_csv(rows: list[str], header: str = HEADER, sep: str = ";") -> str:
    return "\n".join([header.replace(";", sep), *rows]) + "\n"


def import_file(declaration, user, upload) -> ImportJob:
    return services.create_import(declaration=declaration, upload=upload, by=user)


GOOD = f"732829320;Cyberbase;1 234,50 €;31/03/{YEAR};Cybersécurité;BC-1;45"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_import_reads_each_encoding(declaration, buyer, encoding):
    text = rows_csv(
        [GOOD, f"443061841;Société Générale d'Édition;500;01/02/{YEAR};Cloud et hébergement;;"]
    )
    job = import_file(declaration, buyer, csv_upload(text, encoding=encoding))
    assert job.state == ImportJob.State.VALID, job.errors
    services.confirm_import(job=job, mode="add", by=buyer)
    names = set(
        OrderLine.objects.filter(declaration=declaration).values_list("sme_name", flat=True)
    )
    assert "Société Générale d'Édition" in names


@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_import_detects_the_separator(declaration, buyer, sep):
    row = f'732829320{sep}Cyberbase{sep}"1234,50"{sep}{YEAR}-03-31{sep}Cybersécurité{sep}BC-1{sep}'
    job = import_file(declaration, buyer, csv_upload(rows_csv([row], sep=sep)))
    assert job.state == ImportJob.State.VALID, job.errors
    assert job.total_amount == Decimal("1234.50")


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("1 234,50", "1234.50"),
        ("1\u00a0234,50 €", "1234.50"),
        ("1\u202f234,50", "1234.50"),
        ("1234.50", "1234.50"),
        ("1.234,5", "1234.50"),
        ("12 000", "12000.00"),
        ("€ 99,9", "99.90"),
    ],
)
def test_import_reads_french_numbers(declaration, buyer, amount, expected):
    row = f'732829320;Cyberbase;"{amount}";15/06/{YEAR};Cybersécurité;;'
    job = import_file(declaration, buyer, csv_upload(rows_csv([row])))
    assert job.state == ImportJob.State.VALID, job.errors
    assert job.total_amount == Decimal(expected)


@pytest.mark.parametrize("written", [f"31/12/{YEAR}", f"{YEAR}-12-31", f"31-12-{YEAR}"])
def test_import_reads_dates(declaration, buyer, written):
    row = f"732829320;Cyberbase;100;{written};Cybersécurité;;"
    job = import_file(declaration, buyer, csv_upload(rows_csv([row])))
    assert job.state == ImportJob.State.VALID, job.errors
    services.confirm_import(job=job, mode="replace", by=buyer)
    assert OrderLine.objects.get(declaration=declaration).order_date == datetime.date(YEAR, 12, 31)


def test_headers_match_without_accents_case_or_order(declaration, buyer):
    header = "montant ht;DOMAINE;date de commande;siren;Nom de la PME;Delai de paiement"
    row = f"250;cybersecurite;15/06/{YEAR};732 829 320;Cyberbase;30"
    job = import_file(declaration, buyer, csv_upload(rows_csv([row], header=header)))
    assert job.state == ImportJob.State.VALID, job.errors


def test_every_error_is_reported_with_its_line_and_column(declaration, buyer):
    rows = [
        GOOD,  # line 2
        f"123456789;Mauvais SIREN;100;15/06/{YEAR};Cybersécurité;;",  # line 3
        f"732829320;Cyberbase;-5;15/06/{YEAR};Cybersécurité;;",  # line 4
        f"732829320;Cyberbase;0;15/06/{YEAR};Cybersécurité;;",  # line 5
        f"732829320;Cyberbase;douze;15/06/{YEAR};Cybersécurité;;",  # line 6
        f"732829320;Cyberbase;100;15/06/{YEAR - 1};Cybersécurité;;",  # line 7
        f"732829320;Cyberbase;100;15/06/{YEAR};Jardinage;;",  # line 8
        f"732829320;Cyberbase;100;32/13/{YEAR};Cybersécurité;;",  # line 9
    ]
    job = import_file(declaration, buyer, csv_upload(rows_csv(rows)))
    assert job.state == ImportJob.State.INVALID
    errors = {
        (line, column): error_text(code, params) for line, column, _v, code, params in job.errors
    }
    assert "SIREN" in errors[(3, "SIREN")]
    assert "positif" in errors[(4, "Montant HT (€)")]
    assert "positif" in errors[(5, "Montant HT (€)")]
    assert "nombre" in errors[(6, "Montant HT (€)")]
    assert str(YEAR) in errors[(7, "Date de commande")]
    assert "Jardinage" in errors[(8, "Domaine")]
    assert "date" in errors[(9, "Date de commande")]
    assert job.error_count == 7
    assert job.valid_rows == 1


def test_missing_column_is_reported(declaration, buyer):
    header = "SIREN;Raison sociale;Date de commande;Domaine"
    job = import_file(
        declaration,
        buyer,
        csv_upload(rows_csv([f"732829320;X;15/06/{YEAR};Cybersécurité"], header=header)),
    )
    assert job.state == ImportJob.State.INVALID
    assert job.errors == [[1, "Montant HT (€)", "", "missing_column", {}]]


def test_nothing_is_written_when_one_line_is_wrong(declaration, buyer, client):
    existing = OrderLineFactory(declaration=declaration)
    rows = [GOOD, GOOD.replace("1 234,50 €", "0")]
    job = import_file(declaration, buyer, csv_upload(rows_csv(rows)))
    assert job.state == ImportJob.State.INVALID
    with pytest.raises(services.TransitionError):
        services.confirm_import(job=job, mode="replace", by=buyer)
    assert list(OrderLine.objects.filter(declaration=declaration)) == [existing]
    client.force_login(buyer)
    page = client.get(reverse("procurement:import_detail", args=[declaration.pk, job.pk]))
    assert "le montant doit être strictement positif" in page.content.decode()


def test_replace_removes_the_draft_lines_and_add_keeps_them(declaration, buyer):
    OrderLineFactory(declaration=declaration)
    job = import_file(declaration, buyer, csv_upload(rows_csv([GOOD, GOOD])))
    services.confirm_import(job=job, mode="add", by=buyer)
    assert OrderLine.objects.filter(declaration=declaration).count() == 3
    job = import_file(declaration, buyer, csv_upload(rows_csv([GOOD])))
    services.confirm_import(job=job, mode="replace", by=buyer)
    assert OrderLine.objects.filter(declaration=declaration).count() == 1


def test_unregistered_sme_needs_a_name_and_registered_one_does_not(declaration, buyer, sme_profile):
    rows = [
        f"732829320;;100;15/06/{YEAR};Cybersécurité;;",  # registered: name from the directory
        f"443061841;;100;15/06/{YEAR};Cybersécurité;;",  # unknown SIREN without a name
    ]
    job = import_file(declaration, buyer, csv_upload(rows_csv(rows)))
    assert [e[:2] for e in job.errors] == [[3, "Raison sociale"]]


def xlsx_upload(rows: list[list]) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        ["SIREN", "Raison sociale", "Montant HT (€)", "Date de commande", "Domaine", "Référence"]
    )
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("commandes.xlsx", buffer.getvalue())


def test_xlsx_reads_numbers_date_cells_serials_and_formulas_cached_values(declaration, buyer):
    """A formula reads as the value the spreadsheet program cached; openpyxl writes none, so the
    cell reads empty here ("valeur manquante"), as a formula never computed would."""
    upload = xlsx_upload(
        [
            [732829320, "Cyberbase", 1234.5, datetime.date(YEAR, 3, 1), "Cybersécurité", "A"],
            [
                "732829320",
                "Cyberbase",
                "2 000,00",
                46000 + (YEAR - 2025) * 365,
                "Cybersécurité",
                "B",
            ],
            ["732829320", "Cyberbase", "=B2*2", datetime.date(YEAR, 3, 1), "Cybersécurité", "C"],
        ]
    )
    job = import_file(declaration, buyer, upload)
    assert [e[:2] for e in job.errors] == [[4, "Montant HT (€)"]]
    assert job.errors[0][3] == "required"
    assert job.valid_rows == 2


def test_files_too_big_are_refused(declaration, buyer, client, settings):
    client.force_login(buyer)
    url = reverse("procurement:import_upload", args=[declaration.pk])
    too_many = rows_csv([GOOD] * 100_001)
    response = client.post(url, {"file": csv_upload(too_many)})
    assert response.status_code == 400
    assert "100 000 lignes" in response.content.decode()
    big = SimpleUploadedFile("gros.csv", b"x" * (20 * 1024 * 1024 + 1))
    response = client.post(url, {"file": big})
    assert "20 Mo" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_garbage_files_give_a_message_not_an_error(declaration, buyer, client):
    client.force_login(buyer)
    url = reverse("procurement:import_upload", args=[declaration.pk])
    response = client.post(url, {"file": SimpleUploadedFile("x.xlsx", b"not a zip")})
    assert response.status_code == 400
    assert "pas un classeur XLSX" in response.content.decode()
    response = client.post(url, {"file": SimpleUploadedFile("x.csv", b"\x00\x01\x02 garbage")})
    assert response.status_code == 400
    assert "pas un fichier CSV" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_template_downloads_have_the_columns_and_an_example(client, buyer, campaign):
    client.force_login(buyer)
    text = client.get(reverse("procurement:import_template", args=["csv"])).content.decode(
        "utf-8-sig"
    )
    assert text.splitlines()[0].startswith("SIREN;Raison sociale;Montant HT (€)")
    assert "732829320" in text.splitlines()[1]
    data = client.get(reverse("procurement:import_template", args=["xlsx"])).content
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == "SIREN" and sheet["A2"].value == "732829320"


def test_import_history_records_one_event_per_import(declaration, buyer):
    job = import_file(declaration, buyer, csv_upload(rows_csv([GOOD] * 20)))
    services.confirm_import(job=job, mode="add", by=buyer)
    from procurement.selectors import declaration_history

    labels = [e.pgh_label for e in declaration_history(declaration)]
    assert labels.count("lines_imported") == 1
    assert "insert" not in [
        e.pgh_label
        for e in declaration_history(declaration)
        if e.pgh_model.endswith("OrderLineEvent")
    ]


@pytest.mark.django_db(transaction=True)
def test_big_file_is_validated_and_imported_by_the_worker_with_progress(
    celery_worker, client, settings, campaign, account
):
    from directory.models import Domain
    from tests.factories import DeclarationFactory, member_of

    Domain.objects.get_or_create(slug="cybersecurite", defaults={"name": "Cybersécurité"})
    settings.MEDIA_ROOT = celery_worker.media_dir
    declaration = DeclarationFactory(campaign=campaign, organisation=account)
    user = member_of(account)
    client.force_login(user)
    text = rows_csv([GOOD.replace("BC-1", f"BC-{i}") for i in range(6_000)])
    response = client.post(
        reverse("procurement:import_upload", args=[declaration.pk]), {"file": csv_upload(text)}
    )
    job = ImportJob.objects.get()
    assert job.run_in_background
    detail = reverse("procurement:import_detail", args=[declaration.pk, job.pk])
    assert response["Location"] == detail
    assert "progress" in client.get(detail).content.decode()
    progress_url = reverse("procurement:import_progress", args=[declaration.pk, job.pk])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_running:
            break
        time.sleep(0.3)
    assert job.state == ImportJob.State.VALID, (job.state, job.errors, job.failure)
    assert client.get(progress_url, HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"
    page = client.get(detail).content.decode()
    assert "6000" in page.replace("\u202f", "").replace(" ", "")
    client.post(
        reverse("procurement:import_confirm", args=[declaration.pk, job.pk]), {"mode": "replace"}
    )
    job.refresh_from_db()
    assert job.state in {ImportJob.State.IMPORTING, ImportJob.State.DONE}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_running:
            break
        time.sleep(0.3)
    assert job.state == ImportJob.State.DONE, job.failure
    assert OrderLine.objects.filter(declaration=declaration).count() == 6_000


def test_big_xlsx_goes_to_the_background_by_its_xml_size_not_its_dimension(declaration, buyer):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["SIREN", "Raison sociale", "Montant HT", "Date de commande", "Domaine"])
    for i in range(20_000):
        sheet.append(
            ["732829320", f"Cyberbase {i}", 10, datetime.date(YEAR, 1, 2), "Cybersécurité"]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = import_file(declaration, buyer, SimpleUploadedFile("gros.xlsx", buffer.getvalue()))
    assert job.run_in_background and job.total_rows == 0
    assert job.state == ImportJob.State.QUEUED
