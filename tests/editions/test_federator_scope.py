"""A federator's edition-scoped staff role in procurement (campaign list, dashboard, export,
reminders, reading declarations) and in the directory (moderation, verification, identity
documents): its editions' member large accounts and SMEs only, 404 on another edition's, 403
without a convention in force. Programme staff keep everything and may filter by edition."""

import datetime
import io
import time

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEvent
from directory.models import Departement, Domain, SMEProfile, VerificationDocument
from editions.models import EditionAccount
from procurement.models import Campaign, Reminder
from tests.factories import (
    CampaignFactory,
    ConventionFactory,
    DeclarationFactory,
    EditionAccountFactory,
    EditionFactory,
    OrganisationFactory,
    SMEProfileFactory,
    UserFactory,
    member_of,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class World:
    pass


def _world() -> World:
    w = World()
    w.campaign = CampaignFactory()
    w.lyon = EditionFactory(name="Métropole de Lyon", slug="lyon", territory=["69"])
    w.cyber = EditionFactory(name="Cyber", slug="cyber", sector=["cybersecurite"])
    w.lyon_federator = ConventionFactory(edition=w.lyon).federator
    w.cyber_federator = ConventionFactory(edition=w.cyber).federator
    w.fed_lyon = member_of(w.lyon_federator, admin=True)
    w.fed_cyber = member_of(w.cyber_federator, admin=True)

    w.acc_lyon = OrganisationFactory(name="Banque Lyonnaise")
    w.acc_cyber = OrganisationFactory(name="Assureur Cyber")
    w.acc_none = OrganisationFactory(name="Sans édition")
    w.acc_requested = OrganisationFactory(name="Candidat lyonnais")
    EditionAccountFactory(edition=w.lyon, organisation=w.acc_lyon)
    EditionAccountFactory(edition=w.cyber, organisation=w.acc_cyber)
    EditionAccountFactory(
        edition=w.lyon, organisation=w.acc_requested, state=EditionAccount.State.REQUESTED
    )
    w.admin_lyon = member_of(w.acc_lyon, admin=True)
    w.admin_cyber = member_of(w.acc_cyber, admin=True)
    w.admin_none = member_of(w.acc_none, admin=True)
    w.decl_lyon = DeclarationFactory(campaign=w.campaign, organisation=w.acc_lyon)
    w.decl_cyber = DeclarationFactory(campaign=w.campaign, organisation=w.acc_cyber)

    w.sme_lyon = SMEProfileFactory(
        pending=True, name="PME Lyonnaise", departement=Departement.objects.get(code="69")
    )
    w.sme_cyber = SMEProfileFactory(
        pending=True,
        name="PME Cyber Paris",
        departement=Departement.objects.get(code="75"),
        domains=[Domain.objects.get(slug="cybersecurite")],
    )
    w.sme_paris = SMEProfileFactory(
        pending=True, name="PME Parisienne", departement=Departement.objects.get(code="75")
    )
    w.doc_lyon = _document(w.sme_lyon)
    w.doc_cyber = _document(w.sme_cyber)
    return w


def _document(profile: SMEProfile) -> VerificationDocument:
    document = VerificationDocument(
        organisation=profile.organisation, original_name="kbis.pdf", size=len(PDF)
    )
    document.file.save("kbis.pdf", ContentFile(PDF), save=False)
    document.save()
    return document


@pytest.fixture
def w():
    return _world()


def dashboard(w, edition=None):
    url = reverse("procurement:campaign_dashboard", args=[w.campaign.pk])
    return f"{url}?edition={edition}" if edition else url


def _edition_urls(w, slug):
    """Every procurement view a federator may use, for `slug`'s edition (GET, POST)."""
    pk = w.campaign.pk
    q = f"?edition={slug}"
    return [
        ("get", reverse("procurement:staff_campaigns") + q),
        ("get", reverse("procurement:campaign_dashboard", args=[pk]) + q),
        ("get", reverse("procurement:campaign_export", args=[pk]) + q),
        ("get", reverse("procurement:campaign_export_xlsx", args=[pk]) + q),
        ("post", reverse("procurement:campaign_remind", args=[pk]) + q),
        ("get", reverse("directory:moderation") + q),
    ]


def _profile_urls(profile, document):
    return [
        ("get", reverse("directory:moderate", args=[profile.pk])),
        ("post", reverse("directory:moderate", args=[profile.pk])),
        ("get", reverse("directory:verification_document", args=[document.pk])),
    ]


# --- Procurement: who gets in --------------------------------------------------------------


def test_programme_staff_see_every_account_and_may_filter_by_edition(w, client):
    client.force_login(UserFactory(staff=True))
    page = client.get(dashboard(w)).content.decode()
    for account in (w.acc_lyon, w.acc_cyber, w.acc_none, w.acc_requested):
        assert account.name in page
    assert 'name="edition"' in page and "Métropole de Lyon" in page  # the select
    page = client.get(dashboard(w, "lyon")).content.decode()
    assert "Banque Lyonnaise" in page
    for other in ("Assureur Cyber", "Sans édition", "Candidat lyonnais"):
        assert other not in page
    # Programme staff keep the campaign's own actions.
    assert reverse("procurement:campaign_edit", args=[w.campaign.pk]) in page
    assert client.get(dashboard(w, "nope")).status_code == 404


def test_federator_sees_only_its_editions_member_accounts(w, client):
    client.force_login(w.fed_lyon)
    for url in (dashboard(w), dashboard(w, "lyon")):  # its only edition, chosen by default
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert "Banque Lyonnaise" in page and "Métropole de Lyon" in page
        for other in ("Assureur Cyber", "Sans édition", "Candidat lyonnais"):
            assert other not in page
        assert response.context["to_remind"] == 1
        assert response.context["summary"]["declarations"] == 1
        # Campaign management stays with programme staff.
        assert reverse("procurement:campaign_edit", args=[w.campaign.pk]) not in page
        assert reverse("procurement:campaign_state", args=[w.campaign.pk]) not in page
        assert reverse("procurement:campaign_create") not in page
    campaigns = client.get(reverse("procurement:staff_campaigns"))
    assert campaigns.status_code == 200
    assert "?edition=lyon" in campaigns.content.decode()
    assert [c.declarations_count for c in campaigns.context["campaigns"]] == [1]


def test_federator_exports_only_its_editions_accounts(w, client):
    client.force_login(w.fed_lyon)
    csv = client.get(reverse("procurement:campaign_export", args=[w.campaign.pk]) + "?edition=lyon")
    assert csv.status_code == 200
    text = b"".join(csv.streaming_content).decode() if csv.streaming else csv.content.decode()
    assert "Banque Lyonnaise" in text
    assert "Assureur Cyber" not in text and "Sans édition" not in text
    xlsx = client.get(reverse("procurement:campaign_export_xlsx", args=[w.campaign.pk]))
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    names = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "Banque Lyonnaise" in names
    assert not names & {"Assureur Cyber", "Sans édition", "Candidat lyonnais"}


def test_programme_staff_export_follows_the_edition_selected(w, client):
    client.force_login(UserFactory(staff=True))
    url = reverse("procurement:campaign_export", args=[w.campaign.pk])
    everything = client.get(url)
    text = (
        b"".join(everything.streaming_content).decode()
        if everything.streaming
        else everything.content.decode()
    )
    assert "Sans édition" in text and "Assureur Cyber" in text
    cyber = client.get(url + "?edition=cyber")
    text = b"".join(cyber.streaming_content).decode() if cyber.streaming else cyber.content.decode()
    assert "Assureur Cyber" in text and "Banque Lyonnaise" not in text


def test_federator_of_another_edition_gets_404_with_this_editions_slug(w, client):
    client.force_login(w.fed_cyber)
    for method, url in _edition_urls(w, "lyon"):
        assert getattr(client, method)(url).status_code == 404, url
    assert not Reminder.objects.exists()


def test_federator_without_a_convention_in_force_gets_403(w, client):
    lapsed = OrganisationFactory(federator=True)
    ConventionFactory(
        edition=w.lyon,
        federator=lapsed,
        starts_on=timezone.localdate() - datetime.timedelta(days=400),
        ends_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    for federator in (lapsed, OrganisationFactory(federator=True)):
        client.force_login(member_of(federator, admin=True))
        for method, url in [*_edition_urls(w, "lyon"), *_edition_urls(w, "")]:
            assert getattr(client, method)(url).status_code == 403, url
        for method, url in _profile_urls(w.sme_lyon, w.doc_lyon)[:2]:
            assert getattr(client, method)(url).status_code == 403, url
        # The identity document keeps its rule: 404 for anyone who may not read it.
        doc = reverse("directory:verification_document", args=[w.doc_lyon.pk])
        assert client.get(doc).status_code == 404


def test_large_account_member_gets_403(w, client):
    client.force_login(w.admin_lyon)
    for method, url in [*_edition_urls(w, "lyon"), *_edition_urls(w, "")]:
        assert getattr(client, method)(url).status_code == 403, url
    for method, url in _profile_urls(w.sme_lyon, w.doc_lyon)[:2]:
        assert getattr(client, method)(url).status_code == 403, url


def test_anonymous_goes_to_login(w, client):
    for method, url in [*_edition_urls(w, "lyon"), *_profile_urls(w.sme_lyon, w.doc_lyon)]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login" in response["Location"], url


def test_campaign_management_stays_with_programme_staff(w, client):
    client.force_login(w.fed_lyon)
    pk = w.campaign.pk
    assert client.get(reverse("procurement:campaign_create")).status_code == 403
    assert client.get(reverse("procurement:campaign_edit", args=[pk])).status_code == 403
    state = reverse("procurement:campaign_state", args=[pk])
    assert client.post(state, {"state": "closed"}).status_code == 403
    assert client.get(reverse("procurement:staff_disputes")).status_code == 403
    w.campaign.refresh_from_db()
    assert w.campaign.state == Campaign.State.OPEN


def test_federator_does_not_see_campaigns_in_preparation(w, client):
    preparing = CampaignFactory(year=w.campaign.year + 1, preparing=True)
    client.force_login(w.fed_lyon)
    url = reverse("procurement:campaign_dashboard", args=[preparing.pk])
    assert client.get(url).status_code == 404
    years = [
        c.year for c in client.get(reverse("procurement:staff_campaigns")).context["campaigns"]
    ]
    assert preparing.year not in years


def test_federator_running_two_editions_chooses_one(w, client):
    ConventionFactory(edition=w.cyber, federator=w.lyon_federator)
    client.force_login(w.fed_lyon)
    choice = client.get(dashboard(w))
    assert choice.status_code == 200
    page = choice.content.decode()
    assert "?edition=lyon" in page and "?edition=cyber" in page
    assert "Banque Lyonnaise" not in page
    cyber = client.get(dashboard(w, "cyber")).content.decode()
    assert "Assureur Cyber" in cyber and "Banque Lyonnaise" not in cyber
    # Without an edition, nothing is exported or reminded: back to the choice.
    export = client.get(reverse("procurement:campaign_export", args=[w.campaign.pk]))
    assert export.status_code == 302
    remind = client.post(reverse("procurement:campaign_remind", args=[w.campaign.pk]))
    assert remind.status_code == 302 and not Reminder.objects.exists()


# --- Reminders -----------------------------------------------------------------------------


def test_federator_reminds_only_its_editions_late_accounts_and_is_audited(
    w, client, django_capture_on_commit_callbacks
):
    client.force_login(w.fed_lyon)
    url = reverse("procurement:campaign_remind", args=[w.campaign.pk]) + "?edition=lyon"
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].endswith("?edition=lyon")
    assert len(callbacks) == 1  # one task queued, for the edition's accounts
    assert "1 comptes" in response.content.decode()
    event = AuditEvent.objects.get(action="procurement.reminders_requested")
    assert event.actor == w.fed_lyon
    assert event.changes["edition"] == ["", "Métropole de Lyon"]
    assert event.changes["accounts"] == ["", 1]


def test_reminder_service_refuses_a_federator_outside_its_editions(w):
    from django.core.exceptions import PermissionDenied

    from procurement import services

    with pytest.raises(PermissionDenied):
        services.request_reminders(campaign=w.campaign, by=w.fed_lyon, edition=w.cyber)
    with pytest.raises(PermissionDenied):
        services.request_reminders(campaign=w.campaign, by=w.fed_lyon)


@pytest.mark.django_db(transaction=True)
def test_federator_reminder_emails_only_its_editions_late_accounts(celery_worker, client):
    w = _world()
    client.force_login(w.fed_lyon)
    before = set(celery_worker.mail_dir.iterdir())
    url = reverse("procurement:campaign_remind", args=[w.campaign.pk]) + "?edition=lyon"
    assert client.post(url).status_code == 302
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not Reminder.objects.exists():
        time.sleep(0.3)
    time.sleep(1)
    assert list(Reminder.objects.values_list("organisation_id", flat=True)) == [w.acc_lyon.pk]
    mails = [p.read_text() for p in set(celery_worker.mail_dir.iterdir()) - before]
    assert any(w.admin_lyon.email in m for m in mails)
    for other in (w.admin_cyber, w.admin_none):
        assert not any(other.email in m for m in mails)
    # Once a day per account, whoever asks.
    client.post(url)
    time.sleep(2)
    assert Reminder.objects.filter(organisation=w.acc_lyon).count() == 1


# --- Reading declarations ------------------------------------------------------------------


def test_federator_reads_its_editions_declarations_only(w, client):
    client.force_login(w.fed_lyon)
    for name in ("declaration_detail", "declaration_history", "declaration_totals"):
        assert client.get(reverse(f"procurement:{name}", args=[w.decl_lyon.pk])).status_code == 200
        assert client.get(reverse(f"procurement:{name}", args=[w.decl_cyber.pk])).status_code == 404
    page = client.get(reverse("procurement:declaration_detail", args=[w.decl_lyon.pk]))
    assert page.context["can_edit"] is False and page.context["can_reopen"] is False
    # Reading only: no change, no reopening.
    assert (
        client.post(
            reverse("procurement:declaration_total", args=[w.decl_lyon.pk]),
            {"it_purchases_total": "5"},
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("procurement:declaration_reopen", args=[w.decl_lyon.pk])).status_code
        == 403
    )
    client.force_login(w.fed_cyber)
    assert (
        client.get(reverse("procurement:declaration_detail", args=[w.decl_lyon.pk])).status_code
        == 404
    )


# --- Directory: moderation and verification ------------------------------------------------


def test_federator_moderation_queue_lists_only_its_editions_smes(w, client):
    client.force_login(w.fed_lyon)
    for url in (reverse("directory:moderation"), reverse("directory:moderation") + "?edition=lyon"):
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert "PME Lyonnaise" in page and "Métropole de Lyon" in page
        assert "PME Cyber Paris" not in page and "PME Parisienne" not in page
        assert reverse("directory:arbitrations") not in page
    client.force_login(w.fed_cyber)
    page = client.get(reverse("directory:moderation")).content.decode()
    assert "PME Cyber Paris" in page
    assert "PME Lyonnaise" not in page and "PME Parisienne" not in page


def test_programme_staff_moderate_everything_and_may_filter_by_edition(w, client):
    client.force_login(UserFactory(staff=True))
    page = client.get(reverse("directory:moderation")).content.decode()
    for name in ("PME Lyonnaise", "PME Cyber Paris", "PME Parisienne"):
        assert name in page
    assert reverse("directory:arbitrations") in page
    page = client.get(reverse("directory:moderation") + "?edition=cyber").content.decode()
    assert "PME Cyber Paris" in page and "PME Lyonnaise" not in page
    assert client.get(reverse("directory:moderation") + "?edition=nope").status_code == 404
    moderate = client.get(reverse("directory:moderate", args=[w.sme_paris.pk])).content.decode()
    assert reverse("directory:transfer", args=[w.sme_paris.organisation_id]) in moderate


def test_federator_publishes_a_profile_of_its_edition_and_the_audit_names_it(
    w, client, django_capture_on_commit_callbacks
):
    sme_admin = member_of(w.sme_lyon.organisation, admin=True)
    client.force_login(w.fed_lyon)
    url = reverse("directory:moderate", args=[w.sme_lyon.pk])
    page = client.get(url).content.decode()
    assert "PME Lyonnaise" in page and "Métropole de Lyon" in page
    assert reverse("directory:verification_document", args=[w.doc_lyon.pk]) in page
    # Arbitration, transfers and releasing a SIREN stay with programme staff.
    assert reverse("directory:transfer", args=[w.sme_lyon.organisation_id]) not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "publish"})
    assert response.status_code == 302
    w.sme_lyon.refresh_from_db()
    assert w.sme_lyon.state == SMEProfile.State.PUBLISHED
    event = AuditEvent.objects.get(action="directory.profile_published")
    assert event.actor == w.fed_lyon
    assert event.changes["edition"] == ["", "Métropole de Lyon"]
    assert [m.to for m in mail.outbox if w.sme_lyon.name in m.subject] == [[sme_admin.email]]


