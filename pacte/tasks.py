"""The scheduler's own sign of life, read by /healthz (pacte/views.py)."""

import time

from celery import shared_task
from celery.signals import beat_init
from django.core.cache import cache

SCHEDULER_TICK_KEY = "pacte:scheduler:tick"


def record_tick() -> None:
    cache.set(SCHEDULER_TICK_KEY, time.time(), None)


def last_tick() -> float | None:
    return cache.get(SCHEDULER_TICK_KEY)


@shared_task(ignore_result=True)
def scheduler_tick() -> None:
    """Sent by Celery beat with the sweeps: its date says that beat and a worker both run."""
    record_tick()


@beat_init.connect
def _beat_started(**_kwargs) -> None:
    record_tick()
