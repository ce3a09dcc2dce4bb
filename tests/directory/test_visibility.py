import pytest
from django.urls import reverse

from tests.factories import OrganisationFactory, SMEProfileFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db


def test_unpublished_profile_visible_to_own_members_and_staff_only(client):
    profile = SMEProfileFactory(draft=True, description="Brouillon secret.")
    url = reverse("directory:detail", args=[profile.siren])
    client.force_login(member_of(profile.organisation))
    assert "Brouillon secret." in client.get(url).content.decode()
    client.force_login(UserFactory(staff=True))
    assert client.get(url).status_code == 200
    client.force_login(member_of(SMEProfileFactory().organisation))
    assert client.get(url).status_code == 404
    client.force_login(member_of(OrganisationFactory()))
    assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]


def test_published_profile_visible_to_buyers_with_contact(client):
    profile = SMEProfileFactory(contact_email="ventes@pme.example")
    client.force_login(member_of(OrganisationFactory()))
    page = client.get(reverse("directory:detail", args=[profile.siren])).content.decode()
    assert profile.name in page and "ventes@pme.example" in page


def test_absurd_siren_in_url_is_404(client):
    client.force_login(member_of(OrganisationFactory()))
    assert client.get(reverse("directory:detail", args=["x" * 300])).status_code == 404


def test_public_map_shows_only_aggregates(client):
    SMEProfileFactory(name="Publiée SAS")
    SMEProfileFactory(draft=True, name="Cachée SAS")
    page = client.get(reverse("directory:public_map")).content.decode()
    assert "Publiée SAS" not in page and "Cachée SAS" not in page
    assert "Auvergne-Rhône-Alpes : 1 PME" in page


def test_staff_reach_the_history_from_the_profile_page(client):
    profile = SMEProfileFactory()
    client.force_login(UserFactory(staff=True))
    page = client.get(reverse("directory:detail", args=[profile.siren])).content.decode()
    assert reverse("directory:moderate", args=[profile.pk]) in page
