"""End to end: an SME registers and is published, then a buyer finds it and exports it."""

import re

import pytest
from playwright.sync_api import expect

from directory.models import Departement, SMEProfile
from tests.factories import PASSWORD, OrganisationFactory, SMEProfileFactory, UserFactory, member_of
from tests.support import enter_second_factor_if_asked

SIREN = "732829320"


def new_page(browser, base_url):
    context = browser.new_context(base_url=base_url, locale="fr-FR", accept_downloads=True)
    context.set_default_timeout(15_000)
    return context.new_page()


def sign_in(page, email):
    page.goto("/compte/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    enter_second_factor_if_asked(page)
    page.wait_for_url(re.compile(r"/(espace|pilotage)/"))  # staff land on /pilotage/
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sme_registers_is_published_then_found_filtered_and_exported(page, browser, live_server):
    sme_user = UserFactory(email="dirigeante@pme.example")
    staff = UserFactory(email="staff@programme.example", staff=True)
    buyer = member_of(OrganisationFactory(name="Grand Compte"), email="acheteur@gc.example")
    rennes = Departement.objects.get(code="35")
    SMEProfileFactory(
        name="Télésurveillance de Rennes",
        departement=rennes,
        region=rennes.region,
        description="Télésurveillance des sites.",
    )

    # The SME registers by SIREN and fills in its profile.
    sign_in(page, sme_user.email)
    page.goto("/ma-pme/inscription/")
    page.fill("#id_siren", "732 829 320")
    page.fill("#id_name", "Vigie Lyonnaise")
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url(re.compile(r"/ma-pme/modifier/"))
    page.select_option("#id_departement", "69")
    page.get_by_label("Cybersécurité").check()
    page.select_option("#id_headcount_band", "11")
    page.fill("#id_description", "Télésurveillance et sécurité des entrepôts logistiques.")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(re.compile(r"/ma-pme/$"))
    page.get_by_role("button", name="Soumettre à validation").click()
    page.get_by_text("En attente de validation").first.wait_for()

    # Programme staff publish it.
    page = sign_in(new_page(browser, live_server.url), staff.email)
    page.goto("/pilotage/moderation/")
    page.get_by_role("link", name="Vigie Lyonnaise").click()
    # A new SME: publishing verifies its identity too, which staff justify.
    page.get_by_label("Sur quoi repose la vérification").fill("Domaine de l'e-mail vérifié")
    page.get_by_role("button", name="Vérifier l'identité et publier").click()
    page.wait_for_url(re.compile(r"/pilotage/moderation/$"))
    assert SMEProfile.objects.get(siren=SIREN).state == SMEProfile.State.PUBLISHED
    page.context.close()

    # A buyer types a word without accents, then filters by clicking the region on the map.
    page = sign_in(new_page(browser, live_server.url), buyer.email)
    page.goto("/annuaire/")
    page.fill("#id_q", "telesurveillance")
    page.press("#id_q", "Enter")
    page.wait_for_url(re.compile(r"q=telesurveillance"))
    results = page.locator("ol.results")
    results.get_by_role("link", name="Vigie Lyonnaise").wait_for()
    results.get_by_role("link", name="Télésurveillance de Rennes").wait_for()
    page.locator('[data-directory-map] a[aria-label^="Auvergne-Rhône-Alpes"]').click()
    page.wait_for_url(re.compile(r"region=84"))
    page.get_by_text("1 PME trouvée").wait_for()
    assert results.get_by_role("link", name="Télésurveillance de Rennes").count() == 0
    page.go_back()  # the URL is the state: back to the search without the region
    page.wait_for_url(lambda url: "q=telesurveillance" in url and "region=" not in url)
    results.get_by_role("link", name="Télésurveillance de Rennes").wait_for()
    page.go_forward()
    page.wait_for_url(re.compile(r"region=84"))
    page.get_by_text("1 PME trouvée").wait_for()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exporter en CSV").click()
    download = download_info.value
    content = open(download.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    assert "Vigie Lyonnaise" in content and SIREN in content
    assert "Télésurveillance de Rennes" not in content
    page.context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_keyboard_reaches_the_results_by_the_skip_link_and_facets_fold(browser, live_server):
    from tests.support import assert_accessible

    buyer = member_of(OrganisationFactory(name="Grand Compte Clavier"))
    rennes = Departement.objects.get(code="35")
    SMEProfileFactory(name="Armor Logiciels", departement=rennes, region=rennes.region)
    page = sign_in(new_page(browser, live_server.url), buyer.email)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/annuaire/")
    first_result = page.locator("ol.results").get_by_role("link", name="Armor Logiciels")
    # The first result is in view on a laptop screen (the map sits beside the results).
    assert first_result.bounding_box()["y"] + 20 < 800

    # From the search box: the button, then "Aller aux résultats"; Enter, Tab: the first result.
    page.focus("#id_q")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller aux résultats")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(first_result).to_be_focused()
    assert_accessible(page)

    # Facet groups are folded; a group with a chosen value comes back open.
    region = page.locator("#facet-region")
    assert region.evaluate("el => !el.open")
    region.locator("summary").click()
    region.locator("#f-region-53").check()
    page.wait_for_url(re.compile(r"region=53"))
    page.locator("#facet-region[open]").wait_for()
    assert page.locator("#facet-domaine").evaluate("el => !el.open")
    assert_accessible(page)
    page.context.close()
