"""End to end in Chromium: a federator signs in with its second factor, accepts a large account's
join request and adds another account to its edition; staff's edition pages pass axe too."""

import re

import pytest
from playwright.sync_api import expect

from editions.models import EditionAccount
from tests.factories import (
    PASSWORD,
    ConventionFactory,
    EditionAccountFactory,
    EditionFactory,
    OrganisationFactory,
    UserFactory,
    give_totp,
    member_of,
)
from tests.support import assert_accessible, enter_second_factor_if_asked


def sign_in(page, email: str) -> None:
    page.goto("/compte/login/")
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    enter_second_factor_if_asked(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_federator_accepts_a_join_request_and_adds_an_account(page, live_server, settings):
    settings.SITE_URL = live_server.url
    edition = EditionFactory(name="Pacte PME Métropole de Lyon", slug="lyon", territory=["69"])
    convention = ConventionFactory(edition=edition)
    user = member_of(convention.federator, admin=True, email="federateur@cci.test")
    give_totp(user)
    asking = OrganisationFactory(name="Télécom Horizon")
    member_of(asking, admin=True)
    EditionAccountFactory(
        edition=edition,
        organisation=asking,
        state=EditionAccount.State.REQUESTED,
        message="Nous avons trois sites dans le Rhône.",
    )
    OrganisationFactory(name="Banque Hexagone")

    # The federator signs in with its code and lands on its dashboard: its editions' tools.
    sign_in(page, "federateur@cci.test")
    expect(page.get_by_role("heading", name="Nos éditions")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Piloter nos éditions").click()
    expect(page.get_by_role("heading", name="Éditions", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Pacte PME Métropole de Lyon").first.click()
    expect(page.get_by_role("heading", name="Pacte PME Métropole de Lyon")).to_be_visible()
    assert_accessible(page)

    # It accepts the join request.
    page.get_by_role("link", name=re.compile("Répondre")).click()
    expect(page.get_by_text("Nous avons trois sites dans le Rhône.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Accepter la demande").check()
    page.get_by_role("button", name="Envoyer la décision").click()
    expect(page.get_by_text("Demande de Télécom Horizon acceptée")).to_be_visible()
    expect(page.get_by_role("cell", name="Télécom Horizon", exact=True)).to_be_visible()

    # It finds another large account by name and adds it.
    page.get_by_role("link", name="Ajouter un grand compte").click()
    page.get_by_label("Nom ou SIREN du grand compte").fill("hexagone")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("cell", name="Banque Hexagone", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("Ajouter")).click()
    expect(page.get_by_role("cell", name="Banque Hexagone", exact=True)).to_be_visible()

    # Removing one asks for confirmation first.
    page.get_by_role("link", name=re.compile("Retirer — Banque Hexagone")).click()
    expect(page.get_by_text("Voulez-vous vraiment retirer")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Oui, retirer").click()
    expect(page.get_by_role("cell", name="Banque Hexagone", exact=True)).to_have_count(0)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_edition_pages_and_join_page_are_accessible(page, live_server, settings):
    settings.SITE_URL = live_server.url
    edition = EditionFactory(name="Pacte PME Numérique", slug="numerique", sector=["erp"])
    convention = ConventionFactory(edition=edition, admission_rules="Membres du club des DSI.")
    EditionAccountFactory(edition=edition, organisation=OrganisationFactory(name="Télécom Horizon"))
    UserFactory(email="pilote@programme.test", staff=True)
    sign_in(page, "pilote@programme.test")
    for url in [
        "/pilotage/editions/",
        "/pilotage/editions/nouvelle/",
        "/pilotage/editions/numerique/modifier/",
        "/pilotage/editions/numerique/conventions/nouvelle/",
        f"/pilotage/editions/numerique/conventions/{convention.pk}/",
        "/pilotage/editions/numerique/ecrire/",
        "/pilotage/federateurs/",
        "/pilotage/federateurs/nouveau/",
        f"/organisations/{convention.federator_id}/",
    ]:
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page)
    # A form with errors, too.
    page.goto("/pilotage/editions/nouvelle/")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Se déconnecter").click()

    # A large account's administrator asks to join from its dashboard.
    account = OrganisationFactory(name="Assurances du Littoral")
    member_of(account, admin=True, email="dsi@littoral.test")
    sign_in(page, "dsi@littoral.test")
    page.get_by_role("link", name="Pacte PME Numérique").click()
    expect(page.get_by_text("Membres du club des DSI.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Votre message à l'équipe de l'édition").fill("Nous achetons un ERP.")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("Demande envoyée")).to_be_visible()
    assert_accessible(page)
