"""Editions of the programme (national, territorial, sectoral), the federators that run them
under a convention, and the large accounts that belong to them.

SMEs are not stored as members: an SME belongs to an edition by its territory (département or
region of its profile) or its sector (domains, NAF code), computed by `selectors.edition_smes`."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from directory.models import Departement, Domain, NafCode, Region
from directory.storage import private_storage


class EditionQuerySet(models.QuerySet):
    def public(self) -> "EditionQuerySet":
        """Editions shown on /editions/: launched ones (not drafts)."""
        return self.exclude(status=Edition.Status.DRAFT)


class Edition(models.Model):
    class Kind(models.TextChoices):
        NATIONAL = "national", _("Nationale")
        TERRITORIAL = "territorial", _("Territoriale")
        SECTORAL = "sectoral", _("Sectorielle")

    class Status(models.TextChoices):
        DRAFT = "draft", _("En préparation")
        ACTIVE = "active", _("En cours")
        CLOSED = "closed", _("Terminée")

    name = models.CharField(_("nom"), max_length=200, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    logo = models.FileField(
        _("logo"),
        storage=private_storage,
        upload_to="editions/logos/",
        max_length=300,
        blank=True,
        help_text=_("PNG, JPEG ou SVG, 1 Mo au plus ; servi par la page de l'édition."),
    )
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(_("fin"), null=True, blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # Territory of a territorial edition: the union of these regions and départements.
    regions = models.ManyToManyField(
        Region, blank=True, related_name="editions", verbose_name=_("régions")
    )
    departements = models.ManyToManyField(
        Departement, blank=True, related_name="editions", verbose_name=_("départements")
    )
    # Sector of a sectoral edition: SMEs with one of these domains or NAF codes.
    domains = models.ManyToManyField(
        Domain, blank=True, related_name="editions", verbose_name=_("domaines du programme")
    )
    naf_codes = models.ManyToManyField(
        NafCode, blank=True, related_name="editions", verbose_name=_("codes NAF")
    )
    accounts = models.ManyToManyField(
        Organisation,
        through="EditionAccount",
        through_fields=("edition", "organisation"),
        related_name="editions",
        blank=True,
        verbose_name=_("grands comptes"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EditionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("édition")
        verbose_name_plural = _("éditions")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["national", "territorial", "sectoral"]),
                name="edition_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "active", "closed"]),
                name="edition_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="edition_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_territorial(self) -> bool:
        return self.kind == self.Kind.TERRITORIAL

    @property
    def is_sectoral(self) -> bool:
        return self.kind == self.Kind.SECTORAL

    @property
    def is_national(self) -> bool:
        return self.kind == self.Kind.NATIONAL


class ConventionQuerySet(models.QuerySet):
    def in_force(self, on=None) -> "ConventionQuerySet":
        on = on or timezone.localdate()
        return self.filter(starts_on__lte=on).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))


class Convention(models.Model):
    """A federator runs an edition under a convention signed with the programme."""

    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="conventions", verbose_name=_("édition")
    )
    federator = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="conventions",
        limit_choices_to={"kind": "federator"},
        verbose_name=_("fédérateur"),
    )
    starts_on = models.DateField(_("en vigueur du"))
    ends_on = models.DateField(_("au"), null=True, blank=True)
    fee_eur = models.DecimalField(
        _("redevance (€)"),
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    admission_rules = models.TextField(_("règles d'admission"), blank=True, max_length=4000)
    signed_document = models.FileField(
        _("convention signée (PDF)"),
        storage=private_storage,
        upload_to="editions/conventions/%Y/",
        max_length=300,
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ConventionQuerySet.as_manager()

    class Meta:
        ordering = ["edition__name", "-starts_on"]
        verbose_name = _("convention")
        verbose_name_plural = _("conventions")
        constraints = [
            models.CheckConstraint(condition=Q(fee_eur__gte=0), name="convention_fee_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="convention_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.federator} — {self.edition}"


class EditionAccount(models.Model):
    """A large account in an edition: added by staff or a federator, or asked for by the account
    (state `requested` until staff or a federator of the edition accept it)."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Demande d'adhésion")
        MEMBER = "member", _("Membre")
        REFUSED = "refused", _("Refusée")

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="edition_memberships",
        limit_choices_to={"kind": "large_account"},
        verbose_name=_("grand compte"),
    )
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.MEMBER)
    message = models.TextField(_("message"), blank=True, max_length=1000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["edition__name", "organisation__name"]
        verbose_name = _("grand compte de l'édition")
        verbose_name_plural = _("grands comptes de l'édition")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "organisation"], name="editionaccount_unique"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["requested", "member", "refused"]),
                name="editionaccount_state_valid",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "state"])]

    def __str__(self) -> str:
        return f"{self.organisation} @ {self.edition}"
