"""Changing business meetings: events and their sessions, applications, meeting requests and
their answers, placement in a slot at a table (by the participants or the organisers' scheduler),
attendance, next steps, reminders. Each service checks the transition and writes atomically."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.mail import send_later
from accounts.models import Membership, Organisation, Role, User
from audit.services import record

from . import ics, selectors
from .models import Booking, Event, Meeting, NextStep, Participant, Session, Slot


class TransitionError(ValidationError):
    pass


def _url(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _local(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _people(participant: Participant) -> list[str]:
    """Who hears about a participant's meetings: the person registered and, for an SME, its
    administrators."""
    emails = [participant.user.email]
    if participant.side == Participant.Side.SME:
        emails += list(
            Membership.objects.filter(
                organisation_id=participant.organisation_id, role=Role.ADMIN
            ).values_list("user__email", flat=True)
        )
    return emails


# --- events ------------------------------------------------------------------------------------


def create_event(*, by: User, domains=(), **fields) -> Event:
    with transaction.atomic():
        event = Event(created_by=by, **fields)
        event.full_clean()
        event.save()
        event.domains.set(domains)
        record(actor=by, action="meetings.event_created", target=event)
    return event


def update_event(*, event: Event, by: User, domains=(), **fields) -> Event:
    """Organisers correct an event's description, place and dates (its state moves apart)."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        changes = {}
        for name, value in fields.items():
            if getattr(event, name) != value:
                changes[name] = (str(getattr(event, name)), str(value))
                setattr(event, name, value)
        event.full_clean(exclude=["created_by"])
        event.save()
        event.domains.set(domains)
        record(actor=by, action="meetings.event_changed", target=event, changes=changes)
    return event


def add_session(
    *,
    event: Event,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    slot_minutes: int,
    tables: int,
    by: User,
) -> Session:
    """A session of the event's day, cut into slots of `slot_minutes` (a last, shorter slot is
    dropped). Sessions of one event never overlap, so that a participant busy in one slot is busy
    at that time."""
    if event.reached(Event.State.DAY):
        raise TransitionError(_("La rencontre a commencé : ses sessions ne changent plus."))
    if timezone.localtime(starts_at).date() != event.date:
        raise ValidationError({"starts_at": _("Une session a lieu le jour de la rencontre.")})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("La fin doit suivre le début.")})
    if not 20 <= slot_minutes <= 30:
        raise ValidationError({"slot_minutes": _("Un rendez-vous dure de 20 à 30 minutes.")})
    length = datetime.timedelta(minutes=slot_minutes)
    if starts_at + length > ends_at:
        raise ValidationError({"ends_at": _("La session doit tenir au moins un rendez-vous.")})
    with transaction.atomic():
        Event.objects.select_for_update().get(pk=event.pk)
        if event.sessions.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
            raise ValidationError(_("Cette session chevauche une autre session de la rencontre."))
        session = Session.objects.create(
            event=event,
            starts_at=starts_at,
            ends_at=ends_at,
            slot_minutes=slot_minutes,
            tables=tables,
        )
        slots, moment = [], starts_at
        while moment + length <= ends_at:
            slots.append(Slot(session=session, starts_at=moment, ends_at=moment + length))
            moment += length
        Slot.objects.bulk_create(slots)
        record(actor=by, action="meetings.session_added", target=event)
    return session


def set_state(*, event: Event, state: str, by: User | None) -> Event:
    """Move the event forward (organisers, or the daily run from the dates; never backward).
    Booking needs at least one session."""
    order = Event.ORDER
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if state not in order or order.index(state) <= order.index(event.state):
            raise TransitionError(_("Une rencontre n'avance que dans l'ordre de ses étapes."))
        if order.index(state) >= order.index(Event.State.BOOKING) and not event.sessions.exists():
            raise TransitionError(
                _("Ajoutez au moins une session avant d'ouvrir la prise de rendez-vous.")
            )
        before = event.state
        event.state = state
        event.save(update_fields=["state"])
        if by is not None:
            record(
                actor=by,
                action="meetings.event_state",
                target=event,
                changes={"state": (before, state)},
            )
    return event


def state_on(event: Event, today: datetime.date) -> str:
    """The state the dates give to a launched event."""
    if today > event.date:
        return Event.State.DONE
    if today == event.date:
        return Event.State.DAY
    if today >= event.booking_opens_on and event.sessions.exists():
        return Event.State.BOOKING
    return Event.State.REGISTRATION


