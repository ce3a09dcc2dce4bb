"""The worker side's sign of life: a running job's heartbeat, and when a job counts as stale.

A report job is rendered by one Celery task. While it runs, a small thread of the worker process
writes `heartbeat_at` every JOB_HEARTBEAT_S seconds (and every progress step writes it too), on a
database connection of its own, so that a long SQL query or a long PDF layout keeps beating. When
the worker dies (`kill -9`, out of memory, hard time limit), the beats stop; the periodic sweep
(`services.sweep_stale_jobs`, run by Celery beat) then re-queues the job once, or fails it.
"""

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from accounts import heartbeat

from .models import ReportJob


def stale_before() -> datetime.datetime:
    """A running job whose last heartbeat is older than this has lost its worker."""
    return timezone.now() - datetime.timedelta(seconds=settings.JOB_STALE_AFTER_S)


def beat(*, job_id: int, attempt: int) -> bool:
    """Write the heartbeat of this run; False when the job is no longer this run's to beat for."""
    return bool(
        ReportJob.objects.filter(pk=job_id, state=ReportJob.State.RUNNING, attempts=attempt).update(
            heartbeat_at=timezone.now()
        )
    )


class Heartbeat(heartbeat.Heartbeat):
    """`with Heartbeat(job_id=…, attempt=…):` beats every JOB_HEARTBEAT_S seconds in a thread."""

    def __init__(self, *, job_id: int, attempt: int, every: float | None = None):
        super().__init__(
            lambda: beat(job_id=job_id, attempt=attempt),
            every=every if every is not None else settings.JOB_HEARTBEAT_S,
            name=f"report-job-{job_id}-heartbeat",
        )


def beat_many(jobs: list[tuple[int, int]]) -> bool:
    """Write the heartbeat of each (job id, attempt) still running; False when none is left."""
    runs = Q(pk__in=[])
    for job_id, attempt in jobs:
        runs |= Q(pk=job_id, attempts=attempt)
    return bool(
        ReportJob.objects.filter(runs, state=ReportJob.State.RUNNING).update(
            heartbeat_at=timezone.now()
        )
    )


class BatchHeartbeat(heartbeat.Heartbeat):
    """One heartbeat thread for the jobs of a batch (`services.run_member_batch`)."""

    def __init__(self, *, jobs: list[tuple[int, int]], every: float | None = None):
        super().__init__(
            lambda: beat_many(jobs),
            every=every if every is not None else settings.JOB_HEARTBEAT_S,
            name=f"report-jobs-{jobs[0][0]}-heartbeat",
        )
