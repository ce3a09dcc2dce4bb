"""The demo's challenges and missions: loaded twice, still two of each, with what the brief asks."""

import pytest

from accounts import demo as accounts_demo
from challenges import demo as challenges_demo
from challenges.models import Answer, Challenge
from directory import demo as directory_demo
from sponsorship import demo as sponsorship_demo
from sponsorship.models import Mission

pytestmark = pytest.mark.django_db


def test_demo_challenges_and_missions_are_idempotent():
    for _ in range(2):
        accounts_demo.seed()
        directory_demo.seed()
        challenges_demo.seed()
        sponsorship_demo.seed()
    assert sorted(Challenge.objects.values_list("state", flat=True)) == ["awarded", "published"]
    awarded = Challenge.objects.get(state="awarded")
    assert awarded.public_naming
    assert awarded.answers.filter(state=Answer.State.AWARDED).exists()
    published = Challenge.objects.get(state="published")
    assert published.answers.count() == 3
    assert sorted(Mission.objects.values_list("state", flat=True)) == ["done", "running"]
    done = Mission.objects.get(state="done")
    assert done.sme_feedback and done.account_feedback
