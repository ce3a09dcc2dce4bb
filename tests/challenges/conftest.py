import pytest

from directory.models import Domain
from tests.factories import (
    ChallengeFactory,
    OrganisationFactory,
    SMEProfileFactory,
    UserFactory,
    member_of,
)


@pytest.fixture
def cyber(db):
    return Domain.objects.get_or_create(slug="cybersecurite", defaults={"name": "Cybersécurité"})[0]


@pytest.fixture
def cloud(db):
    return Domain.objects.get_or_create(
        slug="cloud-hebergement", defaults={"name": "Cloud et hébergement"}
    )[0]


@pytest.fixture
def buyer_org(db):
    return OrganisationFactory(name="Banque Défi")


@pytest.fixture
def buyer(buyer_org):
    return member_of(buyer_org, admin=True, email="acheteur@banque.test")


@pytest.fixture
def challenge(buyer_org, buyer, cyber):
    return ChallengeFactory(buyer=buyer_org, created_by=buyer, domains=[cyber])


@pytest.fixture
def sme(cyber):
    return SMEProfileFactory(domains=[cyber]).organisation


@pytest.fixture
def sme_user(sme):
    return member_of(sme, admin=True, email="dirigeante@pme.test")


@pytest.fixture
def staff(db):
    return UserFactory(staff=True, email="equipe@programme.test")
