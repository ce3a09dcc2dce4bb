"""An administrator signs the charter and sets targets; after submission the account sees which
targets it met."""

from decimal import Decimal

import pytest

from tests.factories import (
    CampaignFactory,
    DeclarationFactory,
    OrderLineFactory,
    OrganisationFactory,
    member_of,
)
from tests.procurement.test_browser import sign_in
from tests.support import assert_accessible

from .conftest import YEAR, make_version


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_signs_sets_targets_and_sees_them_met_after_submission(page):
    from django.conf import settings
    from django.contrib.sites.models import Site

    from directory.models import Domain
    from procurement.models import Declaration

    Site.objects.get_or_create(
        pk=settings.SITE_ID, defaults={"domain": "testserver", "name": "Pacte"}
    )
    Domain.objects.get_or_create(slug="cybersecurite", defaults={"name": "Cybersécurité"})
    make_version()
    campaign = CampaignFactory(year=YEAR)
    account = OrganisationFactory(name="Banque Signataire")
    admin = member_of(account, admin=True)
    declaration = DeclarationFactory(
        campaign=campaign, organisation=account, it_purchases_total=Decimal("100000")
    )
    OrderLineFactory(declaration=declaration, amount=Decimal("30000"), payment_delay_days=40)

    sign_in(page, admin.email)
    page.goto("/charte/")
    assert_accessible(page)
    page.get_by_role("link", name="Signer la charte au nom de mon organisation").click()
    page.get_by_label("Engagement numéro 1").check()
    page.get_by_label("Engagement numéro 2").check()
    page.get_by_label("Vos nom et prénom").fill("Claire Dupont")
    page.get_by_label("Votre fonction").fill("Directrice des achats")
    assert_accessible(page)
    page.get_by_role("button", name="Signer la charte").click()
    assert "Signataire depuis" in page.locator("#main").inner_text()

    page.goto(f"/charte/objectifs/{campaign.pk}/")
    page.get_by_label("Part PME des achats informatiques (%, au moins)").fill("25")
    page.get_by_label("Délai de paiement médian (jours, au plus)").fill("30")
    page.get_by_label("Action 1").fill("Un lot réservé aux PME")
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer les objectifs").click()

    Declaration.objects.filter(pk=declaration.pk).update(state=Declaration.State.SUBMITTED)
    page.goto(f"/charte/objectifs/{campaign.pk}/")
    assert "atteint" in page.get_by_test_id("target-sme_share").inner_text()
    assert "non atteint" not in page.get_by_test_id("target-sme_share").inner_text()
    assert "non atteint" in page.get_by_test_id("target-median_payment_delay").inner_text()
    assert_accessible(page)
