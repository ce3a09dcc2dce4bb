"""The dashboard adapts to who the person is; the header shows and switches the organisation."""

import pytest
from django.urls import reverse

from accounts.selectors import SESSION_KEY
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db


def _links(client) -> str:
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def test_large_account_member_is_offered_directory_and_declaration(client):
    client.force_login(member_of(OrganisationFactory(name="Banque Hexagone")))
    html = _links(client)
    assert f'href="{reverse("directory:search")}"' in html
    assert f'href="{reverse("procurement:declaration_home")}"' in html
    assert f'href="{reverse("directory:my_profile")}"' not in html
    assert "Banque Hexagone" in html


def test_sme_member_is_offered_profile_and_orders(client):
    client.force_login(member_of(OrganisationFactory(sme=True)))
    html = _links(client)
    assert f'href="{reverse("directory:my_profile")}"' in html
    assert f'href="{reverse("procurement:sme_orders")}"' in html
    assert f'href="{reverse("procurement:declaration_home")}"' not in html


def test_person_without_organisation_is_invited_to_register_their_sme(client):
    client.force_login(UserFactory())
    html = _links(client)
    assert f'href="{reverse("directory:register")}"' in html
    assert "aucune organisation" in html


def test_staff_are_offered_the_staff_home(client):
    client.force_login(UserFactory(staff=True))
    html = _links(client)
    assert f'href="{reverse("accounts:staff_home")}"' in html
    assert f'href="{reverse("directory:register")}"' not in html


def test_switching_to_own_other_organisation_changes_the_header(client):
    user = UserFactory()
    first = OrganisationFactory(name="Alpha Conseil", sme=True)
    second = OrganisationFactory(name="Zêta Logiciels", sme=True)
    MembershipFactory(user=user, organisation=first)
    MembershipFactory(user=user, organisation=second, admin=True)
    client.force_login(user)
    html = _links(client)
    assert f'<option value="{first.pk}"\n' in html or f'value="{first.pk}" selected' in html
    response = client.post(
        reverse("accounts:switch_organisation"),
        {"organisation": second.pk, "next": reverse("accounts:dashboard")},
    )
    assert response["Location"] == reverse("accounts:dashboard")
    assert client.session[SESSION_KEY] == second.pk
    html = _links(client)
    assert "Vous agissez pour <strong>Zêta Logiciels</strong>" in html


def test_switching_to_an_organisation_one_does_not_belong_to_is_refused(client):
    user = member_of(OrganisationFactory(name="Mine"))
    foreign = OrganisationFactory(name="Not Mine")
    client.force_login(user)
    response = client.post(
        reverse("accounts:switch_organisation"), {"organisation": foreign.pk}, follow=True
    )
    assert client.session.get(SESSION_KEY) != foreign.pk
    html = response.content.decode()
    assert "Vous agissez pour <strong>Mine</strong>" in html
    assert "Vous ne pouvez agir que pour vos propres organisations" in html


def test_switch_ignores_unsafe_next_urls(client):
    user = UserFactory()
    org = OrganisationFactory()
    MembershipFactory(user=user, organisation=org)
    client.force_login(user)
    response = client.post(
        reverse("accounts:switch_organisation"),
        {"organisation": org.pk, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("accounts:dashboard")


def test_switch_requires_post_and_login(client):
    response = client.post(reverse("accounts:switch_organisation"), {"organisation": 1})
    assert response["Location"].startswith(reverse("account_login"))
    client.force_login(UserFactory())
    assert client.get(reverse("accounts:switch_organisation")).status_code == 405
