"""The local-purchasing share (procurement.figures.local_share) on crafted data, and where the
account sees it."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from directory.models import Departement
from procurement import figures
from procurement.models import Declaration
from tests.factories import (
    CampaignFactory,
    DeclarationFactory,
    EditionAccountFactory,
    EditionFactory,
    OrderLineFactory,
    OrganisationFactory,
    SiteFactory,
    SMEProfileFactory,
)

from .conftest import YEAR

LONG_AGO = timezone.make_aware(datetime.datetime(YEAR - 3, 1, 1))


def sme(code: str | None, siren_seed: int):
    """A registered SME of département `code` (long registered, so for N-1 too)."""
    departement = Departement.objects.get(code=code)
    return SMEProfileFactory(
        departement=departement, region=departement.region, published_at=LONG_AGO
    )


@pytest.fixture
def crafted(account):
    """Year N: 1,000 € of SME purchases; year N-1: 200 €."""
    previous = CampaignFactory(year=YEAR - 1, closed=True)
    current = CampaignFactory(year=YEAR)
    lyon = SiteFactory(organisation=account, departement=Departement.objects.get(code="69"))
    paris = SiteFactory(organisation=account, departement=Departement.objects.get(code="75"))
    rhone, isere, paris_sme = sme("69", 1), sme("38", 2), sme("75", 3)
    declaration = DeclarationFactory(campaign=current, organisation=account, submitted=True)
    for site, profile, amount in [
        (lyon, rhone, "100"),  # same département
        (lyon, isere, "200"),  # same region (Auvergne-Rhône-Alpes), another département
        (lyon, paris_sme, "300"),  # elsewhere
        (paris, paris_sme, "50"),  # same département
        (None, rhone, "250"),  # site unknown
    ]:
        OrderLineFactory(
            declaration=declaration, site=site, sme_profile=profile, amount=Decimal(amount)
        )
    OrderLineFactory(
        declaration=declaration,
        site=lyon,
        sme_profile_id="443061841",  # an unregistered SME: no known département
        sme_name="Inconnue",
        amount=Decimal("100"),
    )
    before = DeclarationFactory(campaign=previous, organisation=account, submitted=True)
    OrderLineFactory(declaration=before, site=lyon, sme_profile=rhone, amount=Decimal("100"))
    OrderLineFactory(declaration=before, site=None, sme_profile=rhone, amount=Decimal("100"))
    return current, previous


def test_local_share_splits_sme_purchases_by_place(crafted, account):
    current, _previous = crafted
    share = figures.local_share(current, organisation_ids=[account.pk], territory=["69", "38"])
    assert share.sme_purchases == Decimal("1000")
    assert share.same_departement_share == Decimal("15")
    assert share.same_region_share == Decimal("35")
    assert share.site_unknown_share == Decimal("25")
    assert share.sme_location_unknown_share == Decimal("10")
    assert share.territory_share == Decimal("55")  # Rhône and Isère SMEs, whatever the site
    # The five parts add up to the SME purchases.
    parts = ("same_departement", "same_region_other", "elsewhere", "site_unknown",
             "sme_location_unknown")  # fmt: skip
    assert sum(share.parts[p].amount for p in parts) == share.sme_purchases
    assert share.parts["elsewhere"].amount == Decimal("300")


def test_local_share_without_territory_has_no_territory_figure(crafted, account):
    current, _previous = crafted
    share = figures.local_share(current, organisation_ids=[account.pk])
    assert share.territory_share is None
    assert "territory" not in [row.key for row in figures.local_rows(share, None)]


def test_local_share_change_from_previous_year_in_points(crafted, account):
    current, _previous = crafted
    now, before = figures.local_share_with_previous(current, organisation_ids=[account.pk])
    assert before.same_departement_share == Decimal("50")
    assert now.change("same_departement", before) == Decimal("-35")
    rows = {row.key: row for row in figures.local_rows(now, before)}
    assert rows["same_departement"].value == "15,0\u00a0%"
    assert rows["same_departement"].previous == "50,0\u00a0%"
    assert rows["same_departement"].change == "−35,0\u00a0pt"
    assert rows["site_unknown"].change == "−25,0\u00a0pt"


def test_local_share_counts_submitted_declarations_unless_asked(crafted, account):
    current, _previous = crafted
    draft = DeclarationFactory(campaign=current, organisation=OrganisationFactory())
    OrderLineFactory(declaration=draft, amount=Decimal("5000"))
    assert figures.local_share(current).sme_purchases == Decimal("1000")
    assert figures.local_share(current, submitted_only=False).sme_purchases == Decimal("6000")


def test_local_share_of_one_member_is_hidden_in_a_programme_report(crafted):
    current, _previous = crafted
    share = figures.local_share(current)
    assert share.suppressed
    assert figures.local_disclosure(share) == {
        "same_departement", "same_region", "site_unknown", "sme_location_unknown"
    }  # fmt: skip


def test_local_share_of_several_members_is_shown_when_no_rule_applies(campaign):
    site_sme = sme("69", 9)
    for _i in range(4):
        account = OrganisationFactory()
        site = SiteFactory(organisation=account)
        declaration = DeclarationFactory(campaign=campaign, organisation=account, submitted=True)
        OrderLineFactory(
            declaration=declaration, site=site, sme_profile=site_sme, amount=Decimal("100")
        )
        OrderLineFactory(
            declaration=declaration, site=None, sme_profile=site_sme, amount=Decimal("100")
        )
    share = figures.local_share(campaign, territory=["69"])
    assert share.same_departement_share == Decimal("50")
    hidden = figures.local_disclosure(share)
    assert "same_departement" not in hidden and "site_unknown" not in hidden
    assert "territory" not in hidden
    # Nobody bought elsewhere: an empty part says nothing about anyone.
    assert "sme_location_unknown" not in hidden


def test_account_figures_page_shows_the_local_share(client, buyer, crafted, account):
    edition = EditionFactory(name="Métropole de Lyon", territory=["69", "38"])
    EditionAccountFactory(edition=edition, organisation=account)
    client.force_login(buyer)
    page = client.get(reverse("procurement:account_figures") + f"?annee={YEAR}").content.decode()
    assert "Achats locaux" in page
    assert "Part des achats PME dans le département du site acheteur" in page
    assert "15,0\u00a0%" in page and "−35,0\u00a0pt" in page
    assert "Métropole de Lyon" in page and "55,0\u00a0%" in page
    csv = client.get(reverse("procurement:account_key_figures_export") + f"?annee={YEAR}")
    text = (b"".join(csv.streaming_content) if csv.streaming else csv.content).decode("utf-8-sig")
    assert "Site acheteur non précisé" in text


def test_local_share_of_an_edition_takes_its_members_and_territory(crafted, account):
    from editions.selectors import account_ids, territory_departements

    current, _previous = crafted
    edition = EditionFactory(territory=["69", "38"])
    EditionAccountFactory(edition=edition, organisation=account)
    other = DeclarationFactory(campaign=current, organisation=OrganisationFactory(), submitted=True)
    OrderLineFactory(declaration=other, amount=Decimal("9000"))  # not a member of the edition
    share = figures.local_share(
        current, organisation_ids=account_ids(edition), territory=territory_departements(edition)
    )
    assert share.sme_purchases == Decimal("1000")
    assert share.territory_share == Decimal("55")


def test_local_shares_count_every_state_only_in_the_campaigns_asked(crafted, account):
    """The account's page: its declaration of the year whatever its state, N-1 submitted."""
    current, previous = crafted
    Declaration.objects.filter(organisation=account).update(state=Declaration.State.DRAFT)
    shares = figures.local_shares(
        [current, previous], organisation_ids=[account.pk], any_state=[current]
    )
    assert shares[current.year].sme_purchases == Decimal("1000")
    assert shares[previous.year].sme_purchases == Decimal("0")
    assert shares[previous.year].declarations == 0


