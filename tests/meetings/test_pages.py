"""Organisers edit an event; the event pages read a fixed number of queries, however many
meetings; forms show errors next to their fields."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings import services
from meetings.models import Event
from tests.factories import (
    ConventionFactory,
    MeetingEventFactory,
    MeetingParticipantFactory,
    member_of,
)

from .conftest import accepted_meeting, add_session

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_event_pages_read_a_fixed_number_of_queries(client):
    convention = ConventionFactory()
    event = MeetingEventFactory(edition=convention.edition)
    add_session(event, "09:00", "12:00", minutes=20, tables=10)
    buyer = MeetingParticipantFactory(event=event, buyer=True)
    slots = list(event.sessions.get().slots.all())
    organiser = member_of(convention.federator)

    def grow(n):
        for _ in range(n):
            meeting = accepted_meeting(event, buyer=buyer)
            services.place(meeting=meeting, slot=slots[len(buyer.bookings.all()) % len(slots)])
            MeetingParticipantFactory(event=event, pending=True)

    grow(2)
    urls_buyer = [f"/rencontres/{event.pk}/", f"/rencontres/{event.pk}/agenda/"]
    urls_organiser = [
        f"/pilotage/rencontres/{event.pk}/",
        f"/pilotage/rencontres/{event.pk}/tables/",
    ]
    client.force_login(buyer.user)
    before_buyer = [_queries(client, url) for url in urls_buyer]
    client.force_login(organiser)
    before_organiser = [_queries(client, url) for url in urls_organiser]
    grow(5)
    client.force_login(buyer.user)
    assert [_queries(client, url) for url in urls_buyer] == before_buyer
    client.force_login(organiser)
    assert [_queries(client, url) for url in urls_organiser] == before_organiser


def test_organiser_edits_an_event_and_sees_date_errors_next_to_fields(client):
    convention = ConventionFactory()
    event = MeetingEventFactory(edition=convention.edition, title="Avant")
    client.force_login(member_of(convention.federator))
    data = {
        "title": "Après",
        "date": event.date.isoformat(),
        "place": "Lyon",
        "edition": convention.edition_id,
        "registration_opens_on": event.registration_opens_on.isoformat(),
        "registration_closes_on": event.registration_closes_on.isoformat(),
        "booking_opens_on": event.booking_opens_on.isoformat(),
        "booking_closes_on": event.date.replace(year=event.date.year + 1).isoformat(),
    }
    response = client.post(f"/pilotage/rencontres/{event.pk}/modifier/", data)
    assert response.status_code == 200
    assert "trop tôt" in response.content.decode()
    data["booking_closes_on"] = event.booking_closes_on.isoformat()
    response = client.post(f"/pilotage/rencontres/{event.pk}/modifier/", data)
    assert response.status_code == 302, response.context["form"].errors
    event.refresh_from_db()
    assert (event.title, event.place, event.state) == ("Après", "Lyon", Event.State.BOOKING)
