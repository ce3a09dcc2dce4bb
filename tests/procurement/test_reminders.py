"""Reminders go to administrators of accounts that have not submitted, never twice a day."""

import time

import pytest
from django.urls import reverse
from django.utils import timezone

from procurement import services
from procurement.models import Reminder
from tests.factories import (
    CampaignFactory,
    DeclarationFactory,
    OrganisationFactory,
    UserFactory,
    member_of,
)

from .conftest import YEAR


def _wait_for(predicate, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


@pytest.mark.django_db(transaction=True)
def test_reminders_are_sent_by_the_worker_and_never_twice_the_same_day(celery_worker, client):
    campaign = CampaignFactory(year=YEAR)
    late = OrganisationFactory(name="Retardataire")
    late_admin = member_of(late, admin=True)
    member_of(late)  # not an administrator: not emailed
    done = OrganisationFactory(name="À jour")
    member_of(done, admin=True)
    DeclarationFactory(campaign=campaign, organisation=done, submitted=True)
    client.force_login(UserFactory(staff=True))
    before = set(celery_worker.mail_dir.iterdir())
    url = reverse("procurement:campaign_remind", args=[campaign.pk])
    assert client.post(url).status_code == 302
    assert _wait_for(lambda: Reminder.objects.filter(organisation=late).exists())
    assert not Reminder.objects.filter(organisation=done).exists()
    client.post(url)
    time.sleep(2)  # let the worker run the second task
    assert Reminder.objects.filter(organisation=late, sent_on=timezone.localdate()).count() == 1
    mails = [p.read_text() for p in set(celery_worker.mail_dir.iterdir()) - before]
    to_late = [m for m in mails if late_admin.email in m]
    assert len(to_late) == 1
    assert "Retardataire" in to_late[0]


def test_send_reminders_skips_accounts_reminded_today(db, django_capture_on_commit_callbacks):
    from django.core import mail

    campaign = CampaignFactory(year=YEAR)
    late = OrganisationFactory()
    member_of(late, admin=True)
    # submitted last year, still a draft this year: reminded
    DeclarationFactory(
        campaign=CampaignFactory(year=YEAR - 1, closed=True), organisation=late, submitted=True
    )
    DeclarationFactory(campaign=campaign, organisation=late)
    assert list(services.accounts_to_remind(campaign)) == [late]
    today = timezone.localdate()
    args = {
        "campaign_id": campaign.pk,
        "organisation_ids": [late.pk],
        "by_id": None,
        "today": today,
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders(**args) == 1
        assert services.send_reminders(**args) == 0
    assert len(mail.outbox) == 1
