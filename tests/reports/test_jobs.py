"""Running jobs: claimed once, a failure leaves a readable message, a retry works."""

import datetime
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from reports import jobs, services
from reports.models import ReportJob, ReportVersion
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_job_is_run_once(report_data):
    staff = UserFactory(staff=True)
    job = services.request_programme_report(campaign=report_data.campaign, by=staff)
    assert services.run_job(job_id=job.pk) is not None
    # A second delivery of the same task finds the job done and does nothing.
    assert services.run_job(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.state == "done" and job.progress == 100 and job.version.number == 1
    assert job.started_at <= job.finished_at
    assert job.version.pdf_sha256 and len(job.version.pdf_sha256) == 64


def test_failed_render_is_recorded_and_a_retry_works(client, report_data, settings, tmp_path):
    staff = UserFactory(staff=True)
    # Files cannot be written: MEDIA_ROOT lies under a regular file.
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    good_media_root = settings.MEDIA_ROOT
    settings.MEDIA_ROOT = blocker / "media"
    job = services.request_programme_report(campaign=report_data.campaign, by=staff)
    assert services.run_job(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.state == ReportJob.State.FAILED
    assert "Enregistrement des fichiers" in job.error_text
    assert "impossible d'écrire les fichiers du rapport" in job.error_text
    assert job.finished_at and job.version is None

    client.force_login(staff)
    page = client.get(reverse("reports:staff_reports"), {"annee": 2025})
    assert job.error_text in page.text.replace("&#x27;", "'")
    assert "Relancer" in page.text

    settings.MEDIA_ROOT = good_media_root
    response = client.post(reverse("reports:staff_retry", args=[job.pk]))
    assert response.status_code == 302
    retry = ReportJob.objects.get(retry_of=job)
    assert retry.state == ReportJob.State.QUEUED
    services.run_job(job_id=retry.pk)
    retry.refresh_from_db()
    assert retry.state == ReportJob.State.DONE and retry.version.number == 1
    # Only failed (or silent) jobs can be retried.
    client.post(reverse("reports:staff_retry", args=[retry.pk]))
    assert ReportJob.objects.filter(retry_of=retry).count() == 0


def _silent_for(job: ReportJob, seconds: int) -> None:
    """As if the job's worker had died `seconds` ago (its last heartbeat)."""
    ReportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=seconds)
    )


def test_a_late_redelivery_of_a_running_or_finished_job_does_nothing(report_data):
    staff = UserFactory(staff=True)
    job = services.request_programme_report(campaign=report_data.campaign, by=staff)
    assert services.claim_job(job_id=job.pk) is not None  # a worker runs it, beating
    assert services.run_job(job_id=job.pk) is None  # the same task delivered again: left alone
    job.refresh_from_db()
    assert job.state == ReportJob.State.RUNNING and job.attempts == 1


