"""An SME applies to an event, the organiser validates it, the SME asks a buyer for a meeting,
the buyer accepts with a slot, and both find it in their agenda; organisers' pages pass axe."""

import pytest
from playwright.sync_api import expect

from meetings import services
from meetings.models import Participant
from tests.factories import (
    ConventionFactory,
    MeetingEventFactory,
    MeetingParticipantFactory,
    OrganisationFactory,
    UserFactory,
    member_of,
)
from tests.procurement.test_browser import sign_in
from tests.support import assert_accessible

from .conftest import accepted_meeting, add_session


def _site():
    from django.conf import settings
    from django.contrib.sites.models import Site

    Site.objects.get_or_create(
        pk=settings.SITE_ID, defaults={"domain": "testserver", "name": "Pacte"}
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sme_applies_requests_a_meeting_buyer_accepts_and_both_see_it_in_their_agenda(
    browser, live_server
):
    _site()
    event = MeetingEventFactory(title="Rencontre cybersécurité Lyon")
    add_session(event, "09:00", "10:00", minutes=20, tables=4)
    account = OrganisationFactory(name="Banque Rhône")
    buyer_user = member_of(account, first_name="Paule", last_name="Achat")
    MeetingParticipantFactory(
        event=event, buyer=True, organisation=account, user=buyer_user, needs="Un SOC managé"
    )
    sme = OrganisationFactory(sme=True, name="Cyber Lyon")
    sme_user = member_of(sme, admin=True)

    def new_page():
        context = browser.new_context(base_url=live_server.url, locale="fr-FR")
        context.set_default_timeout(15_000)
        return context.new_page()

    page = new_page()
    page.goto("/rencontres/")
    assert_accessible(page)
    sign_in(page, sme_user.email)
    page.goto("/espace/")
    page.get_by_role("link", name="Voir les rencontres").click()
    page.get_by_role("link", name="Rencontre cybersécurité Lyon").click()
    assert_accessible(page)
    page.get_by_role("link", name="Candidater à cette rencontre").click()
    page.get_by_label("Présentez votre entreprise").fill("Un SOC pour les PME et les banques.")
    assert_accessible(page)
    page.get_by_role("button", name="Envoyer ma candidature").click()
    expect(page.get_by_test_id("application")).to_contain_text("En attente de validation")

    # The organiser validates the application.
    services.decide_application(
        participant=Participant.objects.get(organisation=sme),
        validate=True,
        by=UserFactory(staff=True),
    )
    page.reload()
    expect(page.get_by_test_id("application")).to_contain_text("Validée")
    page.get_by_role("link", name="Demander un rendez-vous à Paule Achat").click()
    page.get_by_label("Objet du rendez-vous").fill("Présenter notre SOC managé")
    assert_accessible(page)
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_test_id("slot")).to_contain_text("pas encore fixé")
    assert_accessible(page)

    buyer_page = new_page()
    sign_in(buyer_page, buyer_user.email)
    buyer_page.goto(f"/rencontres/{event.pk}/")
    buyer_page.get_by_role("link", name="Cyber Lyon").click()
    assert_accessible(buyer_page)
    buyer_page.get_by_label("Créneau").select_option(label="09:20 – 09:40")
    buyer_page.get_by_role("button", name="Accepter").click()
    expect(buyer_page.get_by_test_id("slot")).to_contain_text("09:20")
    expect(buyer_page.get_by_test_id("slot")).to_contain_text("table 1")

    for who in (page, buyer_page):
        who.goto(f"/rencontres/{event.pk}/agenda/")
        expect(who.get_by_test_id("agenda")).to_contain_text("09:20–09:40")
        assert_accessible(who)
    expect(page.get_by_test_id("agenda")).to_contain_text("Paule Achat")
    expect(buyer_page.get_by_test_id("agenda")).to_contain_text("Cyber Lyon")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_federator_organises_an_event_and_its_pages_are_accessible(page):
    _site()
    convention = ConventionFactory()
    person = member_of(convention.federator, admin=True)
    sign_in(page, person.email)
    page.goto("/pilotage/rencontres/")
    assert_accessible(page)
    page.get_by_role("link", name="Nouvelle rencontre").click()
    page.get_by_label("Titre").fill("Rencontre du Rhône")
    page.locator("#id_date").fill("2030-06-10")
    page.get_by_label("Lieu").fill("Hôtel de région, Lyon")
    page.get_by_label("Édition").select_option(str(convention.edition_id))
    page.get_by_label("Ouverture des inscriptions").fill("2030-04-01")
    page.get_by_label("Clôture des inscriptions").fill("2030-05-15")
    page.get_by_label("Ouverture des rendez-vous").fill("2030-05-16")
    page.get_by_label("Clôture des rendez-vous").fill("2030-06-05")
    assert_accessible(page)
    page.get_by_role("button", name="Créer la rencontre").click()
    expect(page.get_by_test_id("event-state")).to_contain_text("En préparation")
    page.get_by_text("Ajouter une session").click()
    page.locator("#id_starts_at").fill("09:00")
    page.locator("#id_ends_at").fill("11:00")
    page.get_by_label("Nombre de tables").fill("3")
    page.get_by_role("button", name="Ajouter la session").click()
    assert_accessible(page)

    event = MeetingEventFactory(edition=convention.edition, title="Rencontre tenue")
    add_session(event)
    meeting = accepted_meeting(event)
    services.schedule_event(event=event, by=person)
    MeetingParticipantFactory(event=event, pending=True)
    page.goto(f"/pilotage/rencontres/{event.pk}/")
    expect(page.locator("#main")).to_contain_text(str(meeting.sme))
    assert_accessible(page)
    page.get_by_role("link", name="Planning imprimable par table").click()
    expect(page.locator("#main")).to_contain_text("Table 1")
    assert_accessible(page)
