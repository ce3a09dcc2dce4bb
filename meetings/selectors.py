"""Reading business meetings, scoped to who asks: organisers (programme staff, federators for the
events of their editions) see everything of their events; an SME its own application and
meetings; a large account its buyers' registrations and meetings. Other ids give 404."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from editions.selectors import runs_any_edition, staff_editions

from . import ics
from .models import Booking, Event, Meeting, NextStep, Participant, Slot

# --- organisers --------------------------------------------------------------------------------


def editions_scope(request: HttpRequest):
    """None for programme staff (every edition); the editions a federator runs otherwise."""
    return staff_editions(request)


def organiser_events(request: HttpRequest) -> QuerySet[Event]:
    """Events the person organises: every event for programme staff; for a federator, the events
    of the editions it runs; none for anyone else."""
    scope = editions_scope(request)
    if scope is None:
        return Event.objects.all()
    return Event.objects.filter(edition__in=scope)


def is_organiser(request: HttpRequest) -> bool:
    return runs_any_edition(request)


def get_event_for_organiser(request: HttpRequest, pk) -> Event:
    try:
        return organiser_events(request).get(pk=int(pk))
    except (Event.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def organiser_meetings(event: Event) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(event=event)
        .select_related("sme__organisation", "buyer__organisation", "buyer__user", "slot__session")
        .order_by("slot__starts_at", "table", "pk")
    )


def applications(event: Event) -> QuerySet[Participant]:
    return (
        Participant.objects.filter(event=event)
        .select_related("organisation", "user")
        .order_by("side", "state", "organisation__name", "pk")
    )


def table_schedule(event: Event) -> list[dict]:
    """The day's schedule, one entry per table and session: its placed meetings in time order."""
    rows: dict[tuple, list[Meeting]] = {}
    sessions = list(event.sessions.all())
    meetings = organiser_meetings(event).filter(slot__isnull=False)
    for meeting in meetings:
        rows.setdefault((meeting.slot.session_id, meeting.table), []).append(meeting)
    schedule = []
    for session in sessions:
        for table in range(1, session.tables + 1):
            schedule.append(
                {"session": session, "table": table, "meetings": rows.get((session.pk, table), [])}
            )
    return schedule


# --- public ------------------------------------------------------------------------------------


def upcoming_events(today: datetime.date | None = None) -> QuerySet[Event]:
    today = today or timezone.localdate()
    return (
        Event.objects.public()
        .filter(date__gte=today)
        .select_related("edition")
        .order_by("date", "pk")
    )


