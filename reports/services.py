"""Changing reports: request a generation, run it (called by the Celery task), publish, retry."""

import datetime
import hashlib
import logging
import resource
import sys
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Organisation, User
from accounts.stored_text import stored
from audit.services import record
from procurement.models import Campaign, Declaration

from . import figures as report_figures
from . import rendering
from .jobs import BatchHeartbeat, Heartbeat, stale_before
from .models import ReportJob, ReportKind, ReportVersion

logger = logging.getLogger(__name__)

# Celery limits of the render task (reports/tasks.py); a job running longer was interrupted.
SOFT_TIME_LIMIT_S = 240
HARD_TIME_LIMIT_S = 300
MEDIANS_CACHE_S = 600
# A job whose worker died is re-queued once by the sweep; the second loss fails it.
MAX_ATTEMPTS = 2
# Member reports go to the worker in tasks of this many jobs: the members' figures of a batch
# come from a few queries grouped by member, and the worker's two processes take a batch each.
MEMBER_BATCH_SIZE = 10


# --- requests ---------------------------------------------------------------------------------


def _enqueue(job: ReportJob) -> None:
    """Send the job's task after commit; with the broker unreachable the job fails at once, with
    a message, instead of waiting in the queued state for a message that was never sent."""
    from .tasks import render_report

    job_id = job.pk

    def send() -> None:
        try:
            render_report.delay(job_id)
        except Exception:
            logger.exception("report job %s: the broker is unreachable", job_id)
            fail_job(
                job_id=job_id,
                message=stored(
                    gettext_noop(
                        "La file d'attente des générations est indisponible (Redis) : "
                        "relancez la génération dans quelques minutes."
                    )
                ),
            )

    transaction.on_commit(send)


def request_programme_report(*, campaign: Campaign, by: User, edition=None) -> ReportJob:
    """Queue a new version of the campaign's programme report (or of an edition's report: the
    caller checked that `by` runs that edition, `editions.selectors.get_edition_for_staff`)."""
    with transaction.atomic():
        job = ReportJob.objects.create(
            kind=ReportKind.PROGRAMME,
            campaign=campaign,
            edition=edition,
            requested_by=by,
            current_step=stored(gettext_noop("En attente d'un worker")),
        )
        _enqueue(job)
    return job


def member_report_accounts(campaign: Campaign, *, edition=None):
    """Large accounts with a submitted declaration for the campaign (members of `edition`)."""
    accounts = Organisation.objects.filter(
        kind=Organisation.Kind.LARGE_ACCOUNT,
        declarations__campaign=campaign,
        declarations__state=Declaration.State.SUBMITTED,
    ).order_by("name", "pk")
    if edition is not None:
        from editions.selectors import account_ids

        accounts = accounts.filter(pk__in=account_ids(edition))
    return accounts


def _enqueue_batch(jobs: list[ReportJob]) -> None:
    """Send one task for a batch of member report jobs after commit (as `_enqueue` does for one)."""
    from .tasks import render_member_reports

    job_ids = [job.pk for job in jobs]

    def send() -> None:
        try:
            render_member_reports.delay(job_ids)
        except Exception:
            logger.exception("report jobs %s: the broker is unreachable", job_ids)
            for job_id in job_ids:
                fail_job(
                    job_id=job_id,
                    message=stored(
                        gettext_noop(
                            "La file d'attente des générations est indisponible (Redis) : "
                            "relancez la génération dans quelques minutes."
                        )
                    ),
                )

    transaction.on_commit(send)


def request_member_reports(
    *, campaign: Campaign, by: User, limit: int | None = None
) -> list[ReportJob]:
    """One job per large account with a submitted declaration (the first `limit`), sent in tasks
    of MEMBER_BATCH_SIZE jobs (`run_member_batch`), which the worker's processes take in turn."""
    accounts = member_report_accounts(campaign)
    if limit is not None:
        accounts = accounts[:limit]
    with transaction.atomic():
        jobs = ReportJob.objects.bulk_create(
            ReportJob(
                kind=ReportKind.MEMBER,
                campaign=campaign,
                organisation=organisation,
                requested_by=by,
                current_step=stored(gettext_noop("En attente d'un worker")),
            )
            for organisation in accounts
        )
        for start in range(0, len(jobs), MEMBER_BATCH_SIZE):
            _enqueue_batch(jobs[start : start + MEMBER_BATCH_SIZE])
    return jobs


