"""Business meetings (rencontres d'affaires): an event with sessions cut into slots at numbered
tables; large accounts register buyers, SMEs apply; one-to-one meetings requested by either side,
accepted by the other, placed in a slot at a table without double booking.

No double booking is enforced by the database: a meeting holds a (slot, table) pair at most once
(`meeting_slot_table_unique`), and each placed meeting writes one `Booking` per participant,
unique on (slot, participant). The services also lock the slot row (`select_for_update`)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from directory.models import Domain
from editions.models import Edition

SLOT_MINUTES_MIN, SLOT_MINUTES_MAX = 20, 30
TABLES_MAX = 200


class EventQuerySet(models.QuerySet):
    def public(self) -> "EventQuerySet":
        return self.exclude(state=Event.State.DRAFT)


class Event(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("En préparation")
        REGISTRATION = "registration", _("Inscriptions ouvertes")
        BOOKING = "booking", _("Prise de rendez-vous")
        DAY = "day", _("Jour J")
        DONE = "done", _("Terminée")

    ORDER = ["draft", "registration", "booking", "day", "done"]

    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("présentation"), blank=True, max_length=4000)
    date = models.DateField(_("date"))
    place = models.CharField(_("lieu"), max_length=300, blank=True)
    online_url = models.URLField(_("lien de la rencontre en ligne"), blank=True)
    edition = models.ForeignKey(
        Edition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_events",
        verbose_name=_("édition"),
    )
    domains = models.ManyToManyField(
        Domain, blank=True, related_name="meeting_events", verbose_name=_("domaines recherchés")
    )
    registration_opens_on = models.DateField(_("ouverture des inscriptions"))
    registration_closes_on = models.DateField(_("clôture des inscriptions"))
    booking_opens_on = models.DateField(_("ouverture des rendez-vous"))
    booking_closes_on = models.DateField(_("clôture des rendez-vous"))
    state = models.CharField(_("état"), max_length=12, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = _("rencontre d'affaires")
        verbose_name_plural = _("rencontres d'affaires")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["draft", "registration", "booking", "day", "done"]),
                name="meetings_event_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(registration_closes_on__gte=models.F("registration_opens_on"))
                & Q(booking_closes_on__gte=models.F("booking_opens_on"))
                & Q(booking_opens_on__gte=models.F("registration_opens_on"))
                & Q(date__gte=models.F("booking_closes_on")),
                name="meetings_event_dates_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(place="") | ~Q(online_url=""), name="meetings_event_has_location"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def location(self) -> str:
        return self.place or self.online_url

    def reached(self, state: str) -> bool:
        return self.ORDER.index(self.state) >= self.ORDER.index(state)


class Session(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    slot_minutes = models.PositiveSmallIntegerField(_("durée d'un rendez-vous (minutes)"))
    tables = models.PositiveSmallIntegerField(_("nombre de tables"))

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=SLOT_MINUTES_MIN, slot_minutes__lte=SLOT_MINUTES_MAX),
                name="meetings_session_slot_length",
            ),
            models.CheckConstraint(
                condition=Q(tables__gte=1, tables__lte=TABLES_MAX), name="meetings_session_tables"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meetings_session_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} — {self.starts_at:%H:%M}"


class Slot(models.Model):
    """One time slot of a session (created with the session): the unit that is booked."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "starts_at"], name="meetings_slot_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%H:%M}"


