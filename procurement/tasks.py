"""Background work of the declarations: tasks take ids and call the code that runs the work."""

from celery import shared_task
from django.utils import timezone

from . import services
from .imports import jobs

# Import tasks: a worker lost mid-task gets its message again (acks_late), but the job's attempt
# is then already claimed and the delivery does nothing; the sweeper re-queues it once instead.
IMPORT_TASK_OPTIONS = {
    "acks_late": True,
    "soft_time_limit": jobs.SOFT_TIME_LIMIT_S,
    "time_limit": jobs.HARD_TIME_LIMIT_S,
    "ignore_result": True,
}


@shared_task(**IMPORT_TASK_OPTIONS)
def validate_import_task(job_id: int, attempt: int = 1) -> None:
    jobs.run_validation(job_id=job_id, attempt=attempt)


@shared_task(**IMPORT_TASK_OPTIONS)
def apply_import_task(job_id: int, by_id: int, attempt: int = 1) -> None:
    jobs.run_import(job_id=job_id, by_id=by_id, attempt=attempt)


@shared_task(ignore_result=True)
def sweep_import_jobs() -> dict[str, list[int]]:
    """Periodic (Celery beat): re-queue once, then fail, import jobs whose heartbeat is stale."""
    return jobs.sweep_stale_jobs()


@shared_task
def send_reminders_task(campaign_id: int, organisation_ids: list[int], by_id: int | None) -> int:
    return services.send_reminders(
        campaign_id=campaign_id,
        organisation_ids=organisation_ids,
        by_id=by_id,
        today=timezone.localdate(),
    )