def retry_job(*, job: ReportJob, by: User) -> ReportJob:
    """A failed job, or a running one whose worker stopped answering, is tried again as a new job
    (the old one is kept, failed, with its message)."""
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().get(pk=job.pk)
        if not job.can_retry:
            raise ValidationError(
                _("Seule une génération en échec ou sans nouvelles du worker peut être relancée.")
            )
        if job.state != ReportJob.State.FAILED:
            job.state = ReportJob.State.FAILED
            job.error_message = stored(
                gettext_noop("Interrompue (le worker ne répondait plus) ; relancée par %(who)s."),
                who=by.email,
            )
            job.finished_at = timezone.now()
            job.save(update_fields=["state", "error_message", "finished_at"])
        retry = ReportJob.objects.create(
            kind=job.kind,
            campaign=job.campaign,
            organisation=job.organisation,
            edition=job.edition,
            requested_by=by,
            retry_of=job,
            current_step=stored(gettext_noop("En attente d'un worker")),
        )
        _enqueue(retry)
    return retry


# --- running a job (called by the task) -------------------------------------------------------


class JobSuperseded(Exception):
    """This run's job was re-queued or taken over by another run: it must write nothing more."""


def _interrupted_message() -> str:
    return stored(
        gettext_noop(
            "La génération s'est arrêtée à deux reprises sans que le worker donne signe de vie "
            "(serveur arrêté, mémoire insuffisante ou durée maximale dépassée). Relancez-la ; "
            "si cela se reproduit, prévenez l'équipe technique."
        )
    )


def claim_job(*, job_id: int) -> ReportJob | None:
    """Mark a queued job as running, once, and return it; None when there is nothing to run.

    A task delivered again (acks_late: the message of a killed worker comes back an hour later)
    finds the job done, failed or running with a fresh heartbeat, and does nothing. A running job
    whose heartbeat stopped is taken over, unless it already had its second chance.
    """
    with transaction.atomic():
        job = (
            ReportJob.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("campaign", "organisation", "edition")
            .filter(pk=job_id)
            .first()
        )
        if job is None or job.state not in (ReportJob.State.QUEUED, ReportJob.State.RUNNING):
            return None
        if job.state == ReportJob.State.RUNNING and not job.is_stale:
            return None  # another worker is running it
        now = timezone.now()
        if job.attempts >= MAX_ATTEMPTS:
            job.state = ReportJob.State.FAILED
            job.error_message = _interrupted_message()
            job.finished_at = now
            job.save(update_fields=["state", "error_message", "finished_at"])
            return None
        job.state = ReportJob.State.RUNNING
        job.attempts += 1
        job.started_at = job.heartbeat_at = now
        job.progress = 1
        job.current_step = stored(
            gettext_noop("Démarrage")
            if job.attempts == 1
            else gettext_noop("Reprise depuis le début")
        )
        job.save(
            update_fields=[
                "state",
                "attempts",
                "started_at",
                "heartbeat_at",
                "progress",
                "current_step",
            ]
        )
    return job


def _step(job: ReportJob, progress: int, step: str) -> None:
    """Record progress (which is also a heartbeat); stop at once if this run was superseded."""
    job.progress, job.current_step = progress, step
    updated = ReportJob.objects.filter(
        pk=job.pk, state=ReportJob.State.RUNNING, attempts=job.attempts
    ).update(progress=progress, current_step=step, heartbeat_at=timezone.now())
    if not updated:
        raise JobSuperseded(job.pk)
    if settings.REPORTS_TEST_STEP_DELAY_S:  # tests only: a report slow enough to be interrupted
        time.sleep(settings.REPORTS_TEST_STEP_DELAY_S)


def _peak_memory_mb() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024)


