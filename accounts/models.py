import hashlib
import secrets
from datetime import timedelta

import pghistory
from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.fr import siren as siren_number


def validate_siren(value: str) -> None:
    from django.core.exceptions import ValidationError

    if not siren_number.is_valid(value or ""):
        raise ValidationError(
            _(
                "« %(value)s » n'est pas un SIREN valide (9 chiffres avec une clé de contrôle correcte)."
            ),
            code="invalid_siren",
            params={"value": value},
        )


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("is_programme_staff", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person. Email is the login; what they may do depends on their memberships."""

    username = None
    email = models.EmailField(_("adresse e-mail"), unique=True)
    is_programme_staff = models.BooleanField(
        _("équipe du programme"),
        default=False,
        help_text=_("Pilote les campagnes, modère les profils et publie les rapports."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class OrganisationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "OrganisationQuerySet":
        if not user.is_authenticated:
            return self.none()
        if user.is_programme_staff:
            return self.all()
        return self.filter(memberships__user=user)

    def large_accounts(self) -> "OrganisationQuerySet":
        return self.filter(kind=Organisation.Kind.LARGE_ACCOUNT)

    def smes(self) -> "OrganisationQuerySet":
        return self.filter(kind=Organisation.Kind.SME)

    def federators(self) -> "OrganisationQuerySet":
        return self.filter(kind=Organisation.Kind.FEDERATOR)

    def verified(self) -> "OrganisationQuerySet":
        return self.filter(Q(kind__in=Organisation.CREATED_BY_STAFF) | Q(verified_at__isnull=False))


# Who changed what is recorded by database triggers (pghistory; the web request's user comes from
# its middleware). Organisations record updates only, so that bulk loads of SMEs stay cheap.
@pghistory.track(pghistory.UpdateEvent(), exclude=["created_at"])
class Organisation(models.Model):
    """A member of the programme: a large account (buyer) or an SME (supplier)."""

    class Kind(models.TextChoices):
        LARGE_ACCOUNT = "large_account", _("Grand compte")
        SME = "sme", _("PME")
        # Runs editions of the programme under a convention (chamber of commerce, metropolis,
        # cluster, employers' federation): an edition-scoped staff role for its members.
        FEDERATOR = "federator", _("Fédérateur")
        # A research laboratory or technology-transfer company (answers open-innovation needs).
        RESEARCH = "research", _("Organisme de recherche")

    # Kinds that only programme staff create, hence verified by construction.
    CREATED_BY_STAFF = ("large_account", "federator")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("raison sociale"), max_length=200)
    siren = models.CharField(_("SIREN"), max_length=9, unique=True, validators=[validate_siren])
    sector = models.CharField(_("secteur"), max_length=120, blank=True)
    joined_on = models.DateField(_("adhésion au programme le"), null=True, blank=True)
    charter_signed_on = models.DateField(_("charte signée le"), null=True, blank=True)
    public_naming = models.BooleanField(
        _("peut être nommé dans le rapport public"),
        default=False,
        help_text=_("Sinon, le compte apparaît anonymisé (« Membre A »)."),
    )
    # An SME proves it is the company (moderation by programme staff) before it sees anything
    # declared in its name; a large account is created by staff, hence verified by construction.
    verified_at = models.DateTimeField(_("identité vérifiée le"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vérifiée par"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["large_account", "sme", "federator", "research"]),
                name="organisation_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(siren__regex=r"^[0-9]{9}$"), name="organisation_siren_9_digits"
            ),
        ]
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_large_account(self) -> bool:
        return self.kind == self.Kind.LARGE_ACCOUNT

    @property
    def is_sme(self) -> bool:
        return self.kind == self.Kind.SME

    @property
    def is_federator(self) -> bool:
        return self.kind == self.Kind.FEDERATOR

    @property
    def is_research(self) -> bool:
        return self.kind == self.Kind.RESEARCH

    @property
    def is_verified(self) -> bool:
        """Large accounts and federators always (staff create them); an SME or a research
        organisation once programme staff have checked its evidence."""
        return self.kind in self.CREATED_BY_STAFF or self.verified_at is not None


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrateur")
    MEMBER = "member", _("Membre")


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["created_at"],
)
class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "user__email"]
        verbose_name = _("appartenance")
        verbose_name_plural = _("appartenances")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique"),
            models.CheckConstraint(
                condition=Q(role__in=["admin", "member"]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _default_expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> "InvitationQuerySet":
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )

    def for_token(self, token: str) -> "InvitationQuerySet":
        return self.filter(token_hash=_hash_token(token))


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    exclude=["token_hash", "created_at"],
)
class Invitation(models.Model):
    """A single-use link inviting someone to join an organisation with a role."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("adresse e-mail"))
    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=_default_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["admin", "member"]), name="invitation_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    def new_token(self) -> str:
        """Give the invitation a fresh secret; only its hash is stored. Returns the secret."""
        token = secrets.token_urlsafe(32)
        self.token_hash = _hash_token(token)
        return token

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        ACCEPTED = "accepted", _("Acceptée")
        REVOKED = "revoked", _("Révoquée")
        EXPIRED = "expired", _("Expirée")

    @property
    def status(self) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    def get_status_display(self) -> str:
        return self.Status(self.status).label


class OutgoingEmail(models.Model):
    """An email waiting to be sent, or sent (the outbox).

    Written in the same transaction as the change it tells about, so that no email is lost when
    the broker or the mail server is down; a Celery task sends it with retries, and the periodic
    sweep re-queues what is still unsent. No request ever talks to the mail server."""

    to = models.JSONField(_("destinataires"))
    subject = models.CharField(_("objet"), max_length=300)
    body = models.TextField(_("message"))
    # Small text attachments (an .ics invitation): [[file name, content, MIME type], ...].
    attachments = models.JSONField(_("pièces jointes"), default=list, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    # When the worker is due to try again (set at each failure, and when the sweep hands the email
    # to a worker): the sweep leaves the email alone until then.
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("e-mail sortant")
        verbose_name_plural = _("e-mails sortants")
        indexes = [
            models.Index(
                fields=["created_at"], name="outgoing_unsent", condition=Q(sent_at__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return self.subject
