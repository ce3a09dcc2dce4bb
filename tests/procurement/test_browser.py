"""A buyer imports a CSV with one bad line, fixes it, imports, submits; the SME disputes a line."""

import pytest

from tests.factories import (
    PASSWORD,
    CampaignFactory,
    DeclarationFactory,
    OrganisationFactory,
    SMEProfileFactory,
    member_of,
)

from .conftest import YEAR

HEADER = "SIREN;Raison sociale;Montant HT (€);Date de commande;Domaine;Référence\n"


def sign_in(page, email):
    page.goto("/compte/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/login" not in url)


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
    assert "strictement positif" in errors.inner_text()

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
