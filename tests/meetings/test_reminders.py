"""The day before, each participant with meetings gets one reminder, however often beat runs."""

import datetime

import pytest
from django.core import mail

from meetings import services, tasks
from tests.factories import MeetingEventFactory, MeetingParticipantFactory

from .conftest import accepted_meeting, add_session

pytestmark = pytest.mark.django_db


def test_reminders_go_once_per_participant_the_day_before(django_capture_on_commit_callbacks):
    event = MeetingEventFactory()
    add_session(event, "09:00", "10:00", minutes=20, tables=3)
    buyer = MeetingParticipantFactory(event=event, buyer=True)
    first, second, _ = event.sessions.get().slots.all()
    services.place(meeting=accepted_meeting(event, buyer=buyer), slot=first)
    services.place(meeting=accepted_meeting(event, buyer=buyer), slot=second)
    MeetingParticipantFactory(event=event)  # no meeting: no reminder
    day_before = event.date - datetime.timedelta(days=1)
    mail.outbox.clear()

    assert services.send_reminders(today=event.date - datetime.timedelta(days=2)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders(today=day_before) == 3  # the buyer and two SMEs
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders(today=day_before) == 0
    reminders = [m for m in mail.outbox if m.subject.endswith(f"Demain : {event.title}")]
    assert len(reminders) == 3
    (to_buyer,) = [m for m in reminders if m.to == [buyer.user.email]]
    assert to_buyer.body.count("table") == 2


def test_beat_schedules_the_reminders_and_the_states(settings):
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert tasks.send_meeting_reminders.name in tasks_scheduled
    assert tasks.advance_event_states.name in tasks_scheduled
