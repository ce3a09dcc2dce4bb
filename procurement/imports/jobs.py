"""Running import jobs: dispatch, claim, heartbeat, run, fail, and the sweep of silent jobs.

The same functions run a job in the request (small files) and in the Celery worker (large ones):

- `dispatch_*` hands a phase (validation, then import) to the worker, counting `attempts`;
- `run_validation` / `run_import` claim the attempt once (a message delivered twice, or an older
  attempt's message, does nothing), beat a heartbeat from a side thread while the work runs, and
  turn any exception into a failed job with a message the user understands (the traceback goes
  to the log);
- `sweep_stale_jobs` (Celery beat, every ~30 s) re-queues a job whose heartbeat went silent once,
  then fails it.
"""

import datetime
import logging

import pghistory
from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.heartbeat import Heartbeat
from accounts.stored_text import stored

from ..models import ImportJob
from . import pipeline

logger = logging.getLogger(__name__)

HEARTBEAT_EVERY_S = 10
# A claimed job silent for this long is stale (its worker died or hangs).
STALE_AFTER_S = 90
# A dispatched job nobody claimed for this long lost its message (broker restarted, say).
UNCLAIMED_AFTER_S = 600
# The first run and one re-queue by the sweeper.
MAX_ATTEMPTS = 2
# Celery limits of the import tasks (procurement/tasks.py).
SOFT_TIME_LIMIT_S = 600
HARD_TIME_LIMIT_S = 660

VALIDATE = "validate"
IMPORT = "import"
RUNNING_STATES = (ImportJob.State.QUEUED, ImportJob.State.VALIDATING, ImportJob.State.IMPORTING)
PHASE_STATES = {
    VALIDATE: (ImportJob.State.QUEUED, ImportJob.State.VALIDATING),
    IMPORT: (ImportJob.State.IMPORTING,),
}
TASKS = {
    VALIDATE: "procurement.tasks.validate_import_task",
    IMPORT: "procurement.tasks.apply_import_task",
}


# --- handing work to the worker -----------------------------------------------------------------


def _send(phase: str, job_id: int, attempt: int, by_id: int | None) -> None:
    args = [job_id, attempt] if phase == VALIDATE else [job_id, by_id, attempt]
    # By name: the worker side (tasks → jobs) and this side read in one direction.
    current_app.send_task(TASKS[phase], args=args)


def dispatch(job: ImportJob, *, phase: str, by_id: int | None = None) -> None:
    """Hand the job's phase to the worker after commit (first attempt); call inside a transaction
    that saved the job in the phase's state with attempts=1."""
    job_id, attempt = job.pk, job.attempts
    transaction.on_commit(lambda: _send(phase, job_id, attempt, by_id))


# --- claim, heartbeat, failure ------------------------------------------------------------------


def _claim(job_id: int, *, phase: str, attempt: int) -> ImportJob | None:
    """Take the given attempt of the job's phase, once. None when there is nothing to do."""
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("declaration__campaign", "declaration__organisation")
            .filter(pk=job_id)
            .first()
        )
        if job is None:
            return None  # gone, or another runner holds it
        if (
            job.state not in PHASE_STATES[phase]
            or job.attempts != attempt
            or job.claimed_attempt >= attempt
        ):
            logger.info(
                "Import job %s: %s attempt %s not run (state %s, attempts %s, claimed %s)",
                job_id,
                phase,
                attempt,
                job.state,
                job.attempts,
                job.claimed_attempt,
            )
            return None
        job.claimed_attempt = attempt
        job.heartbeat_at = timezone.now()
        fields = ["claimed_attempt", "heartbeat_at"]
        if phase == VALIDATE:
            job.state = ImportJob.State.VALIDATING
            fields.append("state")
        job.save(update_fields=fields)
    return job


def heartbeat(job_id: int) -> Heartbeat:
    """`with heartbeat(job_id):` beats the job's heartbeat every HEARTBEAT_EVERY_S from a side
    thread, with a connection of its own (committed at once, whatever transaction the work is in).
    While the import's transaction holds the job's row, a beat waits for it; the sweeper skips
    locked rows."""

    def beat() -> bool:
        return bool(
            ImportJob.objects.filter(pk=job_id, state__in=RUNNING_STATES).update(
                heartbeat_at=timezone.now()
            )
        )

    return Heartbeat(beat, every=HEARTBEAT_EVERY_S, name=f"import-{job_id}-heartbeat")


def _root_causes(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def failure_message(exc: BaseException, *, job_id: int) -> str:
    """What the user reads on the import's page (the traceback stays in the log)."""
    for cause in _root_causes(exc):
        if isinstance(cause, (SoftTimeLimitExceeded, FileNotFoundError)):
            exc = cause
            break
    if isinstance(exc, SoftTimeLimitExceeded):
        return stored(
            gettext_noop(
                "Le traitement a dépassé la durée maximale de %(minutes)s minutes et a été arrêté. "
                "Rien n'a été enregistré : découpez le fichier en plusieurs fichiers plus petits."
            ),
            minutes=SOFT_TIME_LIMIT_S // 60,
        )
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, FileNotFoundError):
        return stored(
            gettext_noop(
                "Le fichier de cet import n'est plus disponible sur le serveur. "
                "Rien n'a été enregistré : envoyez-le de nouveau."
            )
        )
    if isinstance(exc, DatabaseError):
        return stored(
            gettext_noop(
                "La base de données n'a pas pu enregistrer cet import (import n° %(id)s). "
                "Rien n'a été enregistré : réessayez dans quelques minutes."
            ),
            id=job_id,
        )
    return stored(
        gettext_noop(
            "Une erreur inattendue a interrompu le traitement du fichier (import n° %(id)s). "
            "Rien n'a été enregistré : vérifiez que le fichier s'ouvre dans un tableur, puis "
            "envoyez-le de nouveau ; si l'erreur se répète, écrivez à l'équipe du programme en "
            "citant ce numéro."
        ),
        id=job_id,
    )


