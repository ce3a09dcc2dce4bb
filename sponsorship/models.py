"""Skills sponsorship (mécénat de compétences): SMEs post needs, large accounts offer volunteer
days, programme staff match a need with an offer into a mission that both sides accept."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation


class Category(models.TextChoices):
    STRATEGY = "strategy", _("Stratégie")
    ORGANISATION = "organisation", _("Organisation")
    SALES = "sales", _("Commercial")
    LEGAL = "legal", _("Juridique")
    FINANCE = "finance", _("Finance")
    OTHER = "other", _("Autre")


CATEGORIES = [c.value for c in Category]
DAYS = [MinValueValidator(1), MaxValueValidator(200)]


class Need(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Ouvert")
        MATCHED = "matched", _("Mission proposée")
        WITHDRAWN = "withdrawn", _("Retiré")

    sme = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="sponsorship_needs",
        limit_choices_to={"kind": "sme"},
        verbose_name=_("PME"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(_("intitulé"), max_length=200)
    category = models.CharField(_("catégorie"), max_length=12, choices=Category.choices)
    description = models.TextField(_("description"), max_length=4000)
    estimated_days = models.PositiveSmallIntegerField(_("nombre de jours estimé"), validators=DAYS)
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(_("publié le"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("besoin de compétences")
        verbose_name_plural = _("besoins de compétences")
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=CATEGORIES), name="need_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["open", "matched", "withdrawn"]), name="need_state_valid"
            ),
            models.CheckConstraint(condition=Q(estimated_days__gte=1), name="need_days_positive"),
        ]
        indexes = [models.Index(fields=["state", "category"])]

    def __str__(self) -> str:
        return self.title


class Offer(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Ouverte")
        WITHDRAWN = "withdrawn", _("Retirée")

    account = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="sponsorship_offers",
        limit_choices_to={"kind": "large_account"},
        verbose_name=_("grand compte"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    category = models.CharField(_("catégorie"), max_length=12, choices=Category.choices)
    days = models.PositiveSmallIntegerField(_("jours offerts"), validators=DAYS)
    starts_on = models.DateField(_("disponible du"))
    ends_on = models.DateField(_("au"))
    description = models.TextField(
        _("description"), max_length=4000, help_text=_("Compétences, profil des volontaires.")
    )
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("offre de jours de mécénat")
        verbose_name_plural = _("offres de jours de mécénat")
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=CATEGORIES), name="offer_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["open", "withdrawn"]), name="offer_state_valid"
            ),
            models.CheckConstraint(condition=Q(days__gte=1), name="offer_days_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="offer_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} — {self.get_category_display()} ({self.days} j)"


class Mission(models.Model):
    """A need met by an offer: proposed by staff, agreed once both sides accept, then running,
    done (with each side's feedback) or cancelled."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposée")
        AGREED = "agreed", _("Acceptée")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminée")
        CANCELLED = "cancelled", _("Annulée")

    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="missions")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="missions")
    # Both sides, kept on the mission (they never change): the SME's SIREN is what the Pacte
    # effect joins the account's declared orders on.
    account = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("grand compte")
    )
    sme = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("PME")
    )
    sme_siren = models.CharField(_("SIREN de la PME"), max_length=9)
    days = models.PositiveSmallIntegerField(_("jours"), validators=DAYS)
    state = models.CharField(
        _("état"), max_length=10, choices=State.choices, default=State.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sme_accepted_at = models.DateTimeField(null=True, blank=True)
    account_accepted_at = models.DateTimeField(null=True, blank=True)
    agreed_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    sme_feedback = models.TextField(_("retour de la PME"), blank=True, max_length=2000)
    account_feedback = models.TextField(_("retour du grand compte"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("mission de mécénat")
        verbose_name_plural = _("missions de mécénat")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["proposed", "agreed", "running", "done", "cancelled"]),
                name="mission_state_valid",
            ),
            models.CheckConstraint(condition=Q(days__gte=1), name="mission_days_positive"),
            models.CheckConstraint(
                condition=Q(state="done", done_at__isnull=False) | ~Q(state="done"),
                name="mission_done_dated",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "state"]),
            models.Index(fields=["sme", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.need} ← {self.account}"
