"""The outbox sweep: what should have been sent by now goes back to the worker, once per lease."""

import datetime

import pytest
from django.utils import timezone

from accounts import mail
from accounts.models import OutgoingEmail

pytestmark = pytest.mark.django_db


def _written(minutes_ago: int, **fields) -> OutgoingEmail:
    email = OutgoingEmail.objects.create(to=["a@example.test"], subject="Objet", body="Texte")
    created = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    OutgoingEmail.objects.filter(pk=email.pk).update(created_at=created, **fields)
    return email


def test_the_sweep_resends_what_should_have_left_and_only_that(
    settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_RESEND_AFTER_S = 300
    lost = _written(10)  # its task was lost: no attempt recorded
    due = _written(10, attempts=3, next_attempt_at=timezone.now() - datetime.timedelta(minutes=1))
    _written(1)  # just written: its task is on its way
    _written(10, attempts=2, next_attempt_at=timezone.now() + datetime.timedelta(minutes=5))
    _written(10, sent_at=timezone.now())
    _written(60, attempts=mail.MAX_ATTEMPTS)  # given up: the last error stays for staff
    with django_capture_on_commit_callbacks() as enqueued:
        assert mail.resend_unsent() == 2
    assert len(enqueued) == 2
    lost.refresh_from_db()
    due.refresh_from_db()
    assert lost.next_attempt_at > timezone.now() and due.next_attempt_at > timezone.now()
    with django_capture_on_commit_callbacks() as enqueued:
        assert mail.resend_unsent() == 0  # the next sweep leaves them to the worker
    assert enqueued == []


def test_a_failed_attempt_is_recorded_with_the_time_of_the_next(settings, mailoutbox):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    settings.EMAIL_RETRY_BACKOFF_S = 30
    email = OutgoingEmail.objects.create(to=["a@example.test"], subject="Objet", body="Texte")
    with pytest.raises(OSError):
        mail.deliver(email_id=email.pk)
    email.refresh_from_db()
    assert email.attempts == 1 and email.sent_at is None and email.last_error
    assert 25 < (email.next_attempt_at - timezone.now()).total_seconds() <= 30
    assert [mail.retry_delay(n) for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]
