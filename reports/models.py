"""Report jobs (one background generation) and report versions (what a generation produced)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from accounts.stored_text import shown
from editions.models import Edition
from procurement.models import Campaign


class ReportKind(models.TextChoices):
    PROGRAMME = "programme", _("Rapport du programme")
    MEMBER = "member", _("Rapport d'un membre")


def _kind_matches_organisation() -> Q:
    """A programme report has no organisation; a member report has one."""
    return Q(kind="programme", organisation__isnull=True) | Q(
        kind="member", organisation__isnull=False
    )


def _edition_only_programme() -> Q:
    """An edition's report is a programme report over the edition (no member report of one)."""
    return Q(edition__isnull=True) | Q(kind="programme")


class ReportJob(models.Model):
    """One request to render a report, run by a Celery worker on the reports queue."""

    class State(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Échec")

    kind = models.CharField(_("type"), max_length=10, choices=ReportKind.choices)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="report_jobs", verbose_name=_("campagne")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_jobs",
        verbose_name=_("membre"),
    )
    # A programme report without edition is the national one; with one, the edition's report.
    edition = models.ForeignKey(
        Edition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_jobs",
        verbose_name=_("édition"),
    )
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    current_step = models.CharField(_("étape en cours"), max_length=200, blank=True)
    error_message = models.TextField(_("message d'erreur"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("demandé par"),
    )
    retry_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retries",
        verbose_name=_("nouvelle tentative de"),
    )
    version = models.OneToOneField(
        "ReportVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="job",
        verbose_name=_("version produite"),
    )
    peak_memory_mb = models.PositiveIntegerField(_("mémoire maximale du worker (Mo)"), null=True)
    # A running job's worker writes heartbeat_at every few seconds; the periodic sweep re-queues
    # (once) a job whose heartbeat stopped. `attempts` counts the runs started: a run whose
    # attempt is no longer the job's current one (it was re-queued) writes nothing.
    heartbeat_at = models.DateTimeField(_("dernier signe de vie du worker"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("exécutions commencées"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(_("démarré le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("génération de rapport")
        verbose_name_plural = _("générations de rapports")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["queued", "running", "done", "failed"]),
                name="reportjob_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["programme", "member"]), name="reportjob_kind_valid"
            ),
            models.CheckConstraint(
                condition=_kind_matches_organisation(), name="reportjob_kind_organisation"
            ),
            models.CheckConstraint(
                condition=_edition_only_programme(), name="reportjob_edition_programme"
            ),
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=100), name="reportjob_progress_range"
            ),
            models.CheckConstraint(
                condition=~Q(state="done") | Q(version__isnull=False, progress=100),
                name="reportjob_done_has_version",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "kind", "-created_at"]),
            models.Index(fields=["edition", "campaign", "-created_at"]),
            models.Index(
                fields=["heartbeat_at"], name="reportjob_running", condition=Q(state="running")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.campaign} #{self.pk}"

    @property
    def step_text(self) -> str:
        """The current step in the reader's language (stored as its msgid)."""
        return shown(self.current_step)

    @property
    def error_text(self) -> str:
        return shown(self.error_message)

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def is_stale(self) -> bool:
        """Running, but its worker has not given a sign of life for a while (it died)."""
        from .jobs import stale_before

        beat = self.heartbeat_at or self.started_at
        return self.state == self.State.RUNNING and (beat is None or beat < stale_before())

    @property
    def can_retry(self) -> bool:
        return self.state == self.State.FAILED or self.is_stale


def report_upload_to(instance: "ReportVersion", filename: str) -> str:
    if instance.edition_id:
        return f"reports/{instance.campaign.year}/editions/{filename}"
    return f"reports/{instance.campaign.year}/{filename}"


class ReportVersion(models.Model):
    """A rendered report (PDF + XLSX annex): v1, v2… per campaign and organisation."""

    kind = models.CharField(_("type"), max_length=10, choices=ReportKind.choices)
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        related_name="report_versions",
        verbose_name=_("campagne"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_versions",
        verbose_name=_("membre"),
    )
    edition = models.ForeignKey(
        Edition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_versions",
        verbose_name=_("édition"),
    )
    number = models.PositiveIntegerField(_("version"))
    pdf = models.FileField(_("PDF"), upload_to=report_upload_to, max_length=255)
    xlsx = models.FileField(_("annexe XLSX"), upload_to=report_upload_to, max_length=255)
    pdf_sha256 = models.CharField(_("empreinte SHA-256 du PDF"), max_length=64)
    xlsx_sha256 = models.CharField(_("empreinte SHA-256 de l'annexe"), max_length=64)
    methodology_version = models.CharField(_("version de la méthodologie"), max_length=40)
    data_snapshot_at = models.DateTimeField(_("données arrêtées le"))
    # The key figures shown on the public page (JSON of strings already formatted in French).
    key_figures = models.JSONField(_("chiffres clés"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("demandé par"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    is_published = models.BooleanField(_("publié"), default=False)
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("publié par"),
    )
    unpublished_at = models.DateTimeField(_("dépublié le"), null=True, blank=True)
    unpublished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dépublié par"),
    )
    unpublish_reason = models.TextField(_("motif de dépublication"), blank=True)

    class Meta:
        ordering = ["-campaign__year", "organisation_id", "-number"]
        verbose_name = _("version de rapport")
        verbose_name_plural = _("versions de rapports")
        constraints = [
            # Numbered per (campaign, member) and per (campaign, edition): v1, v2…
            models.UniqueConstraint(
                fields=["campaign", "organisation", "edition", "number"],
                name="reportversion_number_unique",
                nulls_distinct=False,
            ),
            # One published programme report per campaign, and one per campaign and edition.
            models.UniqueConstraint(
                fields=["campaign", "edition"],
                condition=Q(is_published=True, organisation__isnull=True),
                name="reportversion_one_published_programme",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=_edition_only_programme(), name="reportversion_edition_programme"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["programme", "member"]), name="reportversion_kind_valid"
            ),
            models.CheckConstraint(
                condition=_kind_matches_organisation(), name="reportversion_kind_organisation"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="reportversion_number_positive"
            ),
            models.CheckConstraint(
                condition=Q(is_published=False) | Q(published_at__isnull=False),
                name="reportversion_published_has_date",
            ),
            models.CheckConstraint(
                condition=Q(is_published=False) | Q(kind="programme"),
                name="reportversion_only_programme_published",
            ),
        ]

    def __str__(self) -> str:
        if self.edition_id:
            return f"{self.campaign} {self.edition} v{self.number}"
        return f"{self.campaign} v{self.number}"

    @property
    def unpublish_reason_text(self) -> str:
        return shown(self.unpublish_reason)

    @property
    def label(self) -> str:
        return f"v{self.number}"
