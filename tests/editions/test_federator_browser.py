"""The federator's scoped pages as a person sees them: accessible, the edition named."""

import pytest

from directory.models import Departement
from tests.factories import (
    PASSWORD,
    CampaignFactory,
    ConventionFactory,
    DeclarationFactory,
    EditionAccountFactory,
    EditionFactory,
    OrganisationFactory,
    SMEProfileFactory,
    UserFactory,
    member_of,
)
from tests.support import assert_accessible, enter_second_factor_if_asked


def sign_in(page, email):
    page.goto("/compte/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    enter_second_factor_if_asked(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_federator_and_staff_scoped_pages_are_accessible(page, browser, live_server):
    from django.conf import settings
    from django.contrib.sites.models import Site

    Site.objects.get_or_create(
        pk=settings.SITE_ID, defaults={"domain": "testserver", "name": "Pacte"}
    )
    campaign = CampaignFactory()
    lyon = EditionFactory(name="Métropole de Lyon", slug="lyon", territory=["69"])
    grenoble = EditionFactory(name="Grenoble Alpes", slug="grenoble", territory=["38"])
    federator = ConventionFactory(edition=lyon).federator
    ConventionFactory(edition=grenoble, federator=federator)
    account = OrganisationFactory(name="Banque Lyonnaise")
    EditionAccountFactory(edition=lyon, organisation=account)
    DeclarationFactory(campaign=campaign, organisation=account)
    SMEProfileFactory(
        pending=True, name="PME Lyonnaise", departement=Departement.objects.get(code="69")
    )
    fed = member_of(federator, admin=True)

    sign_in(page, fed.email)
    page.goto(f"/pilotage/campagnes/{campaign.pk}/")
    assert "Choisissez l'édition" in page.content()  # two editions: a choice first
    assert_accessible(page)
    page.get_by_role("link", name="Métropole de Lyon").click()
    assert page.get_by_test_id("dashboard-edition").inner_text() == "Métropole de Lyon"
    assert "Banque Lyonnaise" in page.content()
    assert_accessible(page)
    page.goto("/pilotage/campagnes/?edition=lyon")
    assert_accessible(page)
    page.goto("/pilotage/moderation/")
    page.get_by_label("Édition").select_option("lyon")
    page.get_by_role("button", name="Afficher").click()
    page.get_by_role("link", name="PME Lyonnaise").click()
    assert "Métropole de Lyon" in page.get_by_test_id("moderation-editions").inner_text()
    assert_accessible(page)

    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    staff_page = context.new_page()
    sign_in(staff_page, UserFactory(staff=True).email)
    staff_page.goto(f"/pilotage/campagnes/{campaign.pk}/")
    staff_page.get_by_label("Édition").select_option("lyon")
    staff_page.get_by_role("button", name="Filtrer").click()
    assert staff_page.get_by_test_id("dashboard-edition").inner_text() == "Métropole de Lyon"
    assert_accessible(staff_page)
    staff_page.goto("/pilotage/moderation/")
    assert_accessible(staff_page)
    context.close()
