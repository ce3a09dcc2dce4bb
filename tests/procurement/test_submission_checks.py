"""SME orders above the declared IT purchases: warned before submitting, refused at submission
unless a justification is given, and the justification is shown to staff. Never silent."""

from decimal import Decimal

import pytest
from django.urls import reverse

from procurement import services
from procurement.models import Declaration
from procurement.services import TransitionError
from tests.factories import OrderLineFactory, UserFactory

IT_TOTAL = Decimal("8000000.00")
SME_TOTAL = Decimal("16560000.00")  # 207 % of the IT purchases


@pytest.fixture
def excessive(declaration, sme_profile):
    declaration.it_purchases_total = IT_TOTAL
    declaration.save()
    OrderLineFactory(declaration=declaration, sme_profile=sme_profile, amount=SME_TOTAL)
    return declaration


def plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def test_submission_is_refused_with_the_numbers_to_check(excessive, admin):
    with pytest.raises(TransitionError) as refused:
        services.submit_declaration(declaration=excessive, by=admin, attested=True)
    message = plain(" ".join(refused.value.messages))
    assert "16 560 000 €" in message and "8 000 000 €" in message and "207,0 %" in message
    assert "total des achats informatiques externes" in message
    assert "Justification" in message
    excessive.refresh_from_db()
    assert excessive.state == Declaration.State.DRAFT


def test_a_justification_lets_it_through_and_staff_see_it(excessive, admin, client):
    reason = "Commandes pluriannuelles 2025-2027 passées en une fois."
    declaration = services.submit_declaration(
        declaration=excessive, by=admin, attested=True, justification=f"  {reason} "
    )
    assert declaration.state == Declaration.State.SUBMITTED
    assert declaration.sme_excess_justification == reason

    client.force_login(UserFactory(staff=True))
    dashboard = client.get(
        reverse("procurement:campaign_dashboard", args=[declaration.campaign_id])
    ).content.decode()
    assert "supérieurs aux achats informatiques" in dashboard and reason in dashboard
    detail = client.get(reverse("procurement:declaration_detail", args=[declaration.pk]))
    assert reason in detail.content.decode()
    export = client.get(reverse("procurement:campaign_export", args=[declaration.campaign_id]))
    assert reason in export.content.decode("utf-8-sig")


def test_a_declaration_within_its_it_purchases_needs_no_justification(
    declaration, admin, sme_profile
):
    OrderLineFactory(declaration=declaration, sme_profile=sme_profile, amount=Decimal("1000"))
    declaration = services.submit_declaration(
        declaration=declaration, by=admin, attested=True, justification="sans objet"
    )
    assert declaration.state == Declaration.State.SUBMITTED
    assert declaration.sme_excess_justification == ""


def test_the_declaration_page_warns_before_submitting(excessive, admin, client):
    client.force_login(admin)
    page = plain(
        client.get(reverse("procurement:declaration_detail", args=[excessive.pk])).content.decode()
    )
    assert 'data-testid="sme-excess"' in page
    assert "dépassent le total des achats informatiques externes (8 000 000 €)" in page


def test_the_submit_form_asks_for_the_justification(excessive, admin, client):
    client.force_login(admin)
    url = reverse("procurement:declaration_submit", args=[excessive.pk])
    page = client.get(url).content.decode()
    assert 'name="justification"' in page and 'data-testid="sme-excess"' in page

    refused = client.post(url, {"attestation": "on"})
    assert refused.status_code == 400
    assert "Vérifiez d&#x27;abord le total des achats" in refused.content.decode()
    excessive.refresh_from_db()
    assert excessive.state == Declaration.State.DRAFT

    accepted = client.post(url, {"attestation": "on", "justification": "Contrat cadre de 3 ans."})
    assert accepted.status_code == 302
    excessive.refresh_from_db()
    assert excessive.state == Declaration.State.SUBMITTED
    assert excessive.sme_excess_justification == "Contrat cadre de 3 ans."


def test_no_justification_field_when_the_figures_are_consistent(declaration, admin, client):
    client.force_login(admin)
    page = client.get(reverse("procurement:declaration_submit", args=[declaration.pk]))
    assert 'name="justification"' not in page.content.decode()
    assert 'data-testid="sme-excess"' not in page.content.decode()
