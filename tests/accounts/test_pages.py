"""Programme-wide pages: home, about, error pages and the health check."""

import socket
from urllib.parse import urlparse, urlunparse

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error

from pacte.celery import app as celery_app
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/a-propos/"])
def test_public_pages_open_without_login(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert 'class="site-header"' in response.content.decode()


def test_unknown_page_gets_the_portal_404_page(client):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html
    assert 'class="site-header"' in html


def test_unknown_page_when_signed_in_keeps_the_header(client):
    client.force_login(UserFactory(staff=True))
    response = client.get("/organisations/999999/")
    assert response.status_code == 404
    assert "Pilotage" in response.content.decode()


def test_server_error_page_renders_without_context_processors():
    with translation.override("fr"):
        html = render_to_string("500.html")
        response = server_error(RequestFactory().get("/"))
    assert "Erreur du serveur" in html
    assert response.status_code == 500
    assert "Erreur du serveur" in response.content.decode()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _forget_broker_pools() -> None:
    # The app keeps a connection pool (used by control broadcasts) bound to the broker it first saw;
    # drop it, as Celery itself does after a fork, so that the next use connects to the current URL.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_at():
    """Point the Celery app's broker elsewhere for one test, then put it back."""
    original = celery_app.conf.broker_url

    def point(url: str) -> None:
        celery_app.conf.broker_url = url
        _forget_broker_pools()

    yield point
    celery_app.conf.broker_url = original
    _forget_broker_pools()


def test_healthz_is_503_when_redis_does_not_answer(client, broker_at):
    broker_at(f"redis://127.0.0.1:{_closed_port()}/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": True,
        "redis": False,
        "worker": False,
        "scheduler": False,
    }


def test_healthz_is_503_when_no_worker_answers(client, broker_at, settings):
    # Same Redis server, another database number: Redis answers, but no worker listens there.
    url = urlparse(settings.REDIS_URL)
    if url.scheme == "redis":
        broker_at(urlunparse(url._replace(path="/15")))
    else:  # the embedded Redis on a unix socket
        broker_at(f"{settings.REDIS_URL.split('?')[0]}?virtual_host=15")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"] is True
    assert response.json()["worker"] is False


def test_language_switch_shows_the_portal_in_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert 'lang="en"' in html
    assert "Pacte PME: large accounts buy from innovative SMEs" in html
    assert "Sign in" in html
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/"}, follow=True)
    assert "Se connecter" in response.content.decode()


def test_english_organisation_page_and_plural_counts(client):
    from django.urls import reverse

    from tests.factories import OrganisationFactory, member_of

    organisation = OrganisationFactory()
    client.force_login(member_of(organisation, admin=True))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(reverse("accounts:organisation", args=[organisation.pk])).content.decode()
    assert "Members" in html
    assert "Invite someone" in html
    client.force_login(UserFactory(staff=True))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(reverse("accounts:large_accounts")).content.decode()
    assert "1 large account" in html
