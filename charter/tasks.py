"""Celery tasks of the charter: they take ids and call the code that runs the work."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def render_certificate(signature_id: int) -> None:
    from .certificates import issue_certificate

    issue_certificate(signature_id=signature_id)


@shared_task(ignore_result=True)
def send_renewal_reminders() -> int:
    from .services import send_renewal_reminders as run

    return run()
