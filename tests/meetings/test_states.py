"""State machines: the event (forward only, by dates or organisers), an SME's application, a
meeting request (requested → accepted | declined; held | missed on the day; next steps)."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from meetings import services
from meetings.models import Event, Meeting, Participant
from tests.factories import (
    MeetingEventFactory,
    MeetingParticipantFactory,
    OrganisationFactory,
    UserFactory,
    member_of,
)

from .conftest import accepted_meeting, add_session

pytestmark = pytest.mark.django_db


def test_event_moves_forward_only_and_booking_needs_a_session():
    staff = UserFactory(staff=True)
    event = MeetingEventFactory(draft=True)
    services.set_state(event=event, state=Event.State.REGISTRATION, by=staff)
    with pytest.raises(ValidationError):
        services.set_state(event=event, state=Event.State.BOOKING, by=staff)
    add_session(event)
    services.set_state(event=event, state=Event.State.BOOKING, by=staff)
    with pytest.raises(ValidationError):
        services.set_state(event=event, state=Event.State.REGISTRATION, by=staff)
    event.refresh_from_db()
    assert event.state == Event.State.BOOKING


def test_event_states_follow_the_dates_but_drafts_wait():
    event = MeetingEventFactory(registration=True)
    add_session(event)
    draft = MeetingEventFactory(draft=True)
    services.advance_states(today=event.registration_opens_on)
    event.refresh_from_db()
    assert event.state == Event.State.REGISTRATION
    services.advance_states(today=event.booking_opens_on)
    event.refresh_from_db()
    assert event.state == Event.State.BOOKING
    services.advance_states(today=event.date)
    event.refresh_from_db()
    assert event.state == Event.State.DAY
    services.advance_states(today=event.date + datetime.timedelta(days=1))
    event.refresh_from_db()
    draft.refresh_from_db()
    assert event.state == Event.State.DONE
    assert draft.state == Event.State.DRAFT


def test_sessions_are_cut_into_slots_and_never_overlap():
    event = MeetingEventFactory()
    session = add_session(event, "09:00", "10:10", minutes=20)
    assert [timezone.localtime(s.starts_at).strftime("%H:%M") for s in session.slots.all()] == [
        "09:00",
        "09:20",
        "09:40",
    ]
    with pytest.raises(ValidationError):
        add_session(event, "09:30", "11:00")
    with pytest.raises(ValidationError):
        add_session(event, "14:00", "15:00", minutes=45)


def test_verified_sme_applies_and_organiser_validates_with_an_email(
    django_capture_on_commit_callbacks,
):
    event = MeetingEventFactory(registration=True)
    sme = OrganisationFactory(sme=True, name="Cyber Lyon")
    person = member_of(sme, admin=True)
    participant = services.apply(event=event, organisation=sme, by=person, pitch="Un SOC pour PME")
    assert participant.state == Participant.State.PENDING
    assert participant.siren == sme.siren
    with pytest.raises(ValidationError):
        services.apply(event=event, organisation=sme, by=person, pitch="Encore")
    with django_capture_on_commit_callbacks(execute=True):
        participant = services.decide_application(
            participant=participant, validate=True, by=UserFactory(staff=True)
        )
    assert participant.state == Participant.State.VALIDATED
    assert [m.to for m in mail.outbox] == [[person.email]]
    assert "retenue" in mail.outbox[0].subject
    with pytest.raises(ValidationError):
        services.decide_application(participant=participant, validate=False, by=person, reason="x")


def test_refusal_needs_a_reason_and_unverified_smes_cannot_apply():
    event = MeetingEventFactory(registration=True)
    pending = MeetingParticipantFactory(event=event, pending=True)
    with pytest.raises(ValidationError):
        services.decide_application(participant=pending, validate=False, by=UserFactory(staff=True))
    pending = services.decide_application(
        participant=pending, validate=False, by=UserFactory(staff=True), reason="Hors sujet"
    )
    assert pending.state == Participant.State.REFUSED
    unverified = OrganisationFactory(sme=True, unverified=True)
    with pytest.raises(ValidationError):
        services.apply(event=event, organisation=unverified, by=member_of(unverified), pitch="x")


def test_applications_close_outside_registration_and_booking():
    event = MeetingEventFactory(draft=True)
    sme = OrganisationFactory(sme=True)
    with pytest.raises(ValidationError):
        services.apply(event=event, organisation=sme, by=member_of(sme), pitch="x")


def test_buyer_must_be_a_member_of_the_account():
    event = MeetingEventFactory(registration=True)
    account = OrganisationFactory()
    stranger = UserFactory()
    with pytest.raises(ValidationError):
        services.register_buyer(
            event=event, organisation=account, user=stranger, needs="x", by=member_of(account)
        )
    buyer = member_of(account)
    participant = services.register_buyer(
        event=event, organisation=account, user=buyer, needs="SOC", by=buyer
    )
    assert participant.state == Participant.State.VALIDATED


def test_request_is_answered_by_the_other_side_only(django_capture_on_commit_callbacks):
    event = MeetingEventFactory()
    sme = MeetingParticipantFactory(event=event)
    buyer = MeetingParticipantFactory(event=event, buyer=True)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.request_meeting(
            event=event, sme=sme, buyer=buyer, side="sme", reason="Démo", by=sme.user
        )
    assert mail.outbox[-1].to == [buyer.user.email]
    with pytest.raises(ValidationError):
        services.answer_request(meeting=meeting, side="sme", accept=True, by=sme.user)
    with pytest.raises(ValidationError):  # one live request per pair
        services.request_meeting(
            event=event, sme=sme, buyer=buyer, side="buyer", reason="Aussi", by=buyer.user
        )
    services.answer_request(meeting=meeting, side="buyer", accept=False, by=buyer.user)
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.DECLINED
    with pytest.raises(ValidationError):
        services.answer_request(meeting=meeting, side="buyer", accept=True, by=buyer.user)
    # Declined, the pair may ask again.
    again = services.request_meeting(
        event=event, sme=sme, buyer=buyer, side="buyer", reason="Autre sujet", by=buyer.user
    )
    assert again.state == Meeting.State.REQUESTED


def test_requests_need_booking_open_and_validated_participants():
    event = MeetingEventFactory(registration=True)
    sme = MeetingParticipantFactory(event=event)
    buyer = MeetingParticipantFactory(event=event, buyer=True)
    with pytest.raises(ValidationError):
        services.request_meeting(
            event=event, sme=sme, buyer=buyer, side="sme", reason="x", by=sme.user
        )
    event.state = Event.State.BOOKING
    event.save()
    pending = MeetingParticipantFactory(event=event, pending=True)
    with pytest.raises(ValidationError):
        services.request_meeting(
            event=event, sme=pending, buyer=buyer, side="sme", reason="x", by=pending.user
        )


def test_attendance_on_the_day_then_next_steps_from_both_sides():
    event = MeetingEventFactory()
    add_session(event)
    meeting = accepted_meeting(event)
    slot = event.sessions.get().slots.first()
    services.place(meeting=meeting, slot=slot)
    staff = UserFactory(staff=True)
    with pytest.raises(ValidationError):  # not before the day
        services.mark_attendance(meeting=meeting, held=True, by=staff)
    with pytest.raises(ValidationError):  # not before it is held
        services.record_next_step(meeting=meeting, side="sme", step="demo", by=staff)
    Event.objects.filter(pk=event.pk).update(state=Event.State.DAY)
    services.mark_attendance(meeting=meeting, held=True, by=staff)
    services.record_next_step(meeting=meeting, side="sme", step="demo", by=meeting.sme.user)
    services.record_next_step(
        meeting=meeting, side="buyer", step="order_expected", by=meeting.buyer.user
    )
    meeting.refresh_from_db()
    assert (meeting.state, meeting.sme_next_step, meeting.buyer_next_step) == (
        Meeting.State.HELD,
        "demo",
        "order_expected",
    )
