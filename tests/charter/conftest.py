import pytest
from django.utils import timezone

from charter.models import CharterVersion, Commitment
from tests.factories import OrganisationFactory, member_of

YEAR = timezone.localdate().year


def make_version(kind=CharterVersion.Kind.MEMBERS, number=1, *, published=True, commitments=2):
    version = CharterVersion.objects.create(
        kind=kind,
        number=number,
        title=f"Charte v{number}",
        body="## Préambule\n\nNous ouvrons nos achats aux **PME innovantes**.\n\n- un\n- deux",
        published_at=timezone.now() if published else None,
    )
    for i in range(1, commitments + 1):
        Commitment.objects.create(version=version, position=i, text=f"Engagement numéro {i}")
    return version


@pytest.fixture
def version(db):
    return make_version()


@pytest.fixture
def account(db):
    return OrganisationFactory(name="Banque Charte")


@pytest.fixture
def admin(account):
    return member_of(account, admin=True)
