import datetime

import pytest
from django.utils import timezone

from tests.factories import (
    CampaignFactory,
    DeclarationFactory,
    OrganisationFactory,
    SMEProfileFactory,
    member_of,
)

YEAR = timezone.localdate().year


@pytest.fixture
def campaign(db):
    return CampaignFactory(year=YEAR)


@pytest.fixture
def account(db):
    return OrganisationFactory(name="Banque Test")


@pytest.fixture
def admin(account):
    return member_of(account, admin=True)


@pytest.fixture
def buyer(account):
    return member_of(account)


@pytest.fixture
def declaration(campaign, account):
    return DeclarationFactory(campaign=campaign, organisation=account)


@pytest.fixture
def other_account(db):
    return OrganisationFactory(name="Autre grand compte")


@pytest.fixture
def outsider(other_account):
    """A member of another large account."""
    return member_of(other_account, admin=True)


@pytest.fixture
def sme_profile(db):
    return SMEProfileFactory(siren="732829320", name="Cyberbase", organisation__siren="732829320")


def order_date(month: int = 6, day: int = 15) -> datetime.date:
    return datetime.date(YEAR, month, day)
