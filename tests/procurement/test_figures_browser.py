"""The figures page and the SME-orders-above-IT-purchases warning, in Chromium, without an
accessibility violation (axe-core, WCAG 2.1 AA)."""

from decimal import Decimal

import pytest

from tests.factories import (
    CampaignFactory,
    DeclarationFactory,
    OrderLineFactory,
    OrganisationFactory,
    SMEProfileFactory,
    member_of,
)
from tests.support import axe_violations

from .conftest import YEAR
from .test_browser import sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_figures_page_and_excess_warning_are_accessible(page):
    from django.conf import settings
    from django.contrib.sites.models import Site

    from directory.models import Domain

    Site.objects.get_or_create(
        pk=settings.SITE_ID, defaults={"domain": "testserver", "name": "Pacte"}
    )
    Domain.objects.get_or_create(slug="cybersecurite", defaults={"name": "Cybersécurité"})
    account = OrganisationFactory(name="Banque Chiffres")
    declaration = DeclarationFactory(
        campaign=CampaignFactory(year=YEAR),
        organisation=account,
        it_purchases_total=Decimal("8000000"),
    )
    profile = SMEProfileFactory(siren="732829320", organisation__siren="732829320")
    OrderLineFactory(declaration=declaration, sme_profile=profile, amount=Decimal("16560000"))
    admin = member_of(account, admin=True)

    sign_in(page, admin.email)
    page.goto(f"/declarations/{declaration.pk}/")
    warning = page.get_by_test_id("sme-excess")
    assert "207,0" in warning.inner_text()
    assert axe_violations(page) == []

    page.goto("/declarations/chiffres/")
    assert "Chiffres clés" in page.locator("#key-figures-title").inner_text()
    page.get_by_text("Comment ces chiffres sont calculés").click()
    assert axe_violations(page) == []

    page.goto(f"/declarations/{declaration.pk}/soumettre/")
    page.get_by_label("J'atteste").check()
    page.get_by_role("button", name="Soumettre la déclaration").click()
    assert "Vérifiez d'abord" in page.locator("#main").inner_text()
    assert axe_violations(page) == []
    page.get_by_label("Justification de l'écart").fill("Contrat cadre de trois ans.")
    page.get_by_label("J'atteste").check()
    page.get_by_role("button", name="Soumettre la déclaration").click()
    assert "Soumise" in page.locator("h1").inner_text()
    assert (
        "Contrat cadre de trois ans."
        in page.get_by_test_id("sme-excess-justification").inner_text()
    )
