"""What the Pacte effect reads: SMEs retained by a large account, with the date and SIREN."""

import datetime

import pytest
from django.utils import timezone

from challenges import services
from challenges.models import Answer, Challenge
from challenges.selectors import RetainedAnswer, retained_sme_answers
from tests.factories import AnswerFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_retained_sme_answers_give_date_account_siren_and_id(challenge, buyer, sme):
    Challenge.objects.filter(pk=challenge.pk).update(title="Défi X")
    retained = AnswerFactory(challenge=challenge, organisation=sme)
    services.decide_answer(answer=retained, by=buyer, state=Answer.State.SHORTLISTED)
    awarded = AnswerFactory(challenge=challenge)
    services.decide_answer(answer=awarded, by=buyer, state=Answer.State.SHORTLISTED)
    services.decide_answer(answer=awarded, by=buyer, state=Answer.State.AWARDED)
    declined = AnswerFactory(challenge=challenge)
    services.decide_answer(answer=declined, by=buyer, state=Answer.State.SHORTLISTED)
    services.decide_answer(answer=declined, by=buyer, state=Answer.State.DECLINED)
    AnswerFactory(challenge=challenge)  # submitted only
    research = AnswerFactory(challenge=challenge, organisation=OrganisationFactory(research=True))
    services.decide_answer(answer=research, by=buyer, state=Answer.State.SHORTLISTED)

    rows = retained_sme_answers()
    today = timezone.localdate()
    assert rows == [
        RetainedAnswer(today, challenge.buyer_id, sme.siren, retained.pk, challenge.pk, "Défi X"),
        RetainedAnswer(
            today, challenge.buyer_id, awarded.siren, awarded.pk, challenge.pk, "Défi X"
        ),
    ]
    assert retained_sme_answers(since=today + datetime.timedelta(days=1)) == []
    assert retained_sme_answers(siren=sme.siren) == rows[:1]
    assert retained_sme_answers(account_ids=[challenge.buyer_id]) == rows
    assert retained_sme_answers(account_ids=[]) == []
