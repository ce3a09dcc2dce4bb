"""What the Pacte effect reads: every held meeting as (event date, large account, SME SIREN,
meeting, next steps)."""

import pytest

from meetings import selectors, services
from meetings.models import Event
from tests.factories import MeetingEventFactory, UserFactory

from .conftest import accepted_meeting, add_session

pytestmark = pytest.mark.django_db


def test_held_meetings_give_date_account_siren_and_next_steps():
    event = MeetingEventFactory()
    add_session(event, "09:00", "10:00", minutes=20, tables=3)
    first, second, _ = event.sessions.get().slots.all()
    held = services.place(meeting=accepted_meeting(event), slot=first)
    missed = services.place(meeting=accepted_meeting(event), slot=second)
    accepted_meeting(event)  # never placed
    Event.objects.filter(pk=event.pk).update(state=Event.State.DAY)
    staff = UserFactory(staff=True)
    services.mark_attendance(meeting=held, held=True, by=staff)
    services.mark_attendance(meeting=missed, held=False, by=staff)
    services.record_next_step(meeting=held, side="buyer", step="pilot", by=staff)

    (row,) = selectors.held_meetings()
    assert row.meeting_id == held.pk
    assert row.event_date == event.date
    assert row.account_id == held.buyer.organisation_id
    assert row.sme_siren == held.sme.organisation.siren
    assert row.next_steps == ("none", "pilot")
    assert (row.event_id, row.event_title) == (event.pk, event.title)
    assert row.account_name == held.buyer.organisation.name
    assert selectors.held_meetings(event_ids=[event.pk + 1]) == []
