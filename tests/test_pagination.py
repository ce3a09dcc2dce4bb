import pytest

from tests.factories import OrganisationFactory, UserFactory


@pytest.mark.django_db
def test_pagination_links_keep_the_search_and_move_between_pages(client):
    for n in range(30):
        OrganisationFactory(name=f"Groupe Alpha {n:02d}")
    OrganisationFactory(name="Autre groupe")
    client.force_login(UserFactory(staff=True))

    first = client.get("/pilotage/grands-comptes/", {"q": "alpha"}).content.decode()
    assert "Page 1 sur 2" in first
    assert 'href="?q=alpha&amp;page=2"' in first

    second = client.get("/pilotage/grands-comptes/", {"q": "alpha", "page": 2}).content.decode()
    assert "Page 2 sur 2" in second
    assert 'href="?q=alpha&amp;page=1"' in second
    assert "Autre groupe" not in second
