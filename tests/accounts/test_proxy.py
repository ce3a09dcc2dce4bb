"""Behind the one trusted proxy, per-IP rate limits count the client's address, not the proxy's."""

import uuid

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _login(client, email: str, password: str, forwarded_for: str):
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        HTTP_X_FORWARDED_FOR=forwarded_for,
        REMOTE_ADDR="10.0.0.2",  # the proxy
    )


def test_rate_limits_read_the_address_the_trusted_proxy_appended(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "2/5m/ip"}
    octet = uuid.uuid4().int % 250 + 1
    attacker, neighbour = f"203.0.113.{octet}", f"198.51.100.{octet}"
    user = UserFactory(email=f"cible-{uuid.uuid4().hex[:10]}@example.test")
    for forged in ("1.1.1.1", "2.2.2.2"):
        # The client forges an address; the proxy appends the real one, which is what counts.
        assert _login(client, user.email, "pas-le-bon", f"{forged}, {attacker}").status_code == 200
    refused = _login(client, user.email, PASSWORD, f"3.3.3.3, {attacker}")
    assert "Trop de tentatives" in refused.text
    assert not refused.wsgi_request.user.is_authenticated
    # Another client behind the same proxy is not locked out with the attacker.
    allowed = _login(client, user.email, PASSWORD, neighbour)
    assert allowed.status_code == 302 and allowed.wsgi_request.user.is_authenticated
