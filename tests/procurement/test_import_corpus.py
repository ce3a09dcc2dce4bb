"""A corpus of files as buyers really have them, each built here with its expected preview.

Every encoding (UTF-8, UTF-8 with BOM, UTF-16 with and without BOM, Windows-1252, Latin-1
mojibake, C1 control characters), every separator, XLSX/XLS/ODS, numbers and SIRENs stored as
numbers, dates as cells and as text, a workbook with its data on the second sheet, a title line
above the headers, the buyer's own domain words, a PNG renamed .csv, a zip bomb.
"""

import datetime
import io
import time
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

import openpyxl
import pytest
import xlwt
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from stdnum import luhn

from bench.spreadsheets import write_ods
from procurement import services
from procurement.models import DomainMapping, ImportJob, OrderLine

from .conftest import YEAR

HEADER = ["SIREN", "Raison sociale", "Montant HT (€)", "Date de commande", "Domaine", "Référence"]
CYBER = "Cybersécurité"
# A valid SIREN that starts with a zero (lost when a spreadsheet stores it as a number).
ZERO_SIREN = "0" + "1234567" + luhn.calc_check_digit("01234567")


def csv_bytes(rows, *, sep=";", encoding="utf-8", header=HEADER) -> bytes:
    lines = [sep.join(header), *(sep.join(str(c) for c in row) for row in rows)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xls_bytes(rows: list[list]) -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Commandes")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write(r, c, value, date_style)
            else:
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def good(n=1, *, amount="1 234,50", day=15) -> list[list]:
    return [
        ["732829320", "Cyberbase", amount, f"{day:02d}/03/{YEAR}", CYBER, f"BC-{i}"]
        for i in range(n)
    ]


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


@dataclass
class Case:
    name: str
    filename: str
    data: bytes
    state: str = "valid"
    valid_rows: int | None = None
    total: str | None = None
    errors: list[tuple] = field(default_factory=list)  # (line, column, code)
    sheet: str = ""
    repaired: int = 0
    ignored: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unmapped: list[tuple] = field(default_factory=list)  # (value, count, suggested domain)
    refused: str = ""  # a message fragment when the upload itself is refused


def corpus() -> list[Case]:
    erp_rows = [
        ["732829320", "Société Générale d'Édition", "1 200,00 €", f"02/02/{YEAR}", "Paie et RH"],
        ["443061841", "Données & Cie", "800,00 €", f"03/02/{YEAR}", "Données et IA"],
    ]
    erp = [erp_rows[i % 2] for i in range(12)] + [
        ["123456789", "Mauvais SIREN", "100,00 €", f"04/02/{YEAR}", CYBER],
        ["732829320", "Cyberbase", "(50,00 €)", f"04/02/{YEAR}", CYBER],
    ]
    mojibake = "Société Générale".encode().decode("latin-1")
    return [
        Case("utf8-semicolon", "a.csv", csv_bytes(good(2)), valid_rows=2, total="2469.00"),
        Case(
            "utf8-bom-comma",
            "b.csv",
            csv_bytes(good(1, amount='"1234,50"'), sep=",", encoding="utf-8-sig"),
            valid_rows=1,
            total="1234.50",
        ),
        Case(
            "utf16-bom-tab",
            "c.txt",
            csv_bytes(good(3), sep="\t", encoding="utf-16"),
            valid_rows=3,
            total="3703.50",
        ),
        Case(
            "utf16le-no-bom",
            "d.csv",
            csv_bytes(good(2), encoding="utf-16-le"),
            valid_rows=2,
            total="2469.00",
        ),
        Case(
            "windows-1252-euro",
            "e.csv",
            csv_bytes(
                [["443061841", "Société Générale", "99,90 €", f"01/06/{YEAR}", CYBER, ""]],
                encoding="cp1252",
            ),
            valid_rows=1,
            total="99.90",
        ),
        Case(
            "latin1-mojibake",
            "f.csv",
            csv_bytes([["443061841", mojibake, "10", f"01/06/{YEAR}", "CybersÃ©curitÃ©", ""]]),
            valid_rows=1,
            repaired=2,
        ),
        Case(
            "c1-euro-in-xlsx",
            "g.xlsx",
            xlsx_bytes(
                {
                    "Export": [
                        HEADER,
                        ["732829320", "Cyberbase", "1 234,50 \x80", f"01/06/{YEAR}", CYBER, "A"],
                        ["732829320", "L\x92atelier \x85", "10 \x80", f"01/06/{YEAR}", CYBER, "B"],
                    ]
                }
            ),
            valid_rows=2,
            total="1244.50",
            repaired=3,
            sheet="Export",
        ),
        Case(
            "numbers-as-numbers-xlsx",
            "h.xlsx",
            xlsx_bytes(
                {
                    "Commandes": [
                        HEADER,
                        [732829320, "Cyberbase", 1234.5, datetime.date(YEAR, 3, 1), CYBER, 42],
                        [int(ZERO_SIREN), "Zéro", 99, datetime.date(YEAR, 3, 2), CYBER, 43],
                    ]
                }
            ),
            valid_rows=2,
            total="1333.50",
            sheet="Commandes",
        ),
        Case(
            "dates-cells-and-text-xlsx",
            "i.xlsx",
            xlsx_bytes(
                {
                    "Commandes": [
                        HEADER,
                        ["732829320", "A", 1, datetime.datetime(YEAR, 3, 1, 0, 0), CYBER, "1"],
                        ["732829320", "A", 1, f"31.03.{YEAR}", CYBER, "2"],
                        ["732829320", "A", 1, f"{YEAR}/03/31", CYBER, "3"],
                        ["732829320", "A", 1, f"31 mars {YEAR}", CYBER, "4"],
                        ["732829320", "A", 1, f"1er févr. {YEAR}", CYBER, "5"],
                        ["732829320", "A", 1, f"{YEAR}-03-31 00:00:00", CYBER, "6"],
                        ["732829320", "A", 1, "32/13/2026", CYBER, "7"],
                    ]
                }
            ),
            state="invalid",
            valid_rows=6,
            errors=[(8, "Date de commande", "not_date")],
            sheet="Commandes",
        ),
        Case(
            "data-on-second-sheet",
            "j.xlsx",
            xlsx_bytes(
                {
                    "Notes": [["Export ERP du 01/12"], ["Voir feuille suivante"]],
                    "Commandes 2026": [HEADER, *good(4)],
                }
            ),
            valid_rows=4,
            sheet="Commandes 2026",
        ),
        Case(
            "title-line-above-headers-ods",
            "k.ods",
            write_ods({"Achats": [["Export des achats PME"], [], HEADER, *good(2)]}),
            valid_rows=2,
            sheet="Achats",
        ),
        Case(
            "ods-numbers-and-dates",
            "l.ods",
            write_ods(
                {
                    "Feuille1": [
                        HEADER,
                        [732829320, "Cyberbase", 1500.25, datetime.date(YEAR, 5, 5), CYBER, ""],
                        [int(ZERO_SIREN), "Zéro", 10, datetime.date(YEAR, 5, 6), CYBER, ""],
                    ]
                }
            ),
            valid_rows=2,
            total="1510.25",
            sheet="Feuille1",
        ),
        Case(
            "old-excel-xls",
            "m.xls",
            xls_bytes(
                [
                    HEADER,
                    [732829320, "Cyberbase", 250.5, datetime.date(YEAR, 4, 1), CYBER, "X"],
                    ["443061841", "Autre", "1.000,00", f"02/04/{YEAR}", CYBER, "Y"],
                ]
            ),
            valid_rows=2,
            total="1250.50",
            sheet="Commandes",
        ),
        Case(
            "xlsx-named-xls",
            "n.xls",
            xlsx_bytes({"Commandes": [HEADER, *good(1)]}),
            valid_rows=1,
            sheet="Commandes",
        ),
        Case(
            "erp-own-domain-words-cp1252",
            "o.csv",
            csv_bytes(erp, encoding="cp1252", header=HEADER[:5]),
            state="invalid",
            valid_rows=0,
            errors=[
                *((line, "Domaine", "unknown_domain") for line in range(2, 14)),
                (14, "SIREN", "siren_key"),
                (15, "Montant HT (€)", "amount_negative"),
            ],
            unmapped=[
                ("Paie et RH", 6, "RH et paie"),
                ("Données et IA", 6, "Data et intelligence artificielle"),
            ],
        ),
        Case(
            "png-as-csv",
            "p.csv",
            PNG,
            refused="pas un fichier CSV (son contenu ressemble à : une image PNG)",
        ),
        Case("pdf-as-xlsx", "q.xlsx", b"%PDF-1.7\n" + b"x" * 500, refused="pas un classeur XLSX"),
        Case(
            "extra-columns-ignored",
            "r.csv",
            csv_bytes(
                [[*row, "Compte 6068", "Paris"] for row in good(2)],
                header=[*HEADER, "Compte comptable", "Site"],
            ),
            valid_rows=2,
            ignored=["Compte comptable", "Site"],
        ),
        Case(
            "siret-and-spaced-sirens",
            "s.csv",
            csv_bytes(
                [
                    ["73282932000074", "Cyberbase", "10", f"01/06/{YEAR}", CYBER, "1"],
                    ["732 829 320", "Cyberbase", "10", f"01/06/{YEAR}", CYBER, "2"],
                    ["732.829.320", "Cyberbase", "10", f"01/06/{YEAR}", CYBER, "3"],
                    [ZERO_SIREN[1:], "Zéro", "10", f"01/06/{YEAR}", CYBER, "4"],
                ]
            ),
            valid_rows=4,
            warnings=["siret_truncated"],
        ),
        Case(
            "amounts-written-every-way",
            "t.csv",
            csv_bytes(
                [
                    ["732829320", "A", "1.234,50", f"01/06/{YEAR}", CYBER, "1"],
                    ["732829320", "A", "EUR 1 234,50", f"01/06/{YEAR}", CYBER, "2"],
                    ["732829320", "A", "1 234,50 EUR", f"01/06/{YEAR}", CYBER, "3"],
                    ["732829320", "A", "€1,234.50", f"01/06/{YEAR}", CYBER, "4"],
                    ["732829320", "A", "(1 234,50)", f"01/06/{YEAR}", CYBER, "5"],
                ]
            ),
            state="invalid",
            valid_rows=4,
            errors=[(6, "Montant HT (€)", "amount_negative")],
        ),
        Case(
            "sanity-warnings",
            "u.csv",
            csv_bytes(
                [
                    *(
                        ["732829320", "A", "100", f"0{d}/06/{YEAR}", CYBER, f"R{d}"]
                        for d in range(1, 10)
                    ),
                    ["732829320", "A", "100", f"01/06/{YEAR}", CYBER, "R1"],  # duplicate
                    ["443061841", "B", "1 000 000", f"02/06/{YEAR}", CYBER, "BIG"],  # outlier
                ]
            ),
            valid_rows=11,
            warnings=["above_it_total", "outlier", "duplicate_in_file"],
        ),
    ]


CASES = corpus()


def test_the_corpus_has_at_least_twenty_files():
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_file_gives_its_expected_preview(case, declaration, buyer, client):
    from directory.models import Domain

    declaration.it_purchases_total = Decimal("50000")
    declaration.save()
    client.force_login(buyer)
    url = reverse("procurement:import_upload", args=[declaration.pk])
    response = client.post(url, {"file": SimpleUploadedFile(case.filename, case.data)})
    if case.refused:
        assert response.status_code == 400
        assert case.refused in response.content.decode()
        assert not ImportJob.objects.exists()
        return
    assert response.status_code == 302, response.content.decode()[-2000:]
    job = ImportJob.objects.get()
    assert job.state == case.state, job.errors[:5]
    if case.valid_rows is not None:
        assert job.valid_rows == case.valid_rows
    if case.total is not None:
        assert job.total_amount == Decimal(case.total)
    assert [(e[0], e[1], e[3]) for e in job.errors] == case.errors
    assert job.sheet_name == case.sheet
    assert job.repaired_cells == case.repaired
    assert job.ignored_columns == case.ignored
    assert [w[0] for w in job.warnings] == case.warnings
    names = dict(Domain.objects.values_list("pk", "name"))
    assert [(u["value"], u["count"], names.get(u["suggestion"])) for u in job.unmapped] == (
        case.unmapped
    )
    page = client.get(response["Location"]).content.decode()
    if case.sheet:
        assert f"« {case.sheet} »" in page
    if case.repaired:
        assert "réparée" in page
    if case.state == "valid":
        services.confirm_import(job=job, mode="replace", by=buyer)
        assert OrderLine.objects.filter(declaration=declaration).count() == case.valid_rows


def test_repaired_text_is_what_gets_imported(declaration, buyer):
    data = CASES[[c.name for c in CASES].index("c1-euro-in-xlsx")].data
    job = services.create_import(
        declaration=declaration, upload=SimpleUploadedFile("g.xlsx", data), by=buyer
    )
    services.confirm_import(job=job, mode="replace", by=buyer)
    names = set(OrderLine.objects.values_list("sme_name", flat=True))
    assert names == {"Cyberbase", "L’atelier …"}
    data = CASES[[c.name for c in CASES].index("latin1-mojibake")].data
    job = services.create_import(
        declaration=declaration, upload=SimpleUploadedFile("f.csv", data), by=buyer
    )
    services.confirm_import(job=job, mode="replace", by=buyer)
    assert OrderLine.objects.get().sme_name == "Société Générale"


def test_another_account_cannot_download_our_errors(declaration, buyer, outsider, client):
    case = CASES[[c.name for c in CASES].index("erp-own-domain-words-cp1252")]
    job = services.create_import(
        declaration=declaration, upload=SimpleUploadedFile("o.csv", case.data), by=buyer
    )
    url = reverse("procurement:import_errors_csv", args=[declaration.pk, job.pk])
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(buyer)
    assert client.get(url).status_code == 200


def test_errors_are_grouped_and_downloadable(declaration, buyer, client):
    case = CASES[[c.name for c in CASES].index("erp-own-domain-words-cp1252")]
    job = services.create_import(
        declaration=declaration, upload=SimpleUploadedFile("o.csv", case.data), by=buyer
    )
    client.force_login(buyer)
    page = client.get(reverse("procurement:import_detail", args=[declaration.pk, job.pk]))
    text = page.content.decode()
    assert "6 lignes" in text and "domaine inconnu « Paie et RH »" in text
    assert "2, 4, 6, 8, 10, 12" in text
    assert "Data et intelligence artificielle" in text  # the valid names are listed
    csv_text = client.get(
        reverse("procurement:import_errors_csv", args=[declaration.pk, job.pk])
    ).content.decode("utf-8-sig")
    lines = csv_text.splitlines()
    assert lines[0] == "Ligne;Colonne;Valeur;Erreur"
    assert "14;SIREN;123456789;SIREN 123456789 invalide (clé de contrôle)" in lines
    assert len(lines) == 1 + 14
    # The same errors in English for an English-speaking buyer.
    client.cookies["django_language"] = "en"
    try:
        english = client.get(
            reverse("procurement:import_errors_csv", args=[declaration.pk, job.pk]),
            HTTP_ACCEPT_LANGUAGE="en",
        ).content.decode("utf-8-sig")
    finally:
        translation.activate("fr")
    assert "Line;Column;Value;Error" in english
    assert "unknown domain “Paie et RH”" in english


def test_domain_words_are_mapped_remembered_and_reapplied(
    declaration, buyer, client, other_account, outsider
):
    from directory.models import Domain

    case = CASES[[c.name for c in CASES].index("erp-own-domain-words-cp1252")]
    fixed = case.data.replace(b"123456789", b"443061841").replace(b"(50,00 \x80)", b"50,00")
    job = services.create_import(
        declaration=declaration, upload=SimpleUploadedFile("o.csv", fixed), by=buyer
    )
    assert job.state == ImportJob.State.INVALID
    client.force_login(buyer)
    detail = reverse("procurement:import_detail", args=[declaration.pk, job.pk])
    page = client.get(detail).content.decode()
    # Each word is offered with the closest portal domain pre-selected.
    rh = Domain.objects.get(slug="rh-paie")
    data = Domain.objects.get(slug="data-ia")
    assert f'<option value="{rh.pk}" selected>' in page
    response = client.post(
        reverse("procurement:import_map", args=[declaration.pk, job.pk]),
        {"map_0": rh.pk, "map_1": data.pk},
    )
    assert response["Location"] == detail
    job.refresh_from_db()
    assert job.state == ImportJob.State.VALID, job.errors[:3]
    assert job.valid_rows == 14
    services.confirm_import(job=job, mode="replace", by=buyer)
    assert OrderLine.objects.filter(domain=rh).count() == 6
    # The next file with the same words is mapped without asking.
    again = services.create_import(
        declaration=declaration, upload=SimpleUploadedFile("o2.csv", fixed), by=buyer
    )
    assert again.state == ImportJob.State.VALID and not again.unmapped
    # The mappings are the account's: another account is asked again, and cannot map ours.
    assert set(DomainMapping.objects.values_list("organisation_id", flat=True)) == {
        declaration.organisation_id
    }
    client.force_login(outsider)
    assert (
        client.post(
            reverse("procurement:import_map", args=[declaration.pk, job.pk]), {"map_0": rh.pk}
        ).status_code
        == 404
    )


def test_mappings_are_edited_on_the_account_page(declaration, buyer, client):
    from directory.models import Domain

    client.force_login(buyer)
    url = reverse("procurement:domain_mappings")
    rh = Domain.objects.get(slug="rh-paie")
    response = client.post(url, {"source_text": "Paie & RH", "domain": rh.pk})
    assert response.status_code == 302
    mapping = DomainMapping.objects.get()
    assert (mapping.source_text, mapping.source_text_folded, mapping.domain) == (
        "Paie & RH",
        "paie rh",
        rh,
    )
    cyber = Domain.objects.get(slug="cybersecurite")
    client.post(url, {"source_text": "Paie & RH", "domain": cyber.pk})
    assert DomainMapping.objects.get().domain == cyber
    assert "Paie &amp; RH" in client.get(url).content.decode()
    client.post(url, {"source_text": "Paie & RH", "domain": ""})
    assert not DomainMapping.objects.exists()


def test_templates_list_the_domain_names_and_the_xlsx_offers_a_drop_down(client, buyer, campaign):
    client.force_login(buyer)
    text = client.get(reverse("procurement:import_template", args=["csv"])).content.decode(
        "utf-8-sig"
    )
    assert "Domaines possibles" in text.splitlines()[0]
    assert "RH et paie" in text and "Data et intelligence artificielle" in text
    data = client.get(reverse("procurement:import_template", args=["xlsx"])).content
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook["Commandes"]
    validations = sheet.data_validations.dataValidation
    assert len(validations) == 1 and validations[0].type == "list"
    assert "E2" in str(validations[0].sqref)
    names = [row[0] for row in workbook["Domaines"].iter_rows(min_row=2, values_only=True)]
    assert "RH et paie" in names
    page = client.get(reverse("procurement:declaration_home"))
    assert page.status_code == 200


def test_both_templates_import_as_they_are(client, buyer, declaration):
    client.force_login(buyer)
    for fmt in ("csv", "xlsx"):
        data = client.get(reverse("procurement:import_template", args=[fmt])).content
        job = services.create_import(
            declaration=declaration, upload=SimpleUploadedFile(f"modele.{fmt}", data), by=buyer
        )
        assert job.state == ImportJob.State.VALID, job.errors[:3]
        assert job.valid_rows == 1


def _bomb(kind: str) -> bytes:
    """A small zip whose one member inflates past 100:1: huge shared strings (XLSX) or a huge
    content.xml (ODS)."""
    buffer = io.BytesIO()
    chunk = ("<si><t>" + "A" * 1000 + "</t></si>").encode() * 1000
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if kind == "xlsx":
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("xl/workbook.xml", "<workbook/>")
            name = "xl/sharedStrings.xml"
        else:
            archive.writestr(
                zipfile.ZipInfo("mimetype"),
                "application/vnd.oasis.opendocument.spreadsheet",
                compress_type=zipfile.ZIP_STORED,
            )
            name = "content.xml"
        with archive.open(name, "w", force_zip64=True) as member:
            for _ in range(60):  # 60 MB of text
                member.write(chunk)
    return buffer.getvalue()


@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_zip_bomb_is_refused_fast_and_small(kind, declaration, buyer):
    import psutil

    data = _bomb(kind)
    assert len(data) < 1024 * 1024
    process = psutil.Process()
    before = process.memory_info().rss
    started = time.perf_counter()
    with pytest.raises(services.TransitionError) as refused:
        services.create_import(
            declaration=declaration, upload=SimpleUploadedFile(f"bombe.{kind}", data), by=buyer
        )
    elapsed = time.perf_counter() - started
    assert "anormalement compressé" in str(refused.value) or "abnormally" in str(refused.value)
    assert elapsed < 1.0
    assert process.memory_info().rss - before < 50 * 1024 * 1024
    assert not ImportJob.objects.exists()


def test_sanity_warnings_come_back_on_the_submission_page(declaration, admin, client):
    from tests.factories import OrderLineFactory, SMEProfileFactory

    declaration.it_purchases_total = Decimal("100000")
    declaration.save()
    profile = SMEProfileFactory()
    for _ in range(20):
        OrderLineFactory(declaration=declaration, sme_profile=profile, amount=Decimal("1000"))
    same = {"declaration": declaration, "sme_profile": profile, "reference": "DUP"}
    OrderLineFactory(**same, amount=Decimal("500"))
    OrderLineFactory(**same, amount=Decimal("500"))
    OrderLineFactory(declaration=declaration, sme_profile=profile, amount=Decimal("200000"))
    client.force_login(admin)
    page = client.get(reverse("procurement:declaration_submit", args=[declaration.pk]))
    text = page.content.decode().replace("\u202f", " ").replace("\u00a0", " ")
    # Said once, by the check that stops the submission without a justification.
    assert text.count("Les commandes déclarées auprès des PME") == 1
    assert "Les commandes aux PME (" not in text
    assert "dépassent le total des achats informatiques externes (100 000 €)" in text
    assert "1 ligne(s) dépassent 100 fois la médiane" in text
    assert "1 ligne(s) en double" in text
