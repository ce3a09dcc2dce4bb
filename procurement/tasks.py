"""Background work of the declarations: tasks take ids and call a service."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task
def validate_import_task(job_id: int) -> str:
    job = services.validate_import(job_id=job_id)
    return job.state


@shared_task
def apply_import_task(job_id: int, by_id: int) -> str:
    job = services.apply_import(job_id=job_id, by_id=by_id)
    return job.state


@shared_task
def send_reminders_task(campaign_id: int, organisation_ids: list[int], by_id: int | None) -> int:
    return services.send_reminders(
        campaign_id=campaign_id,
        organisation_ids=organisation_ids,
        by_id=by_id,
        today=timezone.localdate(),
    )


@shared_task(ignore_result=True)
def sweep_import_jobs() -> int:
    """Run by Celery beat: import jobs whose worker stopped beating (implemented with the import
    jobs' heartbeat; until then there is nothing to sweep)."""
    return 0
