"""Programme staff: their home, the list of large accounts, creating one and inviting its admin."""

import re

import pytest
from django.urls import reverse

from accounts.models import Invitation, Organisation, Role
from tests.factories import OrganisationFactory, UserFactory, member_of, valid_siren

pytestmark = pytest.mark.django_db

STAFF_VIEWS = ["accounts:staff_home", "accounts:large_accounts", "accounts:large_account_create"]


@pytest.fixture
def staff(client):
    user = UserFactory(staff=True)
    client.force_login(user)
    return user


@pytest.mark.parametrize("name", STAFF_VIEWS)
def test_staff_pages_send_anonymous_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", STAFF_VIEWS)
def test_staff_pages_are_refused_to_members(client, name):
    client.force_login(member_of(OrganisationFactory(), admin=True))
    assert client.get(reverse(name)).status_code == 403


def test_staff_home_links_to_every_staff_tool(client, staff):
    html = client.get(reverse("accounts:staff_home")).content.decode()
    for name in [
        "accounts:large_accounts",
        "directory:moderation",
        "procurement:staff_campaigns",
        "reports:staff_reports",
        "admin:index",
    ]:
        assert f'href="{reverse(name)}"' in html


def test_large_accounts_are_listed_with_counts_and_paginated(
    client, staff, django_assert_max_num_queries
):
    for n in range(30):
        account = OrganisationFactory(name=f"Compte {n:02d}")
        if n == 0:
            member_of(account, admin=True)
            member_of(account)
    OrganisationFactory(sme=True, name="Compte PME")
    with django_assert_max_num_queries(10):
        response = client.get(reverse("accounts:large_accounts"))
    html = response.content.decode()
    assert "30 grands comptes" in html
    assert "Compte 00" in html
    assert "Compte 26" not in html
    assert "Compte PME" not in html
    assert "Page 1 sur 2" in html
    page2 = client.get(reverse("accounts:large_accounts"), {"page": 2}).content.decode()
    assert "Compte 29" in page2
    assert response.context["page"].object_list[0].member_count == 2
    assert response.context["page"].object_list[0].admin_count == 1


def test_large_accounts_search_by_name_or_siren(client, staff):
    OrganisationFactory(name="Banque Hexagone", siren="552120222")
    OrganisationFactory(name="Énergies de France", siren="552081317")
    by_name = client.get(reverse("accounts:large_accounts"), {"q": "hexa"}).content.decode()
    assert "Banque Hexagone" in by_name
    assert "Énergies de France" not in by_name
    by_siren = client.get(reverse("accounts:large_accounts"), {"q": "552 081"}).content.decode()
    assert "Énergies de France" in by_siren
    assert "Banque Hexagone" not in by_siren


def test_staff_create_a_large_account_and_invite_its_admin(
    client, staff, mailoutbox, django_capture_on_commit_callbacks
):
    siren = valid_siren(4242)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:large_account_create"),
            {
                "name": "Assurances du Nord",
                "siren": siren[:3] + " " + siren[3:],
                "sector": "Assurance",
                "joined_on": "2026-01-15",
                "public_naming": "on",
                "admin_email": "dsi@assurances.test",
            },
        )
    account = Organisation.objects.get(siren=siren)
    assert response["Location"] == reverse("accounts:organisation", args=[account.pk])
    assert account.kind == Organisation.Kind.LARGE_ACCOUNT
    assert account.public_naming
    assert account.charter_signed_on is None  # kept by the online signatures
    invitation = Invitation.objects.get(organisation=account)
    assert invitation.email == "dsi@assurances.test"
    assert invitation.role == Role.ADMIN
    assert mailoutbox[0].to == ["dsi@assurances.test"]


def test_invalid_siren_gets_a_clear_french_error(client, staff):
    response = client.post(
        reverse("accounts:large_account_create"),
        {"name": "Mauvais", "siren": "123456789", "admin_email": "a@example.test"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "n&#x27;est pas un SIREN valide" in html or "n'est pas un SIREN valide" in html
    assert 'href="#id_siren"' in html
    assert not Organisation.objects.filter(name="Mauvais").exists()


def test_duplicate_siren_is_refused(client, staff):
    existing = OrganisationFactory()
    response = client.post(
        reverse("accounts:large_account_create"),
        {"name": "Doublon", "siren": existing.siren, "admin_email": "a@example.test"},
    )
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    assert not Organisation.objects.filter(name="Doublon").exists()


def test_staff_invite_an_administrator_to_an_existing_account(
    client, staff, mailoutbox, django_capture_on_commit_callbacks
):
    account = OrganisationFactory()
    page = client.get(reverse("accounts:invite", args=[account.pk]), {"role": "admin"})
    assert page.status_code == 200
    assert re.search(r'value="admin"[^>]*checked', page.content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:invite", args=[account.pk]),
            {"email": "second@example.test", "role": "admin"},
        )
    assert Invitation.objects.get(organisation=account).role == Role.ADMIN
    assert mailoutbox[0].to == ["second@example.test"]