class Participant(models.Model):
    """An SME's application (pitch, validated by the organisers) or a large account's buyer
    (a member of the account, with the needs they bring)."""

    class Side(models.TextChoices):
        SME = "sme", _("PME")
        BUYER = "buyer", _("Acheteur")

    class State(models.TextChoices):
        PENDING = "pending", _("En attente de validation")
        VALIDATED = "validated", _("Validée")
        REFUSED = "refused", _("Refusée")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants")
    side = models.CharField(_("côté"), max_length=5, choices=Side.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="meeting_participations"
    )
    # The SME's SIREN when it applied (the Pacte effect joins meetings to orders by SIREN).
    siren = models.CharField(_("SIREN"), max_length=9)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="meeting_participations",
        verbose_name=_("personne"),
    )
    pitch = models.TextField(_("présentation en quelques lignes"), blank=True, max_length=1500)
    needs = models.TextField(_("besoins"), blank=True, max_length=1500)
    state = models.CharField(_("état"), max_length=10, choices=State.choices)
    decision_reason = models.TextField(_("motif"), blank=True, max_length=1000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "pk"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.CheckConstraint(
                condition=Q(side__in=["sme", "buyer"]), name="meetings_participant_side_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["pending", "validated", "refused"]),
                name="meetings_participant_state_valid",
            ),
            # One application per SME, one registration per buyer.
            models.UniqueConstraint(
                fields=["event", "organisation"],
                condition=Q(side="sme"),
                name="meetings_one_application_per_sme",
            ),
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=Q(side="buyer"),
                name="meetings_one_registration_per_buyer",
            ),
        ]
        indexes = [models.Index(fields=["event", "side", "state"])]

    def __str__(self) -> str:
        if self.side == self.Side.BUYER:
            return f"{self.user} ({self.organisation})"
        return self.organisation.name

    @property
    def is_validated(self) -> bool:
        return self.state == self.State.VALIDATED


class NextStep(models.TextChoices):
    NONE = "none", _("Aucune suite")
    DEMO = "demo", _("Démonstration")
    PILOT = "pilot", _("Pilote")
    QUOTE = "quote", _("Devis")
    ORDER = "order_expected", _("Commande attendue")


class Meeting(models.Model):
    """A one-to-one meeting between an SME and a buyer, requested by either side."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Demandé")
        ACCEPTED = "accepted", _("Accepté")
        DECLINED = "declined", _("Décliné")
        HELD = "held", _("Tenu")
        MISSED = "missed", _("Absence")

    ACTIVE = ("requested", "accepted", "held", "missed")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meetings")
    sme = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="sme_meetings")
    buyer = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="buyer_meetings")
    requested_by_side = models.CharField(max_length=5, choices=Participant.Side.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField(_("objet de la demande"), max_length=1000)
    state = models.CharField(
        _("état"), max_length=10, choices=State.choices, default=State.REQUESTED
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    table = models.PositiveSmallIntegerField(_("table"), null=True, blank=True)
    sme_next_step = models.CharField(
        _("suite donnée (PME)"), max_length=20, choices=NextStep.choices, blank=True
    )
    buyer_next_step = models.CharField(
        _("suite donnée (acheteur)"), max_length=20, choices=NextStep.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slot__starts_at", "table", "pk"]
        verbose_name = _("rendez-vous")
        verbose_name_plural = _("rendez-vous")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["requested", "accepted", "declined", "held", "missed"]),
                name="meetings_meeting_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(slot__isnull=True, table__isnull=True)
                | Q(slot__isnull=False, table__gte=1, state__in=["accepted", "held", "missed"]),
                name="meetings_meeting_placed_when_accepted",
            ),
            models.UniqueConstraint(
                fields=["slot", "table"], name="meetings_meeting_slot_table_unique"
            ),
            # One live request per pair (a declined one may be asked again).
            models.UniqueConstraint(
                fields=["sme", "buyer"],
                condition=Q(state__in=["requested", "accepted", "held", "missed"]),
                name="meetings_meeting_one_per_pair",
            ),
        ]
        indexes = [models.Index(fields=["event", "state"])]

    def __str__(self) -> str:
        return f"{self.sme} × {self.buyer}"

    @property
    def is_placed(self) -> bool:
        return self.slot_id is not None


class Booking(models.Model):
    """A participant busy in a slot: one per participant of each placed meeting."""

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="bookings")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="bookings")

    class Meta:
        ordering = ["slot__starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "participant"], name="meetings_booking_participant_once_per_slot"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} @ {self.slot_id}"
