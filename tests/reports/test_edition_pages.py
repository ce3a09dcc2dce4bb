"""Edition reports on the staff pages (programme staff, the edition's federator, anyone else) and
the public edition pages."""

import html

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from audit.models import AuditEvent
from editions.models import Edition
from reports import services
from reports.models import ReportJob, ReportVersion
from tests.factories import (
    ConventionFactory,
    EditionAccountFactory,
    EditionFactory,
    OrganisationFactory,
    UserFactory,
    member_of,
)

from .test_edition_reports import lyon_edition

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'


@pytest.fixture
def staff():
    return UserFactory(staff=True)


@pytest.fixture
def lyon(report_data):
    return lyon_edition(report_data)


def text(response) -> str:
    return html.unescape(response.content.decode())


def federator_of(edition) -> object:
    """A member of a federator running `edition` under a convention in force."""
    convention = ConventionFactory(edition=edition)
    return member_of(convention.federator)


def generate(campaign, user, edition) -> ReportVersion:
    job = services.request_programme_report(campaign=campaign, by=user, edition=edition)
    return services.run_job(job_id=job.pk)


def test_federator_generates_and_publishes_its_editions_report(client, report_data, lyon):
    federator = federator_of(lyon)
    client.force_login(federator)

    # /pilotage/rapports/ sends a federator to its edition's reports.
    response = client.get(reverse("reports:staff_reports"))
    assert response.status_code == 302
    assert response.url == reverse("reports:staff_edition_reports", args=["lyon"])
    page = client.get(reverse("reports:staff_edition_reports", args=["lyon"]))
    assert page.status_code == 200
    assert "Rapports annuels de l'édition Lyon Métropole" in text(page)
    assert "Générer les rapports des membres" not in text(page)

    response = client.post(
        reverse("reports:staff_generate"), {"annee": "2025", "kind": "programme", "edition": "lyon"}
    )
    assert response.status_code == 302
    job = ReportJob.objects.get()
    assert job.edition == lyon and job.requested_by == federator
    version = services.run_job(job_id=job.pk)

    # Members' reports are not a federator's to request.
    client.post(
        reverse("reports:staff_generate"), {"annee": "2025", "kind": "members", "edition": "lyon"}
    )
    assert ReportJob.objects.count() == 1

    assert client.get(reverse("reports:staff_pdf", args=[version.pk])).status_code == 200
    confirm = client.get(reverse("reports:staff_publish", args=[version.pk]))
    assert "page publique de l'édition" in text(confirm)
    client.post(reverse("reports:staff_publish", args=[version.pk]))
    version.refresh_from_db()
    assert version.is_published and version.published_by == federator
    assert AuditEvent.objects.filter(action="reports.version_published", actor=federator).exists()

    public = client.get(reverse("reports:public_edition", args=["lyon"]))
    assert reverse("reports:public_pdf", args=[version.pk]) in text(public)
    assert "220\u202f000\u00a0€" in text(public)
    # The national public list does not show editions' reports.
    assert reverse("reports:public_pdf", args=[version.pk]) not in text(
        client.get(reverse("reports:public_list"))
    )

    # Unpublishing asks for a reason, and is recorded.
    client.post(reverse("reports:staff_unpublish", args=[version.pk]), {"reason": "Erreur"})
    version.refresh_from_db()
    assert not version.is_published and version.unpublish_reason == "Erreur"
    assert AuditEvent.objects.filter(action="reports.version_unpublished").exists()


def test_federator_of_another_edition_gets_404_on_this_editions_reports(
    client, report_data, lyon, staff
):
    version = generate(report_data.campaign, staff, lyon)
    job = version.job
    national = generate(report_data.campaign, staff, None)
    other = EditionFactory(slug="grenoble", territory=["38"])
    client.force_login(federator_of(other))

    urls = [
        reverse("reports:staff_edition_reports", args=["lyon"]),
        reverse("reports:staff_reports") + "?edition=lyon",
        reverse("reports:staff_panel") + "?edition=lyon&annee=2025",
        reverse("reports:staff_pdf", args=[version.pk]),
        reverse("reports:staff_xlsx", args=[version.pk]),
        reverse("reports:staff_publish", args=[version.pk]),
        reverse("reports:staff_unpublish", args=[version.pk]),
        # Nor the national report (nor any member report).
        reverse("reports:staff_pdf", args=[national.pk]),
        reverse("reports:staff_publish", args=[national.pk]),
        reverse("reports:staff_panel") + "?annee=2025",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("reports:staff_publish", args=[version.pk])).status_code == 404
    assert client.post(reverse("reports:staff_retry", args=[job.pk])).status_code == 404
    response = client.post(
        reverse("reports:staff_generate"), {"annee": "2025", "kind": "programme", "edition": "lyon"}
    )
    assert response.status_code == 404
    assert (
        not ReportJob.objects.filter(requested_by__isnull=False)
        .exclude(requested_by=staff)
        .exists()
    )
    # Its own edition's page works.
    assert (
        client.get(reverse("reports:staff_edition_reports", args=["grenoble"])).status_code == 200
    )


