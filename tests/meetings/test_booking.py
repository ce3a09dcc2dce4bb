"""A slot and a table are never given twice: neither a participant nor a table twice in the same
slot, whether chosen by the participants (even at the same instant, on real PostgreSQL) or by the
organisers' scheduler."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from meetings import selectors, services
from meetings.models import Booking, Meeting
from tests.factories import MeetingEventFactory, MeetingParticipantFactory, UserFactory

from .conftest import accepted_meeting, add_session


@pytest.mark.django_db
def test_accepter_picks_a_free_slot_common_to_both():
    event = MeetingEventFactory()
    add_session(event, "09:00", "10:00", minutes=20, tables=5)
    sme = MeetingParticipantFactory(event=event)
    buyer = MeetingParticipantFactory(event=event, buyer=True)
    first, second, third = event.sessions.get().slots.all()
    busy = accepted_meeting(event, sme=sme)
    services.place(meeting=busy, slot=first)
    meeting = services.request_meeting(
        event=event, sme=sme, buyer=buyer, side="buyer", reason="SOC", by=buyer.user
    )
    assert list(selectors.free_slots(meeting)) == [second, third]
    meeting = services.answer_request(
        meeting=meeting, side="sme", accept=True, by=sme.user, slot=second
    )
    assert (meeting.slot, meeting.table) == (second, 1)
    assert meeting.state == Meeting.State.ACCEPTED
    assert set(Booking.objects.filter(meeting=meeting).values_list("participant", flat=True)) == {
        sme.pk,
        buyer.pk,
    }


@pytest.mark.django_db
def test_a_participant_is_never_twice_in_a_slot_nor_a_table_given_twice():
    event = MeetingEventFactory()
    add_session(event, "09:00", "09:20", minutes=20, tables=2)
    slot = event.sessions.get().slots.get()
    buyer = MeetingParticipantFactory(event=event, buyer=True)
    one, two = accepted_meeting(event, buyer=buyer), accepted_meeting(event, buyer=buyer)
    services.place(meeting=one, slot=slot)
    with pytest.raises(ValidationError):
        services.place(meeting=two, slot=slot)
    three, four = accepted_meeting(event), accepted_meeting(event)
    assert services.place(meeting=three, slot=slot).table == 2
    with pytest.raises(ValidationError):  # both tables taken
        services.place(meeting=four, slot=slot)


@pytest.mark.django_db
def test_the_database_refuses_a_double_booking_written_around_the_service():
    event = MeetingEventFactory()
    add_session(event, "09:00", "09:20", minutes=20, tables=2)
    slot = event.sessions.get().slots.get()
    buyer = MeetingParticipantFactory(event=event, buyer=True)
    one, two = accepted_meeting(event, buyer=buyer), accepted_meeting(event, buyer=buyer)
    services.place(meeting=one, slot=slot)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(slot=slot, participant=buyer, meeting=two)
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.filter(pk=two.pk).update(slot=slot, table=1)


def _in_parallel(calls) -> list:
    """Run each call in its own thread (each with its own database connection), released at the
    same instant; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # the outcome is what the test reads
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_for_one_buyer_in_one_slot_book_it_once():
    event = MeetingEventFactory()
    add_session(event, "09:00", "09:20", minutes=20, tables=10)
    slot = event.sessions.get().slots.get()
    buyer = MeetingParticipantFactory(event=event, buyer=True)
    meetings = [accepted_meeting(event, buyer=buyer) for _ in range(6)]

    results = _in_parallel([lambda m=m: services.place(meeting=m, slot=slot) for m in meetings])

    placed = [r for r in results if isinstance(r, Meeting)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(placed) == 1 and len(refused) == 5, results
    assert Booking.objects.filter(slot=slot, participant=buyer).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_never_give_a_table_twice():
    event = MeetingEventFactory()
    add_session(event, "09:00", "09:20", minutes=20, tables=3)
    slot = event.sessions.get().slots.get()
    requests = []
    for _ in range(8):
        sme = MeetingParticipantFactory(event=event)
        buyer = MeetingParticipantFactory(event=event, buyer=True)
        requests.append(
            services.request_meeting(
                event=event, sme=sme, buyer=buyer, side="sme", reason="x", by=sme.user
            )
        )

    results = _in_parallel(
        [
            lambda m=m: services.answer_request(
                meeting=m, side="buyer", accept=True, by=m.buyer.user, slot=slot
            )
            for m in requests
        ]
    )

    placed = [r for r in results if isinstance(r, Meeting)]
    assert len(placed) == 3, results
    assert sorted(Meeting.objects.filter(slot=slot).values_list("table", flat=True)) == [1, 2, 3]
    # Those refused stay requested (the whole answer rolled back): they may choose another slot.
    assert Meeting.objects.filter(state=Meeting.State.REQUESTED).count() == 5


@pytest.mark.django_db
def test_scheduler_places_all_it_can_without_conflicts_and_returns_the_rest():
    event = MeetingEventFactory()
    add_session(event, "09:00", "10:00", minutes=20, tables=2)  # 3 slots × 2 tables
    buyer = MeetingParticipantFactory(event=event, buyer=True)
    sme = MeetingParticipantFactory(event=event)
    busy_buyer = [accepted_meeting(event, buyer=buyer) for _ in range(4)]  # 3 slots for 4
    busy_sme = [accepted_meeting(event, sme=sme) for _ in range(2)]
    others = [accepted_meeting(event) for _ in range(2)]

    placed, unplaced = services.schedule_event(event=event, by=UserFactory(staff=True))

    assert placed == 6  # 6 seats; the 4th meeting of the buyer has no slot left
    assert [m.pk for m in unplaced] == [m.pk for m in busy_buyer[3:]] + [others[1].pk]
    rows = list(Meeting.objects.filter(slot__isnull=False).values_list("slot", "table"))
    assert len(rows) == len(set(rows)) == 6
    for participant in (buyer, sme):
        slots = list(Booking.objects.filter(participant=participant).values_list("slot", flat=True))
        assert len(slots) == len(set(slots))
    assert all(m.slot is None for m in Meeting.objects.filter(pk__in=[m.pk for m in unplaced]))
    assert busy_sme  # placed too
    # Run again: nothing more to place, nothing moves.
    assert services.schedule_event(event=event, by=UserFactory(staff=True))[0] == 0
