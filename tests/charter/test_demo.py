import pytest
from django.core.management import call_command

from accounts.models import Organisation
from charter import selectors
from charter.models import Signature, Targets
from procurement.models import Dispute

pytestmark = pytest.mark.django_db


def test_demo_has_signed_to_renew_and_unsigned_members_and_targets(capsys):
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    bank = Organisation.objects.get(name="Banque Hexagone")
    energy = Organisation.objects.get(name="Énergies de France")
    unsigned = Organisation.objects.get(name="Transports Métropole")
    assert selectors.standing(bank).up_to_date
    assert selectors.standing(energy).to_renew
    assert not selectors.standing(unsigned).signed
    assert Signature.objects.filter(organisation=bank).count() == 2
    targets = Targets.objects.get(organisation=bank)
    assert selectors.target_results(bank, targets.campaign)
    states = set(Dispute.objects.values_list("state", flat=True))
    assert states == {"open", "answered", "escalated", "resolved"}
