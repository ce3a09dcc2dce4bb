"""Celery tasks of the reports (settings route `render_report` and `render_member_reports` to
REPORTS_QUEUE; the sweep runs on the default queue, so that it never waits behind a long
report)."""

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


@shared_task(
    acks_late=True,
    soft_time_limit=services.SOFT_TIME_LIMIT_S,
    time_limit=services.HARD_TIME_LIMIT_S,
    ignore_result=True,
)
def render_member_reports(job_ids: list[int]) -> None:
    """Render a batch of member report jobs (their figures computed together); each job claimed
    once, its failure recorded on it; a job lost with the worker is re-queued alone."""
    services.run_member_batch(job_ids=job_ids)


@shared_task(ignore_result=True)
def sweep_report_jobs() -> dict[str, int]:
    """Run by Celery beat: re-queue (once) or fail the jobs whose worker stopped beating."""
    return services.sweep_stale_jobs()