def advance_states(*, today: datetime.date | None = None) -> int:
    """Run by Celery beat: each launched event reaches the state its dates give it (forward
    only; drafts wait for the organisers)."""
    today = today or timezone.localdate()
    moved = 0
    for event in Event.objects.exclude(state__in=[Event.State.DRAFT, Event.State.DONE]):
        target = state_on(event, today)
        if Event.ORDER.index(target) > Event.ORDER.index(event.state):
            set_state(event=event, state=target, by=None)
            moved += 1
    return moved


# --- applications and buyers -------------------------------------------------------------------


def _open_for_registration(event: Event) -> None:
    if event.state not in (Event.State.REGISTRATION, Event.State.BOOKING):
        raise TransitionError(_("Les inscriptions à cette rencontre ne sont pas ouvertes."))


def apply(*, event: Event, organisation: Organisation, by: User, pitch: str) -> Participant:
    """A verified SME applies with a short pitch; organisers validate it."""
    _open_for_registration(event)
    if not organisation.is_sme or not organisation.is_verified:
        raise ValidationError(
            _("Seule une PME dont l'identité est vérifiée peut se porter candidate.")
        )
    if not pitch.strip():
        raise ValidationError({"pitch": _("Présentez votre entreprise en quelques lignes.")})
    try:
        with transaction.atomic():
            return Participant.objects.create(
                event=event,
                side=Participant.Side.SME,
                organisation=organisation,
                siren=organisation.siren,
                user=by,
                pitch=pitch.strip(),
                state=Participant.State.PENDING,
            )
    except IntegrityError:
        raise ValidationError(_("Votre entreprise est déjà candidate à cette rencontre.")) from None


def register_buyer(
    *, event: Event, organisation: Organisation, user: User, needs: str, by: User
) -> Participant:
    """A large account registers one of its members as a buyer, with the needs they bring."""
    _open_for_registration(event)
    if not organisation.is_large_account:
        raise ValidationError(_("Seul un grand compte inscrit des acheteurs."))
    if not Membership.objects.filter(user=user, organisation=organisation).exists():
        raise ValidationError({"user": _("Cette personne n'est pas membre de votre organisation.")})
    try:
        with transaction.atomic():
            return Participant.objects.create(
                event=event,
                side=Participant.Side.BUYER,
                organisation=organisation,
                siren=organisation.siren,
                user=user,
                needs=needs.strip(),
                state=Participant.State.VALIDATED,
            )
    except IntegrityError:
        raise ValidationError({"user": _("Cette personne est déjà inscrite.")}) from None


def decide_application(
    *, participant: Participant, validate: bool, by: User, reason: str = ""
) -> Participant:
    with transaction.atomic():
        participant = (
            Participant.objects.select_for_update()
            .select_related("event", "organisation", "user")
            .get(pk=participant.pk)
        )
        if participant.state != Participant.State.PENDING:
            raise TransitionError(_("Cette candidature a déjà été traitée."))
        if not validate and not reason.strip():
            raise ValidationError({"reason": _("Indiquez le motif du refus.")})
        participant.state = Participant.State.VALIDATED if validate else Participant.State.REFUSED
        participant.decision_reason = reason.strip()
        participant.decided_by = by
        participant.decided_at = timezone.now()
        participant.save(update_fields=["state", "decision_reason", "decided_by", "decided_at"])
        record(
            actor=by,
            action="meetings.application_validated" if validate else "meetings.application_refused",
            target=participant,
            organisation_id=participant.organisation_id,
            reason=participant.decision_reason,
        )
        context = {
            "event": participant.event.title,
            "url": _url("meetings:event", participant.event_id),
            "reason": participant.decision_reason,
        }
        if validate:
            subject = _("Candidature retenue : %(event)s") % context
            body = (
                _(
                    "Bonjour,\n\nVotre candidature à la rencontre « %(event)s » est retenue. "
                    "Vous pourrez demander des rendez-vous aux acheteurs dès l'ouverture de la "
                    "prise de rendez-vous.\n\n%(url)s\n"
                )
                % context
            )
        else:
            subject = _("Candidature non retenue : %(event)s") % context
            body = (
                _(
                    "Bonjour,\n\nVotre candidature à la rencontre « %(event)s » n'est pas retenue."
                    "\n\nMotif : %(reason)s\n\n%(url)s\n"
                )
                % context
            )
        send_later(to=_people(participant), subject=subject, body=body)
    return participant


# --- meeting requests --------------------------------------------------------------------------


