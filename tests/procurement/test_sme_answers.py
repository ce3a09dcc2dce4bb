"""SME answers: only verified SMEs answer, never once the campaign is closed, and an answer stops
holding when the line's SIREN, amount or date changes."""

from decimal import Decimal

import pytest
from django.urls import reverse

from procurement import services
from procurement.models import Campaign, OrderLine, OrderLineEvent
from procurement.services import LineData, TransitionError
from tests.factories import (
    CampaignFactory,
    DeclarationFactory,
    OrderLineFactory,
    SMEProfileFactory,
    UserFactory,
    member_of,
)

from .conftest import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def sme_member(sme_profile):
    return member_of(sme_profile.organisation)


def _line_data(line: OrderLine, **changes) -> LineData:
    values = {
        "siren": line.sme_profile_id,
        "sme_name": line.sme_name,
        "amount": line.amount,
        "order_date": line.order_date,
        "domain": line.domain,
        "reference": line.reference,
        "payment_delay_days": line.payment_delay_days,
    }
    values.update(changes)
    return LineData(**values)


def test_lines_of_a_closed_campaign_can_no_longer_be_answered(
    account, admin, sme_profile, sme_member, client
):
    campaign = CampaignFactory(year=YEAR - 1)
    declaration = DeclarationFactory(campaign=campaign, organisation=account)
    line = OrderLineFactory(declaration=declaration, sme_profile=sme_profile, reference="BC-OLD")
    services.submit_declaration(declaration=declaration, by=admin, attested=True)
    services.change_campaign_state(
        campaign=campaign, state=Campaign.State.CLOSED, by=UserFactory(staff=True)
    )
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.CLOSED

    client.force_login(sme_member)
    page = client.get(reverse("procurement:sme_orders")).content.decode()
    assert "BC-OLD" in page  # still shown...
    assert "Campagne close" in page  # ...but without the answer link
    assert reverse("procurement:sme_order_respond", args=[line.pk]) not in page
    respond = reverse("procurement:sme_order_respond", args=[line.pk])
    response = client.get(respond)
    assert response.status_code == 200 and "est close" in response.content.decode()
    response = client.post(respond, {"status": "disputed", "comment": "Faux"})
    assert response.status_code == 409
    line.refresh_from_db()
    assert line.sme_status == OrderLine.SMEStatus.PENDING
    with pytest.raises(TransitionError):
        services.respond_to_line(line=line, by=sme_member, status="confirmed", comment="")


@pytest.mark.parametrize(
    "change",
    [
        {"amount": Decimal("99.00")},
        {"siren": "443061841", "sme_name": "Autre PME"},
        {"order_date_day": 20},
    ],
)
def test_a_line_whose_siren_amount_or_date_changes_goes_back_to_answer(
    declaration, admin, sme_profile, sme_member, change
):
    line = OrderLineFactory(declaration=declaration, sme_profile=sme_profile)
    declaration = services.submit_declaration(declaration=declaration, by=admin, attested=True)
    services.respond_to_line(line=line, by=sme_member, status="confirmed", comment="OK")
    services.reopen_declaration(
        declaration=declaration, by=UserFactory(staff=True), reason="Correction"
    )
    line = OrderLine.objects.select_related("declaration__campaign").get(pk=line.pk)
    if "order_date_day" in change:
        change = {"order_date": line.order_date.replace(day=change["order_date_day"])}
    services.update_line(line=line, data=_line_data(line, **change), by=admin)
    line.refresh_from_db()
    assert line.sme_status == OrderLine.SMEStatus.PENDING
    assert line.sme_comment == "" and line.sme_responded_at is None
    # The history keeps the answer that no longer holds.
    statuses = list(
        OrderLineEvent.objects.filter(pgh_obj_id=line.pk)
        .order_by("pgh_id")
        .values_list("sme_status", flat=True)
    )
    assert statuses[-2:] == ["confirmed", "pending"]


def test_a_change_of_reference_or_domain_keeps_the_answer(
    declaration, admin, sme_profile, sme_member
):
    line = OrderLineFactory(declaration=declaration, sme_profile=sme_profile)
    declaration = services.submit_declaration(declaration=declaration, by=admin, attested=True)
    services.respond_to_line(line=line, by=sme_member, status="disputed", comment="Non")
    services.reopen_declaration(
        declaration=declaration, by=UserFactory(staff=True), reason="Correction"
    )
    line = OrderLine.objects.select_related("declaration__campaign").get(pk=line.pk)
    services.update_line(line=line, data=_line_data(line, reference="BC-NEW"), by=admin)
    line.refresh_from_db()
    assert line.sme_status == OrderLine.SMEStatus.DISPUTED and line.sme_comment == "Non"


def test_verified_sme_member_sees_lines_unverified_one_does_not(declaration, admin):
    verified = SMEProfileFactory()
    unverified = SMEProfileFactory(unverified=True)
    OrderLineFactory(declaration=declaration, sme_profile=verified)
    OrderLineFactory(declaration=declaration, sme_profile=unverified)
    services.submit_declaration(declaration=declaration, by=admin, attested=True)
    assert OrderLine.objects.visible_to(member_of(verified.organisation)).count() == 1
    assert not OrderLine.objects.visible_to(member_of(unverified.organisation)).exists()


def test_the_name_an_unverified_registration_chose_never_names_a_declared_order(declaration, buyer):
    from directory.models import Domain

    squatted = SMEProfileFactory(unverified=True, name="Nom choisi par un inconnu")
    data = LineData(
        siren=squatted.siren,
        sme_name="",
        amount=Decimal("10.00"),
        order_date=declaration.campaign.opens_on,
        domain=Domain.objects.get(slug="cybersecurite"),
    )
    with pytest.raises(TransitionError):
        services.add_line(declaration=declaration, data=data, by=buyer)
    line = services.add_line(
        declaration=declaration,
        data=LineData(**{**data.__dict__, "sme_name": "Cyberbase"}),
        by=buyer,
    )
    assert line.sme_name == "Cyberbase"
