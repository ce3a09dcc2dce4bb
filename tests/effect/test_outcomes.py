"""The Pacte effect: a contact converts when the same account declares an order with the SME
within the following 24 months, in a submitted declaration."""

import datetime
from decimal import Decimal

import pytest

from effect.outcomes import Contact, outcomes, rate, rates_by
from tests.factories import (
    CampaignFactory,
    DeclarationFactory,
    OrderLineFactory,
    OrganisationFactory,
    SMEProfileFactory,
)

pytestmark = pytest.mark.django_db


def test_a_contact_converts_with_an_order_declared_within_24_months():
    account, other = OrganisationFactory(), OrganisationFactory()
    sme, sme2 = SMEProfileFactory(), SMEProfileFactory()
    campaign = CampaignFactory(year=2026)
    declaration = DeclarationFactory(organisation=account, campaign=campaign, submitted=True)
    OrderLineFactory(
        declaration=declaration,
        sme_profile=sme,
        order_date=datetime.date(2026, 3, 1),
        amount=Decimal("5000.00"),
    )
    OrderLineFactory(
        declaration=declaration,
        sme_profile=sme,
        order_date=datetime.date(2026, 9, 1),
        amount=Decimal("2000.00"),
    )
    draft = DeclarationFactory(organisation=other, campaign=campaign)
    OrderLineFactory(declaration=draft, sme_profile=sme, order_date=datetime.date(2026, 3, 1))

    met = Contact("meeting", 1, datetime.date(2025, 11, 20), account.pk, sme.siren, group_id=7)
    too_late = Contact("meeting", 2, datetime.date(2026, 10, 1), account.pk, sme.siren, group_id=7)
    long_ago = Contact("mission", 3, datetime.date(2024, 1, 1), account.pk, sme.siren)
    other_sme = Contact("meeting", 4, datetime.date(2025, 11, 20), account.pk, sme2.siren)
    not_submitted = Contact("meeting", 5, datetime.date(2025, 11, 20), other.pk, sme.siren)

    results = outcomes([met, too_late, long_ago, other_sme, not_submitted])

    assert [o.converted for o in results] == [True, False, False, False, False]
    assert results[0].first_order_on == datetime.date(2026, 3, 1)
    assert results[0].first_order_year == 2026
    assert results[0].amount == Decimal("7000.00")
    assert rate(results).contacts == 5
    assert rate(results).converted == 1
    assert rate(results).accounts == 2
    assert rate(results).percent == Decimal("20.0")
    assert rates_by(results, lambda o: o.contact.group_id)[7].converted == 1


def test_no_contacts_no_query():
    assert outcomes([]) == []
    assert rate([]).percent is None
