"""Yearly targets: set before submission, compared with the declared figures after it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from charter import selectors, services
from procurement.models import Declaration
from tests.factories import (
    CampaignFactory,
    DeclarationFactory,
    OrderLineFactory,
    OrganisationFactory,
    member_of,
)

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def declare(account, campaign, *, it_total, lines):
    declaration = DeclarationFactory(
        campaign=campaign, organisation=account, it_purchases_total=Decimal(it_total)
    )
    for amount, delay in lines:
        OrderLineFactory(declaration=declaration, amount=Decimal(amount), payment_delay_days=delay)
    return declaration


def submit(declaration):
    declaration.state = Declaration.State.SUBMITTED
    declaration.save()


def test_targets_met_not_met_and_not_measurable_from_declared_figures(client, account, admin):
    campaign = CampaignFactory(year=YEAR)
    # SME share 20 % (200 000 / 1 000 000), median delay 45 days, 2 of 3 lines paid within 60.
    declaration = declare(
        account,
        campaign,
        it_total="1000000",
        lines=[("100000", 30), ("50000", 45), ("50000", 90)],
    )
    client.force_login(admin)
    url = reverse("charter:targets", args=[campaign.pk])
    response = client.post(
        url,
        {
            "sme_share": "15",
            "median_payment_delay": "30",
            "paid_within_60_share": "60",
            "smes_met": "12",
            "action_1": "Sourcing PME dans chaque appel d'offres",
        },
    )
    assert response.status_code == 302
    # Before submission nothing is compared.
    assert selectors.target_results(account, campaign) is None
    submit(declaration)
    results = {r.name: r for r in selectors.target_results(account, campaign)}
    assert results["sme_share"].status == selectors.MET
    assert results["sme_share"].actual == Decimal("20.0")
    assert results["median_payment_delay"].status == selectors.NOT_MET
    assert results["paid_within_60_share"].status == selectors.MET
    assert results["smes_met"].status == selectors.NOT_MEASURABLE
    assert "registered_share" not in results  # not set
    page = client.get(url).content.decode()
    assert "atteint" in page and "non atteint" in page and "non mesurable" in page
    assert "Sourcing PME" in page
    # After submission targets no longer change.
    assert client.post(url, {"sme_share": "1"}).status_code == 403


def test_member_sees_targets_but_only_admin_sets_them(client, account):
    campaign = CampaignFactory(year=YEAR)
    member = member_of(account)
    client.force_login(member)
    url = reverse("charter:targets", args=[campaign.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"sme_share": "10"}).status_code == 403


def test_sme_and_anonymous_cannot_reach_targets(client):
    campaign = CampaignFactory(year=YEAR)
    url = reverse("charter:targets", args=[campaign.pk])
    assert "login" in client.get(url)["Location"]
    sme = OrganisationFactory(sme=True)
    client.force_login(member_of(sme, admin=True))
    assert client.get(url).status_code == 403


def test_other_organisation_sees_only_its_own_targets(client, account, admin):
    campaign = CampaignFactory(year=YEAR)
    services.save_targets(
        organisation=account, campaign=campaign, by=admin, sme_share=Decimal("47.31")
    )
    other = member_of(OrganisationFactory(), admin=True)
    client.force_login(other)
    response = client.get(reverse("charter:targets", args=[campaign.pk]))
    page = response.content.decode()
    # The other organisation's form starts empty: neither spelling of the share shows.
    assert response.context["form"]["sme_share"].value() in (None, "")
    assert "47.31" not in page and "47,31" not in page


def test_programme_counts_members_meeting_each_target_suppressed_below_three():
    campaign = CampaignFactory(year=YEAR)
    for i, share in enumerate(["10", "20", "30"]):
        account = OrganisationFactory()
        admin = member_of(account, admin=True)
        declaration = declare(account, campaign, it_total="100000", lines=[(share + "000", 30)])
        services.save_targets(
            organisation=account,
            campaign=campaign,
            by=admin,
            sme_share=Decimal("15"),
            median_payment_delay=20 if i == 0 else None,
        )
        submit(declaration)
    counts = {c.label: c for c in selectors.programme_target_counts(campaign)}
    share = counts["Part PME des achats informatiques"]
    assert (share.members_with_target, share.members_met) == (3, 2)
    delay = counts["Délai de paiement médian"]
    assert delay.members_met is None  # one member only: not shown


def test_contacts_named_by_admin_only(client, account, admin):
    url = reverse("charter:contacts")
    data = {
        "correspondent_name": "Paul PME",
        "correspondent_email": "pme@banque.test",
        "mediator_name": "Mona Médiatrice",
        "mediator_email": "mediation@banque.test",
    }
    client.force_login(member_of(account))
    assert client.post(url, data).status_code == 403
    client.force_login(admin)
    assert client.post(url, data).status_code == 302
    assert selectors.contacts_of(account.pk).mediator_email == "mediation@banque.test"
    assert "Mona Médiatrice" in client.get(url).content.decode()


def test_sme_sees_the_account_contacts_on_its_declared_orders(client, account, admin):
    from tests.factories import SMEProfileFactory

    services.save_contacts(
        organisation=account,
        by=admin,
        correspondent_name="Paul PME",
        correspondent_email="pme@banque.test",
        mediator_name="Mona Médiatrice",
        mediator_email="mediation@banque.test",
    )
    profile = SMEProfileFactory()
    declaration = declare(account, CampaignFactory(year=YEAR), it_total="1000", lines=[])
    OrderLineFactory(declaration=declaration, sme_profile=profile)
    submit(declaration)
    client.force_login(member_of(profile.organisation))
    page = client.get(reverse("procurement:sme_orders")).content.decode()
    assert "pme@banque.test" in page and "Mona Médiatrice" in page


def test_member_and_programme_reports_show_the_charter(account, admin):
    import io

    from pypdf import PdfReader

    from reports import figures as report_figures
    from reports import rendering

    campaign = CampaignFactory(year=YEAR)
    declaration = declare(account, campaign, it_total="100000", lines=[("30000", 20)])
    services.save_targets(
        organisation=account, campaign=campaign, by=admin, sme_share=Decimal("25")
    )
    submit(declaration)
    member = report_figures.member_figures(campaign, organisation=account)
    pdf = rendering.member_pdf(member, version_number=1)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Vos objectifs de la charte" in text and "atteint" in text
    programme = rendering.programme_context(
        report_figures.programme_figures(campaign), version_number=1
    )
    # One member set the target: the count is not shown (fewer than three).
    (share,) = [c for c in programme["charter"]["target_counts"] if c.label.startswith("Part PME")]
    assert share.members_met is None
