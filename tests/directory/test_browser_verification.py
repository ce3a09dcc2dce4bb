"""In Chromium: an SME registers a SIREN that a large account named, sees none of its orders, hands
in its Kbis; staff read it and verify the SME; the SME then sees its orders. Every page on the way
has no axe-core WCAG 2.1 AA violation."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Organisation
from directory import services
from directory.models import VerificationDocument
from tests.factories import (
    DeclarationFactory,
    OrderLineFactory,
    OrganisationFactory,
    SMEProfileFactory,
    UserFactory,
    member_of,
)
from tests.support import assert_accessible

from .test_browser import new_page, sign_in

SIREN = "732829320"
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sme_proves_its_identity_staff_verify_then_its_orders_appear(
    page, browser, live_server, tmp_path
):
    account = OrganisationFactory(name="Banque Hexagone")
    declaration = DeclarationFactory(organisation=account, submitted=True)
    OrderLineFactory(
        declaration=declaration, sme_profile_id=SIREN, sme_name="Vigie", reference="BC-2026-01"
    )
    sme_user = UserFactory(email="dirigeante@vigie-lyonnaise.fr")
    staff = UserFactory(email="staff@programme.example", staff=True)
    kbis = tmp_path / "Kbis Vigie.pdf"
    kbis.write_bytes(PDF)

    # The SME registers the SIREN: the orders declared in its name stay hidden, and it says why.
    sign_in(page, sme_user.email)
    page.goto("/ma-pme/inscription/")
    page.fill("#id_siren", SIREN)
    page.fill("#id_name", "Vigie Lyonnaise")
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url(re.compile(r"/ma-pme/modifier/"))
    page.fill("#id_website", "https://vigie-lyonnaise.fr")
    page.select_option("#id_departement", "69")
    page.get_by_label("Cybersécurité").check()
    page.select_option("#id_headcount_band", "11")
    page.fill("#id_description", "Télésurveillance et sécurité des entrepôts logistiques.")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(re.compile(r"/ma-pme/$"))
    page.goto("/commandes-declarees/")
    expect(page.get_by_role("heading", name="Identité de la PME à vérifier")).to_be_visible()
    expect(page.get_by_text("BC-2026-01")).to_have_count(0)
    assert_accessible(page)

    # It hands in its Kbis extract and submits the profile.
    page.get_by_role("link", name="Prouver l'identité de la PME").click()
    page.wait_for_url(re.compile(r"/ma-pme/$"))
    assert_accessible(page)
    page.get_by_label("Extrait Kbis ou avis de situation INSEE").set_input_files(str(kbis))
    page.get_by_role("button", name="Envoyer le justificatif").click()
    expect(page.get_by_text("Justificatif reçu : Kbis Vigie.pdf")).to_be_visible()
    page.get_by_role("button", name="Soumettre à validation").click()
    page.get_by_text("En attente de validation").first.wait_for()

    # Staff read the document and the email-domain hint, then verify and publish.
    staff_page = sign_in(new_page(browser, live_server.url), staff.email)
    staff_page.goto("/pilotage/moderation/")
    expect(staff_page.get_by_text("Identité à vérifier")).to_be_visible()
    staff_page.get_by_role("link", name="Vigie Lyonnaise").click()
    expect(staff_page.get_by_text("correspond au site web")).to_be_visible()
    document = staff_page.get_by_role("link", name="Kbis Vigie.pdf")
    expect(document).to_be_visible()
    response = staff_page.request.get(document.get_attribute("href"))
    assert response.status == 200 and response.body() == PDF
    assert_accessible(staff_page)
    staff_page.get_by_label("Sur quoi repose la vérification").fill("Kbis conforme")
    staff_page.get_by_role("button", name="Vérifier l'identité et publier").click()
    staff_page.wait_for_url(re.compile(r"/pilotage/moderation/$"))

    # The other staff pages of this feature are accessible too: arbitration, transfer, and the
    # conflict between an unverified SME and a new large account.
    squatted = SMEProfileFactory(unverified=True, organisation__name="Inscription douteuse")
    services.request_arbitration(
        user=UserFactory(), organisation=squatted.organisation, message="C'est mon entreprise"
    )
    staff_page.goto("/pilotage/arbitrages/")
    staff_page.get_by_role("link", name="Inscription douteuse").click()
    expect(staff_page.get_by_text("C'est mon entreprise")).to_be_visible()
    assert_accessible(staff_page)
    staff_page.goto(f"/pilotage/pme/{squatted.organisation_id}/transfert/")
    assert_accessible(staff_page)
    staff_page.goto("/pilotage/grands-comptes/nouveau/")
    staff_page.get_by_label("Raison sociale").fill("Énergies de France")
    staff_page.get_by_label("SIREN").fill(squatted.siren)
    staff_page.get_by_label("E-mail du premier administrateur").fill("achats@energies.example")
    staff_page.get_by_role("button", name="Créer et inviter").click()
    expect(staff_page.get_by_text("SIREN réclamé par une PME non vérifiée")).to_be_visible()
    assert_accessible(staff_page)
    staff_page.get_by_role("link", name="Examiner et libérer le SIREN").click()
    assert_accessible(staff_page)
    staff_page.context.close()
    assert Organisation.objects.get(siren=SIREN).is_verified
    assert VerificationDocument.objects.get().deleted_at is not None

    # The SME now sees the order declared in its name and may answer it.
    page.goto("/commandes-declarees/")
    expect(page.get_by_role("cell", name="BC-2026-01", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="Banque Hexagone", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Confirmer ou contester"))).to_be_visible()
    assert_accessible(page)
    page.context.close()

    # A large account's administrator vouches for the contact of an SME it named.
    newcomer = SMEProfileFactory(unverified=True, organisation__name="Nouvelle PME")
    contact = member_of(newcomer.organisation, admin=True, email="contact@nouvelle-pme.fr")
    OrderLineFactory(declaration=declaration, sme_profile=newcomer)
    buyer = member_of(account, admin=True, email="acheteuse@banque.example")
    page = sign_in(new_page(browser, live_server.url), buyer.email)
    page.goto("/declarations/pme-a-verifier/")
    assert_accessible(page)
    page.get_by_role("link", name="Nouvelle PME").click()
    page.get_by_label("Personne que vous connaissez").select_option(label=contact.email)
    page.get_by_label("Je confirme").check()
    assert_accessible(page)
    page.get_by_role("button", name="Me porter garant").click()
    expect(page.get_by_text("Merci")).to_be_visible()
    page.context.close()