def _file_name(job: ReportJob, number: int, extension: str) -> str:
    year = job.campaign.year
    if job.organisation_id:
        return f"pacte-pme-{year}-{job.organisation.siren}-v{number}.{extension}"
    if job.edition_id:
        return f"pacte-pme-{job.edition.slug}-{year}-v{number}.{extension}"
    return f"pacte-pme-rapport-{year}-v{number}.{extension}"


def _programme_medians(campaign: Campaign) -> report_figures.ProgrammeMedians:
    """Medians shared by all member reports of a campaign, computed once per data snapshot."""
    snapshot = report_figures.snapshot_time(campaign)
    key = f"reports:medians:{campaign.pk}:{snapshot.timestamp()}"
    medians = cache.get(key)
    if medians is None:
        medians = report_figures.programme_medians(campaign)
        cache.set(key, medians, MEDIANS_CACHE_S)
    return medians


def _render(
    job: ReportJob, *, member_figures: report_figures.MemberFigures | None = None
) -> tuple[bytes, bytes, dict, datetime.datetime, int]:
    """Compute the figures (a member's: unless a batch computed them) and render both files;
    returns them with the public key figures."""
    campaign = job.campaign
    number = _next_number(job)
    if job.kind == ReportKind.PROGRAMME:
        figures = report_figures.programme_figures(
            campaign,
            progress=lambda percent, step: _step(job, percent, step),
            edition=job.edition,
        )
        # Which cells are "n.s." (threshold, dominance, secondary suppression), decided once.
        disclosure = rendering.programme_disclosure(figures)
        _step(job, 55, stored(gettext_noop("Mise en page du PDF")))
        pdf = rendering.programme_pdf(figures, version_number=number, disclosure=disclosure)
        _step(job, 85, stored(gettext_noop("Annexe XLSX")))
        xlsx = rendering.programme_xlsx(figures, disclosure=disclosure)
        summary = {
            "rows": rendering.key_figures_summary(figures, disclosure),
            "suppressed_cells": disclosure.counts(),
        }
    else:
        _step(job, 10, stored(gettext_noop("Calcul des chiffres du membre")))
        figures = member_figures or report_figures.member_figures(
            campaign, organisation=job.organisation, medians=_programme_medians(campaign)
        )
        _step(job, 55, stored(gettext_noop("Mise en page du PDF")))
        pdf = rendering.member_pdf(figures, version_number=number)
        _step(job, 85, stored(gettext_noop("Annexe XLSX")))
        xlsx = rendering.member_xlsx(figures)
        summary = {}
    return pdf, xlsx, summary, figures.snapshot_at, number


def _next_number(job: ReportJob) -> int:
    latest = ReportVersion.objects.filter(
        campaign=job.campaign, organisation=job.organisation, edition=job.edition
    ).aggregate(n=Max("number"))["n"]
    return (latest or 0) + 1


def _save_version(
    job: ReportJob, pdf: bytes, xlsx: bytes, summary: dict, snapshot_at, number: int
) -> ReportVersion:
    with transaction.atomic():
        # Only the job's current run saves a version (a re-queued run may still be alive).
        if not ReportJob.objects.select_for_update().filter(
            pk=job.pk, state=ReportJob.State.RUNNING, attempts=job.attempts
        ):
            raise JobSuperseded(job.pk)
        # One version number per (campaign, organisation): serialise concurrent generations.
        Campaign.objects.select_for_update().filter(pk=job.campaign_id).first()
        number = max(number, _next_number(job))
        version = ReportVersion(
            kind=job.kind,
            campaign=job.campaign,
            organisation=job.organisation,
            edition=job.edition,
            number=number,
            pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            xlsx_sha256=hashlib.sha256(xlsx).hexdigest(),
            methodology_version=job.campaign.methodology_version,
            data_snapshot_at=snapshot_at,
            key_figures=summary,
            created_by=job.requested_by,
        )
        version.pdf.save(_file_name(job, number, "pdf"), ContentFile(pdf), save=False)
        version.xlsx.save(_file_name(job, number, "xlsx"), ContentFile(xlsx), save=False)
        version.save()
        job.version = version
        job.state = ReportJob.State.DONE
        job.progress = 100
        job.current_step = stored(gettext_noop("Terminé"))
        job.finished_at = timezone.now()
        job.peak_memory_mb = _peak_memory_mb()
        job.save(
            update_fields=[
                "version",
                "state",
                "progress",
                "current_step",
                "finished_at",
                "peak_memory_mb",
            ]
        )
    return version


