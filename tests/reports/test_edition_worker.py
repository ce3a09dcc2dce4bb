"""A federator generates its edition's report through the real Celery worker, then publishes it."""

import pytest
from django.urls import reverse

from reports.models import ReportJob
from tests.factories import ConventionFactory, member_of

from .conftest import ReportData, pdf_text
from .test_edition_reports import lyon_edition
from .test_worker import wait_until_finished


@pytest.mark.django_db(transaction=True)
def test_federator_generates_its_editions_report_through_the_worker(
    client, celery_worker, settings
):
    settings.MEDIA_ROOT = celery_worker.media_dir
    data = ReportData()
    edition = lyon_edition(data)
    federator = member_of(ConventionFactory(edition=edition).federator)
    client.force_login(federator)

    response = client.post(
        reverse("reports:staff_generate"),
        {"annee": "2025", "kind": "programme", "edition": edition.slug},
    )
    assert response.status_code == 302
    (job,) = wait_until_finished(ReportJob.objects.all(), log_path=celery_worker.log_path)
    assert job.state == "done", job.error_message
    assert job.edition_id == edition.pk and job.version.edition_id == edition.pk

    panel = client.get(reverse("reports:staff_panel"), {"annee": "2025", "edition": edition.slug})
    assert "100 %" in panel.text and "hx-trigger" not in panel.text
    response = client.get(reverse("reports:staff_pdf", args=[job.version_id]))
    text = pdf_text(b"".join(response.streaming_content))
    assert "Lyon Métropole" in text and "220 000 €" in text

    client.post(reverse("reports:staff_publish", args=[job.version_id]))
    client.logout()
    page = client.get(reverse("reports:public_edition", args=[edition.slug]))
    assert reverse("reports:public_pdf", args=[job.version_id]) in page.text
    assert client.get(reverse("reports:public_pdf", args=[job.version_id])).status_code == 200
