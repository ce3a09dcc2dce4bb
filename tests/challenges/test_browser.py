"""A buyer posts a challenge, staff publish it, an SME answers, the buyer shortlists: every page
on the way passes axe."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import OrganisationFactory, SMEProfileFactory, UserFactory, member_of
from tests.procurement.test_browser import sign_in
from tests.support import assert_accessible, enter_second_factor_if_asked


def _sign_out(page):
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(lambda url: "/logout" not in url)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_buyer_posts_staff_publishes_sme_answers_buyer_shortlists(page):
    from django.conf import settings
    from django.contrib.sites.models import Site

    from challenges.models import Answer, Challenge
    from directory.models import Domain

    Site.objects.get_or_create(
        pk=settings.SITE_ID, defaults={"domain": "testserver", "name": "Pacte"}
    )
    cyber, _ = Domain.objects.get_or_create(
        slug="cybersecurite", defaults={"name": "Cybersécurité"}
    )
    buyer = member_of(OrganisationFactory(name="Banque Innovante"), admin=True)
    sme = SMEProfileFactory(domains=[cyber]).organisation
    sme_user = member_of(sme, admin=True)
    staff = UserFactory(staff=True)

    sign_in(page, buyer.email)
    page.goto("/defis/")
    assert_accessible(page)
    page.get_by_role("link", name="Publier un défi").click()
    page.get_by_label("Titre").fill("Détecter la fraude documentaire")
    page.get_by_label("Contexte et besoin").fill("Des justificatifs retouchés nous échappent.")
    page.get_by_label("Cybersécurité").check()
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    page.get_by_label("Date limite de réponse").fill(deadline.isoformat())
    page.get_by_label("Informations confidentielles").fill("Pilote dans 40 agences.")
    page.get_by_label("Publier le défi attribué dans la liste publique des lauréats").check()
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    assert_accessible(page)
    page.get_by_role("button", name="Envoyer en relecture").click()
    assert "relit votre défi" in page.locator("#main").inner_text()
    challenge = Challenge.objects.get()
    assert challenge.state == Challenge.State.REVIEW
    _sign_out(page)

    sign_in(page, staff.email)
    enter_second_factor_if_asked(page)
    page.goto("/pilotage/defis/")
    assert_accessible(page)
    page.get_by_role("link", name="Détecter la fraude documentaire").first.click()
    page.wait_for_url(f"**/pilotage/defis/{challenge.pk}/")
    assert_accessible(page)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Publier le défi").click()
    page.wait_for_url("**/pilotage/defis/")
    challenge.refresh_from_db()
    assert challenge.state == Challenge.State.PUBLISHED
    page.goto("/pilotage/defis/recherche/")
    assert_accessible(page)
    _sign_out(page)

    sign_in(page, sme_user.email)
    page.goto("/defis/")
    assert_accessible(page)
    page.get_by_role("link", name="Détecter la fraude documentaire").click()
    assert "Pilote dans 40 agences" not in page.locator("#main").inner_text()
    page.get_by_role("link", name="Répondre au défi").click()
    page.get_by_label("Votre réponse").fill(
        "Notre module d'analyse d'images détecte les retouches."
    )
    assert_accessible(page)
    page.get_by_role("button", name="Envoyer la réponse").click()
    assert "Votre réponse" in page.locator("#main").inner_text()
    assert_accessible(page)
    page.goto("/defis/mes-reponses/")
    assert_accessible(page)
    page.goto("/defis/recherche/inscription/")
    assert_accessible(page)
    _sign_out(page)

    sign_in(page, buyer.email)
    page.goto(f"/defis/{challenge.pk}/")
    assert "Notre module d'analyse" in page.locator("#main").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name=f"Retenir {sme.name}", exact=True).click()
    assert Answer.objects.get().state == Answer.State.SHORTLISTED
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=f"Attribuer le défi {sme.name}").click()
    page.wait_for_load_state()
    assert "Attribué" in page.locator("#main").inner_text()
    _sign_out(page)

    page.goto("/defis/laureats/")
    assert "Détecter la fraude documentaire" in page.locator("#main").inner_text()
    assert_accessible(page)
    page.goto("/defis/recherche/inscription/")
    assert "/compte/login/" in page.url