def get_public_event(pk) -> Event:
    try:
        return Event.objects.public().select_related("edition").get(pk=int(pk))
    except (Event.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- participants ------------------------------------------------------------------------------


def my_participants(event: Event, organisation) -> QuerySet[Participant]:
    """The organisation's participants in the event: an SME's application, an account's buyers."""
    if organisation is None:
        return Participant.objects.none()
    return Participant.objects.filter(event=event, organisation=organisation).select_related(
        "user", "organisation"
    )


def counterparts(event: Event, organisation) -> QuerySet[Participant]:
    """Whom the organisation may ask for a meeting: validated participants of the other side."""
    side = Participant.Side.BUYER if organisation.is_sme else Participant.Side.SME
    return (
        Participant.objects.filter(event=event, side=side, state=Participant.State.VALIDATED)
        .select_related("organisation", "user")
        .order_by("organisation__name", "user__last_name", "pk")
    )


def get_counterpart(event: Event, organisation, pk) -> Participant:
    try:
        return counterparts(event, organisation).get(pk=int(pk))
    except (Participant.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def meetings_of(organisation) -> QuerySet[Meeting]:
    """Meetings where the organisation is a side (its SME application or one of its buyers)."""
    if organisation is None:
        return Meeting.objects.none()
    return Meeting.objects.filter(
        Q(sme__organisation=organisation) | Q(buyer__organisation=organisation)
    ).select_related(
        "event",
        "sme__organisation",
        "buyer__organisation",
        "buyer__user",
        "sme__user",
        "slot__session",
    )


def get_meeting_for_member(request: HttpRequest, pk) -> Meeting:
    try:
        membership = request.membership or None
        organisation = membership.organisation if membership else None
        return meetings_of(organisation).get(pk=int(pk))
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def side_of(meeting: Meeting, organisation) -> str:
    if organisation is not None and meeting.sme.organisation_id == organisation.pk:
        return Participant.Side.SME
    return Participant.Side.BUYER


def agenda(event: Event, organisation) -> QuerySet[Meeting]:
    """The organisation's placed meetings of the event, in time order."""
    return (
        meetings_of(organisation)
        .filter(event=event, slot__isnull=False)
        .order_by("slot__starts_at", "table", "pk")
    )


# --- slots -------------------------------------------------------------------------------------


def free_slots(meeting: Meeting) -> QuerySet[Slot]:
    """Slots of the meeting's event where both participants are free and a table is left."""
    busy = Booking.objects.filter(
        slot=OuterRef("pk"), participant_id__in=[meeting.sme_id, meeting.buyer_id]
    )
    return (
        Slot.objects.filter(session__event_id=meeting.event_id)
        .annotate(used=Count("meetings"))
        .filter(used__lt=F("session__tables"))
        .exclude(Exists(busy))
        .select_related("session")
        .order_by("starts_at", "pk")
    )


def calendar_event(meeting: Meeting, organisation) -> ics.CalendarEvent:
    """A placed meeting as a calendar event, as `organisation`'s side sees it."""
    side = side_of(meeting, organisation)
    other = meeting.buyer if side == Participant.Side.SME else meeting.sme
    return ics.CalendarEvent(
        uid=f"meeting-{meeting.pk}@pacte-pme",
        starts_at=meeting.slot.starts_at,
        ends_at=meeting.slot.ends_at,
        summary=_("Rendez-vous avec %(other)s — %(event)s")
        % {"other": other, "event": meeting.event.title},
        location=_("%(place)s, table %(table)s")
        % {"place": meeting.event.location, "table": meeting.table},
        description=meeting.reason,
    )


# --- the Pacte effect --------------------------------------------------------------------------


@dataclass(frozen=True)
class HeldMeeting:
    meeting_id: int
    event_id: int
    event_date: datetime.date
    account_id: int
    sme_siren: str
    sme_next_step: str
    buyer_next_step: str
    event_title: str
    account_name: str

    @property
    def next_steps(self) -> tuple[str, str]:
        return (self.sme_next_step or NextStep.NONE, self.buyer_next_step or NextStep.NONE)


def held_meetings(
    *, event_ids=None, account_ids=None, siren: str | None = None
) -> list[HeldMeeting]:
    """Every meeting held (attendance marked by the organisers): the event's date, the large
    account's organisation id, the SME's SIREN (as recorded when it applied), the meeting's id
    and both sides' next steps (plus the event's title and the account's name, for labels). For
    the Pacte effect, which joins them to declared orders: each row is an
    `effect.outcomes.Contact(kind="meeting", ref_id=meeting_id, on=event_date,
    account_id=account_id, siren=sme_siren, group_id=event_id, label=event_title,
    account_name=account_name)`."""
    queryset = Meeting.objects.filter(state=Meeting.State.HELD)
    if event_ids is not None:
        queryset = queryset.filter(event_id__in=list(event_ids))
    if account_ids is not None:
        queryset = queryset.filter(buyer__organisation_id__in=list(account_ids))
    if siren is not None:
        queryset = queryset.filter(sme__siren=siren)
    rows = queryset.order_by("event__date", "pk").values_list(
        "pk",
        "event_id",
        "event__date",
        "buyer__organisation_id",
        "sme__siren",
        "sme_next_step",
        "buyer_next_step",
        "event__title",
        "buyer__organisation__name",
    )
    return [HeldMeeting(*row) for row in rows]
