"""Demo data of the business meetings for `manage.py seed_demo` (idempotent).

- A past event (November, two years ago), done: five large accounts met SMEs, every meeting held
  and both sides' next steps recorded. Most of the SMEs met are ones the same account declared
  orders with the following year (`bought`, given by seed_demo from the declared orders: this app
  does not read procurement), one per account is not: the Pacte effect shows conversions and
  non-conversions.
- An open event in three weeks, taking bookings: Banque Hexagone's and Énergies de France's
  buyers, Cyberbase validated (a meeting with Énergies de France placed, a request to Banque
  Hexagone waiting for its answer), Nuagique's application waiting for the organisers.

Rows are written directly (no email is queued by the demo)."""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.demo import MEMBERS, declarant_email, demo_user, join, siren_with_key
from accounts.models import Membership, Organisation, Role, User
from directory.models import Domain

from .models import Booking, Event, Meeting, NextStep, Participant, Session, Slot

PAST_TITLE = "Rencontres d'affaires Cybersécurité & Cloud"
OPEN_TITLE = "Rencontres d'affaires Data & IA"
BANK_SIREN, ENERGY_SIREN, CYBERBASE_SIREN, NUAGIQUE_SIREN = (
    "552120222",
    "552081317",
    "732829320",
    "443061841",
)
STEPS = [NextStep.QUOTE, NextStep.DEMO, NextStep.ORDER, NextStep.PILOT]


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone()
    )


def _event(title: str, date: datetime.date, state: str, domains: list[str]) -> Event:
    event = Event.objects.create(
        title=title,
        description=(
            "Des rendez-vous de 25 minutes entre les acheteurs des grands comptes du Pacte et "
            "des PME innovantes retenues sur dossier."
        ),
        date=date,
        place="Maison de la Chimie, 28 rue Saint-Dominique, Paris",
        registration_opens_on=date - datetime.timedelta(days=60),
        registration_closes_on=date - datetime.timedelta(days=25),
        booking_opens_on=date - datetime.timedelta(days=24),
        booking_closes_on=date - datetime.timedelta(days=2),
        state=state,
    )
    event.domains.set(Domain.objects.filter(slug__in=domains))
    session = Session.objects.create(
        event=event,
        starts_at=_at(date, 9),
        ends_at=_at(date, 12, 20),
        slot_minutes=25,
        tables=8,
    )
    Slot.objects.bulk_create(
        [
            Slot(
                session=session,
                starts_at=_at(date, 9) + datetime.timedelta(minutes=25 * n),
                ends_at=_at(date, 9) + datetime.timedelta(minutes=25 * (n + 1)),
            )
            for n in range(8)
        ]
    )
    return event


