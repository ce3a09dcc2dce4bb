"""The organisation page: members, roles, removal, public naming; who may see and do what."""

import pytest
from django.urls import reverse

from accounts.models import Invitation, Membership, Organisation, Role
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Banque Hexagone", sector="Banque")


@pytest.fixture
def admin(organisation):
    return member_of(organisation, admin=True, email="admin@hexagone.test")


@pytest.fixture
def member(organisation):
    return member_of(organisation, email="member@hexagone.test")


@pytest.fixture
def invitation(organisation):
    invitation = Invitation(organisation=organisation, email="pending@example.test")
    invitation.new_token()
    invitation.save()
    return invitation


def _membership(user, organisation) -> Membership:
    return Membership.objects.get(user=user, organisation=organisation)


# --- Every view: anonymous → login, another organisation → 404, non-admin → 403 ---------------

ADMIN_VIEWS = [
    ("get", "accounts:invite", lambda o, m, i: [o.pk]),
    ("post", "accounts:invite", lambda o, m, i: [o.pk]),
    ("post", "accounts:change_role", lambda o, m, i: [o.pk, m.pk]),
    ("get", "accounts:remove_member", lambda o, m, i: [o.pk, m.pk]),
    ("post", "accounts:remove_member", lambda o, m, i: [o.pk, m.pk]),
    ("get", "accounts:revoke_invitation", lambda o, m, i: [o.pk, i.pk]),
    ("post", "accounts:revoke_invitation", lambda o, m, i: [o.pk, i.pk]),
    ("post", "accounts:resend_invitation", lambda o, m, i: [o.pk, i.pk]),
    ("post", "accounts:public_naming", lambda o, m, i: [o.pk]),
]
ORGANISATION_VIEWS = [("get", "accounts:organisation", lambda o, m, i: [o.pk]), *ADMIN_VIEWS]
DATA = {"role": "admin", "email": "x@example.test", "public_naming": "on"}


@pytest.mark.parametrize(("method", "name", "args"), ORGANISATION_VIEWS)
def test_anonymous_is_sent_to_login(client, organisation, admin, invitation, method, name, args):
    url = reverse(name, args=args(organisation, _membership(admin, organisation), invitation))
    response = getattr(client, method)(url, DATA)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(("method", "name", "args"), ORGANISATION_VIEWS)
def test_member_of_another_organisation_gets_404(
    client, organisation, admin, invitation, method, name, args
):
    outsider = member_of(OrganisationFactory(), admin=True)
    client.force_login(outsider)
    url = reverse(name, args=args(organisation, _membership(admin, organisation), invitation))
    response = getattr(client, method)(url, DATA)
    assert response.status_code == 404
    assert _membership(admin, organisation).role == Role.ADMIN
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


@pytest.mark.parametrize(("method", "name", "args"), ADMIN_VIEWS)
def test_member_without_admin_role_gets_403(
    client, organisation, admin, member, invitation, method, name, args
):
    client.force_login(member)
    url = reverse(name, args=args(organisation, _membership(admin, organisation), invitation))
    response = getattr(client, method)(url, DATA)
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()
    assert _membership(admin, organisation).role == Role.ADMIN


@pytest.mark.parametrize(
    ("name", "kind"),
    [("accounts:change_role", "membership"), ("accounts:remove_member", "membership")],
)
def test_admin_cannot_reach_another_organisations_member_through_own_page(
    client, organisation, admin, name, kind
):
    stranger = MembershipFactory(admin=True)
    client.force_login(admin)
    response = client.post(reverse(name, args=[organisation.pk, stranger.pk]), {"role": "member"})
    assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.role == Role.ADMIN


def test_admin_cannot_revoke_another_organisations_invitation_through_own_page(
    client, organisation, admin
):
    foreign = Invitation(organisation=OrganisationFactory(), email="f@example.test")
    foreign.new_token()
    foreign.save()
    client.force_login(admin)
    url = reverse("accounts:revoke_invitation", args=[organisation.pk, foreign.pk])
    assert client.post(url).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Invitation.Status.PENDING


@pytest.mark.parametrize(
    "name", ["accounts:dashboard", "accounts:my_organisation", "accounts:staff_home"]
)
def test_other_accounts_pages_send_anonymous_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- What members and administrators see and do -----------------------------------------------


