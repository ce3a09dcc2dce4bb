import time

import pytest
from django.core.cache import cache


@pytest.mark.django_db
def test_home_page_is_public_and_french(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Pacte PME" in response.content.decode()
    assert 'lang="fr"' in response.content.decode()


@pytest.mark.django_db
def test_dashboard_requires_login(client):
    response = client.get("/espace/")
    assert response.status_code == 302
    assert "/compte/login/" in response["Location"]


@pytest.mark.django_db(transaction=True)
def test_healthz_reports_database_redis_worker_and_scheduler(client, celery_worker):
    """The session's worker may have just been restarted by another test, or be busy: its ping
    and beat's first tick get a few seconds, as a monitor would ask again."""
    deadline = time.monotonic() + 30
    response = client.get("/healthz")
    while response.status_code != 200 and time.monotonic() < deadline:
        time.sleep(1)
        response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "status": "ok",
        "database": True,
        "redis": True,
        "worker": True,
        "scheduler": True,
    }


@pytest.mark.django_db
def test_healthz_says_when_celery_beat_is_not_running(client):
    from pacte.tasks import SCHEDULER_TICK_KEY

    cache.set(SCHEDULER_TICK_KEY, time.time() - 3600)  # beat's last tick, an hour ago
    body = client.get("/healthz").json()
    assert body["scheduler"] is False and body["status"] == "unavailable"
