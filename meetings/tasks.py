"""Celery beat tasks of the business meetings: they call the services."""

from celery import shared_task


@shared_task(ignore_result=True)
def advance_event_states() -> int:
    from .services import advance_states

    return advance_states()


@shared_task(ignore_result=True)
def send_meeting_reminders() -> int:
    from .services import send_reminders

    return send_reminders()
