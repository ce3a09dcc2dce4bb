"""End to end in Chromium: staff create a large account, its administrator joins from the email."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory, valid_siren
from tests.support import enter_second_factor_if_asked


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_invite_a_large_account_admin_who_joins_and_reads_in_english(
    page, live_server, mailoutbox, settings
):
    settings.SITE_URL = live_server.url
    UserFactory(email="pilote@programme.test", staff=True)

    # Staff sign in and create the large account with its first administrator.
    page.goto("/compte/login/")
    page.get_by_label("Courriel").fill("pilote@programme.test")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    enter_second_factor_if_asked(page)  # staff hold an authenticator app
    # Staff land on their home, /pilotage/.
    expect(page.get_by_role("heading", name="Pilotage du programme")).to_be_visible()
    page.get_by_role("link", name="Gérer les grands comptes").click()
    page.get_by_role("link", name="Nouveau grand compte").click()
    page.get_by_label("Raison sociale").fill("Assurances du Nord")
    page.get_by_label("SIREN").fill(valid_siren(777))
    page.get_by_label("Secteur").fill("Assurance")
    page.get_by_label("E-mail du premier administrateur").fill("dsi@assurances.test")
    page.get_by_role("button", name="Créer et inviter").click()
    expect(page.get_by_role("heading", name="Assurances du Nord")).to_be_visible()
    expect(page.get_by_role("cell", name="dsi@assurances.test")).to_be_visible()
    page.get_by_role("button", name="Se déconnecter").click()

    # The administrator opens the link from the email and chooses a password.
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["dsi@assurances.test"]
    link = re.search(re.escape(live_server.url) + r"/invitation/[\w-]+/", message.body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", name="Rejoindre Assurances du Nord")).to_be_visible()
    page.get_by_label("Prénom").fill("Dominique")
    page.get_by_label(re.compile(r"^Nom")).fill("Système")
    page.get_by_label(re.compile(r"^Mot de passe")).fill("une-phrase-de-passe-solide")
    page.get_by_label("Confirmez le mot de passe").fill("une-phrase-de-passe-solide")
    page.get_by_role("button", name="Créer mon compte et rejoindre").click()

    # They land on their organisation's page, signed in, as its administrator.
    expect(page).to_have_url(re.compile(r"/organisations/\d+/$"))
    expect(page.get_by_role("heading", name="Assurances du Nord")).to_be_visible()
    expect(page.get_by_text("Bienvenue")).to_be_visible()
    expect(page.locator(".active-org")).to_contain_text("Assurances du Nord")

    # And switch the portal to English.
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Members")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