def request_meeting(
    *, event: Event, sme: Participant, buyer: Participant, side: str, reason: str, by: User
) -> Meeting:
    """Either side asks the other for a one-to-one meeting, during booking."""
    if event.state != Event.State.BOOKING:
        raise TransitionError(_("La prise de rendez-vous n'est pas ouverte."))
    if sme.side != Participant.Side.SME or buyer.side != Participant.Side.BUYER:
        raise ValidationError(_("Un rendez-vous réunit une PME et un acheteur."))
    if sme.event_id != event.pk or buyer.event_id != event.pk:
        raise ValidationError(_("Ces participants ne sont pas inscrits à cette rencontre."))
    if not (sme.is_validated and buyer.is_validated):
        raise ValidationError(_("Les deux participants doivent être validés."))
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Dites en une phrase pourquoi vous voulez ce rendez-vous.")}
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                meeting = Meeting.objects.create(
                    event=event,
                    sme=sme,
                    buyer=buyer,
                    requested_by_side=side,
                    requested_by=by,
                    reason=reason.strip(),
                )
        except IntegrityError:
            raise ValidationError(_("Un rendez-vous est déjà demandé entre vous.")) from None
        other = buyer if side == Participant.Side.SME else sme
        asker = sme if side == Participant.Side.SME else buyer
        send_later(
            to=_people(other),
            subject=_("Demande de rendez-vous : %(event)s") % {"event": event.title},
            body=_(
                "Bonjour,\n\n%(asker)s vous demande un rendez-vous lors de la rencontre "
                "« %(event)s ».\n\nObjet : %(reason)s\n\nAcceptez ou déclinez la demande :\n%(url)s\n"
            )
            % {
                "asker": str(asker),
                "event": event.title,
                "reason": meeting.reason,
                "url": _url("meetings:meeting", meeting.pk),
            },
        )
    return meeting


def answer_request(
    *, meeting: Meeting, side: str, accept: bool, by: User, slot: Slot | None = None
) -> Meeting:
    """The side that did not ask accepts (optionally choosing a free slot common to both) or
    declines. Accepting with a slot places the meeting in the same transaction."""
    with transaction.atomic():
        if slot is not None:  # the slot first, as every placement does (one lock order)
            Slot.objects.select_for_update().get(pk=slot.pk)
        meeting = Meeting.objects.select_for_update().select_related("event").get(pk=meeting.pk)
        if meeting.state != Meeting.State.REQUESTED:
            raise TransitionError(_("Cette demande a déjà reçu une réponse."))
        if side == meeting.requested_by_side:
            raise TransitionError(_("C'est à l'autre participant de répondre à cette demande."))
        if meeting.event.state != Event.State.BOOKING:
            raise TransitionError(_("La prise de rendez-vous est close."))
        meeting.state = Meeting.State.ACCEPTED if accept else Meeting.State.DECLINED
        meeting.answered_at = timezone.now()
        meeting.save(update_fields=["state", "answered_at"])
        if accept and slot is not None:
            meeting = _place(meeting=meeting, slot_id=slot.pk)
        requester = (
            meeting.sme if meeting.requested_by_side == Participant.Side.SME else meeting.buyer
        )
        if accept:
            text = _(
                "Bonjour,\n\nVotre demande de rendez-vous lors de la rencontre « %(event)s » est "
                "acceptée.%(when)s\n\n%(url)s\n"
            )
        else:
            text = _(
                "Bonjour,\n\nVotre demande de rendez-vous lors de la rencontre « %(event)s » est "
                "déclinée.\n\n%(url)s\n"
            )
        when = ""
        if meeting.is_placed:
            when = " " + _("Créneau : %(time)s, table %(table)s.") % {
                "time": _local(meeting.slot.starts_at),
                "table": meeting.table,
            }
        send_later(
            to=_people(requester),
            subject=(
                _("Rendez-vous accepté : %(event)s")
                if accept
                else _("Rendez-vous décliné : %(event)s")
            )
            % {"event": meeting.event.title},
            body=text
            % {
                "event": meeting.event.title,
                "when": when,
                "url": _url("meetings:meeting", meeting.pk),
            },
        )
    return meeting


class SlotTaken(ValidationError):
    pass