def test_local_share_is_the_same_whether_smes_are_looked_up_one_by_one_or_hashed(
    crafted, account, monkeypatch
):
    current, previous = crafted
    # An SME registered after N-1 closed: unknown in N-1, placed in N.
    late = SMEProfileFactory(
        departement=Departement.objects.get(code="69"),
        region=Departement.objects.get(code="69").region,
        published_at=timezone.make_aware(datetime.datetime(YEAR, 5, 2)),  # N-1 closed on 31 March
    )
    site = account.sites.first()
    for campaign in (current, previous):
        declaration = Declaration.objects.get(organisation=account, campaign=campaign)
        OrderLineFactory(declaration=declaration, site=site, sme_profile=late, amount=Decimal(70))
        OrderLineFactory(declaration=declaration, site=site, sme_profile=late, amount=Decimal(30))

    def both():
        return (
            figures.local_shares(
                [current, previous], organisation_ids=[account.pk], territory=["69", "38"]
            ),
            figures.members_local_shares([current, previous], organisation_ids=[account.pk]),
        )

    one_by_one = both()
    monkeypatch.setattr(figures, "FEW_ACCOUNTS", 0)
    assert both() == one_by_one
    shares, by_member = one_by_one
    assert shares[previous.year].parts["sme_location_unknown"].amount == Decimal("100")
    assert by_member[account.pk][previous.year].parts["sme_location_unknown"].amount == 100
    assert shares[current.year].sme_purchases == Decimal("1100")
