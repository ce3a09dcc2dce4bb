"""Sites in Chromium: an administrator adds a site (a wrong SIRET first), the line form names it,
and the sites pages and the local share on the figures page pass axe (WCAG 2.1 AA)."""

import pytest

from tests.factories import (
    CampaignFactory,
    DeclarationFactory,
    OrganisationFactory,
    member_of,
    valid_siret,
)
from tests.support import assert_accessible

from .conftest import YEAR
from .test_browser import sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_manages_sites_and_the_pages_are_accessible(page):
    from django.conf import settings
    from django.contrib.sites.models import Site as DjangoSite

    from tests.reports.conftest import ensure_reference_data

    ensure_reference_data()
    DjangoSite.objects.get_or_create(
        pk=settings.SITE_ID, defaults={"domain": "testserver", "name": "Pacte"}
    )
    account = OrganisationFactory(name="Banque Sites")
    declaration = DeclarationFactory(campaign=CampaignFactory(year=YEAR), organisation=account)
    admin = member_of(account, admin=True)

    sign_in(page, admin.email)
    page.goto("/declarations/sites/")
    assert "Aucun site" in page.locator("#main").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Ajouter un site").click()
    page.get_by_label("SIRET du site").fill(valid_siret("443061841", 1))
    page.get_by_label("Nom du site").fill("Agence Lyon")
    page.get_by_label("Département").select_option("69")
    page.get_by_role("button", name="Enregistrer").click()
    assert "autre entreprise" in page.locator("#main").inner_text()
    assert_accessible(page)

    siret = valid_siret(account.siren, 1)
    page.get_by_label("SIRET du site").fill(f"{siret[:9]} {siret[9:]}")
    page.get_by_role("button", name="Enregistrer").click()
    assert "Agence Lyon" in page.get_by_test_id("sites").inner_text()
    assert_accessible(page)

    page.goto(f"/declarations/{declaration.pk}/")
    assert page.get_by_label("Site acheteur").count() >= 1
    assert_accessible(page)

    page.goto("/declarations/chiffres/")
    assert "Achats locaux" in page.locator("#local-figures-title").inner_text()
    assert_accessible(page)