def test_the_sweep_requeues_a_silent_job_once_then_fails_it(
    report_data, settings, django_capture_on_commit_callbacks
):
    settings.JOB_STALE_AFTER_S = 45
    staff = UserFactory(staff=True)
    job = services.request_programme_report(campaign=report_data.campaign, by=staff)
    services.claim_job(job_id=job.pk)

    _silent_for(job, 30)  # a slow step, not a dead worker
    assert services.sweep_stale_jobs() == {"requeued": 0, "failed": 0}

    _silent_for(job, 50)  # the worker died: re-queued, as a new task message
    with django_capture_on_commit_callbacks() as sent:
        assert services.sweep_stale_jobs() == {"requeued": 1, "failed": 0}
    assert len(sent) == 1
    job.refresh_from_db()
    assert job.state == ReportJob.State.QUEUED and job.progress == 0
    assert "Relancée automatiquement" in job.step_text

    # The new message runs it to the end; the killed worker's message, back an hour later,
    # finds it done and does nothing (one version only).
    version = services.run_job(job_id=job.pk)
    assert version is not None and version.number == 1
    assert services.run_job(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.state == ReportJob.State.DONE and job.attempts == 2
    assert ReportVersion.objects.filter(campaign=report_data.campaign).count() == 1

    # A job that loses its worker a second time fails with a message staff understand.
    second = services.request_programme_report(campaign=report_data.campaign, by=staff)
    services.claim_job(job_id=second.pk)
    _silent_for(second, 50)
    services.sweep_stale_jobs()
    services.claim_job(job_id=second.pk)
    _silent_for(second, 50)
    assert services.sweep_stale_jobs() == {"requeued": 0, "failed": 1}
    second.refresh_from_db()
    assert second.state == ReportJob.State.FAILED
    assert "sans que le worker donne signe de vie" in second.error_text
    assert services.retry_job(job=second, by=staff).state == ReportJob.State.QUEUED


def test_a_run_that_was_requeued_saves_nothing(report_data):
    staff = UserFactory(staff=True)
    job = services.request_programme_report(campaign=report_data.campaign, by=staff)
    first_run = services.claim_job(job_id=job.pk)
    _silent_for(job, 120)
    services.sweep_stale_jobs()  # re-queued while the first run is in fact still alive
    second_run = services.claim_job(job_id=job.pk)
    with pytest.raises(services.JobSuperseded):
        services._step(first_run, 30, "Étape")
    assert services.run_job(job_id=job.pk) is None  # the second run is alive and beating
    second_run.refresh_from_db()
    assert second_run.attempts == 2 and second_run.state == ReportJob.State.RUNNING


def test_staff_retry_a_job_whose_worker_went_silent(client, report_data):
    staff = UserFactory(staff=True)
    job = services.request_programme_report(campaign=report_data.campaign, by=staff)
    services.claim_job(job_id=job.pk)
    client.force_login(staff)
    panel = client.get(reverse("reports:staff_panel"), {"annee": 2025})
    assert reverse("reports:staff_retry", args=[job.pk]) not in panel.text  # alive: no retry

    _silent_for(job, 600)
    panel = client.get(reverse("reports:staff_panel"), {"annee": 2025})
    assert "Sans nouvelles du worker" in panel.text
    assert reverse("reports:staff_retry", args=[job.pk]) in panel.text
    assert client.post(reverse("reports:staff_retry", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.state == ReportJob.State.FAILED and staff.email in job.error_text
    retry = ReportJob.objects.get(retry_of=job)
    assert services.run_job(job_id=retry.pk).number == 1


def test_a_running_job_beats_while_it_renders(report_data, settings):
    staff = UserFactory(staff=True)
    job = services.request_programme_report(campaign=report_data.campaign, by=staff)
    job = services.claim_job(job_id=job.pk)
    before = job.heartbeat_at
    time.sleep(0.01)
    assert jobs.beat(job_id=job.pk, attempt=job.attempts)
    job.refresh_from_db()
    assert job.heartbeat_at > before
    assert not jobs.beat(job_id=job.pk, attempt=job.attempts + 1)  # another run's beat: ignored


def test_reports_render_on_empty_and_incomplete_data(db):
    from procurement.models import Declaration
    from tests.factories import CampaignFactory, DeclarationFactory

    from .conftest import ensure_reference_data, pdf_text

    ensure_reference_data()
    staff = UserFactory(staff=True)
    empty = CampaignFactory(year=2030, preparing=True)
    job = services.request_programme_report(campaign=empty, by=staff)
    version = services.run_job(job_id=job.pk)
    assert version is not None, ReportJob.objects.get(pk=job.pk).error_text
    text = pdf_text(version.pdf.read())
    assert "Aucune commande déclarée" in text and "n.s." in text

    # A submitted declaration without lines nor IT total, and its member report.
    declaration = DeclarationFactory(campaign=empty, submitted=True, it_purchases_total=None)
    assert declaration.state == Declaration.State.SUBMITTED
    (member_job,) = services.request_member_reports(campaign=empty, by=staff)
    member_version = services.run_job(job_id=member_job.pk)
    assert member_version is not None, ReportJob.objects.get(pk=member_job.pk).error_text
    assert declaration.organisation.name in pdf_text(member_version.pdf.read())


def test_with_the_broker_down_a_request_fails_the_job_with_a_message(
    client, report_data, django_capture_on_commit_callbacks
):
    import socket

    from pacte.celery import app as celery_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = f"redis://127.0.0.1:{closed_port}/0"
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    staff = UserFactory(staff=True)
    client.force_login(staff)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("reports:staff_generate"), {"annee": "2025", "kind": "programme"}
            )
    finally:
        celery_app.conf.broker_url = original
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
    assert response.status_code == 302
    job = ReportJob.objects.get(kind="programme")
    assert job.state == ReportJob.State.FAILED and "indisponible" in job.error_text
    assert job.can_retry


def test_a_batch_of_member_reports_renders_each_job_once(report_data):
    staff = UserFactory(staff=True)
    requested = services.request_member_reports(campaign=report_data.campaign, by=staff)
    job_ids = [job.pk for job in requested]
    versions = services.run_member_batch(job_ids=job_ids)
    assert len(versions) == 4 and all(versions)
    done = ReportJob.objects.filter(pk__in=job_ids)
    assert {job.state for job in done} == {"done"}
    assert {job.organisation_id for job in done} == {v.organisation_id for v in versions}
    # The same batch delivered again (acks_late) finds its jobs done and renders nothing.
    assert services.run_member_batch(job_ids=job_ids) == []
    assert ReportVersion.objects.filter(organisation__isnull=False).count() == 4


def test_a_batch_takes_over_only_the_jobs_whose_worker_stopped_beating(report_data):
    staff = UserFactory(staff=True)
    first, second, *_others = services.request_member_reports(
        campaign=report_data.campaign, by=staff
    )
    # `first` is running elsewhere with a fresh heartbeat; `second` lost its worker.
    now = timezone.now()
    ReportJob.objects.filter(pk=first.pk).update(state="running", attempts=1, heartbeat_at=now)
    ReportJob.objects.filter(pk=second.pk).update(
        state="running", attempts=1, heartbeat_at=now - datetime.timedelta(minutes=5)
    )
    versions = services.run_member_batch(job_ids=[first.pk, second.pk])
    assert [v.organisation_id for v in versions] == [second.organisation_id]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == "running" and second.state == "done" and second.attempts == 2
