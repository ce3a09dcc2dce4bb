from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from directory.models import Domain, SMEProfile


class Campaign(models.Model):
    """The yearly declaration campaign (e.g. 2026), opened and closed by programme staff."""

    class State(models.TextChoices):
        PREPARING = "preparing", _("En préparation")
        OPEN = "open", _("Ouverte")
        CLOSED = "closed", _("Clôturée")

    year = models.PositiveSmallIntegerField(
        _("année"), unique=True, validators=[MinValueValidator(2000)]
    )
    opens_on = models.DateField(_("ouverture le"))
    closes_on = models.DateField(_("clôture le"))
    state = models.CharField(
        _("état"), max_length=10, choices=State.choices, default=State.PREPARING
    )
    methodology_version = models.CharField(_("version de la méthodologie"), max_length=40)
    methodology = models.TextField(_("méthodologie"), blank=True)
    domains = models.ManyToManyField(
        Domain, blank=True, related_name="campaigns", verbose_name=_("domaines en vigueur")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("campagne")
        verbose_name_plural = _("campagnes")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["preparing", "open", "closed"]), name="campaign_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="campaign_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return str(self.year)


class Declaration(models.Model):
    """One large account's declaration for one campaign: its IT purchases and its SME orders."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SUBMITTED = "submitted", _("Soumise")
        REOPENED = "reopened", _("Rouverte")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="declarations")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="declarations"
    )
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.DRAFT)
    it_purchases_total = models.DecimalField(
        _("achats informatiques externes (€ HT)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reopen_reason = models.TextField(_("motif de réouverture"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-campaign__year", "organisation__name"]
        verbose_name = _("déclaration")
        verbose_name_plural = _("déclarations")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organisation"], name="declaration_one_per_campaign"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "submitted", "reopened"]),
                name="declaration_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(it_purchases_total__isnull=True) | Q(it_purchases_total__gte=0),
                name="declaration_it_total_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.campaign}"


class OrderLine(models.Model):
    """A purchase order placed with an SME, as declared by the large account."""

    class SMEStatus(models.TextChoices):
        PENDING = "pending", _("Sans réponse")
        CONFIRMED = "confirmed", _("Confirmée")
        DISPUTED = "disputed", _("Contestée")

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="lines")
    # The SME is named by its SIREN. The relation joins on SMEProfile.siren without a database
    # constraint, so a line may name an SME that is not registered yet and is linked the moment
    # that SIREN registers: `line.sme_profile` is None until then, `line.sme_siren` always holds the SIREN.
    sme_profile = models.ForeignKey(
        SMEProfile,
        to_field="siren",
        db_column="sme_siren",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="order_lines",
        verbose_name=_("PME"),
    )
    sme_name = models.CharField(_("nom de la PME"), max_length=200)
    amount = models.DecimalField(_("montant (€ HT)"), max_digits=14, decimal_places=2)
    order_date = models.DateField(_("date de commande"))
    domain = models.ForeignKey(
        Domain, on_delete=models.PROTECT, related_name="order_lines", verbose_name=_("domaine")
    )
    reference = models.CharField(_("référence"), max_length=100, blank=True)
    payment_delay_days = models.PositiveSmallIntegerField(
        _("délai de paiement moyen (jours)"), null=True, blank=True
    )

    sme_status = models.CharField(
        _("réponse de la PME"), max_length=10, choices=SMEStatus.choices, default=SMEStatus.PENDING
    )
    sme_comment = models.TextField(_("commentaire de la PME"), blank=True)
    sme_responded_at = models.DateTimeField(null=True, blank=True)
    sme_responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order_date", "id"]
        verbose_name = _("ligne de commande")
        verbose_name_plural = _("lignes de commande")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="orderline_amount_positive"),
            models.CheckConstraint(
                condition=Q(sme_status__in=["pending", "confirmed", "disputed"]),
                name="orderline_sme_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sme_name} {self.amount} €"

    @property
    def sme_siren(self) -> str:
        return self.sme_profile_id
