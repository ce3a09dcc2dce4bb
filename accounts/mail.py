"""Every email of the portal goes through here: written to the outbox in the caller's transaction,
sent by a Celery worker after commit, with retries. A request never waits for the mail server."""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from .models import OutgoingEmail

logger = logging.getLogger(__name__)


def send_later(*, to: Iterable[str], subject: str, body: str) -> OutgoingEmail | None:
    """Queue an email (the subject gets the programme's prefix unless it already has it)."""
    recipients = sorted({address.strip() for address in to if address and address.strip()})
    if not recipients:
        return None
    subject = " ".join(subject.split())
    if not subject.startswith(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX.strip()):
        subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject
    email = OutgoingEmail.objects.create(to=recipients, subject=subject[:300], body=body)
    email_id = email.pk
    if settings.EMAIL_SEND_INLINE:  # tests without a worker: delivered in this process
        transaction.on_commit(lambda: deliver(email_id=email_id))
    else:
        transaction.on_commit(lambda: enqueue(email_id))
    return email


def enqueue(email_id: int) -> None:
    """Hand the email to the worker; with the broker down it stays in the outbox for the sweep."""
    from .tasks import send_email_task

    try:
        send_email_task.delay(email_id)
    except Exception:  # broker unreachable: the periodic sweep will send it
        logger.warning("Email %s left in the outbox: the broker is unreachable", email_id)


def deliver(*, email_id: int) -> bool:
    """Send one outbox email now (in the worker). Returns False when it was already sent."""
    from django.core.mail import send_mail
    from django.utils import timezone

    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.sent_at is not None:
            return False
        email.attempts += 1
        try:
            send_mail(email.subject, email.body, None, list(email.to), fail_silently=False)
        except Exception as exc:
            email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            email.save(update_fields=["attempts", "last_error"])
            raise
        email.sent_at = timezone.now()
        email.last_error = ""
        email.save(update_fields=["attempts", "last_error", "sent_at"])
    return True


def unsent(*, older_than_seconds: int = 300):
    """Outbox emails still unsent some minutes after they were written (for the sweep)."""
    from datetime import timedelta

    from django.utils import timezone

    limit = timezone.now() - timedelta(seconds=older_than_seconds)
    return OutgoingEmail.objects.filter(sent_at__isnull=True, created_at__lt=limit)
