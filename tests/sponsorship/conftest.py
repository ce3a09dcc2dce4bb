import pytest

from tests.factories import NeedFactory, OfferFactory, OrganisationFactory, UserFactory, member_of


@pytest.fixture
def sme(db):
    return OrganisationFactory(sme=True, name="PME Mécénée")


@pytest.fixture
def sme_user(sme):
    return member_of(sme, admin=True, email="dirigeant@pme.test")


@pytest.fixture
def account(db):
    return OrganisationFactory(name="Banque Mécène")


@pytest.fixture
def account_user(account):
    return member_of(account, admin=True, email="rse@banque.test")


@pytest.fixture
def staff(db):
    return UserFactory(staff=True, email="equipe@programme.test")


@pytest.fixture
def need(sme, sme_user):
    return NeedFactory(sme=sme, created_by=sme_user)


@pytest.fixture
def offer(account, account_user):
    return OfferFactory(account=account, created_by=account_user, days=10)
