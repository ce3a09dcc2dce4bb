"""End to end through the real Celery worker and Redis: generate, then download."""

import time

import pytest
from django.urls import reverse

from reports.models import ReportJob, ReportVersion
from tests.factories import UserFactory

from .conftest import ReportData, pdf_text


def wait_until_finished(queryset, timeout: float = 120, log_path=None) -> list[ReportJob]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = list(queryset.all())  # a fresh query each time (no result cache)
        if jobs and all(job.is_finished for job in jobs):
            return jobs
        time.sleep(0.3)
    log = open(log_path).read() if log_path else ""  # noqa: SIM115
    log = "\n".join(line for line in log.splitlines() if "Step " not in line)[-4000:]
    raise AssertionError(f"jobs still running: {[(j.pk, j.state) for j in queryset.all()]}\n{log}")


@pytest.mark.django_db(transaction=True)
def test_reports_are_rendered_by_the_worker(client, celery_worker, settings):
    settings.MEDIA_ROOT = celery_worker.media_dir
    ReportData()
    staff = UserFactory(staff=True)
    client.force_login(staff)

    response = client.post(
        reverse("reports:staff_generate"), {"annee": "2025", "kind": "programme"}
    )
    assert response.status_code == 302
    (job,) = wait_until_finished(
        ReportJob.objects.filter(kind="programme"), log_path=celery_worker.log_path
    )
    assert job.state == "done", job.error_message
    assert job.progress == 100 and job.started_at and job.finished_at
    assert job.peak_memory_mb and job.peak_memory_mb < 500

    # The polled panel shows the finished job and stops polling.
    panel = client.get(reverse("reports:staff_panel"), {"annee": "2025"})
    assert "100 %" in panel.text and "hx-trigger" not in panel.text
    response = client.get(reverse("reports:staff_pdf", args=[job.version_id]))
    assert response.status_code == 200
    text = pdf_text(b"".join(response.streaming_content))
    assert "485 000 €" in text and "Rapport 2025 – version 1" in text

    # Member reports: one task per account with a submitted declaration.
    client.post(reverse("reports:staff_generate"), {"annee": "2025", "kind": "members"})
    jobs = wait_until_finished(
        ReportJob.objects.filter(kind="member"), log_path=celery_worker.log_path
    )
    assert len(jobs) == 4
    assert all(j.state == "done" for j in jobs), [j.error_message for j in jobs]


def _wait_for(predicate, timeout: float, log_path=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    log = open(log_path).read()[-4000:] if log_path else ""  # noqa: SIM115
    raise AssertionError(f"not within {timeout} s\n{log}")


# The sweep's windows, shortened for the tests that kill the worker: the same heartbeat thread
# and sweep, in seconds rather than a minute (production: a heartbeat every 10 s, stale after
# 45 s, a sweep every 20 s, see settings).
QUICK_SWEEP = {"JOB_HEARTBEAT_S": "2", "JOB_STALE_AFTER_S": "10", "SWEEP_EVERY_S": "4"}


@pytest.mark.django_db(transaction=True)
def test_a_report_whose_worker_is_killed_ends_done_without_anyone_acting(
    client, celery_worker, settings
):
    """kill -9 of the worker at 30 % of a programme report, a new worker started: the heartbeat
    stops, Celery beat's sweep re-queues the job, and it ends done within two minutes."""
    settings.MEDIA_ROOT = celery_worker.media_dir
    slow = {"REPORTS_TEST_STEP_DELAY_S": "2", **QUICK_SWEEP}  # each step takes 2 s more
    celery_worker.restart(**slow)
    try:
        ReportData()
        staff = UserFactory(staff=True)
        client.force_login(staff)
        client.post(reverse("reports:staff_generate"), {"annee": "2025", "kind": "programme"})
        job = ReportJob.objects.get(kind="programme")
        _wait_for(
            lambda: ReportJob.objects.filter(pk=job.pk, progress__gte=30).exists(),
            timeout=60,
            log_path=celery_worker.log_path,
        )

        celery_worker.kill()
        killed_at = time.monotonic()
        job.refresh_from_db()
        assert job.state == "running" and 30 <= job.progress < 55
        celery_worker.start(**slow)

        (job,) = wait_until_finished(
            ReportJob.objects.filter(pk=job.pk), timeout=150, log_path=celery_worker.log_path
        )
        elapsed = time.monotonic() - killed_at
        print(f"\nkill -9 to done: {elapsed:.1f} s")
        assert job.state == "done", job.error_message
        assert elapsed < 120, f"{elapsed:.0f} s from kill -9 to done"
        assert job.attempts == 2 and job.version.number == 1
        assert ReportVersion.objects.filter(campaign=job.campaign).count() == 1

        # Staff saw nothing to do: the job was never failed, and no retry was created.
        assert not ReportJob.objects.filter(retry_of=job).exists()
        response = client.get(reverse("reports:staff_pdf", args=[job.version_id]))
        assert "485 000 €" in pdf_text(b"".join(response.streaming_content))
    finally:
        celery_worker.restart()


@pytest.mark.django_db(transaction=True)
def test_a_batch_of_member_reports_whose_worker_is_killed_ends_done(
    client, celery_worker, settings
):
    """kill -9 of the worker in the middle of a batch of member reports, a new worker started:
    the jobs of the batch it had claimed are re-queued one by one by the sweep and end done;
    none is rendered twice."""
    settings.MEDIA_ROOT = celery_worker.media_dir
    slow = {"REPORTS_TEST_STEP_DELAY_S": "2", **QUICK_SWEEP}
    celery_worker.restart(**slow)
    try:
        ReportData()
        staff = UserFactory(staff=True)
        client.force_login(staff)
        client.post(reverse("reports:staff_generate"), {"annee": "2025", "kind": "members"})
        jobs = ReportJob.objects.filter(kind="member")
        assert jobs.count() == 4
        # The batch claimed its four jobs at once; kill the worker once the first is rendered.
        _wait_for(
            lambda: jobs.filter(state="done").exists(), timeout=90, log_path=celery_worker.log_path
        )
        celery_worker.kill()
        assert jobs.filter(state="running").exists()
        celery_worker.start(**slow)

        finished = wait_until_finished(jobs, timeout=180, log_path=celery_worker.log_path)
        assert all(job.state == "done" for job in finished), [j.error_message for j in finished]
        assert any(job.attempts == 2 for job in finished)  # taken over after the kill
        versions = ReportVersion.objects.filter(kind="member")
        assert versions.count() == 4 and {v.number for v in versions} == {1}
    finally:
        celery_worker.restart()