def test_federator_whose_convention_ended_and_other_accounts_are_denied(client, lyon, staff):
    import datetime

    convention = ConventionFactory(
        edition=lyon,
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2021, 1, 1),
    )
    for user in (member_of(convention.federator), member_of(OrganisationFactory())):
        client.force_login(user)
        assert (
            client.get(reverse("reports:staff_edition_reports", args=["lyon"])).status_code == 403
        )
        assert client.get(reverse("reports:staff_reports")).status_code == 403
    client.logout()
    response = client.get(reverse("reports:staff_edition_reports", args=["lyon"]))
    assert response.status_code == 302 and "/compte/" in response.url


def test_programme_staff_choose_an_edition_and_see_only_its_jobs(client, report_data, lyon, staff):
    generate(report_data.campaign, staff, None)
    version = generate(report_data.campaign, staff, lyon)
    client.force_login(staff)
    page = client.get(reverse("reports:staff_reports"), {"annee": "2025"})
    assert 'value="lyon"' in text(page) and "Programme national" in text(page)
    assert f'id="version-{version.pk}"' not in text(page)  # the national page

    page = client.get(reverse("reports:staff_reports"), {"annee": "2025", "edition": "lyon"})
    assert f'id="version-{version.pk}"' in text(page)
    assert "Générer le rapport de l'édition" in text(page)
    assert client.get(reverse("reports:staff_reports"), {"edition": "nope"}).status_code == 404


def test_public_pages_list_launched_editions_and_hide_drafts(client, report_data, lyon, staff):
    draft = EditionFactory(name="Brouillon", slug="brouillon", status=Edition.Status.DRAFT)
    EditionAccountFactory(edition=draft, organisation=report_data.members["Alpha Banque"])
    listing = client.get(reverse("reports:public_editions"))
    assert listing.status_code == 200
    assert "Lyon Métropole" in text(listing) and "Brouillon" not in text(listing)
    assert client.get(reverse("reports:public_edition", args=["brouillon"])).status_code == 404
    assert client.get(reverse("reports:edition_logo", args=["brouillon"])).status_code == 404

    # A draft edition's published report is not downloadable either.
    hidden = generate(report_data.campaign, staff, draft)
    services.publish_version(version=hidden, by=staff)
    assert client.get(reverse("reports:public_pdf", args=[hidden.pk])).status_code == 404


def test_public_edition_page_shows_published_versions_only(client, report_data, lyon, staff):
    draft_version = generate(report_data.campaign, staff, lyon)
    page = client.get(reverse("reports:public_edition", args=["lyon"]))
    assert page.status_code == 200
    assert "Aucun rapport de l'édition n'est encore publié" in text(page)
    assert reverse("reports:public_pdf", args=[draft_version.pk]) not in text(page)
    assert client.get(reverse("reports:public_pdf", args=[draft_version.pk])).status_code == 404
    # Figures computed by the report's functions: 3 members, Lyon's SMEs.
    assert "220\u202f000\u00a0€" in text(page)
    # Named accounts only; Gamma did not agree.
    assert "Alpha Banque" in text(page) and "Beta Assurances" in text(page)
    assert "Gamma" not in text(page)
    # The map outlines Auvergne-Rhône-Alpes and counts the edition's published SMEs.
    assert 'data-region="84"' in text(page)
    assert "2 PME de l'édition publiées" in text(page)

    published = generate(report_data.campaign, staff, lyon)
    services.publish_version(version=published, by=staff)
    page = client.get(reverse("reports:public_edition", args=["lyon"]))
    assert reverse("reports:public_pdf", args=[published.pk]) in text(page)
    assert reverse("reports:public_pdf", args=[draft_version.pk]) not in text(page)
    assert "version 2" in text(page)
    assert client.get(reverse("reports:public_pdf", args=[published.pk])).status_code == 200


def test_public_edition_figures_are_suppressed_below_three_members(client, report_data):
    lyon_edition(report_data, members=("Alpha Banque", "Beta Assurances"))
    page = client.get(reverse("reports:public_edition", args=["lyon"]))
    assert "180\u202f000" not in text(page) and "n.s." in text(page)


def test_logo_is_served_with_the_type_of_its_content(client, lyon):
    assert client.get(reverse("reports:edition_logo", args=["lyon"])).status_code == 404
    lyon.logo.save("logo.svg", ContentFile(PNG))  # the name says SVG, the bytes say PNG
    response = client.get(reverse("reports:edition_logo", args=["lyon"]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    page = client.get(reverse("reports:public_edition", args=["lyon"]))
    assert f'src="{reverse("reports:edition_logo", args=["lyon"])}"' in text(page)

    lyon.logo.save("logo.svg", ContentFile(SVG))
    response = client.get(reverse("reports:edition_logo", args=["lyon"]))
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["Content-Disposition"] == "inline"

    lyon.logo.save("logo.png", ContentFile(b"<html><script>alert(1)</script></html>"))
    assert client.get(reverse("reports:edition_logo", args=["lyon"])).status_code == 404


def test_public_edition_pages_survive_odd_input(client, lyon):
    assert client.get(reverse("reports:public_editions"), {"page": "x"}).status_code == 200
    assert client.get(reverse("reports:public_editions"), {"page": "999"}).status_code == 200
    assert client.get("/editions/n'existe-pas/").status_code == 404


def test_public_edition_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    EditionFactory()
    with django_assert_num_queries(2):  # count, page
        client.get(reverse("reports:public_editions"))
    for _i in range(5):
        EditionFactory()
    with django_assert_num_queries(2):
        assert client.get(reverse("reports:public_editions")).status_code == 200
