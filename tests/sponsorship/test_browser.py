"""An SME posts a need, a large account offers days, staff propose a mission, both sides accept,
it runs and ends with feedback: every page on the way passes axe."""

import pytest

from tests.factories import (
    ConventionFactory,
    EditionAccountFactory,
    OrganisationFactory,
    UserFactory,
    member_of,
)
from tests.procurement.test_browser import sign_in
from tests.support import assert_accessible, enter_second_factor_if_asked


def _sign_out(page):
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(lambda url: "/logout" not in url)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_need_offer_mission_accepted_run_and_reviewed(page):
    from django.conf import settings
    from django.contrib.sites.models import Site

    from sponsorship.models import Mission

    Site.objects.get_or_create(
        pk=settings.SITE_ID, defaults={"domain": "testserver", "name": "Pacte"}
    )
    sme_user = member_of(OrganisationFactory(sme=True, name="PME Agile"), admin=True)
    account_user = member_of(OrganisationFactory(name="Banque Mécène"), admin=True)
    staff = UserFactory(staff=True)

    sign_in(page, sme_user.email)
    page.goto("/mecenat/")
    assert_accessible(page)
    page.get_by_role("link", name="Publier un besoin").click()
    page.get_by_label("Intitulé").fill("Préparer une levée de fonds")
    page.get_by_label("Catégorie").select_option("finance")
    page.get_by_label("Description").fill("Plan de financement et rencontres investisseurs.")
    page.get_by_label("Nombre de jours estimé").fill("3")
    assert_accessible(page)
    page.get_by_role("button", name="Publier le besoin").click()
    assert "Préparer une levée de fonds" in page.locator("#main").inner_text()
    assert_accessible(page)
    _sign_out(page)

    sign_in(page, account_user.email)
    page.goto("/mecenat/")
    page.get_by_role("link", name="Offrir des jours").click()
    page.get_by_label("Catégorie").select_option("finance")
    page.get_by_label("Jours offerts").fill("10")
    page.get_by_label("Disponible du").fill("2026-01-01")
    page.locator("#id_ends_on").fill("2026-12-31")
    page.get_by_label("Description").fill("Une contrôleuse de gestion volontaire.")
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer l'offre").click()
    assert_accessible(page)
    _sign_out(page)

    sign_in(page, staff.email)
    enter_second_factor_if_asked(page)
    page.goto("/pilotage/mecenat/")
    assert_accessible(page)
    page.get_by_label("Besoin de la PME").select_option(index=1)
    page.get_by_label("Offre du grand compte").select_option(index=1)
    page.get_by_label("Jours de la mission").fill("3")
    page.get_by_role("button", name="Proposer la mission aux deux parties").click()
    page.wait_for_url("**/mecenat/missions/*/")
    assert_accessible(page)
    mission = Mission.objects.get()
    _sign_out(page)

    for user in (sme_user, account_user):
        sign_in(page, user.email)
        page.goto(f"/mecenat/missions/{mission.pk}/")
        page.get_by_role("button", name="Accepter la mission").click()
        assert_accessible(page)
        if user is sme_user:
            _sign_out(page)
    mission.refresh_from_db()
    assert mission.state == Mission.State.AGREED
    page.get_by_role("button", name="La mission commence").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="La mission est terminée").click()
    page.get_by_label("Votre retour sur la mission").fill("Une PME très réactive.")
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer mon retour").click()
    assert "Une PME très réactive." in page.locator("#main").inner_text()
    mission.refresh_from_db()
    assert mission.state == Mission.State.DONE
    assert mission.account_feedback == "Une PME très réactive."
    _sign_out(page)

    # A federator running an edition the account belongs to reads its missions.
    convention = ConventionFactory()
    EditionAccountFactory(edition=convention.edition, organisation=mission.account)
    sign_in(page, member_of(convention.federator, admin=True).email)
    page.goto("/mecenat/")
    assert "Préparer une levée de fonds" in page.locator("#main").inner_text()
    assert_accessible(page)
