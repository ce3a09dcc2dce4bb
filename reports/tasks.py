"""Celery tasks of the reports queue (settings route `reports.tasks.*` to REPORTS_QUEUE)."""

from celery import shared_task

from . import services


@shared_task(
    acks_late=True,
    soft_time_limit=services.SOFT_TIME_LIMIT_S,
    time_limit=services.HARD_TIME_LIMIT_S,
    ignore_result=True,
)
def render_report(job_id: int) -> None:
    """Render one report job (programme or member); claimed once, failures recorded on the job."""
    services.run_job(job_id=job_id)