def test_federator_verifies_and_refuses_within_its_edition(w, client):
    unverified = SMEProfileFactory(
        unverified=True, name="PME à vérifier", departement=Departement.objects.get(code="69")
    )
    client.force_login(w.fed_lyon)
    url = reverse("directory:moderate", args=[unverified.pk])
    assert client.post(url, {"action": "verify", "reason": "Kbis lu."}).status_code == 302
    unverified.organisation.refresh_from_db()
    assert unverified.organisation.is_verified
    event = AuditEvent.objects.get(action="directory.sme_verified")
    assert event.changes["edition"] == ["", "Métropole de Lyon"]
    refuse = reverse("directory:moderate", args=[w.sme_lyon.pk])
    assert client.post(refuse, {"action": "reject", "reason": "Incomplet."}).status_code == 302
    w.sme_lyon.refresh_from_db()
    assert w.sme_lyon.state == SMEProfile.State.REJECTED


def test_federator_reads_its_editions_identity_documents_only(w, client):
    client.force_login(w.fed_lyon)
    response = client.get(reverse("directory:verification_document", args=[w.doc_lyon.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert (
        client.get(reverse("directory:verification_document", args=[w.doc_cyber.pk])).status_code
        == 404
    )


def test_federator_of_another_edition_gets_404_on_this_editions_smes(w, client):
    client.force_login(w.fed_cyber)
    for method, url in _profile_urls(w.sme_lyon, w.doc_lyon):
        assert getattr(client, method)(url, {"action": "publish"}).status_code == 404, url
    outside = SMEProfileFactory(pending=True, departement=Departement.objects.get(code="13"))
    assert client.get(reverse("directory:moderate", args=[outside.pk])).status_code == 404
    w.sme_lyon.refresh_from_db()
    assert w.sme_lyon.state == SMEProfile.State.PENDING


def test_arbitration_transfer_and_release_stay_with_programme_staff(w, client):
    client.force_login(w.fed_lyon)
    organisation_id = w.sme_lyon.organisation_id
    for url in (
        reverse("directory:arbitrations"),
        reverse("directory:transfer", args=[organisation_id]),
        reverse("directory:release_siren", args=[organisation_id]),
    ):
        assert client.get(url).status_code == 403, url


def test_odd_edition_values_never_fail(w, client):
    odd = ["%00", "x" * 500, "lyon'--", "édition", "lyon/../cyber", " "]
    for user in (w.fed_lyon, UserFactory(staff=True)):
        client.force_login(user)
        for value in odd:
            for method, url in _edition_urls(w, ""):
                response = getattr(client, method)(url, {"edition": value})
                assert response.status_code in (200, 302, 404), (url, value)


def test_federator_gets_404_on_a_declaration_of_an_account_only_asking_to_join(w, client):
    declaration = DeclarationFactory(campaign=w.campaign, organisation=w.acc_requested)
    client.force_login(w.fed_lyon)
    url = reverse("procurement:declaration_detail", args=[declaration.pk])
    assert client.get(url).status_code == 404
