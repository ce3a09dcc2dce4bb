"""Running jobs: claimed once, a failure leaves a readable message, a retry works."""

import pytest
from django.urls import reverse

from reports import services
from reports.models import ReportJob
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
    assert "Enregistrement des fichiers" in job.error_message
    assert "impossible d'écrire les fichiers du rapport" in job.error_message
    assert job.finished_at and job.version is None

    client.force_login(staff)
    page = client.get(reverse("reports:staff_reports"), {"annee": 2025})
    assert job.error_message in page.text.replace("&#x27;", "'")
    assert "Relancer" in page.text

    settings.MEDIA_ROOT = good_media_root
    response = client.post(reverse("reports:staff_retry", args=[job.pk]))
    assert response.status_code == 302
    retry = ReportJob.objects.get(retry_of=job)
    assert retry.state == ReportJob.State.QUEUED
    services.run_job(job_id=retry.pk)
    retry.refresh_from_db()
    assert retry.state == ReportJob.State.DONE and retry.version.number == 1
    # Only failed jobs can be retried.
    client.post(reverse("reports:staff_retry", args=[retry.pk]))
    assert ReportJob.objects.filter(retry_of=retry).count() == 0


def test_a_job_redelivered_after_its_worker_died_is_marked_failed(report_data):
    staff = UserFactory(staff=True)
    job = services.request_programme_report(campaign=report_data.campaign, by=staff)
    assert services.claim_job(job_id=job.pk) is not None  # the worker that took it then died
    assert services.run_job(job_id=job.pk) is None  # the task comes back (acks_late)
    job.refresh_from_db()
    assert job.state == ReportJob.State.FAILED and "interrompue" in job.error_message
    retry = services.retry_job(job=job, by=staff)
    assert services.run_job(job_id=retry.pk).number == 1


def test_reports_render_on_empty_and_incomplete_data(db):
    from procurement.models import Declaration
    from tests.factories import CampaignFactory, DeclarationFactory

    from .conftest import ensure_reference_data, pdf_text

    ensure_reference_data()
    staff = UserFactory(staff=True)
    empty = CampaignFactory(year=2030, preparing=True)
    job = services.request_programme_report(campaign=empty, by=staff)
    version = services.run_job(job_id=job.pk)
    assert version is not None, ReportJob.objects.get(pk=job.pk).error_message
    text = pdf_text(version.pdf.read())
    assert "Aucune commande déclarée" in text and "n.s." in text

    # A submitted declaration without lines nor IT total, and its member report.
    declaration = DeclarationFactory(campaign=empty, submitted=True, it_purchases_total=None)
    assert declaration.state == Declaration.State.SUBMITTED
    (member_job,) = services.request_member_reports(campaign=empty, by=staff)
    member_version = services.run_job(job_id=member_job.pk)
    assert member_version is not None, ReportJob.objects.get(pk=member_job.pk).error_message
    assert declaration.organisation.name in pdf_text(member_version.pdf.read())
