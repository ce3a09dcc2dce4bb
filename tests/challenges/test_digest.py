"""The weekly digest: each SME of the challenge's domains (and each research organisation) hears
of a published challenge once, in at most one email a week, even when runs overlap."""

import datetime
import threading

import pytest
from django.db import connection

from accounts.models import OutgoingEmail
from challenges import services
from challenges.models import Digest, DigestEntry
from challenges.tasks import send_weekly_digests
from tests.factories import ChallengeFactory, OrganisationFactory, SMEProfileFactory, member_of


def _digest_emails_to(address):
    return OutgoingEmail.objects.filter(to__contains=[address], subject__contains="nouveaux défis")


@pytest.mark.django_db
def test_digest_is_sent_once_to_smes_of_the_domains(challenge, sme, sme_user, cloud):
    other_domain = member_of(SMEProfileFactory(domains=[cloud]).organisation, admin=True)
    unpublished = member_of(
        SMEProfileFactory(domains=list(challenge.domains.all()), draft=True).organisation,
        admin=True,
    )
    assert send_weekly_digests() == 1
    assert send_weekly_digests() == 0  # the same run again sends nothing
    assert _digest_emails_to(sme_user.email).count() == 1
    assert challenge.title in _digest_emails_to(sme_user.email).get().body
    assert not _digest_emails_to(other_domain.email).exists()
    assert not _digest_emails_to(unpublished.email).exists()


@pytest.mark.django_db
def test_research_organisations_get_every_new_challenge(challenge):
    research = member_of(OrganisationFactory(research=True), admin=True)
    pending = member_of(OrganisationFactory(research=True, unverified=True), admin=True)
    services.send_digests()
    assert _digest_emails_to(research.email).count() == 1
    assert not _digest_emails_to(pending.email).exists()


@pytest.mark.django_db
def test_at_most_one_digest_a_week_and_never_the_same_challenge_twice(
    challenge, sme, sme_user, buyer_org, cyber
):
    monday = datetime.date(2026, 11, 30)
    assert services.send_digests(today=monday) == 1
    later = ChallengeFactory(buyer=buyer_org, domains=[cyber], title="Deuxième défi")
    assert services.send_digests(today=monday + datetime.timedelta(days=3)) == 0  # same week
    assert services.send_digests(today=monday + datetime.timedelta(days=7)) == 1
    emails = list(_digest_emails_to(sme_user.email).order_by("pk"))
    assert len(emails) == 2
    assert "Deuxième défi" not in emails[0].body
    assert "Deuxième défi" in emails[1].body and challenge.title not in emails[1].body
    assert DigestEntry.objects.filter(organisation=sme).count() == 2
    assert later.pk in DigestEntry.objects.values_list("challenge_id", flat=True)


@pytest.mark.django_db
def test_closed_or_expired_challenges_are_not_announced(buyer_org, cyber, sme, sme_user):
    ChallengeFactory(buyer=buyer_org, domains=[cyber], state="closed")
    ChallengeFactory(
        buyer=buyer_org,
        domains=[cyber],
        deadline=datetime.date.today() - datetime.timedelta(days=1),
    )
    ChallengeFactory(buyer=buyer_org, domains=[cyber], draft=True)
    assert services.send_digests() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_send_each_digest_once(cyber):
    buyer_org = OrganisationFactory()
    ChallengeFactory(buyer=buyer_org, domains=[cyber])
    admins = [
        member_of(SMEProfileFactory(domains=[cyber]).organisation, admin=True) for _ in range(5)
    ]
    barrier = threading.Barrier(3)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(services.send_digests())
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(results) == 5
    assert Digest.objects.count() == 5
    for admin in admins:
        assert _digest_emails_to(admin.email).count() == 1


@pytest.mark.django_db(transaction=True)
def test_digest_through_the_worker(celery_worker, cyber):
    """End to end: beat's task, run twice by a real worker, emails each SME once."""
    import time

    ChallengeFactory(buyer=OrganisationFactory(), domains=[cyber], title="Défi par le worker")
    admin = member_of(SMEProfileFactory(domains=[cyber]).organisation, admin=True)
    send_weekly_digests.delay()
    send_weekly_digests.delay()
    for _ in range(60):
        if _digest_emails_to(admin.email).filter(sent_at__isnull=False).exists():
            break
        time.sleep(0.5)
    time.sleep(1)  # the second run, if it were to send anything, would have done so by now
    email = _digest_emails_to(admin.email).get()
    assert email.sent_at is not None and "Défi par le worker" in email.body
    assert Digest.objects.count() == 1