def fail(job_id: int, message: str) -> bool:
    """Mark a running job failed with the message; False when it was no longer running."""
    failed = ImportJob.objects.filter(pk=job_id, state__in=RUNNING_STATES).update(
        state=ImportJob.State.FAILED, failure=message[:1000], finished_at=timezone.now()
    )
    staged = pipeline.staged_path_for(ImportJob(pk=job_id))
    try:
        staged.unlink(missing_ok=True)
    except OSError:  # the disk trouble that failed the job may stop the clean-up too
        logger.warning("Import job %s: staged file %s not removed", job_id, staged, exc_info=True)
    return bool(failed)


def _current(job_id: int) -> ImportJob | None:
    return ImportJob.objects.select_related("declaration__campaign").filter(pk=job_id).first()


# --- running ------------------------------------------------------------------------------------


def run_validation(*, job_id: int, attempt: int = 1) -> ImportJob | None:
    """Validate the job's file (the preview); the job ends valid, invalid or failed."""
    job = _claim(job_id, phase=VALIDATE, attempt=attempt)
    if job is None:
        return _current(job_id)
    try:
        with heartbeat(job.pk):
            pipeline.validate(job)
    except Exception as exc:
        logger.exception("Import job %s: validation failed", job.pk)
        fail(job.pk, failure_message(exc, job_id=job.pk))
    return _current(job_id)


def run_import(*, job_id: int, by_id: int, attempt: int = 1) -> ImportJob | None:
    """Write the job's staged lines all or nothing (history records the user who confirmed)."""
    job = _claim(job_id, phase=IMPORT, attempt=attempt)
    if job is None:
        return _current(job_id)
    try:
        with heartbeat(job.pk), pghistory.context(user=by_id):
            pipeline.apply(job)
    except pipeline.NotImportable:
        logger.info("Import job %s: cancelled before its lines were written", job.pk)
    except pipeline.DeclarationLocked:
        fail(
            job.pk,
            stored(
                gettext_noop(
                    "La déclaration n'est plus modifiable (soumise, ou campagne fermée) : "
                    "rien n'a été importé."
                )
            ),
        )
    except Exception as exc:
        logger.exception("Import job %s: import failed", job.pk)
        fail(job.pk, failure_message(exc, job_id=job.pk))
    return _current(job_id)


# --- the sweep ----------------------------------------------------------------------------------


def sweep_stale_jobs(*, now: datetime.datetime | None = None) -> dict[str, list[int]]:
    """Re-queue, once, each job whose run went silent (or whose message was lost); fail it the
    second time. A job whose import transaction is open holds its row lock and is skipped."""
    now = now or timezone.now()
    stale = Q(
        claimed_attempt=F("attempts"),
        heartbeat_at__lt=now - datetime.timedelta(seconds=STALE_AFTER_S),
    ) | Q(
        claimed_attempt__lt=F("attempts"),
        heartbeat_at__lt=now - datetime.timedelta(seconds=UNCLAIMED_AFTER_S),
    )
    requeued: list[int] = []
    failed: list[int] = []
    with transaction.atomic():
        jobs = (
            ImportJob.objects.select_for_update(skip_locked=True)
            .filter(stale, state__in=RUNNING_STATES)
            .order_by("pk")[:100]
        )
        for job in jobs:
            phase = IMPORT if job.state == ImportJob.State.IMPORTING else VALIDATE
            if job.attempts >= MAX_ATTEMPTS:
                message = stored(
                    gettext_noop(
                        "Le traitement s'est interrompu à plusieurs reprises (arrêt du serveur de "
                        "traitement). Rien n'a été enregistré : envoyez le fichier de nouveau."
                    )
                )
                if phase == IMPORT:
                    message = stored(
                        gettext_noop(
                            "L'import s'est interrompu à plusieurs reprises (arrêt du serveur de "
                            "traitement). Aucune ligne n'a été écrite : envoyez le fichier de "
                            "nouveau."
                        )
                    )
                job.state = ImportJob.State.FAILED
                job.failure = message
                job.finished_at = now
                job.save(update_fields=["state", "failure", "finished_at"])
                failed.append(job.pk)
                logger.warning("Import job %s: stale again, failed", job.pk)
                continue
            job.attempts += 1
            job.heartbeat_at = now
            fields = ["attempts", "heartbeat_at"]
            if phase == VALIDATE:
                job.state = ImportJob.State.QUEUED
                fields.append("state")
            job.save(update_fields=fields)
            by_id = job.created_by_id
            job_id, attempt = job.pk, job.attempts
            transaction.on_commit(
                lambda phase=phase, job_id=job_id, attempt=attempt, by_id=by_id: _send(
                    phase, job_id, attempt, by_id
                )
            )
            requeued.append(job.pk)
            logger.warning("Import job %s: heartbeat stale, re-queued (%s)", job.pk, phase)
    for job_id in failed:
        pipeline.staged_path_for(ImportJob(pk=job_id)).unlink(missing_ok=True)
    return {"requeued": requeued, "failed": failed}
