import pytest

from tests.factories import OrganisationFactory, UserFactory, member_of


@pytest.mark.django_db
def test_programme_staff_use_the_django_admin_without_being_superusers(client):
    staff = UserFactory(is_programme_staff=True)
    assert not staff.is_superuser and not staff.is_staff
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
    response = client.get("/admin/accounts/organisation/")
    assert response.status_code == 200


@pytest.mark.django_db
def test_members_of_organisations_cannot_open_the_django_admin(client):
    client.force_login(member_of(OrganisationFactory(), admin=True))
    response = client.get("/admin/accounts/organisation/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
