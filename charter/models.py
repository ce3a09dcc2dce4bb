"""The charter: versioned texts, online signatures, named contacts and yearly targets.

Charter sits above procurement (its targets are checked against `procurement.figures`) and below
reports (which show the targets in the member report and the programme report)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from procurement.models import Campaign


class CharterVersion(models.Model):
    """One version of a charter text. Staff write a draft; once published it never changes."""

    class Kind(models.TextChoices):
        MEMBERS = "members", _("Charte des grands comptes")
        PROVIDERS = "providers", _("Charte qualité des PME prestataires")

    kind = models.CharField(_("charte"), max_length=10, choices=Kind.choices)
    number = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(
        _("texte"),
        help_text=_(
            "Titres (« ## Titre »), paragraphes séparés par une ligne vide, listes (« - élément »), "
            "liens ([texte](https://…)), **gras** et *italique*."
        ),
    )
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("publiée par"),
    )
    renewal_deadline = models.DateField(
        _("date limite de renouvellement"),
        null=True,
        blank=True,
        help_text=_("Les signataires d'une version précédente renouvellent avant cette date."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-number"]
        verbose_name = _("version de charte")
        verbose_name_plural = _("versions de charte")
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="charter_version_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=["members", "providers"]), name="charter_version_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Commitment(models.Model):
    """One commitment of a charter version, ticked one by one when signing."""

    version = models.ForeignKey(
        CharterVersion, on_delete=models.CASCADE, related_name="commitments"
    )
    position = models.PositiveSmallIntegerField(_("rang"), default=0)
    text = models.TextField(_("engagement"))

    class Meta:
        ordering = ["version", "position", "pk"]
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")

    def __str__(self) -> str:
        return self.text[:80]


class Signature(models.Model):
    """An organisation signed one version: who, when, with which commitments ticked."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="charter_signatures"
    )
    version = models.ForeignKey(CharterVersion, on_delete=models.PROTECT, related_name="signatures")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signée par"),
    )
    signer_name = models.CharField(_("nom du signataire"), max_length=200)
    signer_role = models.CharField(_("fonction du signataire"), max_length=200)
    signed_at = models.DateTimeField(_("signée le"))
    commitment_ids = models.JSONField(_("engagements cochés"), default=list)
    certificate = models.CharField(max_length=300, blank=True)  # path under MEDIA_ROOT
    # The last day a renewal reminder was sent for this (superseded) signature.
    reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_at", "-pk"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "version"], name="charter_signature_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.version}"


class Contacts(models.Model):
    """The SME correspondent and the internal mediator named by a signatory."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="charter_contacts"
    )
    correspondent_name = models.CharField(_("correspondant PME : nom"), max_length=200)
    correspondent_email = models.EmailField(_("correspondant PME : e-mail"))
    mediator_name = models.CharField(_("médiateur interne : nom"), max_length=200)
    mediator_email = models.EmailField(_("médiateur interne : e-mail"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation"]
        verbose_name = _("contacts de la charte")
        verbose_name_plural = _("contacts de la charte")

    def __str__(self) -> str:
        return str(self.organisation)


MAX_ACTIONS = 5
PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class Targets(models.Model):
    """A member's measurable targets and actions for one campaign."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="charter_targets"
    )
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+")
    sme_share = models.DecimalField(
        _("part PME des achats informatiques (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
    )
    registered_share = models.DecimalField(
        _("part des PME inscrites dans les achats PME (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
    )
    median_payment_delay = models.PositiveSmallIntegerField(
        _("délai de paiement médian (jours, au plus)"), null=True, blank=True
    )
    paid_within_60_share = models.DecimalField(
        _("part des commandes payées sous 60 jours (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
    )
    smes_met = models.PositiveIntegerField(_("nombre de PME rencontrées"), null=True, blank=True)
    actions = models.JSONField(_("actions"), default=list, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-campaign__year", "organisation"]
        verbose_name = _("objectifs annuels")
        verbose_name_plural = _("objectifs annuels")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "campaign"], name="charter_targets_once_per_campaign"
            ),
            models.CheckConstraint(
                condition=Q(sme_share__gte=0, sme_share__lte=100) | Q(sme_share__isnull=True),
                name="charter_targets_sme_share_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.campaign.year}"