def fail_job(*, job_id: int, message: str, attempt: int | None = None) -> None:
    """Record a failure (of the given run only, when `attempt` is given)."""
    jobs = ReportJob.objects.filter(
        pk=job_id, state__in=[ReportJob.State.QUEUED, ReportJob.State.RUNNING]
    )
    if attempt is not None:
        jobs = jobs.filter(attempts=attempt)
    jobs.update(
        state=ReportJob.State.FAILED,
        error_message=message[:2000],
        finished_at=timezone.now(),
        peak_memory_mb=_peak_memory_mb(),
    )


def _run_claimed(
    job: ReportJob, *, member_figures: report_figures.MemberFigures | None = None
) -> ReportVersion | None:
    """Render a claimed job into a new version. Any error leaves the job failed, with why."""
    try:
        pdf, xlsx, summary, snapshot_at, number = _render(job, member_figures=member_figures)
        _step(job, 95, stored(gettext_noop("Enregistrement des fichiers")))
        return _save_version(job, pdf, xlsx, summary, snapshot_at, number)
    except JobSuperseded:
        logger.warning("report job %s: run %s superseded, result dropped", job.pk, job.attempts)
        return None
    except Exception as exc:
        logger.exception("report job %s failed", job.pk)
        fail_job(
            job_id=job.pk,
            message=stored(
                gettext_noop("Échec à l'étape « %(step)s » : %(error)s"),
                step=job.current_step,
                error=describe_error(exc),
            ),
            attempt=job.attempts,
        )
        return None


def run_job(*, job_id: int) -> ReportVersion | None:
    """Render the job's report into a new version. Any error leaves the job failed, with why.

    While it runs, a heartbeat thread tells the sweep that the worker is alive."""
    job = claim_job(job_id=job_id)
    if job is None:
        return None
    with Heartbeat(job_id=job.pk, attempt=job.attempts):
        return _run_claimed(job)


def _batch_member_figures(jobs: list[ReportJob]) -> dict[int, report_figures.MemberFigures]:
    """The figures of a batch's member jobs, by job id: grouped queries per campaign. Empty on
    error (logged): each job then computes its own figures, and fails alone if it must."""
    by_campaign: dict[int, list[ReportJob]] = {}
    for job in jobs:
        if job.kind == ReportKind.MEMBER and job.organisation_id:
            by_campaign.setdefault(job.campaign_id, []).append(job)
    computed = {}
    try:
        for campaign_jobs in by_campaign.values():
            campaign = campaign_jobs[0].campaign
            members = report_figures.members_figures(
                campaign,
                organisations=[job.organisation for job in campaign_jobs],
                medians=_programme_medians(campaign),
            )
            for job in campaign_jobs:
                computed[job.pk] = members[job.organisation_id]
    except Exception:
        logger.exception("report jobs %s: the batch's figures failed", [job.pk for job in jobs])
        return {}
    return computed


def run_member_batch(*, job_ids: list[int]) -> list[ReportVersion | None]:
    """Render a batch of member report jobs, one after the other, their figures computed
    together. Each job is claimed once (as by `run_job`) before any is rendered, and beats
    until it is finished: a job of a killed worker is re-queued alone by the sweep."""
    jobs = [job for job_id in job_ids if (job := claim_job(job_id=job_id)) is not None]
    if not jobs:
        return []
    with BatchHeartbeat(jobs=[(job.pk, job.attempts) for job in jobs]):
        member_figures = _batch_member_figures(jobs)
        return [_run_claimed(job, member_figures=member_figures.get(job.pk)) for job in jobs]


