"""Publication, the public page, staff-only pages and each account's own reports."""

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from reports import services
from reports.models import ReportJob, ReportVersion
from tests.factories import OrganisationFactory, UserFactory, member_of

from .conftest import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(staff=True)


def generate(campaign, staff, *, member=None) -> ReportVersion:
    if member is None:
        job = services.request_programme_report(campaign=campaign, by=staff)
    else:
        job = ReportJob.objects.create(
            kind="member", campaign=campaign, organisation=member, requested_by=staff
        )
    return services.run_job(job_id=job.pk)


def test_visitor_sees_only_published_reports_and_downloads_them(client, report_data, staff):
    v1 = generate(report_data.campaign, staff)
    v2 = generate(report_data.campaign, staff)
    assert (v1.number, v2.number) == (1, 2)
    page = client.get(reverse("reports:public_list"))
    assert page.status_code == 200
    assert "Aucun rapport n'est encore publié" in page.text
    assert client.get(reverse("reports:public_pdf", args=[v1.pk])).status_code == 404

    services.publish_version(version=v1, by=staff)
    page = client.get(reverse("reports:public_list"))
    assert "Rapport 2025" in page.text and "485\u202f000\u00a0€" in page.text
    response = client.get(reverse("reports:public_pdf", args=[v1.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "version 1" in pdf_text(b"".join(response.streaming_content))
    assert client.get(reverse("reports:public_xlsx", args=[v1.pk])).status_code == 200

    # Publishing another version replaces the first one.
    services.publish_version(version=v2, by=staff)
    v1.refresh_from_db()
    assert not v1.is_published and "Remplacée par la version 2" in v1.unpublish_reason_text
    assert client.get(reverse("reports:public_pdf", args=[v1.pk])).status_code == 404
    assert client.get(reverse("reports:public_pdf", args=[v2.pk])).status_code == 200


def test_staff_publish_and_unpublish_with_a_reason(client, report_data, staff):
    version = generate(report_data.campaign, staff)
    client.force_login(staff)
    panel = client.get(reverse("reports:staff_reports"), {"annee": 2025})
    assert panel.status_code == 200 and "Publier v1" in panel.text
    response = client.post(reverse("reports:staff_publish", args=[version.pk]))
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.is_published and version.published_by == staff

    url = reverse("reports:staff_unpublish", args=[version.pk])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200 and "Ce champ est obligatoire" in response.text
    version.refresh_from_db()
    assert version.is_published
    client.post(url, {"reason": "Erreur dans les délais de paiement"})
    version.refresh_from_db()
    assert not version.is_published
    assert version.unpublish_reason == "Erreur dans les délais de paiement"
    assert version.unpublished_by == staff
    client.logout()
    assert client.get(reverse("reports:public_pdf", args=[version.pk])).status_code == 404


def test_staff_pages_are_denied_to_others(client, report_data, staff):
    version = generate(report_data.campaign, staff)
    urls = [
        reverse("reports:staff_reports"),
        reverse("reports:staff_panel"),
        reverse("reports:staff_pdf", args=[version.pk]),
        reverse("reports:staff_unpublish", args=[version.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(resolve_url(settings.LOGIN_URL))
    assert client.post(reverse("reports:staff_publish", args=[version.pk])).status_code == 302
    declarant = member_of(report_data.members["Alpha Banque"], admin=True)
    client.force_login(declarant)
    for url in urls:
        assert client.get(url).status_code == 403
    assert client.post(reverse("reports:staff_publish", args=[version.pk])).status_code == 403
    version.refresh_from_db()
    assert not version.is_published


def test_staff_pages_survive_odd_input(client, report_data, staff):
    client.force_login(staff)
    assert client.get(reverse("reports:staff_reports"), {"annee": "abc"}).status_code == 200
    assert client.get(reverse("reports:staff_reports"), {"annee": "1999"}).status_code == 200
    assert client.get(reverse("reports:staff_pdf", args=[999999])).status_code == 404
    response = client.post(reverse("reports:staff_generate"), {"annee": "x", "kind": "y"})
    assert response.status_code == 302
    assert not ReportJob.objects.exists()
    assert client.post(reverse("reports:staff_retry", args=[424242])).status_code == 404


def test_each_account_downloads_only_its_own_member_report(client, report_data, staff):
    alpha, beta = report_data.members["Alpha Banque"], report_data.members["Beta Assurances"]
    own = generate(report_data.campaign, staff, member=alpha)
    other = generate(report_data.campaign, staff, member=beta)
    programme = generate(report_data.campaign, staff)

    # Anonymous: sent to sign in.
    response = client.get(reverse("reports:member_pdf", args=[own.pk]))
    assert response.status_code == 302
    assert response.url.startswith(resolve_url(settings.LOGIN_URL))

    client.force_login(member_of(alpha))
    page = client.get(reverse("reports:member_reports"))
    assert page.status_code == 200
    assert reverse("reports:member_pdf", args=[own.pk]) in page.text
    assert reverse("reports:member_pdf", args=[other.pk]) not in page.text
    response = client.get(reverse("reports:member_pdf", args=[own.pk]))
    assert response.status_code == 200
    assert "Alpha Banque" in pdf_text(b"".join(response.streaming_content))
    assert client.get(reverse("reports:member_xlsx", args=[own.pk])).status_code == 200
    # Another account's report, or the unpublished programme report: 404.
    assert client.get(reverse("reports:member_pdf", args=[other.pk])).status_code == 404
    assert client.get(reverse("reports:member_xlsx", args=[other.pk])).status_code == 404
    assert client.get(reverse("reports:member_pdf", args=[programme.pk])).status_code == 404

    # An SME member has no such page.
    client.force_login(member_of(OrganisationFactory(sme=True)))
    assert client.get(reverse("reports:member_pdf", args=[own.pk])).status_code == 403

    # Staff see every member report.
    client.force_login(staff)
    assert client.get(reverse("reports:staff_pdf", args=[other.pk])).status_code == 200
    panel = client.get(reverse("reports:staff_reports"), {"annee": 2025})
    assert "Beta Assurances" in panel.text and "Alpha Banque" in panel.text


def test_member_reports_are_requested_for_each_submitted_declaration(report_data, staff):
    jobs = services.request_member_reports(campaign=report_data.campaign, by=staff)
    names = sorted(job.organisation.name for job in jobs)
    assert names == sorted(["Alpha Banque", "Beta Assurances", "Delta Transports", "Gamma Énergie"])


def _queries(client, url, params=None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def test_report_lists_run_a_fixed_number_of_queries(client, report_data, staff):
    alpha, beta = report_data.members["Alpha Banque"], report_data.members["Beta Assurances"]
    services.publish_version(version=generate(report_data.campaign, staff), by=staff)
    generate(report_data.campaign, staff, member=alpha)
    client.force_login(staff)
    staff_page = _queries(client, reverse("reports:staff_reports"), {"annee": 2025})
    public_page = _queries(client, reverse("reports:public_list"))

    generate(report_data.campaign, staff)
    generate(report_data.campaign, staff, member=beta)
    services.publish_version(version=generate(report_data.previous, staff), by=staff)
    services.request_programme_report(campaign=report_data.campaign, by=staff)
    assert _queries(client, reverse("reports:staff_reports"), {"annee": 2025}) == staff_page
    assert _queries(client, reverse("reports:public_list")) == public_page


def test_the_panel_polls_only_while_a_job_is_unfinished(client, report_data, staff):
    client.force_login(staff)
    url = reverse("reports:staff_panel")
    assert "hx-trigger" not in client.get(url, {"annee": 2025}).text
    job = services.request_programme_report(campaign=report_data.campaign, by=staff)
    panel = client.get(url, {"annee": 2025}).text
    assert 'hx-trigger="every 1s"' in panel and "0 %" in panel
    services.run_job(job_id=job.pk)
    panel = client.get(url, {"annee": 2025}).text
    assert "hx-trigger" not in panel and "100 %" in panel and "Publier v1" in panel


def test_publishing_a_version_asks_for_confirmation_first(client, report_data, staff):
    v1 = generate(report_data.campaign, staff)
    services.publish_version(version=v1, by=staff)
    v2 = generate(report_data.campaign, staff)
    client.force_login(staff)
    page = client.get(reverse("reports:staff_publish", args=[v2.pk]))
    assert page.status_code == 200
    assert "publique dès que vous confirmez" in page.text
    assert "Elle remplace la version publiée aujourd'hui (v1)" in page.text
    v2.refresh_from_db()
    assert not v2.is_published  # showing the confirmation publishes nothing
    client.post(reverse("reports:staff_publish", args=[v2.pk]))
    v2.refresh_from_db()
    assert v2.is_published