def _sme_contact(organisation: Organisation) -> User:
    """The person who applied for an SME: its first administrator, or a demo person made for it."""
    membership = (
        Membership.objects.filter(organisation=organisation, role=Role.ADMIN)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if membership is not None:
        return membership.user
    user = demo_user(
        f"dirigeant@pme-{organisation.siren}.example.org", first_name="Dirigeant", last_name="PME"
    )
    join(user, organisation, Role.ADMIN)
    return user


def _participant(event, organisation, user, *, side, state=Participant.State.VALIDATED, text=""):
    return Participant.objects.create(
        event=event,
        side=side,
        organisation=organisation,
        siren=organisation.siren,
        user=user,
        pitch=text if side == Participant.Side.SME else "",
        needs=text if side == Participant.Side.BUYER else "",
        state=state,
        decided_at=timezone.now() if side == Participant.Side.SME else None,
    )


def _place(event: Event, pairs: list[tuple[Participant, Participant]], **fields) -> list[Meeting]:
    """Meetings placed greedily: earliest slot where both are free, first free table."""
    slots = list(Slot.objects.filter(session__event=event).order_by("starts_at"))
    busy: set[tuple[int, int]] = set()
    tables: dict[int, int] = {}
    meetings = []
    for sme, buyer in pairs:
        for slot in slots:
            if (
                (slot.pk, sme.pk) in busy
                or (slot.pk, buyer.pk) in busy
                or tables.get(slot.pk, 0) >= 8
            ):
                continue
            tables[slot.pk] = tables.get(slot.pk, 0) + 1
            busy |= {(slot.pk, sme.pk), (slot.pk, buyer.pk)}
            meeting = Meeting.objects.create(
                event=event,
                sme=sme,
                buyer=buyer,
                requested_by_side=Participant.Side.SME,
                requested_by=sme.user,
                reason=f"Présenter notre offre à {buyer.organisation.name}.",
                answered_at=timezone.now(),
                slot=slot,
                table=tables[slot.pk],
                **fields,
            )
            Booking.objects.bulk_create(
                [
                    Booking(slot=slot, participant=sme, meeting=meeting),
                    Booking(slot=slot, participant=buyer, meeting=meeting),
                ]
            )
            meetings.append(meeting)
            break
    return meetings


def _buyers() -> list[tuple[Organisation, User]]:
    rows = [
        (BANK_SIREN, "buyer@example.org"),
        (ENERGY_SIREN, "achats@energies.example.org"),
    ]
    rows += [(siren_with_key(digits), declarant_email(name)) for name, digits, *_ in MEMBERS[:3]]
    found = []
    for siren, email in rows:
        organisation = Organisation.objects.filter(siren=siren).first()
        user = User.objects.filter(email=email).first()
        if organisation is not None and user is not None:
            found.append((organisation, user))
    return found


def _past_event(today: datetime.date, bought: set[tuple[int, str]]) -> None:
    date = datetime.date(today.year - 2, 11, 14)
    if Event.objects.filter(title=PAST_TITLE, date=date).exists():
        return
    event = _event(PAST_TITLE, date, Event.State.DONE, ["cybersecurite", "cloud-hebergement"])
    smes = {o.siren: o for o in Organisation.objects.smes().filter(verified_at__isnull=False)}
    all_bought = sorted({siren for _account, siren in bought if siren in smes})
    sme_participants: dict[str, Participant] = {}

    def sme(siren: str) -> Participant:
        if siren not in sme_participants:
            organisation = smes[siren]
            sme_participants[siren] = _participant(
                event,
                organisation,
                _sme_contact(organisation),
                side=Participant.Side.SME,
                text=f"{organisation.name} : nos solutions pour les grands comptes.",
            )
        return sme_participants[siren]

    pairs = []
    for index, (account, user) in enumerate(_buyers()):
        buyer = _participant(
            event, account, user, side=Participant.Side.BUYER, text="Sécuriser et migrer nos SI."
        )
        theirs = sorted(s for a, s in bought if a == account.pk and s in smes)
        chosen = theirs[index : index + 2]
        if account.siren == BANK_SIREN and CYBERBASE_SIREN in smes:
            chosen = [CYBERBASE_SIREN, *[s for s in chosen if s != CYBERBASE_SIREN]][:2]
        # One SME the account did not buy from the year after: a meeting that led nowhere.
        others = [s for s in all_bought if s not in theirs and s not in chosen]
        if others:
            chosen.append(others[index % len(others)])
        pairs += [(sme(siren), buyer) for siren in chosen]
    meetings = _place(event, pairs, state=Meeting.State.HELD)
    for n, meeting in enumerate(meetings):
        converted = (meeting.buyer.organisation_id, meeting.sme.siren) in bought
        meeting.sme_next_step = STEPS[n % len(STEPS)] if converted else NextStep.NONE
        meeting.buyer_next_step = STEPS[(n + 1) % len(STEPS)] if converted else NextStep.NONE
        meeting.save(update_fields=["sme_next_step", "buyer_next_step"])


def _open_event(today: datetime.date) -> None:
    date = today + datetime.timedelta(days=21)
    if Event.objects.filter(title=OPEN_TITLE, date__gte=today).exists():
        return
    event = _event(OPEN_TITLE, date, Event.State.BOOKING, ["data-ia", "cloud-hebergement"])
    buyers = {o.siren: (o, u) for o, u in _buyers()[:2]}
    participants = {
        siren: _participant(
            event, account, user, side=Participant.Side.BUYER, text="Exploiter nos données clients."
        )
        for siren, (account, user) in buyers.items()
    }
    cyberbase = Organisation.objects.filter(siren=CYBERBASE_SIREN).first()
    nuagique = Organisation.objects.filter(siren=NUAGIQUE_SIREN).first()
    if cyberbase is not None:
        applicant = _participant(
            event,
            cyberbase,
            _sme_contact(cyberbase),
            side=Participant.Side.SME,
            text="Détection d'intrusion par apprentissage automatique.",
        )
        if ENERGY_SIREN in participants:
            _place(event, [(applicant, participants[ENERGY_SIREN])], state=Meeting.State.ACCEPTED)
        if BANK_SIREN in participants:
            Meeting.objects.create(
                event=event,
                sme=applicant,
                buyer=participants[BANK_SIREN],
                requested_by_side=Participant.Side.SME,
                requested_by=applicant.user,
                reason="Vous présenter notre détection d'intrusion pour les agences.",
            )
    if nuagique is not None:
        _participant(
            event,
            nuagique,
            _sme_contact(nuagique),
            side=Participant.Side.SME,
            state=Participant.State.PENDING,
            text="Hébergement souverain pour vos données.",
        )


def seed(*, bought: set[tuple[int, str]] = frozenset()) -> None:
    """`bought`: (large account id, SME SIREN) pairs with orders declared in the year after the
    past event."""
    if not User.objects.filter(email="buyer@example.org").exists():
        return  # accounts.demo did not run
    today = timezone.localdate()
    with transaction.atomic():
        _past_event(today, set(bought))
        _open_event(today)
