"""List views run a fixed number of queries whatever the number of rows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    DeclarationFactory,
    OrderLineFactory,
    OrganisationFactory,
    UserFactory,
    member_of,
)


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_declaration_page_query_count_does_not_grow_with_lines(declaration, buyer, client):
    client.force_login(buyer)
    url = reverse("procurement:declaration_detail", args=[declaration.pk])
    OrderLineFactory(declaration=declaration)
    few = count_queries(client, url)
    for _ in range(10):
        OrderLineFactory(declaration=declaration)
    assert count_queries(client, url) == few


def test_campaign_dashboard_query_count_does_not_grow_with_accounts(campaign, client):
    client.force_login(UserFactory(staff=True))
    url = reverse("procurement:campaign_dashboard", args=[campaign.pk])
    DeclarationFactory(campaign=campaign)
    few = count_queries(client, url)
    for _ in range(8):
        DeclarationFactory(campaign=campaign, organisation=OrganisationFactory())
    assert count_queries(client, url) == few


def test_sme_orders_query_count_does_not_grow(declaration, admin, sme_profile, client):
    from procurement import services

    member = member_of(sme_profile.organisation)
    OrderLineFactory(declaration=declaration, sme_profile=sme_profile)
    services.submit_declaration(declaration=declaration, by=admin, attested=True)
    client.force_login(member)
    url = reverse("procurement:sme_orders")
    few = count_queries(client, url)
    for _ in range(6):
        OrderLineFactory(declaration=declaration, sme_profile=sme_profile)
    assert count_queries(client, url) == few


def test_history_query_count_does_not_grow(declaration, buyer, client):
    client.force_login(buyer)
    url = reverse("procurement:declaration_history", args=[declaration.pk])
    OrderLineFactory(declaration=declaration)
    few = count_queries(client, url)
    for _ in range(5):
        OrderLineFactory(declaration=declaration)
    assert count_queries(client, url) == few


def test_campaign_dashboard_filters_by_state_and_disputes(campaign, client):
    DeclarationFactory(
        campaign=campaign, organisation=OrganisationFactory(name="Alpha"), submitted=True
    )
    DeclarationFactory(campaign=campaign, organisation=OrganisationFactory(name="Bravo"))
    OrganisationFactory(name="Charlie")
    client.force_login(UserFactory(staff=True))
    url = reverse("procurement:campaign_dashboard", args=[campaign.pk])
    page = client.get(url, {"state": ["not_started", "draft"]}).content.decode()
    assert "Bravo" in page and "Charlie" in page and "Alpha" not in page
    page = client.get(url, {"disputed": "yes"}).content.decode()
    assert "Aucun grand compte" in page
    csv = client.get(reverse("procurement:campaign_export", args=[campaign.pk]), {"name": "alp"})
    assert csv.content.decode("utf-8-sig").count("\n") == 2
