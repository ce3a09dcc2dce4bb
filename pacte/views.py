"""Programme-wide pages: the public home page and the health check."""

import time

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app
from .tasks import last_tick


@login_not_required
@require_GET
def home(request):
    return render(request, "home.html")


@login_not_required
@require_GET
def about(request):
    return render(request, "about.html")


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _redis_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            return bool(conn.default_channel.client.ping())
    except Exception:
        return False


def _workers_ok() -> bool:
    try:
        # A fresh connection (not the pool) so that the answer reflects the broker as configured now.
        with celery_app.connection_for_write() as conn:
            replies = celery_app.control.inspect(timeout=1.0, connection=conn).ping()
        return bool(replies)
    except Exception:
        return False


def _scheduler_ok() -> bool:
    """Celery beat sends a tick with the sweeps every SWEEP_EVERY_S (pacte/tasks.py)."""
    tick = last_tick()
    return tick is not None and time.time() - tick < 3 * settings.SWEEP_EVERY_S


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """200 when the database, Redis, a Celery worker and Celery beat answer; 503 otherwise, with
    the part that is down set to false."""
    checks = {"database": _database_ok(), "redis": _redis_ok()}
    checks["worker"] = checks["redis"] and _workers_ok()
    checks["scheduler"] = checks["redis"] and _scheduler_ok()
    status = 200 if all(checks.values()) else 503
    return JsonResponse(
        {"status": "ok" if status == 200 else "unavailable", **checks}, status=status
    )
