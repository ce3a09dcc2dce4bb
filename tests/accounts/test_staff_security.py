"""Staff power is bounded: a second factor before any staff page, the admin signs in through
allauth, and what would raise someone's rights stays with superusers."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts.models import Membership, Role, User
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    member_of,
    totp_code,
)
from tests.support import clear_cache

pytestmark = pytest.mark.django_db

ACTIVATE = "/compte/2fa/totp/activate/"


def sign_in(client, user, **extra):
    return client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD, **extra}
    )


# --- The Django admin signs in through allauth ---------------------------------------------


def test_admin_login_sends_to_allauth_sign_in_with_next(client):
    response = client.get("/admin/")
    assert response["Location"] == "/admin/login/?next=/admin/"
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == "/compte/login/?next=%2Fadmin%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200 and 'value="/admin/"' in page.content.decode()
    # An unsafe next is dropped.
    response = client.get("/admin/login/?next=https://evil.test/")
    assert response["Location"] == "/compte/login/?next=%2Fadmin%2F"


def test_django_admin_password_form_no_longer_signs_anyone_in(client):
    staff = UserFactory(staff=True)
    response = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/login/")
    assert client.get("/admin/").status_code == 302  # still anonymous


def test_admin_sign_in_is_rate_limited_like_every_sign_in(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip,3/5m/key"}
    clear_cache()
    staff = UserFactory(staff=True)
    url = reverse("account_login") + "?next=/admin/"
    statuses = [
        client.post(url, {"login": staff.email, "password": "wrong"}).status_code for _ in range(5)
    ]
    assert statuses == [200] * 5
    # The right password is refused too while the limit holds.
    response = client.post(url, {"login": staff.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Trop de tentatives" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_member_signed_in_without_admin_rights_gets_403_from_admin_login(client):
    client.force_login(member_of(OrganisationFactory(), admin=True))
    assert client.get("/admin/login/?next=/admin/").status_code == 403


# --- A second factor for staff ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/pilotage/", "/pilotage/journal/", "/pilotage/moderation/", "/admin/"]
)
def test_staff_without_a_second_factor_are_sent_to_set_one_up(client, path):
    client.force_login(UserFactory(staff=True, second_factor=False))
    response = client.get(path, follow=True)
    assert response.redirect_chain[0] == (ACTIVATE, 302)
    assert "double authentification" in response.content.decode()


def test_a_security_key_is_a_second_factor_too(client):
    staff = UserFactory(staff=True, second_factor=False)
    Authenticator.objects.create(
        user=staff, type=Authenticator.Type.WEBAUTHN, data={"name": "Clé", "credential": {}}
    )
    client.force_login(staff)
    assert client.get("/pilotage/").status_code == 200


def test_staff_without_a_second_factor_still_reach_allauth_pages_and_sign_out(client):
    client.force_login(UserFactory(staff=True, second_factor=False))
    assert client.get("/compte/2fa/").status_code == 200
    assert client.get(reverse("accounts:dashboard")).status_code == 200
    client.post(reverse("account_logout"))
    assert client.get(reverse("accounts:dashboard")).status_code == 302


def test_staff_set_up_an_authenticator_app_then_reach_the_staff_pages(client):
    staff = UserFactory(staff=True, second_factor=False)
    assert sign_in(client, staff)["Location"] == reverse("accounts:staff_home")
    response = client.get("/pilotage/")
    assert response["Location"] == ACTIVATE
    # allauth asks for the password again before adding an authenticator.
    response = client.get(ACTIVATE)
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response["Location"] == ACTIVATE
    page = client.get(ACTIVATE)
    assert page.status_code == 200
    secret = page.context["form"].secret
    assert secret in page.content.decode()
    response = client.post(ACTIVATE, {"code": "000000" if totp_code(secret) != "000000" else "1"})
    assert response.status_code == 200  # a wrong code is refused
    response = client.post(ACTIVATE, {"code": totp_code(secret)})
    assert response.status_code == 302
    recovery = client.get(response["Location"])
    assert len(recovery.context["unused_codes"]) == 10
    assert client.get("/pilotage/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_staff_sign_in_asks_for_the_code_after_the_password(client):
    staff = UserFactory(staff=True)
    response = sign_in(client, staff, next="/pilotage/")
    assert response["Location"] == reverse("mfa_authenticate")
    # Not signed in yet.
    assert client.get("/pilotage/")["Location"].startswith("/compte/login/")
    sign_in(client, staff, next="/pilotage/")
    wrong = client.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302
    assert response["Location"] == "/pilotage/"
    assert client.get("/pilotage/").status_code == 200


def test_a_recovery_code_signs_staff_in_once(client):
    staff = UserFactory(staff=True)
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    code = RecoveryCodes.activate(staff).generate_codes()[0]
    sign_in(client, staff)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    client.post(reverse("account_logout"))
    sign_in(client, staff)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 200


def test_staff_cannot_drop_their_authenticator_app(client):
    staff = UserFactory(staff=True)
    sign_in(client, staff)
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    client.post(reverse("mfa_deactivate_totp"))
    assert Authenticator.objects.filter(user=staff, type="totp").exists()


def test_everyone_is_offered_a_second_factor_and_large_account_admins_are_told_why(client):
    admin = member_of(OrganisationFactory(), admin=True)
    client.force_login(admin)
    page = client.get(reverse("accounts:dashboard")).content.decode()
    assert "Protégez votre compte par une double authentification" in page
    assert reverse("mfa_index") in page
    assert client.get(reverse("mfa_index")).status_code == 200

    client.force_login(member_of(OrganisationFactory(sme=True), admin=True))
    page = client.get(reverse("accounts:dashboard")).content.decode()
    assert "Protégez votre compte" not in page
    assert reverse("mfa_index") in page


# --- Escalation paths: only superusers raise rights ------------------------------------------


def _user_form(user, **changes) -> dict:
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def staff_client(client):
    staff = UserFactory(staff=True)
    client.force_login(staff)
    client.staff = staff
    return client


@pytest.mark.parametrize("field", ["is_superuser", "is_staff", "is_programme_staff"])
def test_staff_cannot_grant_rights_in_the_admin(staff_client, field):
    someone = UserFactory()
    url = f"/admin/accounts/user/{someone.pk}/change/"
    page = staff_client.get(url)
    assert page.status_code == 200
    assert f'name="{field}"' not in page.content.decode()
    response = staff_client.post(url, _user_form(someone, **{field: "on"}, first_name="Léa"))
    assert response.status_code == 302
    someone.refresh_from_db()
    assert someone.first_name == "Léa"  # what staff may edit is saved
    assert getattr(someone, field) is False
    # Nor to themselves.
    own = f"/admin/accounts/user/{staff_client.staff.pk}/change/"
    staff_client.post(own, _user_form(staff_client.staff, is_superuser="on"))
    staff_client.staff.refresh_from_db()
    assert not staff_client.staff.is_superuser


def test_staff_cannot_change_another_persons_password(staff_client):
    someone = UserFactory()
    url = f"/admin/accounts/user/{someone.pk}/password/"
    assert staff_client.get(url).status_code == 403
    response = staff_client.post(
        url, {"password1": "a-new-pass-phrase-9", "password2": "a-new-pass-phrase-9"}
    )
    assert response.status_code == 403
    someone.refresh_from_db()
    assert someone.check_password(PASSWORD)


def test_staff_cannot_change_another_persons_email(staff_client):
    someone = UserFactory()
    url = f"/admin/accounts/user/{someone.pk}/change/"
    staff_client.post(url, _user_form(someone, email="attacker@evil.test"))
    someone.refresh_from_db()
    assert someone.email != "attacker@evil.test"
    # allauth's e-mail addresses are read-only to staff.
    address = EmailAddress.objects.get(user=someone)
    assert staff_client.get("/admin/account/emailaddress/add/").status_code == 403
    response = staff_client.post(
        "/admin/account/emailaddress/add/",
        {"user": someone.pk, "email": "attacker@evil.test", "verified": "on", "primary": "on"},
    )
    assert response.status_code == 403
    response = staff_client.post(
        f"/admin/account/emailaddress/{address.pk}/change/",
        {"user": someone.pk, "email": "attacker@evil.test", "verified": "on", "primary": "on"},
    )
    assert response.status_code == 403
    assert not EmailAddress.objects.filter(email="attacker@evil.test").exists()


def test_staff_cannot_create_accounts_or_touch_second_factors_in_the_admin(staff_client):
    assert staff_client.get("/admin/accounts/user/add/").status_code == 403
    assert staff_client.get("/admin/mfa/authenticator/").status_code == 403
    assert staff_client.get("/admin/auth/group/").status_code == 403


def test_staff_cannot_edit_another_member_of_staff_or_a_superuser(staff_client):
    other = UserFactory(staff=True)
    root = User.objects.create_superuser("root@example.test", PASSWORD)
    for user in (other, root):
        url = f"/admin/accounts/user/{user.pk}/change/"
        staff_client.post(url, _user_form(user, is_active=None, first_name="X"))
        user.refresh_from_db()
        assert user.is_active and user.first_name != "X"


def _inline_form(organisation, rows, *, initial: int) -> dict:
    data = {
        "name": organisation.name,
        "kind": organisation.kind,
        "siren": organisation.siren,
        "sector": "",
        "joined_on": "",
        "charter_signed_on": "",
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(initial),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"memberships-{i}-{key}"] = value
        data[f"memberships-{i}-organisation"] = str(organisation.pk)
    return data


def test_staff_cannot_give_themselves_a_role_in_the_admin(staff_client):
    organisation = OrganisationFactory()
    url = f"/admin/accounts/organisation/{organisation.pk}/change/"
    response = staff_client.post(
        url,
        _inline_form(
            organisation, [{"user": str(staff_client.staff.pk), "role": Role.ADMIN}], initial=0
        ),
    )
    assert response.status_code == 200
    assert "vos propres rôles" in response.content.decode()
    assert not Membership.objects.filter(user=staff_client.staff).exists()


def test_staff_cannot_raise_their_own_role_in_the_admin_or_the_portal(staff_client):
    organisation = OrganisationFactory()
    mine = MembershipFactory(user=staff_client.staff, organisation=organisation, role=Role.MEMBER)
    member_of(organisation, admin=True)
    url = f"/admin/accounts/organisation/{organisation.pk}/change/"
    response = staff_client.post(
        url,
        _inline_form(
            organisation,
            [{"id": str(mine.pk), "user": str(staff_client.staff.pk), "role": Role.ADMIN}],
            initial=1,
        ),
    )
    assert response.status_code == 200
    mine.refresh_from_db()
    assert mine.role == Role.MEMBER
    # Through the organisation page, the same.
    response = staff_client.post(
        reverse("accounts:change_role", args=[organisation.pk, mine.pk]),
        {"role": Role.ADMIN},
        follow=True,
    )
    mine.refresh_from_db()
    assert mine.role == Role.MEMBER
    assert "Vous ne pouvez pas vous attribuer un rôle" in response.content.decode()


def test_staff_cannot_invite_themselves_into_an_organisation(staff_client):
    organisation = OrganisationFactory()
    response = staff_client.post(
        reverse("accounts:invite", args=[organisation.pk]),
        {"email": staff_client.staff.email.upper(), "role": Role.ADMIN},
    )
    assert response.status_code == 200
    assert "Vous ne pouvez pas vous inviter vous-même" in response.content.decode()
    assert not organisation.invitations.exists()


def test_staff_see_invitations_in_the_admin_but_do_not_edit_them(staff_client):
    assert staff_client.get("/admin/accounts/invitation/").status_code == 200
    assert staff_client.get("/admin/accounts/invitation/add/").status_code == 403


def test_a_superuser_may_grant_rights(client):
    root = User.objects.create_superuser("root@example.test", PASSWORD)
    from tests.factories import give_totp

    give_totp(root)
    client.force_login(root)
    someone = UserFactory()
    url = f"/admin/accounts/user/{someone.pk}/change/"
    assert 'name="is_superuser"' in client.get(url).content.decode()
    response = client.post(url, _user_form(someone, is_programme_staff="on"))
    assert response.status_code == 302, re.findall(r"errorlist.*", response.content.decode())
    someone.refresh_from_db()
    assert someone.is_programme_staff and someone.is_staff
    from audit.models import AuditEvent

    event = AuditEvent.objects.get(action="admin.change", target_id=str(someone.pk))
    assert event.actor == root
    assert event.changes["is_programme_staff"] == [False, True]
    assert client.get(f"/admin/accounts/user/{someone.pk}/password/").status_code == 200


MFA_PAGES = [
    "/compte/2fa/",
    "/compte/2fa/authenticate/",
    "/compte/2fa/reauthenticate/",
    "/compte/2fa/totp/activate/",
    "/compte/2fa/totp/deactivate/",
    "/compte/2fa/recovery-codes/",
    "/compte/2fa/recovery-codes/generate/",
    "/compte/2fa/recovery-codes/download/",
    "/compte/2fa/webauthn/",
    "/compte/2fa/webauthn/add/",
    "/compte/2fa/webauthn/reauthenticate/",
    "/compte/2fa/webauthn/keys/999999/edit/",
    "/compte/2fa/webauthn/keys/999999/remove/",
    "/compte/reauthenticate/",
    "/admin/login/",
    "/admin/password_change/",
    "/pilotage/journal/",
]


@pytest.mark.parametrize("who", ["anonymous", "staff", "staff_without_factor", "member"])
def test_two_factor_pages_answer_hostile_input_without_a_server_error(client, who):
    client.raise_request_exception = False
    if who == "staff":
        client.force_login(UserFactory(staff=True))
    elif who == "staff_without_factor":
        client.force_login(UserFactory(staff=True, second_factor=False))
    elif who == "member":
        client.force_login(member_of(OrganisationFactory(), admin=True))
    hostile = {"code": "x" * 5000, "password": "\x00", "next": "https://evil.test/", "page": "-1"}
    failures = []
    for path in MFA_PAGES:
        for method in ("get", "post"):
            response = getattr(client, method)(path, hostile)
            if response.status_code >= 500:
                failures.append((method, path, response.status_code))
    assert failures == []


def test_the_security_key_button_shows_only_to_people_who_have_a_key(client):
    staff = UserFactory(staff=True)
    sign_in(client, staff)
    page = client.get(reverse("mfa_authenticate")).content.decode()
    assert 'name="code"' in page
    assert "Utiliser une clé de sécurité" not in page
