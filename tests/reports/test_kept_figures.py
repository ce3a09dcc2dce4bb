"""The account's figures page reads a settled declaration's figures from DeclarationFigures
instead of recomputing its lines at each view: the kept figures must equal the one definition,
and stop being used the moment they could differ (reopened, submitted again)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from directory.models import Domain
from procurement import figures as one
from procurement import services
from procurement.models import DeclarationFigures, OrderLine
from tests.factories import CampaignFactory, DeclarationFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db


def live(declaration):
    """The one definition, computed from the lines (as the reports do)."""
    return one.declaration_key_figures(declaration)


def test_settled_figures_are_kept_once_and_equal_the_one_definition(report_data):
    alpha = report_data.members["Alpha Banque"]
    kept = one.store_campaign_figures(report_data.campaign)
    assert kept == 4  # the submitted declarations; the draft is never kept
    years = one.account_years(alpha)
    assert [row.year for row in years] == [2025, 2024]
    for row in years:
        declaration = report_data.declarations[row.year, "Alpha Banque"]
        assert row.figures == live(declaration)
    # Both years are kept now (2024 on the first view), and read from there.
    assert DeclarationFigures.objects.filter(declaration__organisation=alpha).count() == 2


def test_the_figures_page_reads_kept_figures_in_a_fixed_number_of_queries(
    report_data, client, django_assert_max_num_queries
):
    alpha = report_data.members["Alpha Banque"]
    client.force_login(member_of(alpha))
    url = reverse("procurement:account_figures")
    client.get(url, {"annee": 2025})  # keeps both years
    with django_assert_max_num_queries(20) as captured:
        response = client.get(url, {"annee": 2025})
    assert response.status_code == 200
    line_table = OrderLine._meta.db_table
    # The years table no longer reads the lines: only the selected year's breakdowns do.
    yearly = [q["sql"] for q in captured.captured_queries if "percentile_cont" in q["sql"]]
    assert yearly == []
    assert any(line_table in q["sql"] for q in captured.captured_queries)


def test_reopened_declaration_figures_are_computed_again_then_kept_after_submission(report_data):
    alpha = report_data.members["Alpha Banque"]
    declaration = report_data.declarations[2025, "Alpha Banque"]
    one.account_years(alpha)
    staff = UserFactory(staff=True)
    services.reopen_declaration(declaration=declaration, by=staff, reason="Ligne en double")
    declaration.refresh_from_db()
    OrderLine.objects.create(
        declaration=declaration,
        sme_profile_id=report_data.smes["Paris Cloud"].siren,
        sme_name="Paris Cloud",
        amount=Decimal("1000"),
        order_date=datetime.date(2025, 6, 1),
        domain=Domain.objects.get(slug="data-ia"),
        payment_delay_days=10,
    )
    (current, _previous) = one.account_years(alpha)
    assert current.state == "reopened"
    assert current.figures.sme_purchases == Decimal("176000")  # 175,000 + the new line
    assert current.figures == live(declaration)
    admin = member_of(alpha, admin=True)
    services.submit_declaration(declaration=declaration, by=admin, attested=True)
    declaration.refresh_from_db()
    (current, _previous) = one.account_years(alpha)
    assert current.submitted
    assert current.figures == live(declaration)
    stored = DeclarationFigures.objects.get(declaration=declaration)
    assert stored.declaration_updated_at == declaration.updated_at
    assert stored.sme_purchases == Decimal("176000")


def test_figures_of_a_campaign_still_registering_smes_are_not_kept(db):
    """Until the campaign's closing day has passed, a newly published SME profile moves the
    registered figures: nothing is kept, the page computes them."""
    campaign = CampaignFactory(year=datetime.date.today().year)  # closes next spring
    declaration = DeclarationFactory(campaign=campaign, submitted=True)
    assert one.store_campaign_figures(campaign) == 0
    one.account_years(declaration.organisation)
    assert not DeclarationFigures.objects.exists()
