"""The demo's programme report shows real figures: few cells hidden by disclosure control."""

import io

import pytest
from django.core.management import call_command

from procurement.models import Campaign, Declaration
from reports.figures import programme_figures, ranking
from reports.published import programme_disclosure

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())


def closed_year() -> Campaign:
    return Campaign.objects.filter(state=Campaign.State.CLOSED).order_by("-year").first()


def test_the_demo_programme_report_hides_fewer_than_a_tenth_of_its_cells(demo):
    figures = programme_figures(closed_year())
    disclosure = programme_disclosure(figures)
    # Published cells: the SME purchases, the registered-SME purchases and every breakdown row.
    cells = 2 + len(figures.regions) + len(figures.domains) + len(figures.sizes)
    assert disclosure.counts()["hidden"] < cells / 10
    assert not disclosure.total_hidden
    # The map is coloured: regions with figures shown, not "n.s."
    shown_regions = [r for r in figures.regions if r.key and not disclosure.hidden("region", r.key)]
    assert len(shown_regions) >= 10
    assert all(not disclosure.hidden("domain", r.key) for r in figures.domains)


def test_the_demo_closed_year_has_members_spread_over_regions_domains_and_sizes(demo):
    campaign = closed_year()
    submitted = Declaration.objects.filter(campaign=campaign, state=Declaration.State.SUBMITTED)
    assert submitted.count() >= 12
    figures = programme_figures(campaign)
    assert len(figures.domains) >= 6 and len({r.key for r in figures.sizes if r.key}) >= 5
    ranked = ranking(campaign)
    assert len(ranked) == submitted.count()
    named = [member for member in ranked if member.named]
    assert 0 < len(named) < len(ranked)


def test_the_demo_open_year_has_declarations_in_every_state(demo):
    current = Campaign.objects.get(state=Campaign.State.OPEN)
    states = set(current.declarations.values_list("state", flat=True))
    assert {Declaration.State.DRAFT, Declaration.State.SUBMITTED} <= states


def test_the_demo_report_shows_a_local_share_with_its_change(demo):
    from reports.local import local_report_rows

    campaign = closed_year()
    figures = programme_figures(campaign)
    disclosure = programme_disclosure(figures)
    rows = {row.key: row for row in local_report_rows(campaign.pk)}
    for key in ("same_departement", "same_region", "site_unknown"):
        assert rows[key].value not in {"n.s.", "0,0\u00a0%"}, rows[key]
        assert rows[key].change not in {"n.s.", "–"}, rows[key]
    assert not disclosure.total_hidden
