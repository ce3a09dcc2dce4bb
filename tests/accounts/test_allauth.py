"""Sign-up, email verification, login, logout and password reset, through allauth's real pages."""

import re
import uuid

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "un-autre-mot-de-passe-solide-42"


def _link(message, pattern: str) -> str:
    paths = re.findall(r"https?://[^/\s]+(/\S+)", message.body)
    matching = [path for path in paths if path.startswith(pattern)]
    assert matching, message.body
    return matching[0]


@pytest.mark.parametrize(
    "url_name",
    [
        "account_login",
        "account_signup",
        "account_reset_password",
        "account_reset_password_done",
        "account_email_verification_sent",
    ],
)
def test_sign_in_pages_are_public_french_and_in_the_portal_layout(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="fr"' in html
    assert 'class="site-header"' in html
    assert "À propos et sources des données" in html  # the portal's footer


def test_login_page_labels_every_field(client):
    html = client.get(reverse("account_login")).content.decode()
    assert '<label for="id_login"' in html
    assert '<label for="id_password"' in html


def test_signup_sends_a_verification_link_that_signs_the_person_in(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {"email": "dirigeante@pme.test", "password1": PASSWORD, "password2": PASSWORD},
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="dirigeante@pme.test")
    assert not EmailAddress.objects.get(user=user).verified
    # Not verified yet: signing in is refused and sends the person to the verification page.
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "dirigeante@pme.test", "password": PASSWORD}
    )
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not response.wsgi_request.user.is_authenticated

    assert mailoutbox, "no verification email sent"
    assert mailoutbox[0].to == ["dirigeante@pme.test"]
    assert mailoutbox[0].subject.startswith("[Pacte PME]")
    confirm_path = _link(mailoutbox[0], "/compte/confirm-email/")
    page = client.get(confirm_path)
    assert page.status_code == 200
    assert "Confirmer votre adresse e-mail" in page.content.decode()
    response = client.post(confirm_path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    dashboard = client.get(reverse("accounts:dashboard"))
    assert dashboard.status_code == 200
    assert "Inscrire ma PME" in dashboard.content.decode()


def test_signup_errors_are_shown_next_to_the_field_and_in_a_summary(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "pas-une-adresse", "password1": "a", "password2": "b"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert 'href="#id_email"' in html
    assert "field-error" in html


def test_verified_user_signs_in_with_email_and_password(client):
    user = UserFactory(email="Acheteur@Example.test".lower())
    response = client.post(
        reverse("account_login"), {"login": "ACHETEUR@example.test", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")
    assert client.get(reverse("accounts:dashboard")).wsgi_request.user == user


def test_wrong_password_is_refused_with_a_message(client):
    UserFactory(email="someone@example.test")
    response = client.post(
        reverse("account_login"), {"login": "someone@example.test", "password": "nope-nope"}
    )
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_login_is_rate_limited_after_repeated_failures(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/5m/key"}
    # The limit is counted per login in the shared cache: a fresh address so that no run sees another's.
    email = f"target-{uuid.uuid4().hex[:12]}@example.test"
    UserFactory(email=email)
    for _ in range(3):
        response = client.post(
            reverse("account_login"), {"login": email, "password": "wrong-guess"}
        )
        assert response.status_code == 200
        assert not response.wsgi_request.user.is_authenticated
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    # Even the right password is refused while the limit holds, and the person is told why.
    assert not response.wsgi_request.user.is_authenticated
    assert response.status_code == 200
    assert "Trop de tentatives" in response.content.decode()
    assert client.get(reverse("accounts:dashboard")).status_code == 302


def test_logout_asks_for_confirmation_then_signs_out(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get(reverse("account_logout"))
    assert page.status_code == 200
    assert "Voulez-vous vraiment vous déconnecter" in page.content.decode()
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert client.get(reverse("accounts:dashboard")).status_code == 302


def test_password_reset_by_email_link(client, mailoutbox, django_capture_on_commit_callbacks):
    UserFactory(email="oubli@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "oubli@example.test"})
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mailoutbox) == 1
    reset_path = _link(mailoutbox[0], "/compte/password/reset/key/")
    response = client.get(reset_path)
    # allauth moves the key into the session, then shows the form.
    if response.status_code == 302:
        reset_path = response["Location"]
        response = client.get(reset_path)
    assert response.status_code == 200
    assert "Nouveau mot de passe" in response.content.decode()
    response = client.post(reset_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_from_key_done")
    assert "Votre mot de passe a été modifié" in client.get(response["Location"]).content.decode()
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "oubli@example.test", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response.wsgi_request.user.is_authenticated


def test_password_reset_link_with_a_bad_key_explains_itself(client):
    response = client.get("/compte/password/reset/key/1-bad-key/", follow=True)
    assert response.status_code == 200
    assert "Lien non valable" in response.content.decode()


@pytest.mark.parametrize("url_name", ["account_email", "account_change_password"])
def test_account_management_pages_need_login_and_work_when_signed_in(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    client.force_login(UserFactory())
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert 'class="site-header"' in response.content.decode()


PUBLIC_ALLAUTH = [
    "account_login",
    "account_signup",
    "account_inactive",
    "account_email_verification_sent",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key_done",
]
SIGNED_IN_ALLAUTH = [
    "account_logout",
    "account_reauthenticate",
    "account_email",
    "account_change_password",
    "account_set_password",
]


@pytest.mark.parametrize("url_name", PUBLIC_ALLAUTH)
def test_public_allauth_pages_open_anonymously_under_default_deny(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 200, response.get("Location")
    assert 'class="site-header"' in response.content.decode()


@pytest.mark.parametrize("url_name", SIGNED_IN_ALLAUTH)
def test_allauth_account_pages_render_in_the_layout_when_signed_in(client, url_name):
    client.force_login(UserFactory())
    response = client.get(reverse(url_name), follow=True)
    assert response.status_code == 200
    assert 'class="site-header"' in response.content.decode()
    assert 'lang="fr"' in response.content.decode()


def test_email_confirmation_with_a_bad_key_explains_itself(client):
    response = client.get(reverse("account_confirm_email", args=["bad-key"]))
    assert response.status_code == 200
    assert "a expiré ou n'est pas valide" in response.content.decode()


def test_signup_flood_from_one_address_gets_a_french_429_page(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"signup": "2/m/ip"}
    # The limit is per IP in the shared cache: a fresh client address so that no run sees another's.
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    responses = [
        client.post(
            reverse("account_signup"),
            {"email": f"flood{n}@example.test", "password1": "x", "password2": "y"},
            REMOTE_ADDR=address,
        )
        for n in range(3)
    ]
    assert responses[-1].status_code == 429
    html = responses[-1].content.decode()
    assert "Trop de tentatives" in html
    assert 'class="site-header"' in html
