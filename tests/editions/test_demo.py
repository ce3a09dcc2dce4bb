"""The editions' demo: two editions run by their federators, accounts in both, a pending request,
SMEs in the metropolis's territory, and federator logins holding a known second factor."""

import pytest
from allauth.mfa.models import Authenticator

from accounts import demo as accounts_demo
from directory import demo as directory_demo
from editions import demo, selectors
from editions.models import Edition, EditionAccount

pytestmark = pytest.mark.django_db


def seed():
    accounts_demo.seed()
    directory_demo.seed()
    demo.seed()


def test_editions_demo_is_idempotent_and_complete():
    seed()
    counts = (Edition.objects.count(), EditionAccount.objects.count())
    demo.seed()
    assert (Edition.objects.count(), EditionAccount.objects.count()) == counts
    lyon = Edition.objects.get(slug=demo.LYON_SLUG)
    numerique = Edition.objects.get(slug=demo.NUMERIQUE_SLUG)
    assert lyon.is_territorial and numerique.is_sectoral
    assert selectors.smes(lyon).count() >= 3  # enough SMEs for figures past the threshold
    assert selectors.smes(numerique).exists()
    both = set(selectors.accounts(lyon)) & set(selectors.accounts(numerique))
    assert both  # some accounts are members of both
    assert EditionAccount.objects.filter(state=EditionAccount.State.REQUESTED).count() == 1
    for _name, _siren, _sector, email, _secret in accounts_demo.FEDERATORS:
        assert Authenticator.objects.filter(user__email=email, type="totp").exists()
    cci = selectors.editions_run_by(lyon.conventions.get().federator)
    assert list(cci) == [lyon]
