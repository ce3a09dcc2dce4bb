"""In Chromium: staff generate the programme report, watch it finish, publish; a visitor downloads it."""

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from tests.factories import UserFactory
from tests.support import assert_accessible

from .conftest import ReportData, pdf_text


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_generate_and_publish_then_a_visitor_downloads(
    page, browser, live_server, celery_worker, settings, client
):
    settings.MEDIA_ROOT = celery_worker.media_dir
    ReportData()
    staff = UserFactory(email="pilote@programme.test", staff=True)

    # Signed in through a session cookie (the sign-in form is the accounts' tests' business).
    client.force_login(staff)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    page.goto("/pilotage/rapports/?annee=2025")
    expect(page.get_by_role("heading", name="Générer les rapports 2025")).to_be_visible()
    page.get_by_role("button", name="Générer le rapport du programme").click()

    # The progress bar updates itself (htmx polling) until the job is done.
    expect(page.locator(".job-progress").first).to_have_text("100 %", timeout=90_000)
    expect(page.locator(".badge.done").first).to_be_visible()
    page.reload()  # the state survives a reload
    expect(page.locator(".job-progress").first).to_have_text("100 %")
    # Publishing asks for confirmation first: the version is public at once.
    page.get_by_role("link", name="Publier v1…").click()
    expect(page.get_by_role("heading", name="Publier le rapport 2025 (v1) ?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Publier v1").click()
    expect(page.get_by_text("La version 1 est publiée")).to_be_visible()

    # A visitor (no session) downloads it from the public page.
    visitor = browser.new_context(base_url=live_server.url, locale="fr-FR")
    public = visitor.new_page()
    public.goto("/rapports/")
    expect(public.get_by_role("heading", name="Rapport 2025")).to_be_visible()
    with public.expect_download() as download_info:
        public.get_by_role("link", name="Télécharger le rapport 2025 (PDF)").click()
    download = download_info.value
    data = open(download.path(), "rb").read()  # noqa: SIM115
    assert data.startswith(b"%PDF")
    assert "485 000 €" in pdf_text(data)
    visitor.close()
