"""Invitations and agendas are valid iCalendar: CRLF lines of at most 75 octets, one VEVENT per
meeting with UID, DTSTAMP, DTSTART/DTEND in UTC, SUMMARY, LOCATION (checked by hand, strictly)."""

import datetime
import re

import pytest

from meetings import ics, services
from tests.factories import MeetingEventFactory, MeetingParticipantFactory, OrganisationFactory

from .conftest import accepted_meeting, add_session

UTC_STAMP = re.compile(r"^\d{8}T\d{6}Z$")


def parse(text: str) -> list[dict]:
    """A strict reader: every line ends with CRLF and fits 75 octets; unfolded, the calendar is
    BEGIN/END balanced; returns the VEVENTs' properties."""
    raw = text.encode()
    assert raw.endswith(b"\r\n")
    physical = raw[:-2].split(b"\r\n")
    assert all(len(line) <= 75 for line in physical)
    assert b"\n" not in b"".join(physical) and b"\r" not in b"".join(physical)
    lines: list[str] = []
    for line in physical:
        decoded = line.decode()  # folding never splits a UTF-8 character
        if decoded.startswith(" "):
            lines[-1] += decoded[1:]
        else:
            lines.append(decoded)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    events, current = [], None
    for line in lines[1:-1]:
        name, _, value = line.partition(":")
        assert name and _ == ":", line
        if line == "BEGIN:VEVENT":
            assert current is None
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            assert name not in current, f"{name} twice"
            current[name] = value
    assert current is None
    for event in events:
        for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION"):
            assert required in event, required
        for stamp in ("DTSTAMP", "DTSTART", "DTEND"):
            assert UTC_STAMP.match(event[stamp]), event[stamp]
        assert event["DTEND"] > event["DTSTART"]
    return events


def test_long_lines_are_folded_at_75_octets_without_splitting_characters():
    moment = datetime.datetime(2027, 3, 4, 9, 0, tzinfo=datetime.UTC)
    text = ics.calendar(
        [
            ics.CalendarEvent(
                uid="meeting-1@pacte-pme",
                starts_at=moment,
                ends_at=moment + datetime.timedelta(minutes=25),
                summary="Rendez-vous avec Énergies de France; lot « cybersécurité », " * 4,
                location="CCI, salle 2\nbâtiment B",
            )
        ],
        stamp=moment,
    )
    (event,) = parse(text)
    assert event["DTSTART"] == "20270304T090000Z"
    assert event["DTEND"] == "20270304T092500Z"
    assert event["SUMMARY"].startswith(
        "Rendez-vous avec Énergies de France\\; lot « cybersécurité »\\,"
    )
    assert event["LOCATION"] == "CCI\\, salle 2\\nbâtiment B"


@pytest.mark.django_db
def test_meeting_invitation_and_agenda_download_are_valid_calendars(client):
    event = MeetingEventFactory(title="Rencontre cybersécurité")
    add_session(event, "09:00", "10:00", minutes=20, tables=3)
    sme = MeetingParticipantFactory(event=event, organisation=OrganisationFactory(sme=True))
    first, second, _ = event.sessions.get().slots.all()
    one = services.place(meeting=accepted_meeting(event, sme=sme), slot=first)
    services.place(meeting=accepted_meeting(event, sme=sme), slot=second)
    client.force_login(sme.user)

    response = client.get(f"/rencontres/rendez-vous/{one.pk}/invitation.ics")
    assert response["Content-Type"].startswith("text/calendar")
    (invitation,) = parse(response.content.decode())
    assert invitation["UID"] == f"meeting-{one.pk}@pacte-pme"
    # 09:00 in Paris is 08:00 or 07:00 UTC depending on the season.
    assert invitation["DTSTART"] == first.starts_at.astimezone(datetime.UTC).strftime(
        "%Y%m%dT%H%M%SZ"
    )
    assert "table 1" in invitation["LOCATION"]

    agenda = parse(client.get(f"/rencontres/{event.pk}/agenda.ics").content.decode())
    assert len(agenda) == 2
    assert len({e["UID"] for e in agenda}) == 2


@pytest.mark.django_db
def test_both_sides_get_the_invitation_attached_by_email(django_capture_on_commit_callbacks):
    from django.core import mail

    event = MeetingEventFactory(title="Rencontre cybersécurité")
    add_session(event, "09:00", "10:00", minutes=20, tables=3)
    sme = MeetingParticipantFactory(event=event, organisation=OrganisationFactory(sme=True))
    first = event.sessions.get().slots.first()
    meeting = accepted_meeting(event, sme=sme)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.place(meeting=meeting, slot=first)

    invitations = [m for m in mail.outbox if "Invitation" in m.subject]
    assert sorted(m.to[0] for m in invitations) == sorted(
        [meeting.sme.user.email, meeting.buyer.user.email]
    )
    for message in invitations:
        ((name, content, mimetype),) = message.attachments
        assert name == f"rendez-vous-{meeting.pk}.ics" and mimetype == "text/calendar"
        (event_,) = parse(content)
        assert event_["UID"] == f"meeting-{meeting.pk}@pacte-pme"
    summaries = sorted(parse(m.attachments[0][1])[0]["SUMMARY"] for m in invitations)
    assert str(meeting.buyer) in summaries[0] + summaries[1]
    assert str(meeting.sme) in summaries[0] + summaries[1]
