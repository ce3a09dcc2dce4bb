"""Who sees what: an SME its own application and meetings, a buyer its account's; other
organisations' ids give 404; organisers (staff, federators of the event's edition) see their
events; anonymous visitors are sent to sign in; the public list shows no participant."""

import pytest

from meetings import services
from meetings.models import Event, Meeting, Participant
from tests.factories import (
    ConventionFactory,
    MeetingEventFactory,
    MeetingParticipantFactory,
    OrganisationFactory,
    UserFactory,
    member_of,
)

from .conftest import accepted_meeting, add_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed():
    event = MeetingEventFactory(title="Rencontre Lyon")
    add_session(event)
    # A name no other organisation's can contain ("Organisation 23" is in "Organisation 2305").
    sme = MeetingParticipantFactory(event=event, organisation__name="Cyberveille Rhodanienne")
    meeting = accepted_meeting(event, sme=sme)
    return services.place(meeting=meeting, slot=event.sessions.get().slots.first())


def test_each_side_sees_its_meeting_and_others_get_404(client, placed):
    for user in (placed.sme.user, placed.buyer.user, member_of(placed.buyer.organisation)):
        client.force_login(user)
        assert client.get(f"/rencontres/rendez-vous/{placed.pk}/").status_code == 200
        assert client.get(f"/rencontres/rendez-vous/{placed.pk}/invitation.ics").status_code == 200
    for stranger in (member_of(OrganisationFactory(sme=True)), member_of(OrganisationFactory())):
        client.force_login(stranger)
        assert client.get(f"/rencontres/rendez-vous/{placed.pk}/").status_code == 404
        assert client.get(f"/rencontres/rendez-vous/{placed.pk}/invitation.ics").status_code == 404
        agenda = client.get(f"/rencontres/{placed.event_id}/agenda/")
        assert agenda.status_code == 200 and str(placed.sme) not in agenda.content.decode()


def test_sme_sees_its_own_requests_only_on_the_event_page(client, placed):
    other = accepted_meeting(placed.event)
    client.force_login(placed.sme.user)
    page = client.get(f"/rencontres/{placed.event_id}/").content.decode()
    assert f"/rencontres/rendez-vous/{placed.pk}/" in page
    assert f"/rencontres/rendez-vous/{other.pk}/" not in page


def test_anonymous_visitors_go_to_sign_in_but_see_upcoming_events(client, placed):
    for url in (
        f"/rencontres/{placed.event_id}/",
        f"/rencontres/rendez-vous/{placed.pk}/",
        f"/rencontres/{placed.event_id}/agenda.ics",
        f"/pilotage/rencontres/{placed.event_id}/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/compte/login/" in response["Location"], url
    public = client.get("/rencontres/")
    assert public.status_code == 200
    text = public.content.decode()
    assert "Rencontre Lyon" in text and str(placed.sme) not in text
    MeetingEventFactory(title="Brouillon secret", draft=True)
    assert "Brouillon secret" not in client.get("/rencontres/").content.decode()


def test_only_the_other_side_answers_and_another_account_cannot_post(client):
    event = MeetingEventFactory()
    add_session(event)
    sme = MeetingParticipantFactory(event=event)
    buyer = MeetingParticipantFactory(event=event, buyer=True)
    meeting = services.request_meeting(
        event=event, sme=sme, buyer=buyer, side="sme", reason="Démo", by=sme.user
    )
    client.force_login(member_of(OrganisationFactory()))
    assert (
        client.post(f"/rencontres/rendez-vous/{meeting.pk}/", {"action": "accept"}).status_code
        == 404
    )
    client.force_login(sme.user)
    assert (
        client.post(f"/rencontres/rendez-vous/{meeting.pk}/", {"action": "accept"}).status_code
        == 403
    )
    client.force_login(buyer.user)
    response = client.post(
        f"/rencontres/rendez-vous/{meeting.pk}/", {"action": "accept", "slot": ""}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.ACCEPTED and meeting.slot is None


def test_cannot_ask_a_participant_of_another_event_or_of_own_side(client):
    event = MeetingEventFactory()
    sme = MeetingParticipantFactory(event=event)
    elsewhere = MeetingParticipantFactory(buyer=True)
    other_sme = MeetingParticipantFactory(event=event)
    client.force_login(sme.user)
    assert client.get(f"/rencontres/{event.pk}/demander/{elsewhere.pk}/").status_code == 404
    assert client.get(f"/rencontres/{event.pk}/demander/{other_sme.pk}/").status_code == 404


def test_federator_organises_the_events_of_its_editions_only(client):
    convention = ConventionFactory()
    mine = MeetingEventFactory(edition=convention.edition)
    theirs = MeetingEventFactory()
    person = member_of(convention.federator)
    client.force_login(person)
    assert client.get("/pilotage/rencontres/").status_code == 200
    assert client.get(f"/pilotage/rencontres/{mine.pk}/").status_code == 200
    assert client.get(f"/pilotage/rencontres/{theirs.pk}/").status_code == 404
    assert client.get(f"/pilotage/rencontres/{theirs.pk}/tables/").status_code == 404
    pending = MeetingParticipantFactory(event=theirs, pending=True)
    response = client.post(
        f"/pilotage/rencontres/candidatures/{pending.pk}/", {"decision": "validate"}
    )
    assert response.status_code == 404
    pending.refresh_from_db()
    assert pending.state == Participant.State.PENDING


def test_federator_creates_events_only_in_its_editions(client):
    convention = ConventionFactory()
    other = ConventionFactory()
    client.force_login(member_of(convention.federator))
    data = {
        "title": "Rencontre régionale",
        "date": "2030-06-10",
        "place": "Lyon",
        "registration_opens_on": "2030-04-01",
        "registration_closes_on": "2030-05-15",
        "booking_opens_on": "2030-05-16",
        "booking_closes_on": "2030-06-05",
    }
    refused = client.post("/pilotage/rencontres/nouvelle/", {**data, "edition": other.edition_id})
    assert refused.status_code == 200 and not Event.objects.exists()
    created = client.post(
        "/pilotage/rencontres/nouvelle/", {**data, "edition": convention.edition_id}
    )
    assert created.status_code == 302
    assert Event.objects.get().edition == convention.edition


def test_members_and_smes_are_not_organisers(client):
    event = MeetingEventFactory()
    for user in (member_of(OrganisationFactory()), member_of(OrganisationFactory(sme=True))):
        client.force_login(user)
        assert client.get("/pilotage/rencontres/").status_code == 403
        # The role is checked before the event: 403, as on every /pilotage/ page.
        assert client.get(f"/pilotage/rencontres/{event.pk}/").status_code == 403


def test_staff_see_every_event_and_validate_applications(client):
    staff = UserFactory(staff=True)
    event = MeetingEventFactory()
    pending = MeetingParticipantFactory(event=event, pending=True)
    client.force_login(staff)
    assert client.get(f"/pilotage/rencontres/{event.pk}/").status_code == 200
    client.post(f"/pilotage/rencontres/candidatures/{pending.pk}/", {"decision": "validate"})
    pending.refresh_from_db()
    assert pending.state == Participant.State.VALIDATED
