"""Invitations: single-use, expiring, revocable links that create or attach a member."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, Membership, Role, User
from accounts.selectors import SESSION_KEY
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db(transaction=False)

NEW_PASSWORD = "mot-de-passe-tout-neuf-2026"


def _invite(django_capture_on_commit_callbacks, mailoutbox, **kwargs):
    """Invite through the service; returns (invitation, path of the link in the email)."""
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite(**kwargs)
    message = mailoutbox[-1]
    match = re.search(r"(https?://\S+)(/invitation/[^/\s]+/)", message.body)
    assert match, message.body
    return invitation, match.group(2)


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Banque Hexagone")


@pytest.fixture
def admin(organisation):
    return member_of(organisation, admin=True)


def test_invitation_email_is_french_with_an_absolute_link(
    organisation, admin, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://pacte.example"
    with django_capture_on_commit_callbacks(execute=True):
        services.invite(organisation=organisation, email="New@Example.test", role="admin", by=admin)
    message = mailoutbox[0]
    assert message.to == ["new@example.test"]
    assert message.subject == (
        "[Pacte PME] Invitation à rejoindre Banque Hexagone sur le portail Pacte PME"
    )
    assert "avec le rôle « Administrateur »" in message.body
    assert re.search(r"https://pacte\.example/invitation/[\w-]{20,}/", message.body)
    assert "expire le" in message.body


def test_token_is_stored_hashed(
    organisation, admin, mailoutbox, django_capture_on_commit_callbacks
):
    invitation, path = _invite(
        django_capture_on_commit_callbacks,
        mailoutbox,
        organisation=organisation,
        email="a@example.test",
        role="member",
        by=admin,
    )
    token = path.split("/")[2]
    invitation.refresh_from_db()
    assert token not in invitation.token_hash
    assert Invitation.objects.for_token(token).get() == invitation


def test_no_email_is_sent_when_the_transaction_rolls_back(organisation, admin, mailoutbox):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        services.invite(organisation=organisation, email="x@example.test", role="member", by=admin)
        raise RuntimeError
    assert mailoutbox == []
    assert not Invitation.objects.filter(email="x@example.test").exists()


def test_newcomer_accepts_sets_password_and_lands_on_organisation_page(
    client, organisation, admin, mailoutbox, django_capture_on_commit_callbacks
):
    invitation, path = _invite(
        django_capture_on_commit_callbacks,
        mailoutbox,
        organisation=organisation,
        email="nouvelle@example.test",
        role="admin",
        by=admin,
    )
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Rejoindre Banque Hexagone" in html
    assert "nouvelle@example.test" in html
    response = client.post(
        path,
        {
            "first_name": "Nadia",
            "last_name": "Achats",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:organisation", args=[organisation.pk])
    user = User.objects.get(email="nouvelle@example.test")
    assert user.check_password(NEW_PASSWORD)
    assert EmailAddress.objects.get(user=user).verified
    assert Membership.objects.get(user=user, organisation=organisation).role == Role.ADMIN
    assert client.session[SESSION_KEY] == organisation.pk
    landing = client.get(response["Location"])
    assert landing.status_code == 200
    assert "Bienvenue" in landing.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert invitation.accepted_by == user


def test_newcomer_password_is_checked_by_django_validators(
    client, organisation, admin, mailoutbox, django_capture_on_commit_callbacks
):
    _, path = _invite(
        django_capture_on_commit_callbacks,
        mailoutbox,
        organisation=organisation,
        email="faible@example.test",
        role="member",
        by=admin,
    )
    response = client.post(
        path, {"first_name": "A", "last_name": "B", "password1": "123", "password2": "123"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert 'href="#id_password1"' in html
    assert not User.objects.filter(email="faible@example.test").exists()


def test_used_link_cannot_be_used_again(
    client, organisation, admin, mailoutbox, django_capture_on_commit_callbacks
):
    _, path = _invite(
        django_capture_on_commit_callbacks,
        mailoutbox,
        organisation=organisation,
        email="once@example.test",
        role="member",
        by=admin,
    )
    data = {
        "first_name": "A",
        "last_name": "B",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    assert client.post(path, data).status_code == 302
    client.logout()
    response = client.get(path)
    assert response.status_code == 410
    assert "déjà été utilisée" in response.content.decode()
    response = client.post(path, data)
    assert response.status_code == 410
    assert (
        Membership.objects.filter(
            organisation=organisation, user__email="once@example.test"
        ).count()
        == 1
    )


def test_expired_link_explains_itself(
    client, organisation, admin, mailoutbox, django_capture_on_commit_callbacks
):
    invitation, path = _invite(
        django_capture_on_commit_callbacks,
        mailoutbox,
        organisation=organisation,
        email="late@example.test",
        role="member",
        by=admin,
    )
    assert invitation.expires_at - invitation.sent_at == timedelta(days=14)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = client.get(path)
    assert response.status_code == 410
    assert "a expiré" in response.content.decode()
    response = client.post(
        path,
        {"first_name": "A", "last_name": "B", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 410
    assert not User.objects.filter(email="late@example.test").exists()


def test_revoked_link_explains_itself(
    client, organisation, admin, mailoutbox, django_capture_on_commit_callbacks
):
    invitation, path = _invite(
        django_capture_on_commit_callbacks,
        mailoutbox,
        organisation=organisation,
        email="revoked@example.test",
        role="member",
        by=admin,
    )
    services.revoke_invitation(invitation=invitation, by=admin)
    response = client.get(path)
    assert response.status_code == 410
    assert "a été révoquée" in response.content.decode()


def test_unknown_token_gives_a_clear_404_page(client):
    response = client.get(reverse("accounts:accept_invitation", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert "Ce lien d'invitation est inconnu" in response.content.decode()


def test_resent_invitation_gets_a_new_link_and_the_old_one_dies(
    client, organisation, admin, mailoutbox, django_capture_on_commit_callbacks
):
    invitation, old_path = _invite(
        django_capture_on_commit_callbacks,
        mailoutbox,
        organisation=organisation,
        email="again@example.test",
        role="member",
        by=admin,
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:resend_invitation", args=[organisation.pk, invitation.pk])
        )
    assert response.status_code == 302
    assert len(mailoutbox) == 2
    new_path = re.search(r"https?://\S+?(/invitation/[^/\s]+/)", mailoutbox[-1].body).group(1)
    assert new_path != old_path
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING
    assert invitation.expires_at > timezone.now() + timedelta(days=13)
    client.logout()
    assert client.get(old_path).status_code == 404
    assert client.get(new_path).status_code == 200


def test_existing_user_must_sign_in_then_comes_back_to_accept(
    client, organisation, admin, mailoutbox, django_capture_on_commit_callbacks
):
    existing = UserFactory(email="consultant@example.test")
    _, path = _invite(
        django_capture_on_commit_callbacks,
        mailoutbox,
        organisation=organisation,
        email="consultant@example.test",
        role="member",
        by=admin,
    )
    page = client.get(path)
    assert page.status_code == 200
    assert "Un compte existe déjà" in page.content.decode()
    response = client.post(
        reverse("account_login") + f"?next={path}",
        {"login": "consultant@example.test", "password": PASSWORD, "next": path},
    )
    assert response["Location"] == path
    assert "Accepter l'invitation" in client.get(path).content.decode()
    response = client.post(path)
    assert response["Location"] == reverse("accounts:organisation", args=[organisation.pk])
    assert Membership.objects.filter(user=existing, organisation=organisation).exists()


def test_signed_in_as_someone_else_cannot_accept(
    client, organisation, admin, mailoutbox, django_capture_on_commit_callbacks
):
    _, path = _invite(
        django_capture_on_commit_callbacks,
        mailoutbox,
        organisation=organisation,
        email="invitee@example.test",
        role="admin",
        by=admin,
    )
    intruder = UserFactory(email="intruder@example.test")
    client.force_login(intruder)
    assert client.get(path).status_code == 403
    response = client.post(path)
    assert response.status_code == 403
    assert not Membership.objects.filter(user=intruder, organisation=organisation).exists()


def test_accepting_when_already_a_member_is_graceful(
    client, organisation, admin, mailoutbox, django_capture_on_commit_callbacks
):
    member = member_of(organisation, email="deja@example.test")
    invitation = Invitation(organisation=organisation, email=member.email, role="member")
    token = invitation.new_token()
    invitation.save()
    client.force_login(member)
    path = reverse("accounts:accept_invitation", args=[token])
    assert "Vous faites déjà partie" in client.get(path).content.decode()
    response = client.post(path)
    assert response.status_code == 302
    assert Membership.objects.filter(user=member, organisation=organisation).count() == 1
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED


def test_cannot_invite_an_existing_member_or_twice(organisation, admin):
    with pytest.raises(services.InvitationError, match="déjà membre"):
        services.invite(
            organisation=organisation, email=admin.email.upper(), role="member", by=admin
        )
    services.invite(organisation=organisation, email="twice@example.test", role="member", by=admin)
    with pytest.raises(services.InvitationError, match="déjà en attente"):
        services.invite(
            organisation=organisation, email="twice@example.test", role="member", by=admin
        )


def test_admin_invites_a_colleague_from_the_organisation_page(
    client, organisation, admin, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:invite", args=[organisation.pk]),
            {"email": "colleague@example.test", "role": "member"},
        )
    assert response.status_code == 302
    assert mailoutbox[0].to == ["colleague@example.test"]
    page = client.get(reverse("accounts:organisation", args=[organisation.pk])).content.decode()
    assert "colleague@example.test" in page
    assert 'class="badge pending"' in page


def test_invite_form_errors_are_shown(client, organisation, admin):
    client.force_login(admin)
    response = client.post(
        reverse("accounts:invite", args=[organisation.pk]), {"email": "nope", "role": "boss"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert not Invitation.objects.exists()


def test_admin_revokes_an_invitation_after_confirming(
    client, organisation, admin, mailoutbox, django_capture_on_commit_callbacks
):
    invitation, _path = _invite(
        django_capture_on_commit_callbacks,
        mailoutbox,
        organisation=organisation,
        email="bye@example.test",
        role="member",
        by=admin,
    )
    client.force_login(admin)
    url = reverse("accounts:revoke_invitation", args=[organisation.pk, invitation.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Voulez-vous vraiment révoquer" in confirm.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING
    assert client.post(url).status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED
    page = client.get(reverse("accounts:organisation", args=[organisation.pk])).content.decode()
    assert 'class="badge revoked"' in page


def test_invitation_statuses_are_listed_with_badges(client, organisation, admin):
    now = timezone.now()
    for email, fields in [
        ("p@example.test", {}),
        ("a@example.test", {"accepted_at": now}),
        ("e@example.test", {"expires_at": now - timedelta(days=1)}),
        ("r@example.test", {"revoked_at": now}),
    ]:
        invitation = Invitation(organisation=organisation, email=email, **fields)
        invitation.new_token()
        invitation.save()
    client.force_login(admin)
    page = client.get(reverse("accounts:organisation", args=[organisation.pk])).content.decode()
    for state in ("pending", "accepted", "expired", "revoked"):
        assert f'class="badge {state}"' in page


def test_member_invited_as_admin_of_second_organisation_keeps_both(
    client, organisation, mailoutbox, django_capture_on_commit_callbacks
):
    other = OrganisationFactory(sme=True)
    person = UserFactory(email="double@example.test")
    MembershipFactory(user=person, organisation=other, admin=True)
    invitation = Invitation(organisation=organisation, email=person.email, role="member")
    invitation.new_token()
    invitation.save()
    services.accept_invitation(invitation=invitation, user=person)
    assert set(person.memberships.values_list("organisation_id", flat=True)) == {
        organisation.pk,
        other.pk,
    }
