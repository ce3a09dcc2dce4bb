from celery import shared_task

from . import mail


@shared_task(bind=True, max_retries=12)
def send_email_task(self, email_id: int) -> bool:
    """Send one outbox email; on failure, try again later (30 s, 1 min, 2 min… up to 1 h)."""
    try:
        return mail.deliver(email_id=email_id)
    except Exception as exc:
        attempts = self.request.retries + 1
        raise self.retry(exc=exc, countdown=mail.retry_delay(attempts)) from exc


@shared_task(ignore_result=True)
def sweep_outbox() -> int:
    """Run by Celery beat: re-queue the emails still unsent some minutes after they were written."""
    return mail.resend_unsent()
