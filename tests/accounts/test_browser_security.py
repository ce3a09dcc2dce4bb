"""In Chromium: staff set up their second factor when asked, reach the journal, and sign in again
with a code; every page on the way has no axe-core WCAG 2.1 AA violation."""

import re

import pytest
from playwright.sync_api import expect

from procurement import services as procurement_services
from tests.factories import PASSWORD, DeclarationFactory, UserFactory, totp_code
from tests.support import assert_accessible


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_set_up_a_second_factor_then_read_the_journal(page):
    staff = UserFactory(email="pilote@programme.test", staff=True, second_factor=False)
    other = UserFactory(email="moderation@programme.test", staff=True)
    declaration = DeclarationFactory(submitted=True, organisation__name="Banque Hexagone")
    procurement_services.reopen_declaration(
        declaration=declaration, by=other, reason="Montant saisi deux fois"
    )

    page.goto("/compte/login/?next=/pilotage/")
    page.get_by_label("Courriel").fill(staff.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    # No authenticator yet: sent to set one up, after confirming the password.
    page.get_by_role("button", name="Confirmer").wait_for()
    expect(page.get_by_text("demandent une double authentification")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Confirmer").click()
    expect(
        page.get_by_role("heading", name="Activer une application d'authentification")
    ).to_be_visible()
    assert_accessible(page)
    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label(re.compile("code", re.I)).fill(totp_code(secret))
    page.get_by_role("button", name="Activer").click()

    # Recovery codes, then the staff home and its journal.
    expect(page.get_by_role("heading", name="Codes de secours")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("link", name="Continuer vers le pilotage").click()
    expect(page.get_by_role("heading", name="Pilotage du programme")).to_be_visible()
    page.get_by_role("link", name="Consulter le journal").click()
    expect(page.get_by_role("heading", name="Journal des actions")).to_be_visible()
    expect(page.get_by_role("cell", name="Déclaration rouverte")).to_be_visible()
    expect(page.get_by_text("Montant saisi deux fois")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Auteur (e-mail)").fill("personne@")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_text("Aucune action ne correspond.")).to_be_visible()

    page.get_by_role("link", name="Sécurité du compte").click()
    expect(page.get_by_role("heading", name="Double authentification")).to_be_visible()
    assert_accessible(page)

    # Next time, the code comes after the password.
    page.get_by_role("button", name="Se déconnecter").click()
    page.goto("/admin/")
    page.get_by_label("Courriel").fill(staff.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Double authentification")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_add_a_security_key_and_sign_in_with_it(page):
    """WebAuthn through Chromium's virtual authenticator (what a USB key or a passkey does)."""
    staff = UserFactory(email="pilote@programme.test", staff=True)
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )

    page.goto("/compte/login/")
    page.get_by_label("Courriel").fill(staff.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_label("Code").fill(totp_code())
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Pilotage du programme")).to_be_visible()

    page.get_by_role("link", name="Sécurité du compte").click()
    page.get_by_role("link", name="Ajouter une clé de sécurité").click()
    # allauth asks for the password again before adding a key.
    expect(page.get_by_role("heading", name="Confirmez votre identité")).to_be_visible()
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_role("heading", name="Ajouter une clé de sécurité")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Nom de la clé").fill("Clé du bureau")
    page.get_by_role("button", name="Ajouter la clé").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    page.goto("/compte/2fa/webauthn/")
    expect(page.get_by_role("cell", name="Clé du bureau")).to_be_visible()
    assert_accessible(page)

    # Next sign-in: the key instead of the code.
    page.get_by_role("button", name="Se déconnecter").click()
    page.goto("/compte/login/?next=/pilotage/")
    page.get_by_label("Courriel").fill(staff.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("button", name="Utiliser une clé de sécurité").click()
    expect(page.get_by_role("heading", name="Pilotage du programme")).to_be_visible()
