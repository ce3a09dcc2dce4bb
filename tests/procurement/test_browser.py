"""A buyer imports a CSV with one bad line, fixes it, imports, submits; the SME disputes a line."""

import pytest
from playwright.sync_api import expect

from tests.factories import (
    PASSWORD,
    CampaignFactory,
    DeclarationFactory,
    OrganisationFactory,
    SMEProfileFactory,
    member_of,
)
from tests.support import assert_accessible, enter_second_factor_if_asked

from .conftest import YEAR

HEADER = "SIREN;Raison sociale;Montant HT (€);Date de commande;Domaine;Référence\n"


def sign_in(page, email):
    page.goto("/compte/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/login" not in url)
    enter_second_factor_if_asked(page)  # staff and federators hold an authenticator app


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_buyer_imports_fixes_submits_and_sme_disputes(page, tmp_path):
    from django.conf import settings
    from django.contrib.sites.models import Site

    from directory.models import Domain

    # A transactional test may follow another one's flush: make sure the rows used here exist.
    Site.objects.get_or_create(
        pk=settings.SITE_ID, defaults={"domain": "testserver", "name": "Pacte"}
    )
    Domain.objects.get_or_create(slug="cybersecurite", defaults={"name": "Cybersécurité"})
    campaign = CampaignFactory(year=YEAR)
    account = OrganisationFactory(name="Banque Navigateur")
    declaration = DeclarationFactory(campaign=campaign, organisation=account)
    buyer = member_of(account, admin=True)
    profile = SMEProfileFactory(
        siren="732829320",
        name="Cyberbase",
        organisation__siren="732829320",
        departement=None,
        region=None,
    )
    sme_member = member_of(profile.organisation)

    bad = tmp_path / "commandes.csv"
    bad.write_text(
        HEADER
        + f"732829320;Cyberbase;12 500,00;15/03/{YEAR};Cybersécurité;BC-ALPHA\n"
        + f"443061841;Nuagique;-40;16/03/{YEAR};Cybersécurité;BC-BETA\n",
        encoding="cp1252",
    )
    sign_in(page, buyer.email)
    page.goto(f"/declarations/{declaration.pk}/")
    page.get_by_role("link", name="Importer un fichier").click()
    page.set_input_files("input[type=file]", str(bad))
    page.get_by_role("button", name="Vérifier le fichier").click()
    errors = page.locator("table.import-errors")
    assert "3" in errors.locator("tbody tr").first.inner_text()
    assert "montant négatif" in errors.inner_text()

    good = tmp_path / "commandes-corrigees.csv"
    good.write_text(bad.read_text(encoding="cp1252").replace(";-40;", ";400;"), encoding="cp1252")
    page.set_input_files("input[type=file]", str(good))
    page.get_by_role("button", name="Vérifier le fichier").click()
    assert page.get_by_test_id("valid-rows").inner_text() == "2"
    page.get_by_label("Remplacer les lignes du brouillon").check()
    page.get_by_role("button", name="Confirmer l'import").click()
    page.wait_for_url(f"**/declarations/{declaration.pk}/")
    total = page.get_by_test_id("sme-total").inner_text()
    assert "".join(c for c in total if c.isdigit() or c == ",") == "12900,00"

    page.get_by_role("link", name="Signer et soumettre").click()
    page.get_by_label("J'atteste").check()
    page.get_by_role("button", name="Soumettre la déclaration").click()
    assert "Soumise" in page.locator("h1").inner_text()

    page.context.clear_cookies()
    sign_in(page, sme_member.email)
    page.goto("/commandes-declarees/")
    assert "BC-ALPHA" in page.content() and "BC-BETA" not in page.content()
    page.get_by_role("link", name="Confirmer ou contester").first.click()
    page.get_by_label("Je conteste cette commande").check()
    page.get_by_label("Commentaire").fill("Commande de 10 000 € seulement")
    page.get_by_role("button", name="Enregistrer ma réponse").click()
    assert "Contestée" in page.locator("#main table").inner_text()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_buyer_maps_own_domain_words_in_an_ods_once(page, tmp_path):
    from django.conf import settings
    from django.contrib.sites.models import Site

    from bench.spreadsheets import write_ods
    from directory.models import Domain
    from directory.reference import DOMAINS
    from procurement.models import OrderLine

    Site.objects.get_or_create(
        pk=settings.SITE_ID, defaults={"domain": "testserver", "name": "Pacte"}
    )
    for position, (slug, name, name_en) in enumerate(DOMAINS):
        Domain.objects.get_or_create(
            slug=slug, defaults={"name": name, "name_en": name_en, "position": position}
        )
    campaign = CampaignFactory(year=YEAR)
    account = OrganisationFactory(name="Banque Tableur")
    declaration = DeclarationFactory(campaign=campaign, organisation=account)
    buyer = member_of(account, admin=True)
    header = ["SIREN", "Raison sociale", "Montant HT", "Date de commande", "Famille d'achat"]
    rows = [
        ["732829320", "Cyberbase", 1200.0, f"15/03/{YEAR}", "Paie et RH"],
        ["443061841", "Nuagique", 800.0, f"16/03/{YEAR}", "Données et IA"],
        ["443061841", "Nuagique", 300.0, f"17/03/{YEAR}", "Données et IA"],
    ]
    first = tmp_path / "achats-mars.ods"
    first.write_bytes(write_ods({"Achats": [header, *rows]}))

    sign_in(page, buyer.email)
    page.goto(f"/declarations/{declaration.pk}/import/")
    page.set_input_files("input[type=file]", str(first))
    page.get_by_role("button", name="Vérifier le fichier").click()
    assert "« Achats »" in page.get_by_test_id("import-reading").inner_text()
    # Each of the buyer's words comes with the closest portal domain already chosen.
    rh = page.get_by_label("Paie et RH")
    data = page.get_by_label("Données et IA")
    assert rh.locator("option:checked").inner_text() == "RH et paie"
    assert data.locator("option:checked").inner_text() == "Data et intelligence artificielle"
    assert_accessible(page)
    page.get_by_role("button", name="Appliquer et vérifier de nouveau").click()
    assert page.get_by_test_id("valid-rows").inner_text() == "3"
    page.get_by_label("Remplacer les lignes du brouillon").check()
    page.get_by_role("button", name="Confirmer l'import").click()
    page.wait_for_url(f"**/declarations/{declaration.pk}/")
    assert OrderLine.objects.filter(declaration=declaration, domain__slug="data-ia").count() == 2

    # The next month's file uses the same words: nothing is asked.
    second = tmp_path / "achats-avril.ods"
    second.write_bytes(
        write_ods(
            {"Achats": [header, ["732829320", "Cyberbase", 99.0, f"01/04/{YEAR}", "Paie et RH"]]}
        )
    )
    page.goto(f"/declarations/{declaration.pk}/import/")
    page.set_input_files("input[type=file]", str(second))
    page.get_by_role("button", name="Vérifier le fichier").click()
    assert page.get_by_test_id("valid-rows").inner_text() == "1"
    assert page.get_by_role("button", name="Appliquer et vérifier de nouveau").count() == 0

    # The account's mappings can be read and changed on its own page.
    page.goto("/declarations/correspondances-domaines/")
    assert "Paie et RH" in page.locator("table").inner_text()
    assert_accessible(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_keyboard_focus_stays_in_the_lines_after_an_htmx_add_and_delete(page):
    from django.conf import settings
    from django.contrib.sites.models import Site

    from directory.models import Domain
    from tests.factories import OrderLineFactory

    Site.objects.get_or_create(
        pk=settings.SITE_ID, defaults={"domain": "testserver", "name": "Pacte"}
    )
    domain, _ = Domain.objects.get_or_create(
        slug="cybersecurite", defaults={"name": "Cybersécurité"}
    )
    account = OrganisationFactory(name="Banque Clavier")
    declaration = DeclarationFactory(campaign=CampaignFactory(year=YEAR), organisation=account)
    buyer = member_of(account, admin=True)
    first = OrderLineFactory(declaration=declaration, sme_name="Alpha Logiciels", domain=domain)
    OrderLineFactory(declaration=declaration, sme_name="Bêta Données", domain=domain)

    sign_in(page, buyer.email)
    page.goto(f"/declarations/{declaration.pk}/")
    form = page.locator("form[data-line-add]")
    form.get_by_label("SIREN de la PME").fill("443061841")
    form.get_by_label("Raison sociale").fill("Nuagique")
    form.get_by_label("Montant HT (€)").fill("1 250")
    form.get_by_label("Date de commande").fill(f"{YEAR}-03-15")
    form.get_by_label("Domaine").select_option(label=domain.name)
    form.get_by_role("button", name="Ajouter la ligne").press("Enter")
    page.get_by_text("Ligne ajoutée.").wait_for()
    # Focus is back on the form's first field, ready for the next line, not at the page's top.
    expect(form.get_by_label("SIREN de la PME")).to_be_focused()
    assert_accessible(page)

    page.on("dialog", lambda dialog: dialog.accept())
    row = page.locator(f"#line-{first.pk}")
    neighbour = row.evaluate("row => (row.nextElementSibling || row.previousElementSibling).id")
    row.get_by_role("link", name="Supprimer").press("Enter")
    row.wait_for(state="detached")
    # Focus goes to the neighbouring row's first link ("Modifier …"), not to the page's top.
    expect(page.locator(f"#{neighbour}").get_by_role("link").first).to_be_focused()
    assert_accessible(page)
