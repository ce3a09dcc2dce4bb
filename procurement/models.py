import pghistory
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from accounts.stored_text import shown
from directory.models import Departement, Domain, SMEProfile, folded


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


class DeclarationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DeclarationQuerySet":
        """Staff see every declaration; a member sees those of the organisations they belong to."""
        if not user.is_authenticated:
            return self.none()
        if user.is_programme_staff:
            return self.all()
        return self.filter(organisation__memberships__user=user)


# Every change is recorded by database triggers (who, when, before/after); bulk imports record
# one "lines_imported" event on the declaration instead of one event per line.
@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.ManualEvent("lines_imported"),
    exclude=["created_at", "updated_at"],
)
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
    # Given at submission when the SME orders exceed the declared IT purchases (shown to staff).
    sme_excess_justification = models.TextField(
        _("justification : achats PME supérieurs aux achats informatiques"),
        blank=True,
        db_default="",  # rows copied in bulk (benchmark seeding) need none
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeclarationQuerySet.as_manager()

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

    @property
    def is_editable(self) -> bool:
        """Lines and total can change: a draft in an open campaign, or a declaration reopened by
        staff."""
        if self.state == self.State.REOPENED:
            return True
        return self.state == self.State.DRAFT and self.campaign.state == Campaign.State.OPEN


class OrderLineQuerySet(models.QuerySet):
    def visible_to(self, user) -> "OrderLineQuerySet":
        """Staff: all; large-account members: their declarations' lines; members of a verified
        SME: the lines naming its SIREN in submitted declarations."""
        if not user.is_authenticated:
            return self.none()
        if user.is_programme_staff:
            return self.all()
        from accounts.models import Membership

        # Only SMEs whose identity programme staff have verified see what is declared in their name.
        sirens = Membership.objects.filter(
            user=user,
            organisation__kind=Organisation.Kind.SME,
            organisation__verified_at__isnull=False,
        ).values("organisation__siren")
        return self.filter(
            Q(declaration__organisation__memberships__user=user)
            | Q(sme_profile_id__in=sirens, declaration__state=Declaration.State.SUBMITTED)
        ).distinct()


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["created_at", "updated_at"],
)
class Site(models.Model):
    """A large account's establishment that buys (its SIRET, a name, its département): an order
    line may name its buying site, which gives the local-purchasing share (`procurement.figures`).

    Lines hold their site with PROTECT: a site named by lines cannot be deleted, so that a
    declaration's local share never changes behind its back (change the lines first)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="sites", verbose_name=_("compte")
    )
    siret = models.CharField(_("SIRET"), max_length=14)
    name = models.CharField(_("nom du site"), max_length=200)
    departement = models.ForeignKey(
        Departement,
        on_delete=models.PROTECT,
        related_name="buying_sites",
        verbose_name=_("département"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "siret"]
        verbose_name = _("site acheteur")
        verbose_name_plural = _("sites acheteurs")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "siret"], name="site_unique_siret"),
            # Imports find a site by its name, ignoring case and accents: one site per name.
            models.UniqueConstraint("organisation", folded("name"), name="site_unique_folded_name"),
            models.CheckConstraint(condition=Q(siret__regex=r"^[0-9]{14}$"), name="site_siret_14"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.siret})"

    def clean(self) -> None:
        """The SIRET's key and its SIREN (the account's), as the account's own form checks."""
        from django.core.exceptions import ValidationError

        from .sites import check_siret

        if self.organisation_id and self.siret:
            try:
                self.siret = check_siret(self.siret, self.organisation)
            except ValidationError as error:
                raise ValidationError({"siret": error}) from error


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["created_at", "updated_at", "import_job"],
)
class OrderLine(models.Model):
    """A purchase order placed with an SME, as declared by the large account."""

    class SMEStatus(models.TextChoices):
        PENDING = "pending", _("Sans réponse")
        CONFIRMED = "confirmed", _("Confirmée")
        DISPUTED = "disputed", _("Contestée")

    # Indexed with the line's id (Meta.indexes): the declaration page's newest lines first.
    declaration = models.ForeignKey(
        Declaration, on_delete=models.CASCADE, related_name="lines", db_index=False
    )
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
    # The account's buying site (optional; same organisation as the declaration, checked by the
    # form, the import and the services). Indexed only where set: most lines may name none.
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lines",
        verbose_name=_("site acheteur"),
        db_index=False,
    )

    sme_status = models.CharField(
        _("réponse de la PME"), max_length=10, choices=SMEStatus.choices, default=SMEStatus.PENDING
    )
    sme_comment = models.TextField(_("commentaire de la PME"), blank=True)
    sme_responded_at = models.DateTimeField(null=True, blank=True)
    sme_responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    import_job = models.ForeignKey(
        "ImportJob",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        help_text=_("Import qui a créé la ligne (vide pour une saisie au formulaire)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrderLineQuerySet.as_manager()

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
            models.CheckConstraint(
                condition=Q(payment_delay_days__isnull=True) | Q(payment_delay_days__lte=3650),
                name="orderline_payment_delay_sane",
            ),
        ]
        indexes = [
            models.Index(fields=["declaration", "id"], name="orderline_decl_id"),
            # The SMEs' answers (most lines have none): counted on each declaration page.
            models.Index(
                fields=["declaration", "sme_status"],
                name="orderline_answered",
                condition=Q(sme_status__in=["confirmed", "disputed"]),
            ),
            models.Index(fields=["declaration", "order_date"], name="orderline_decl_date"),
            models.Index(fields=["sme_profile", "declaration"], name="orderline_siren_decl"),
            models.Index(fields=["site"], name="orderline_site", condition=Q(site__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.sme_name} {self.amount} €"

    @property
    def sme_siren(self) -> str:
        return self.sme_profile_id


class ImportJob(models.Model):
    """A spreadsheet uploaded for a declaration: validated (preview), then imported all or nothing.

    The uploaded file stays in MEDIA_ROOT between preview and confirmation; validation writes the
    normalised rows to a staged file that the import copies into the database in one transaction.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("En attente")
        VALIDATING = "validating", _("Vérification en cours")
        INVALID = "invalid", _("Erreurs à corriger")
        VALID = "valid", _("Prêt à importer")
        IMPORTING = "importing", _("Import en cours")
        DONE = "done", _("Importé")
        FAILED = "failed", _("Échec")
        CANCELLED = "cancelled", _("Abandonné")

    class Mode(models.TextChoices):
        REPLACE = "replace", _("Remplacer les lignes du brouillon")
        ADD = "add", _("Ajouter aux lignes du brouillon")

    declaration = models.ForeignKey(
        Declaration, on_delete=models.CASCADE, related_name="import_jobs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=300)
    staged_file = models.CharField(max_length=300, blank=True)
    original_name = models.CharField(_("fichier"), max_length=255)
    file_format = models.CharField(max_length=4)  # "csv" or "xlsx"
    state = models.CharField(_("état"), max_length=12, choices=State.choices, default=State.QUEUED)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, blank=True)
    run_in_background = models.BooleanField(default=False)
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    total_amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    distinct_smes = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    # The first errors as [line, column, message] (all of them up to MAX_STORED_ERRORS).
    errors = models.JSONField(default=list, blank=True)
    failure = models.TextField(blank=True)
    imported_rows = models.PositiveIntegerField(default=0)
    # A replace archives the lines it removes (ReplacedLine): how many, and how many had an answer.
    replaced_rows = models.PositiveIntegerField(default=0)
    replaced_answers = models.PositiveIntegerField(default=0)
    # Running jobs beat a heartbeat; the sweeper re-queues a silent job once, then fails it.
    # `attempts` counts the times the current phase (validation, then import) was handed to a
    # runner, `claimed_attempt` the last one a runner took: a message delivered twice finds its
    # attempt already claimed (or superseded) and does nothing.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_attempt = models.PositiveSmallIntegerField(default=0)
    # What the preview tells besides errors (codes and parameters, translated when shown):
    sheet_name = models.CharField(max_length=100, blank=True)  # the workbook sheet read
    repaired_cells = models.PositiveIntegerField(default=0)  # C1 characters, mojibake
    ignored_columns = models.JSONField(default=list, blank=True)  # headers not used
    # [column, code, params, count, first line numbers]: repeated errors grouped.
    error_groups = models.JSONField(default=list, blank=True)
    # [code, params]: sanity warnings (totals, outliers, duplicates, future dates, SIRETs).
    warnings = models.JSONField(default=list, blank=True)
    # {"value", "folded", "count", "lines", "suggestion"}: domain words not yet mapped.
    unmapped = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import de lignes")
        verbose_name_plural = _("imports de lignes")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    state__in=[
                        "queued",
                        "validating",
                        "invalid",
                        "valid",
                        "importing",
                        "done",
                        "failed",
                        "cancelled",
                    ]
                ),
                name="importjob_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(mode__in=["", "replace", "add"]), name="importjob_mode_valid"
            ),
        ]
        indexes = [
            models.Index(
                fields=["heartbeat_at"],
                name="importjob_running_heartbeat",
                condition=Q(state__in=["queued", "validating", "importing"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_state_display()})"

    @property
    def failure_text(self) -> str:
        """The failure in the reader's language (stored as its msgid and parameters)."""
        return shown(self.failure)

    @property
    def is_running(self) -> bool:
        return self.state in {self.State.QUEUED, self.State.VALIDATING, self.State.IMPORTING}


class ReplacedLine(models.Model):
    """An order line removed by a "replace" import, kept with the SME's answer so that nothing a
    replace removed is lost: staff and the account see them on the import's page.

    Rows are written by one INSERT … SELECT in the import's transaction (pipeline.copy_lines).
    """

    # Few indexes: a replace writes up to 100,000 rows at once. The page reads by import job;
    # the other foreign keys are only followed on rare deletions.
    declaration = models.ForeignKey(
        Declaration, on_delete=models.CASCADE, related_name="replaced_lines", db_index=False
    )
    import_job = models.ForeignKey(
        ImportJob, on_delete=models.CASCADE, related_name="replaced_lines", db_index=False
    )
    replaced_at = models.DateTimeField(_("remplacée le"))
    original_line_id = models.BigIntegerField(_("numéro de la ligne"))
    sme_siren = models.CharField(_("SIREN"), max_length=9)
    sme_name = models.CharField(_("nom de la PME"), max_length=200)
    amount = models.DecimalField(_("montant (€ HT)"), max_digits=14, decimal_places=2)
    order_date = models.DateField(_("date de commande"))
    domain = models.ForeignKey(
        Domain,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("domaine"),
        db_index=False,
    )
    reference = models.CharField(_("référence"), max_length=100, blank=True)
    payment_delay_days = models.PositiveSmallIntegerField(
        _("délai de paiement moyen (jours)"), null=True, blank=True
    )
    # The SIRET of the line's buying site when it named one (a text: the site may go later).
    site_siret = models.CharField(
        _("SIRET du site acheteur"), max_length=14, blank=True, db_default=""
    )
    sme_status = models.CharField(
        _("réponse de la PME"), max_length=10, choices=OrderLine.SMEStatus.choices
    )
    sme_comment = models.TextField(_("commentaire de la PME"), blank=True)
    sme_responded_at = models.DateTimeField(_("répondu le"), null=True, blank=True)
    sme_responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    line_created_at = models.DateTimeField(_("ligne créée le"))

    class Meta:
        ordering = ["import_job", "order_date", "id"]
        verbose_name = _("ligne remplacée")
        verbose_name_plural = _("lignes remplacées")
        indexes = [
            models.Index(fields=["import_job", "order_date", "id"], name="replacedline_job_date"),
        ]

    def __str__(self) -> str:
        return f"{self.sme_name} {self.amount} €"


class DomainMapping(models.Model):
    """A large account's own word for a programme domain ("Paie et RH" → "RH et paie"), chosen
    once on an import preview and applied to the account's next imports."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="domain_mappings"
    )
    source_text = models.CharField(_("libellé du fichier"), max_length=200)
    # The text folded as headers are (lower case, no accents, punctuation or stop words).
    source_text_folded = models.CharField(max_length=200)
    domain = models.ForeignKey(
        Domain, on_delete=models.CASCADE, related_name="+", verbose_name=_("domaine")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["source_text_folded", "id"]
        verbose_name = _("correspondance de domaine")
        verbose_name_plural = _("correspondances de domaines")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "source_text_folded"], name="domainmapping_unique_text"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_text} → {self.domain}"


class Reminder(models.Model):
    """A reminder emailed to a large account's administrators; at most one per account and day."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reminders")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="campaign_reminders"
    )
    sent_on = models.DateField(_("envoyée le"))
    sent_at = models.DateTimeField(auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("relance")
        verbose_name_plural = _("relances")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organisation", "sent_on"], name="reminder_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.campaign} – {self.sent_on}"


class DeclarationFigures(models.Model):
    """The line aggregates of a submitted declaration whose figures no longer move, kept so that
    the account's figures page reads them instead of recomputing every year's lines at each view.

    Written by `procurement.figures` from the one definition of each figure (`LINE_AGGREGATES`).
    A row is used only while it still describes the declaration: the declaration is submitted,
    `declaration_updated_at` is its `updated_at` (reopening or submitting again changes it), and
    the row was computed after the campaign's registration cutoff (so that registrations can no
    longer move it).
    """

    declaration = models.OneToOneField(
        Declaration, on_delete=models.CASCADE, primary_key=True, related_name="stored_figures"
    )
    declaration_updated_at = models.DateTimeField()
    computed_at = models.DateTimeField()
    sme_purchases = models.DecimalField(max_digits=16, decimal_places=2)
    registered_sme_purchases = models.DecimalField(max_digits=16, decimal_places=2)
    distinct_smes = models.PositiveIntegerField()
    registered_smes = models.PositiveIntegerField()
    # percentile_cont's double precision, as the live query returns it.
    median_payment_delay = models.FloatField(null=True, blank=True)
    lines_with_delay = models.PositiveIntegerField()
    lines_paid_within_60 = models.PositiveIntegerField()
    lines = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("chiffres d'une déclaration")
        verbose_name_plural = _("chiffres des déclarations")

    def __str__(self) -> str:
        return f"{self.declaration_id} ({self.computed_at:%Y-%m-%d})"


class Dispute(models.Model):
    """An SME disputed a line: the account answers (stands by it, or corrects it), the SME accepts
    the answer or escalates to the mediator; programme staff settle an escalated dispute.

    open -> answered -> resolved | escalated -> resolved (an SME confirming the line resolves it
    at any time)."""

    class State(models.TextChoices):
        OPEN = "open", _("Ouverte")
        ANSWERED = "answered", _("Répondue")
        RESOLVED = "resolved", _("Résolue")
        ESCALATED = "escalated", _("Portée au médiateur")

    class Answer(models.TextChoices):
        STAND = "stand", _("Nous maintenons la commande")
        CORRECT = "correct", _("Nous corrigeons la commande")

    line = models.OneToOneField(OrderLine, on_delete=models.CASCADE, related_name="dispute")
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField(_("ouverte le"))
    answer = models.CharField(_("réponse"), max_length=10, choices=Answer.choices, blank=True)
    answer_comment = models.TextField(_("commentaire du grand compte"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution_comment = models.TextField(_("conclusion"), blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("contestation")
        verbose_name_plural = _("contestations")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["open", "answered", "resolved", "escalated"]),
                name="dispute_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(answer__in=["", "stand", "correct"]), name="dispute_answer_valid"
            ),
        ]
        indexes = [models.Index(fields=["state", "opened_at"], name="dispute_state_opened")]

    def __str__(self) -> str:
        return f"{self.line} ({self.state})"
