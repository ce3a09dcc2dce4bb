from celery import shared_task

from . import mail


@shared_task(
    bind=True,
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=12,
)
def send_email_task(self, email_id: int) -> bool:
    return mail.deliver(email_id=email_id)
