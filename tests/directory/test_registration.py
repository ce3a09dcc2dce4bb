import pytest
from django.urls import reverse

from accounts.models import Membership, Organisation
from directory.models import JoinRequest, SMEProfile
from tests.factories import OrganisationFactory, SMEProfileFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db

REGISTER = reverse("directory:register")


def test_register_by_siren_with_spaces_creates_sme_admin_and_draft(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(REGISTER, {"siren": "732 829 320", "name": "Cyberbase"})
    assert response.status_code == 302
    org = Organisation.objects.get(siren="732829320")
    assert org.kind == Organisation.Kind.SME
    assert Membership.objects.get(user=user, organisation=org).role == "admin"
    profile = SMEProfile.objects.get(siren="732829320")
    assert profile.state == SMEProfile.State.DRAFT
    assert profile.name == "Cyberbase"


@pytest.mark.parametrize(
    ("siren", "message"),
    [
        ("732829321", "clé de contrôle"),
        ("12345", "exactement 9 chiffres"),
        ("73282932A", "que des chiffres"),
    ],
)
def test_invalid_siren_gets_a_clear_error(client, siren, message):
    client.force_login(UserFactory())
    response = client.post(REGISTER, {"siren": siren, "name": "X"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Organisation.objects.filter(name="X").exists()


def test_known_siren_asks_to_join_instead_of_duplicating(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    profile = SMEProfileFactory()
    admin = member_of(profile.organisation, admin=True)
    newcomer = UserFactory()
    client.force_login(newcomer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(REGISTER, {"siren": profile.siren, "message": "Je suis le CTO"})
    assert response.status_code == 200
    assert Organisation.objects.filter(siren=profile.siren).count() == 1
    join = JoinRequest.objects.get(user=newcomer)
    assert join.state == JoinRequest.State.PENDING
    assert [m.to for m in mailoutbox] == [[admin.email]]
    assert "Je suis le CTO" in mailoutbox[0].body


def test_large_account_siren_cannot_be_registered_as_sme(client):
    account = OrganisationFactory()
    client.force_login(UserFactory())
    response = client.post(REGISTER, {"siren": account.siren, "name": "X"})
    assert "grand compte" in response.content.decode()
    assert not JoinRequest.objects.exists()


def _join(profile):
    user = UserFactory()
    return JoinRequest.objects.create(organisation=profile.organisation, user=user)


@pytest.mark.parametrize(("decision", "state"), [("accepter", "accepted"), ("refuser", "refused")])
def test_admin_accepts_or_refuses_join_request_and_requester_is_told(
    client, mailoutbox, django_capture_on_commit_callbacks, decision, state
):
    profile = SMEProfileFactory()
    admin = member_of(profile.organisation, admin=True)
    join = _join(profile)
    client.force_login(admin)
    url = reverse("directory:decide_join_request", args=[join.pk, decision])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    join.refresh_from_db()
    assert join.state == state
    is_member = Membership.objects.filter(user=join.user, organisation=profile.organisation)
    assert is_member.exists() == (decision == "accepter")
    assert [m.to for m in mailoutbox] == [[join.user.email]]
    assert ("acceptée" if decision == "accepter" else "refusée") in mailoutbox[0].body


def test_other_sme_admin_cannot_decide_join_request(client):
    profile = SMEProfileFactory()
    join = _join(profile)
    other_admin = member_of(SMEProfileFactory().organisation, admin=True)
    client.force_login(other_admin)
    url = reverse("directory:decide_join_request", args=[join.pk, "accepter"])
    assert client.post(url).status_code == 404
    join.refresh_from_db()
    assert join.state == JoinRequest.State.PENDING


def test_plain_member_cannot_decide_join_request(client):
    profile = SMEProfileFactory()
    join = _join(profile)
    client.force_login(member_of(profile.organisation))
    url = reverse("directory:decide_join_request", args=[join.pk, "accepter"])
    assert client.post(url).status_code == 403


def test_anonymous_is_sent_to_login_from_registration(client):
    response = client.get(REGISTER)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_member_registering_own_siren_again_goes_to_the_profile(client):
    profile = SMEProfileFactory()
    user = member_of(profile.organisation)
    client.force_login(user)
    response = client.post(REGISTER, {"siren": profile.siren})
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:my_profile")
    assert not JoinRequest.objects.exists()


def test_new_siren_without_name_asks_for_it(client):
    client.force_login(UserFactory())
    response = client.post(REGISTER, {"siren": "732829320"})
    assert "Indiquez la raison sociale" in response.content.decode()
    assert not Organisation.objects.filter(siren="732829320").exists()
