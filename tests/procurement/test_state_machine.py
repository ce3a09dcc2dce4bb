"""Who may do what in which state: draft → submitted → reopened (staff, with a reason) → submitted."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from procurement import services
from procurement.models import Campaign, Declaration
from procurement.services import LineData, TransitionError
from tests.factories import (
    CampaignFactory,
    DeclarationFactory,
    OrganisationFactory,
    UserFactory,
    member_of,
)

from .conftest import YEAR, order_date


def line_data(**overrides) -> LineData:
    from directory.models import Domain

    values = {
        "siren": "732829320",
        "sme_name": "Cyberbase",
        "amount": Decimal("1000.00"),
        "order_date": order_date(),
        "domain": Domain.objects.get(slug="cybersecurite"),
    }
    values.update(overrides)
    return LineData(**values)


def test_member_edits_a_draft_in_an_open_campaign(declaration, buyer):
    line = services.add_line(declaration=declaration, data=line_data(), by=buyer)
    assert line.sme_siren == "732829320"  # an unregistered SME, kept by SIREN and name
    services.update_line(line=line, data=line_data(amount=Decimal("5")), by=buyer)
    services.delete_line(line=line, by=buyer)


def test_order_date_must_be_in_the_campaign_year(declaration, buyer):
    with pytest.raises(TransitionError):
        services.add_line(
            declaration=declaration,
            data=line_data(order_date=order_date().replace(year=YEAR - 1)),
            by=buyer,
        )


def test_only_an_administrator_who_attests_can_submit(declaration, buyer, admin):
    with pytest.raises(TransitionError):
        services.submit_declaration(declaration=declaration, by=buyer, attested=True)
    with pytest.raises(TransitionError):
        services.submit_declaration(declaration=declaration, by=admin, attested=False)
    declaration = services.submit_declaration(declaration=declaration, by=admin, attested=True)
    assert declaration.state == Declaration.State.SUBMITTED
    assert declaration.submitted_by == admin


def test_submit_needs_the_it_purchases_total(campaign, account, admin):
    declaration = DeclarationFactory(
        campaign=campaign, organisation=account, it_purchases_total=None
    )
    with pytest.raises(TransitionError):
        services.submit_declaration(declaration=declaration, by=admin, attested=True)


def test_submitted_declaration_is_read_only_for_the_account(declaration, admin, buyer, client):
    line = services.add_line(declaration=declaration, data=line_data(), by=buyer)
    services.submit_declaration(declaration=declaration, by=admin, attested=True)
    declaration.refresh_from_db()
    with pytest.raises(TransitionError):
        services.add_line(declaration=declaration, data=line_data(), by=buyer)
    with pytest.raises(TransitionError):
        services.set_it_purchases_total(declaration=declaration, total=Decimal(1), by=admin)
    client.force_login(buyer)
    page = client.get(reverse("procurement:declaration_detail", args=[declaration.pk]))
    assert "Ajouter la ligne" not in page.content.decode()
    assert (
        client.post(reverse("procurement:line_delete", args=[declaration.pk, line.pk])).status_code
        == 404
    )


def test_staff_reopen_with_a_reason_the_account_sees_then_account_resubmits(
    declaration, admin, client
):
    staff = UserFactory(staff=True)
    services.submit_declaration(declaration=declaration, by=admin, attested=True)
    declaration.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.reopen_declaration(declaration=declaration, by=admin, reason="x")
    with pytest.raises(TransitionError):
        services.reopen_declaration(declaration=declaration, by=staff, reason=" ")
    client.force_login(staff)
    response = client.post(
        reverse("procurement:declaration_reopen", args=[declaration.pk]),
        {"reason": "Le total informatique semble inclure la téléphonie."},
    )
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert declaration.state == Declaration.State.REOPENED
    client.force_login(admin)
    page = client.get(
        reverse("procurement:declaration_detail", args=[declaration.pk])
    ).content.decode()
    assert "inclure la téléphonie" in page
    services.add_line(declaration=declaration, data=line_data(), by=admin)
    declaration = services.submit_declaration(declaration=declaration, by=admin, attested=True)
    assert declaration.state == Declaration.State.SUBMITTED


def test_no_declaring_outside_an_open_campaign_but_staff_can_reopen_after_closing(account, admin):
    closed = CampaignFactory(year=YEAR - 1, closed=True)
    preparing = CampaignFactory(year=YEAR + 1, preparing=True)
    for campaign in (closed, preparing):
        with pytest.raises(TransitionError):
            services.start_declaration(campaign=campaign, organisation=account, by=admin)
    draft = DeclarationFactory(campaign=closed, organisation=account)
    with pytest.raises(TransitionError):
        services.add_line(
            declaration=draft,
            data=line_data(order_date=order_date().replace(year=YEAR - 1)),
            by=admin,
        )
    submitted = DeclarationFactory(
        campaign=CampaignFactory(year=YEAR - 2, closed=True), organisation=account, submitted=True
    )
    staff = UserFactory(staff=True)
    services.reopen_declaration(declaration=submitted, by=staff, reason="Correction")
    submitted.refresh_from_db()
    line = services.add_line(
        declaration=submitted,
        data=line_data(order_date=order_date().replace(year=YEAR - 2)),
        by=admin,
    )
    assert line.pk


def test_members_of_other_organisations_cannot_change_a_declaration(declaration, outsider):
    with pytest.raises(PermissionDenied):
        services.add_line(declaration=declaration, data=line_data(), by=outsider)
    with pytest.raises(PermissionDenied):
        services.submit_declaration(declaration=declaration, by=outsider, attested=True)


def test_campaign_states_preparing_open_closed(db):
    staff = UserFactory(staff=True)
    campaign = CampaignFactory(year=YEAR + 3, preparing=True)
    with pytest.raises(TransitionError):
        services.change_campaign_state(campaign=campaign, state="closed", by=staff)
    campaign = services.change_campaign_state(campaign=campaign, state="open", by=staff)
    assert campaign.state == Campaign.State.OPEN and campaign.domains.count() == 20
    campaign = services.change_campaign_state(campaign=campaign, state="closed", by=staff)
    assert campaign.state == Campaign.State.CLOSED
    with pytest.raises(PermissionDenied):
        services.change_campaign_state(
            campaign=campaign, state="open", by=member_of(OrganisationFactory())
        )


def test_staff_create_a_campaign_through_the_form(client, db):
    from directory.models import Domain

    client.force_login(UserFactory(staff=True))
    response = client.post(
        reverse("procurement:campaign_create"),
        {
            "year": YEAR + 5,
            "opens_on": f"{YEAR + 5}-01-15",
            "closes_on": f"{YEAR + 6}-03-31",
            "methodology_version": "v3",
            "methodology": "Texte",
            "domains": list(Domain.objects.values_list("pk", flat=True)[:3]),
        },
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get(year=YEAR + 5)
    assert campaign.state == "preparing" and campaign.domains.count() == 3
    bad = client.post(reverse("procurement:campaign_create"), {"year": "abc"})
    assert bad.status_code == 400
    assert "error-summary" in bad.content.decode()


def test_line_form_shows_errors_next_to_fields(declaration, buyer, client):
    client.force_login(buyer)
    response = client.post(
        reverse("procurement:line_add", args=[declaration.pk]),
        {"siren": "123", "amount": "-4", "order_date": "2001-01-01", "domain": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "error-summary" in html and "pas un SIREN" in html
    assert "une commande a un montant positif" in html
    # htmx in place add
    from directory.models import Domain

    response = client.post(
        reverse("procurement:line_add", args=[declaration.pk]),
        {
            "siren": "443061841",
            "sme_name": "Nuagique",
            "amount": "1 500,00",
            "order_date": order_date().isoformat(),
            "domain": Domain.objects.get(slug="cybersecurite").pk,
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "linesChanged"
    assert "Nuagique" in response.content.decode()
