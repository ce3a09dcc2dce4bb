"""Every email of the portal goes through here: written to the outbox in the caller's transaction,
sent by a Celery worker after commit, with retries. A request never waits for the mail server."""

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import OutgoingEmail

logger = logging.getLogger(__name__)


def send_later(
    *,
    to: Iterable[str],
    subject: str,
    body: str,
    attachments: Iterable[tuple[str, str, str]] = (),
) -> OutgoingEmail | None:
    """Queue an email (the subject gets the programme's prefix unless it already has it), with
    optional small text attachments given as (file name, content, MIME type)."""
    recipients = sorted({address.strip() for address in to if address and address.strip()})
    if not recipients:
        return None
    subject = " ".join(subject.split())
    if not subject.startswith(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX.strip()):
        subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject
    email = OutgoingEmail.objects.create(
        to=recipients,
        subject=subject[:300],
        body=body,
        attachments=[list(attachment) for attachment in attachments],
    )
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
    from django.core.mail import EmailMessage

    failure = None
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.sent_at is not None:
            return False
        email.attempts += 1
        try:
            message = EmailMessage(email.subject, email.body, None, list(email.to))
            for name, content, mimetype in email.attachments or []:
                message.attach(name, content, mimetype)
            message.send(fail_silently=False)
        except Exception as exc:
            failure = exc
            email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            email.next_attempt_at = timezone.now() + timedelta(seconds=retry_delay(email.attempts))
            email.save(update_fields=["attempts", "last_error", "next_attempt_at"])
        else:
            email.sent_at = timezone.now()
            email.last_error = ""
            email.save(update_fields=["attempts", "last_error", "sent_at"])
    if failure is not None:  # raised once the attempt is recorded, for the task to retry
        raise failure
    return True


# After this many failed attempts an email is left in the outbox with its last error (a bad
# address, a refused message): the sweep stops handing it to the worker.
MAX_ATTEMPTS = 15


def retry_delay(attempts: int) -> int:
    """Seconds before the next attempt after `attempts` failures: 30 s, 1 min, 2 min… up to 1 h."""
    return min(settings.EMAIL_RETRY_BACKOFF_S * 2 ** max(attempts - 1, 0), 3600)


def unsent(*, older_than_seconds: int = 300):
    """Outbox emails still unsent some minutes after they were written (for the sweep)."""
    limit = timezone.now() - timedelta(seconds=older_than_seconds)
    return OutgoingEmail.objects.filter(sent_at__isnull=True, created_at__lt=limit)


def resend_unsent() -> int:
    """Run by Celery beat: hand the worker again every email that should have been sent by now
    (its task was lost with the broker or a killed worker, or its retries ran out), once per
    lease: the email's next attempt is set a few minutes ahead, so the next sweep skips it."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.OUTBOX_RESEND_AFTER_S)
    with transaction.atomic():
        due = list(
            unsent(older_than_seconds=settings.OUTBOX_RESEND_AFTER_S)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=now))
            .filter(attempts__lt=MAX_ATTEMPTS)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:500]
        )
        OutgoingEmail.objects.filter(pk__in=due).update(next_attempt_at=lease)
        for email_id in due:
            transaction.on_commit(lambda email_id=email_id: enqueue(email_id))
    if due:
        logger.warning("%s unsent email(s) handed to the worker again", len(due))
    return len(due)