def _place(*, meeting: Meeting, slot_id: int) -> Meeting:
    """Place an accepted meeting in a slot at the first free table. The caller holds the slot's
    row lock (select_for_update) and the meeting's; the unique constraints are the last guard."""
    slot = Slot.objects.select_related("session").get(pk=slot_id)
    if slot.session.event_id != meeting.event_id:
        raise ValidationError(_("Ce créneau n'appartient pas à la rencontre."))
    if meeting.state != Meeting.State.ACCEPTED or meeting.slot_id is not None:
        raise TransitionError(_("Ce rendez-vous n'est pas à placer."))
    if Booking.objects.filter(
        slot=slot, participant_id__in=[meeting.sme_id, meeting.buyer_id]
    ).exists():
        raise SlotTaken(
            _("L'un de vous a déjà un rendez-vous sur ce créneau : choisissez-en un autre.")
        )
    used = set(Meeting.objects.filter(slot=slot).values_list("table", flat=True))
    free = [n for n in range(1, slot.session.tables + 1) if n not in used]
    if not free:
        raise SlotTaken(_("Toutes les tables de ce créneau sont prises : choisissez-en un autre."))
    try:
        with transaction.atomic():
            meeting.slot, meeting.table = slot, free[0]
            meeting.save(update_fields=["slot", "table"])
            Booking.objects.bulk_create(
                [
                    Booking(slot=slot, participant_id=meeting.sme_id, meeting=meeting),
                    Booking(slot=slot, participant_id=meeting.buyer_id, meeting=meeting),
                ]
            )
    except IntegrityError:
        meeting.slot, meeting.table = None, None
        raise SlotTaken(_("Ce créneau vient d'être pris : choisissez-en un autre.")) from None
    _send_invitations(meeting)
    return meeting


def place(*, meeting: Meeting, slot: Slot, side: str | None = None) -> Meeting:
    """A participant of an accepted, unplaced meeting chooses a free slot common to both."""
    with transaction.atomic():
        Slot.objects.select_for_update().get(pk=slot.pk)
        meeting = Meeting.objects.select_for_update().select_related("event").get(pk=meeting.pk)
        if meeting.event.state != Event.State.BOOKING:
            raise TransitionError(_("La prise de rendez-vous est close."))
        return _place(meeting=meeting, slot_id=slot.pk)


def schedule_event(*, event: Event, by: User) -> tuple[int, list[Meeting]]:
    """The organisers' scheduler: every accepted, unplaced meeting of the event, oldest request
    first, goes to the earliest slot where both participants are free and a table is left
    (greedy). What cannot be placed stays accepted and unplaced, and is returned: the organisers
    see it listed, and may add a session or tables and run the scheduler again."""
    with transaction.atomic():
        slots = list(
            Slot.objects.select_for_update()
            .filter(session__event=event)
            .select_related("session")
            .order_by("pk")
        )
        slots.sort(key=lambda s: (s.starts_at, s.pk))
        used_tables = dict(
            Meeting.objects.filter(slot__in=slots)
            .values_list("slot_id")
            .annotate(n=Count("pk"))
            .values_list("slot_id", "n")
        )
        busy = set(Booking.objects.filter(slot__in=slots).values_list("slot_id", "participant_id"))
        pending = list(
            Meeting.objects.select_for_update()
            .filter(event=event, state=Meeting.State.ACCEPTED, slot__isnull=True)
            .order_by("created_at", "pk")
        )
        placed, unplaced = 0, []
        for meeting in pending:
            for slot in slots:
                if used_tables.get(slot.pk, 0) >= slot.session.tables:
                    continue
                if (slot.pk, meeting.sme_id) in busy or (slot.pk, meeting.buyer_id) in busy:
                    continue
                _place(meeting=meeting, slot_id=slot.pk)
                used_tables[slot.pk] = used_tables.get(slot.pk, 0) + 1
                busy |= {(slot.pk, meeting.sme_id), (slot.pk, meeting.buyer_id)}
                placed += 1
                break
            else:
                unplaced.append(meeting)
        record(
            actor=by,
            action="meetings.scheduled",
            target=event,
            changes={"placed": (0, placed), "unplaced": (0, len(unplaced))},
        )
    return placed, unplaced


