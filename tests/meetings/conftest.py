import datetime

from django.utils import timezone

from meetings import services
from tests.factories import MeetingParticipantFactory, UserFactory


def add_session(event, start="09:00", end="10:00", *, minutes=20, tables=2):
    tz = timezone.get_current_timezone()

    def at(text):
        hours, mins = map(int, text.split(":"))
        return datetime.datetime.combine(event.date, datetime.time(hours, mins), tzinfo=tz)

    return services.add_session(
        event=event,
        starts_at=at(start),
        ends_at=at(end),
        slot_minutes=minutes,
        tables=tables,
        by=UserFactory(staff=True),
    )


def accepted_meeting(event, sme=None, buyer=None):
    """An accepted, unplaced meeting asked by the SME and accepted by the buyer."""
    sme = sme or MeetingParticipantFactory(event=event)
    buyer = buyer or MeetingParticipantFactory(event=event, buyer=True)
    meeting = services.request_meeting(
        event=event, sme=sme, buyer=buyer, side="sme", reason="Présenter notre SOC", by=sme.user
    )
    return services.answer_request(meeting=meeting, side="buyer", accept=True, by=buyer.user)
