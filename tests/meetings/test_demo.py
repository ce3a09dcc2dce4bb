import datetime

import pytest
from django.core.management import call_command
from django.db.models import Count

from meetings import selectors
from meetings.models import Booking, Event, Meeting, Participant
from procurement.models import Declaration, OrderLine

pytestmark = pytest.mark.django_db


def test_demo_has_a_past_event_whose_meetings_led_to_orders_and_an_open_event():
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    past = Event.objects.get(state=Event.State.DONE)
    held = selectors.held_meetings(event_ids=[past.pk])
    assert len(held) >= 10
    assert all(row.event_date == past.date for row in held)
    assert not Meeting.objects.filter(event=past, sme_next_step="").exists()

    def ordered_the_year_after(row) -> bool:
        return OrderLine.objects.filter(
            declaration__organisation_id=row.account_id,
            declaration__state=Declaration.State.SUBMITTED,
            declaration__campaign__year=past.date.year + 1,
            sme_profile_id=row.sme_siren,
        ).exists()

    converted = [row for row in held if ordered_the_year_after(row)]
    assert 0 < len(converted) < len(held)

    open_event = Event.objects.get(state=Event.State.BOOKING)
    assert open_event.date > datetime.date.today()
    cyberbase = Participant.objects.get(event=open_event, organisation__name="Cyberbase")
    assert cyberbase.is_validated
    assert Meeting.objects.filter(sme=cyberbase, slot__isnull=False).count() == 1
    assert Meeting.objects.filter(sme=cyberbase, state=Meeting.State.REQUESTED).count() == 1
    assert Participant.objects.filter(event=open_event, state="pending").exists()
    # No double booking in the demo either.
    assert not Booking.objects.values("slot", "participant").annotate(n=Count("pk")).filter(n__gt=1)