def sweep_stale_jobs() -> dict[str, int]:
    """Run by Celery beat: a running job without heartbeat lost its worker. It is re-queued as a
    new task message once (the old message stays unacknowledged in Redis for an hour, and finds
    the job finished when it comes back); at its second loss it fails with a message."""
    limit = stale_before()
    counts = {"requeued": 0, "failed": 0}
    with transaction.atomic():
        stale = ReportJob.objects.select_for_update(skip_locked=True).filter(
            Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True, started_at__lt=limit),
            state=ReportJob.State.RUNNING,
        )
        now = timezone.now()
        for job in stale:
            if job.attempts < MAX_ATTEMPTS:
                job.state = ReportJob.State.QUEUED
                job.progress = 0
                job.heartbeat_at = None
                job.current_step = stored(
                    gettext_noop(
                        "Relancée automatiquement : le worker s'est arrêté pendant la génération"
                    )
                )
                job.save(update_fields=["state", "progress", "heartbeat_at", "current_step"])
                _enqueue(job)
                counts["requeued"] += 1
            else:
                job.state = ReportJob.State.FAILED
                job.error_message = _interrupted_message()
                job.finished_at = now
                job.save(update_fields=["state", "error_message", "finished_at"])
                counts["failed"] += 1
    if any(counts.values()):
        logger.warning("stale report jobs: %s", counts)
    return counts


def describe_error(exc: BaseException) -> str:
    from celery.exceptions import SoftTimeLimitExceeded

    if isinstance(exc, SoftTimeLimitExceeded):
        return stored(
            gettext_noop("durée maximale de %(seconds)s s dépassée."), seconds=SOFT_TIME_LIMIT_S
        )
    if isinstance(exc, OSError):
        return stored(
            gettext_noop("impossible d'écrire les fichiers du rapport (%(error)s)."),
            error=exc.strerror or exc.__class__.__name__,
        )
    text = str(exc).strip() or exc.__class__.__name__
    return f"{text} ({exc.__class__.__name__})"


# --- publication ------------------------------------------------------------------------------


def publish_version(*, version: ReportVersion, by: User) -> ReportVersion:
    """Publish a programme report version (national or an edition's); the previously published
    one of the same campaign and edition is withdrawn."""
    if version.kind != ReportKind.PROGRAMME:
        raise ValidationError(_("Seul le rapport du programme se publie."))
    with transaction.atomic():
        now = timezone.now()
        replaced = (
            ReportVersion.objects.select_for_update()
            .filter(
                campaign=version.campaign,
                organisation=None,
                edition=version.edition_id,
                is_published=True,
            )
            .exclude(pk=version.pk)
        )
        for old in replaced:
            old.is_published = False
            old.unpublished_at = now
            old.unpublished_by = by
            old.unpublish_reason = stored(
                gettext_noop("Remplacée par la version %(number)s."), number=version.number
            )
            old.save(
                update_fields=[
                    "is_published",
                    "unpublished_at",
                    "unpublished_by",
                    "unpublish_reason",
                ]
            )
            record(
                actor=by,
                action="reports.version_unpublished",
                target=old,
                changes={"is_published": (True, False)},
                reason=old.unpublish_reason,
            )
        version.is_published = True
        version.published_at = now
        version.published_by = by
        version.unpublished_at = None
        version.unpublished_by = None
        version.unpublish_reason = ""
        version.save(
            update_fields=[
                "is_published",
                "published_at",
                "published_by",
                "unpublished_at",
                "unpublished_by",
                "unpublish_reason",
            ]
        )
        record(
            actor=by,
            action="reports.version_published",
            target=version,
            changes={"is_published": (False, True)},
        )
    return version


def unpublish_version(*, version: ReportVersion, by: User, reason: str) -> ReportVersion:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Indiquez le motif de la dépublication."))
    if not version.is_published:
        raise ValidationError(_("Cette version n'est pas publiée."))
    with transaction.atomic():
        version.is_published = False
        version.unpublished_at = timezone.now()
        version.unpublished_by = by
        version.unpublish_reason = reason
        version.save(
            update_fields=["is_published", "unpublished_at", "unpublished_by", "unpublish_reason"]
        )
        record(
            actor=by,
            action="reports.version_unpublished",
            target=version,
            changes={"is_published": (True, False)},
            reason=reason,
        )
    return version