def _send_invitations(meeting: Meeting) -> None:
    """Both sides get the time, the table and the invitation (.ics) attached and linked."""
    meeting = Meeting.objects.select_related(
        "event", "slot", "sme__organisation", "sme__user", "buyer__organisation", "buyer__user"
    ).get(pk=meeting.pk)
    context = {
        "event": meeting.event.title,
        "time": _local(meeting.slot.starts_at),
        "table": meeting.table,
        "place": meeting.event.location,
        "ics": _url("meetings:meeting_ics", meeting.pk),
        "url": _url("meetings:meeting", meeting.pk),
    }
    for me, other in ((meeting.sme, meeting.buyer), (meeting.buyer, meeting.sme)):
        invitation = ics.calendar([selectors.calendar_event(meeting, me.organisation)])
        send_later(
            attachments=[(f"rendez-vous-{meeting.pk}.ics", invitation, "text/calendar")],
            to=_people(me),
            subject=_("Invitation : rendez-vous avec %(other)s") % {"other": str(other)},
            body=_(
                "Bonjour,\n\nVotre rendez-vous avec %(other)s lors de la rencontre « %(event)s » "
                "est fixé : %(time)s, table %(table)s (%(place)s).\n\n"
                "L'invitation est jointe (fichier .ics), et aussi ici :\n%(ics)s\n\n%(url)s\n"
            )
            % {**context, "other": str(other)},
        )


# --- the day and after -------------------------------------------------------------------------


def mark_attendance(*, meeting: Meeting, held: bool, by: User) -> Meeting:
    """On the day (or after), organisers mark a placed meeting held or missed (and may correct)."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("event").get(pk=meeting.pk)
        if not meeting.event.reached(Event.State.DAY):
            raise TransitionError(_("La présence se note le jour de la rencontre."))
        if meeting.state not in (Meeting.State.ACCEPTED, Meeting.State.HELD, Meeting.State.MISSED):
            raise TransitionError(_("Seul un rendez-vous accepté se tient."))
        if not meeting.is_placed:
            raise TransitionError(_("Ce rendez-vous n'a pas de créneau."))
        before = meeting.state
        meeting.state = Meeting.State.HELD if held else Meeting.State.MISSED
        meeting.save(update_fields=["state"])
        record(
            actor=by,
            action="meetings.attendance",
            target=meeting,
            changes={"state": (before, meeting.state)},
        )
    return meeting


def record_next_step(*, meeting: Meeting, side: str, step: str, by: User) -> Meeting:
    if step not in NextStep.values:
        raise ValidationError({"step": _("Choisissez une suite.")})
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.state != Meeting.State.HELD:
            raise TransitionError(_("La suite se note après un rendez-vous tenu."))
        field = "sme_next_step" if side == Participant.Side.SME else "buyer_next_step"
        setattr(meeting, field, step)
        meeting.save(update_fields=[field])
    return meeting


def send_reminders(*, today: datetime.date | None = None) -> int:
    """Run by Celery beat: the day before an event, each participant with placed meetings gets
    one reminder with their agenda (once: `reminded_at` is written with the email)."""
    today = today or timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    ids = list(
        Participant.objects.filter(
            event__date=tomorrow,
            event__state__in=[Event.State.REGISTRATION, Event.State.BOOKING, Event.State.DAY],
            state=Participant.State.VALIDATED,
            reminded_at__isnull=True,
            bookings__isnull=False,
        )
        .distinct()
        .values_list("pk", flat=True)
    )
    sent = 0
    for pk in ids:
        with transaction.atomic():
            participant = (
                Participant.objects.select_for_update(skip_locked=True)
                .select_related("event", "user")
                .filter(pk=pk, reminded_at__isnull=True)
                .first()
            )
            if participant is None:
                continue
            bookings = (
                Booking.objects.filter(participant=participant)
                .select_related("slot", "meeting__sme__organisation", "meeting__buyer__user")
                .order_by("slot__starts_at")
            )
            lines = []
            for booking in bookings:
                meeting = booking.meeting
                other = meeting.buyer if participant.side == Participant.Side.SME else meeting.sme
                lines.append(
                    f"- {_local(booking.slot.starts_at)}, "
                    + _("table %(table)s : %(other)s") % {"table": meeting.table, "other": other}
                )
            event = participant.event
            send_later(
                to=_people(participant),
                subject=_("Demain : %(event)s") % {"event": event.title},
                body=_(
                    "Bonjour,\n\nLa rencontre « %(event)s » a lieu demain (%(place)s). "
                    "Vos rendez-vous :\n\n%(lines)s\n\nVotre agenda : %(url)s\n"
                )
                % {
                    "event": event.title,
                    "place": event.location,
                    "lines": "\n".join(lines),
                    "url": _url("meetings:agenda", event.pk),
                },
            )
            participant.reminded_at = timezone.now()
            participant.save(update_fields=["reminded_at"])
            sent += 1
    return sent
