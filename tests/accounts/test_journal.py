"""Every staff action that changes data lands in one audit log, which staff browse and filter."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Role
from audit.models import AuditEvent
from directory import services as directory_services
from procurement import services as procurement_services
from procurement.models import Campaign
from reports import services as report_services
from reports.models import ReportKind, ReportVersion
from tests.factories import (
    CampaignFactory,
    DeclarationFactory,
    MembershipFactory,
    OrganisationFactory,
    SMEProfileFactory,
    UserFactory,
    member_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(staff=True, email="pilote@programme.test")


def only_event(**filters) -> AuditEvent:
    events = list(AuditEvent.objects.filter(**filters))
    assert len(events) == 1, events
    return events[0]


def test_moderation_decisions_are_recorded(staff):
    published = SMEProfileFactory(pending=True)
    rejected = SMEProfileFactory(pending=True)
    directory_services.publish_profile(profile=published, by=staff)
    directory_services.reject_profile(profile=rejected, by=staff, reason="SIREN d'une autre PME")
    event = only_event(action="directory.profile_published")
    assert event.actor == staff and event.organisation_id == published.organisation_id
    assert event.changes == {"state": ["En attente de validation", "Publié"]}
    event = only_event(action="directory.profile_rejected")
    assert event.reason == "SIREN d'une autre PME"
    assert event.target_id == str(rejected.pk)


def test_campaign_state_changes_and_reopening_are_recorded(staff):
    campaign = CampaignFactory()
    declaration = DeclarationFactory(campaign=campaign, submitted=True)
    procurement_services.reopen_declaration(
        declaration=declaration, by=staff, reason="Ligne en double"
    )
    procurement_services.change_campaign_state(
        campaign=campaign, state=Campaign.State.CLOSED, by=staff
    )
    event = only_event(action="procurement.declaration_reopened")
    assert event.reason == "Ligne en double"
    assert event.organisation_id == declaration.organisation_id
    assert event.changes["state"][1] == "Rouverte"
    event = only_event(action="procurement.campaign_state_changed")
    assert event.changes == {"state": ["Ouverte", "Clôturée"]}


def test_report_publication_and_withdrawal_are_recorded(staff):
    campaign = CampaignFactory(closed=True)

    def version(number):
        return ReportVersion.objects.create(
            kind=ReportKind.PROGRAMME,
            campaign=campaign,
            number=number,
            pdf=f"v{number}.pdf",
            xlsx=f"v{number}.xlsx",
            pdf_sha256="0" * 64,
            xlsx_sha256="0" * 64,
            methodology_version="2026.1",
            data_snapshot_at=timezone.now(),
        )

    v1, v2 = version(1), version(2)
    report_services.publish_version(version=v1, by=staff)
    report_services.publish_version(version=v2, by=staff)  # withdraws v1
    report_services.unpublish_version(version=v2, by=staff, reason="Chiffre erroné")
    published = AuditEvent.objects.filter(action="reports.version_published")
    assert sorted(e.target_id for e in published) == sorted([str(v1.pk), str(v2.pk)])
    withdrawn = AuditEvent.objects.filter(action="reports.version_unpublished").order_by("pk")
    assert [e.target_id for e in withdrawn] == [str(v1.pk), str(v2.pk)]
    assert withdrawn[1].reason == "Chiffre erroné"


def test_staff_invitations_role_changes_and_removals_are_recorded(staff):
    organisation = OrganisationFactory()
    member_of(organisation, admin=True)
    membership = MembershipFactory(organisation=organisation)
    account_services.invite(
        organisation=organisation, email="new@org.test", role=Role.MEMBER, by=staff
    )
    account_services.change_role(membership=membership, role=Role.ADMIN, by=staff)
    account_services.remove_member(membership=membership, by=staff)
    actions = list(
        AuditEvent.objects.filter(organisation_id=organisation.pk)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "accounts.invitation_sent",
        "accounts.role_changed",
        "accounts.member_removed",
    ]
    assert only_event(action="accounts.role_changed").changes == {
        "role": ["Membre", "Administrateur"]
    }


def test_an_administrator_managing_their_own_organisation_is_not_a_staff_action():
    organisation = OrganisationFactory()
    admin = member_of(organisation, admin=True)
    account_services.invite(
        organisation=organisation, email="new@org.test", role=Role.MEMBER, by=admin
    )
    assert not AuditEvent.objects.exists()


def test_admin_edits_are_recorded_with_before_and_after(client, staff):
    client.force_login(staff)
    organisation = OrganisationFactory(name="Ancien nom", sector="Banque")
    url = f"/admin/accounts/organisation/{organisation.pk}/change/"
    data = {
        "name": "Nouveau nom",
        "kind": organisation.kind,
        "siren": organisation.siren,
        "sector": "Banque",
        "joined_on": organisation.joined_on.isoformat(),
        "charter_signed_on": "",
        "public_naming": "on",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    assert client.post(url, data).status_code == 302
    event = only_event(action="admin.change")
    assert event.actor == staff
    assert event.organisation_id == organisation.pk
    assert event.changes == {
        "name": ["Ancien nom", "Nouveau nom"],
        "public_naming": [False, True],
    }
    # Deleting through the admin is recorded too.
    domain = OrganisationFactory(name="À supprimer")
    response = client.post(f"/admin/accounts/organisation/{domain.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    event = only_event(action="admin.delete")
    assert event.target_label == "À supprimer"


# --- The journal -------------------------------------------------------------------------------


def test_staff_browse_and_filter_the_journal(client, staff):
    other_staff = UserFactory(staff=True, email="autre@programme.test")
    bank = OrganisationFactory(name="Banque Hexagone")
    energy = OrganisationFactory(name="Énergies de France")
    reopened = DeclarationFactory(organisation=bank, submitted=True)
    procurement_services.reopen_declaration(declaration=reopened, by=staff, reason="Erreur")
    profile = SMEProfileFactory(pending=True, organisation__name="Cyberbase")
    directory_services.publish_profile(profile=profile, by=other_staff)
    old = AuditEvent.objects.create(
        actor=staff,
        actor_label=staff.email,
        action="accounts.role_changed",
        organisation_id=energy.pk,
        changes={"role": ["Membre", "Administrateur"]},
    )
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - datetime.timedelta(days=40))

    client.force_login(staff)
    url = reverse("accounts:journal")
    page = client.get(url).content.decode()
    assert "Déclaration rouverte" in page and "Profil de PME publié" in page
    assert "Erreur" in page
    assert "Banque Hexagone" in page and "Énergies de France" in page
    assert "Membre → Administrateur" in page
    assert "En attente de validation → Publié" in page
    # French dates: "30 nov. 2026 à 11:06".
    month = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août",
             "sept.", "oct.", "nov.", "déc."][timezone.localdate().month - 1]  # fmt: skip
    assert f"{timezone.localdate().day} {month} {timezone.localdate().year} à " in page

    def rows(**query):
        return client.get(url, query).context["page"].paginator.count

    assert rows() == 3
    assert rows(actor="autre@") == 1
    assert rows(action="procurement.declaration_reopened") == 1
    assert rows(organisation="hexagone") == 1
    assert rows(organisation=energy.siren[:5]) == 1
    today = timezone.localdate()
    assert rows(since=(today - datetime.timedelta(days=1)).isoformat()) == 2
    assert rows(until=(today - datetime.timedelta(days=30)).isoformat()) == 1
    # An absurd filter is an error on the form, never a server error.
    response = client.get(url, {"since": "2026-13-45", "until": "1999-01-01", "action": "zz"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_the_journal_is_paginated_with_a_fixed_number_of_queries(
    client, staff, django_assert_max_num_queries
):
    organisations = [OrganisationFactory() for _ in range(3)]
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor_label="pilote@programme.test",
            action="admin.change",
            organisation_id=organisations[i % 3].pk,
            target_label=f"Objet {i}",
        )
        for i in range(120)
    )
    client.force_login(staff)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:journal"), {"page": "2"})
    assert len(response.context["rows"]) == 50
    assert "Page 2 sur 3" in response.content.decode()


def test_the_journal_is_for_staff_only(client):
    url = reverse("accounts:journal")
    assert client.get(url)["Location"].startswith("/compte/login/")
    client.force_login(member_of(OrganisationFactory(), admin=True))
    assert client.get(url).status_code == 403
    client.force_login(member_of(OrganisationFactory(sme=True), admin=True))
    assert client.get(url).status_code == 403


def test_the_staff_home_links_to_the_journal(client, staff):
    client.force_login(staff)
    assert (
        reverse("accounts:journal") in client.get(reverse("accounts:staff_home")).content.decode()
    )
