"""In Chromium: the public edition pages pass axe, in French and in English."""

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from reports import services
from tests.factories import UserFactory
from tests.support import assert_accessible

from .conftest import ReportData
from .test_edition_reports import lyon_edition

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40"/></svg>'


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_public_edition_pages_are_accessible(page, live_server, client):
    data = ReportData()
    edition = lyon_edition(data)
    edition.description = "La métropole et sa chambre de commerce."
    edition.logo.save("logo.svg", ContentFile(SVG))
    staff = UserFactory(staff=True)
    job = services.request_programme_report(campaign=data.campaign, by=staff, edition=edition)
    version = services.run_job(job_id=job.pk)
    services.publish_version(version=version, by=staff)

    page.goto("/editions/")
    expect(page.get_by_role("heading", name="Les éditions du Pacte PME")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Lyon Métropole").click()
    expect(page.get_by_role("heading", name="Lyon Métropole", level=1)).to_be_visible()
    expect(page.get_by_role("img", name="Logo de l'édition Lyon Métropole")).to_be_visible()
    expect(page.get_by_role("link", name="rapport 2025 (PDF)")).to_be_visible()
    assert_accessible(page)

    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"/editions/{edition.slug}/")
    expect(page.get_by_role("heading", name="Key figures")).to_be_visible()
    assert_accessible(page)

    # The staff page of the edition's reports (programme staff; a federator sees the same page).
    client.force_login(staff)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    page.goto(f"/pilotage/rapports/editions/{edition.slug}/?annee=2025")
    expect(page.get_by_role("button", name="Generate the edition's report")).to_be_visible()
    assert_accessible(page)
