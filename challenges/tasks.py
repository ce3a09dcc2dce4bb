"""Celery tasks of the challenges: they call the code that runs the work."""

from celery import shared_task


@shared_task(ignore_result=True)
def send_weekly_digests() -> int:
    from .services import send_digests

    return send_digests()