def test_member_sees_details_and_members_but_no_management(client, organisation, admin, member):
    client.force_login(member)
    response = client.get(reverse("accounts:organisation", args=[organisation.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Banque Hexagone" in html
    assert organisation.siren in html
    assert "admin@hexagone.test" in html
    assert "member@hexagone.test" in html
    assert "Inviter une personne" not in html
    assert "Changer le rôle" not in html


def test_my_organisation_goes_to_the_active_one(client, organisation, member):
    client.force_login(member)
    response = client.get(reverse("accounts:my_organisation"))
    assert response["Location"] == reverse("accounts:organisation", args=[organisation.pk])


def test_my_organisation_without_any_goes_to_dashboard(client):
    client.force_login(UserFactory())
    response = client.get(reverse("accounts:my_organisation"))
    assert response["Location"] == reverse("accounts:dashboard")


def test_admin_sees_invite_form_and_role_controls(client, organisation, admin, member):
    client.force_login(admin)
    html = client.get(reverse("accounts:organisation", args=[organisation.pk])).content.decode()
    assert "Inviter une personne" in html
    assert "Changer le rôle" in html
    assert '<label for="id_email"' in html


def test_admin_promotes_a_member(client, organisation, admin, member):
    client.force_login(admin)
    membership = _membership(member, organisation)
    response = client.post(
        reverse("accounts:change_role", args=[organisation.pk, membership.pk]), {"role": "admin"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_admin_steps_down_when_another_admin_remains(client, organisation, admin, member):
    _membership(member, organisation).__class__.objects.filter(
        user=member, organisation=organisation
    ).update(role=Role.ADMIN)
    client.force_login(admin)
    mine = _membership(admin, organisation)
    client.post(
        reverse("accounts:change_role", args=[organisation.pk, mine.pk]), {"role": "member"}
    )
    mine.refresh_from_db()
    assert mine.role == Role.MEMBER


def test_last_admin_cannot_demote_themselves(client, organisation, admin, member):
    client.force_login(admin)
    mine = _membership(admin, organisation)
    response = client.post(
        reverse("accounts:change_role", args=[organisation.pk, mine.pk]),
        {"role": "member"},
        follow=True,
    )
    mine.refresh_from_db()
    assert mine.role == Role.ADMIN
    assert "Vous êtes le dernier administrateur" in response.content.decode()


def test_last_admin_cannot_remove_themselves(client, organisation, admin, member):
    client.force_login(admin)
    mine = _membership(admin, organisation)
    url = reverse("accounts:remove_member", args=[organisation.pk, mine.pk])
    assert "Voulez-vous vraiment quitter" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert Membership.objects.filter(pk=mine.pk).exists()
    assert "Vous êtes le dernier administrateur" in response.content.decode()


def test_admin_removes_a_member_after_confirming(client, organisation, admin, member):
    client.force_login(admin)
    theirs = _membership(member, organisation)
    url = reverse("accounts:remove_member", args=[organisation.pk, theirs.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Voulez-vous vraiment retirer" in confirm.content.decode()
    assert Membership.objects.filter(pk=theirs.pk).exists()
    response = client.post(url)
    assert response["Location"] == reverse("accounts:organisation", args=[organisation.pk])
    assert not Membership.objects.filter(pk=theirs.pk).exists()
    client.force_login(member)
    assert client.get(reverse("accounts:organisation", args=[organisation.pk])).status_code == 404


def test_invalid_role_is_refused(client, organisation, admin, member):
    client.force_login(admin)
    theirs = _membership(member, organisation)
    client.post(
        reverse("accounts:change_role", args=[organisation.pk, theirs.pk]), {"role": "owner"}
    )
    theirs.refresh_from_db()
    assert theirs.role == Role.MEMBER


def test_large_account_admin_sets_public_naming(client, organisation, admin):
    client.force_login(admin)
    url = reverse("accounts:public_naming", args=[organisation.pk])
    client.post(url, {"public_naming": "on"})
    organisation.refresh_from_db()
    assert organisation.public_naming
    client.post(url, {})
    organisation.refresh_from_db()
    assert not organisation.public_naming


def test_sme_has_no_public_naming_choice(client):
    sme = OrganisationFactory(sme=True)
    admin = member_of(sme, admin=True)
    client.force_login(admin)
    html = client.get(reverse("accounts:organisation", args=[sme.pk])).content.decode()
    assert "rapport public" not in html
    assert client.post(reverse("accounts:public_naming", args=[sme.pk])).status_code == 403


def test_staff_see_and_manage_any_organisation(client, organisation, admin, member):
    client.force_login(UserFactory(staff=True))
    html = client.get(reverse("accounts:organisation", args=[organisation.pk])).content.decode()
    assert "Inviter une personne" in html
    theirs = _membership(member, organisation)
    client.post(
        reverse("accounts:change_role", args=[organisation.pk, theirs.pk]), {"role": "admin"}
    )
    theirs.refresh_from_db()
    assert theirs.role == Role.ADMIN


def test_members_list_takes_a_constant_number_of_queries(
    client, organisation, admin, django_assert_num_queries
):
    client.force_login(admin)
    url = reverse("accounts:organisation", args=[organisation.pk])
    client.get(url)  # warm up the session and the site cache

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    few = count()
    for n in range(10):
        member_of(organisation, admin=n % 2 == 0)
        invitation = Invitation(
            organisation=organisation, email=f"i{n}@example.test", invited_by=admin
        )
        invitation.new_token()
        invitation.save()
    with django_assert_num_queries(few):
        assert client.get(url).status_code == 200


def test_organisation_kinds_are_shown(client):
    organisation = OrganisationFactory(kind=Organisation.Kind.SME, name="Cyberbase")
    client.force_login(member_of(organisation))
    html = client.get(reverse("accounts:organisation", args=[organisation.pk])).content.decode()
    assert "PME" in html


def test_role_changes_and_removals_are_recorded_with_who_did_them(
    client, organisation, admin, member
):
    from accounts.models import MembershipEvent

    client.force_login(admin)
    theirs = _membership(member, organisation)
    client.post(
        reverse("accounts:change_role", args=[organisation.pk, theirs.pk]), {"role": "admin"}
    )
    client.post(reverse("accounts:remove_member", args=[organisation.pk, theirs.pk]))
    events = list(
        MembershipEvent.objects.filter(pgh_obj_id=theirs.pk)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    assert [event.pgh_label for event in events] == ["insert", "update", "delete"]
    assert events[1].role == Role.ADMIN
    assert events[1].pgh_context.metadata["user"] == admin.pk
    assert events[2].pgh_context.metadata["user"] == admin.pk


def test_public_naming_changes_are_recorded(client, organisation, admin):
    from accounts.models import OrganisationEvent

    client.force_login(admin)
    client.post(reverse("accounts:public_naming", args=[organisation.pk]), {"public_naming": "on"})
    event = OrganisationEvent.objects.select_related("pgh_context").get(pgh_obj_id=organisation.pk)
    assert event.public_naming is True
    assert event.pgh_context.metadata["user"] == admin.pk
