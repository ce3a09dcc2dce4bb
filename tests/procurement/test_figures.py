"""Totals and shares in SQL, history entries, SME confirmation and dispute."""

from decimal import Decimal

import pytest
from django.urls import reverse

from directory.models import Domain
from procurement import selectors, services
from procurement.models import OrderLine
from tests.factories import OrderLineFactory, OrganisationFactory, SMEProfileFactory, member_of

from .test_state_machine import line_data


def test_totals_and_shares(declaration, sme_profile):
    declaration.it_purchases_total = Decimal("10000.00")
    declaration.save()
    OrderLineFactory(declaration=declaration, sme_profile=sme_profile, amount=Decimal("600.00"))
    OrderLineFactory(declaration=declaration, sme_profile=sme_profile, amount=Decimal("200.00"))
    OrderLineFactory(
        declaration=declaration,
        sme_profile_id="443061841",
        sme_name="Non inscrite",
        amount=Decimal("200.00"),
    )
    totals = selectors.declaration_totals(declaration)
    assert totals["sme_total"] == Decimal("1000.00")
    assert totals["sme_share"] == Decimal("10")
    assert totals["smes"] == 2
    assert totals["registered_smes"] == 1
    assert totals["registered_share"] == Decimal("80")


def test_unregistered_line_counts_as_registered_once_the_sme_registers(declaration):
    OrderLineFactory(declaration=declaration, sme_profile_id="443061841", sme_name="Nuagique")
    assert selectors.declaration_totals(declaration)["registered_smes"] == 0
    SMEProfileFactory(siren="443061841", organisation__siren="443061841")
    assert selectors.declaration_totals(declaration)["registered_smes"] == 1
    assert OrderLine.objects.get().sme_profile.siren == "443061841"


def test_history_records_who_changed_what_before_and_after(declaration, buyer, admin, client):
    client.force_login(buyer)
    from directory.models import Domain

    client.post(
        reverse("procurement:line_add", args=[declaration.pk]),
        {
            "siren": "443061841",
            "sme_name": "Nuagique",
            "amount": "1500",
            "order_date": line_data().order_date.isoformat(),
            "domain": Domain.objects.get(slug="cybersecurite").pk,
        },
    )
    line = OrderLine.objects.get()
    client.post(
        reverse("procurement:line_edit", args=[declaration.pk, line.pk]),
        {
            "siren": "443061841",
            "sme_name": "Nuagique",
            "amount": "1750,25",
            "order_date": line_data().order_date.isoformat(),
            "domain": Domain.objects.get(slug="cybersecurite").pk,
        },
    )
    client.post(
        reverse("procurement:declaration_total", args=[declaration.pk]),
        {"it_purchases_total": "2 000 000"},
    )
    events = list(selectors.declaration_history(declaration))
    update = next(
        e for e in events if e.pgh_model.endswith("OrderLineEvent") and e.pgh_label == "update"
    )
    assert update.pgh_diff["amount"] == ["1500.00", "1750.25"] or update.pgh_diff["amount"] == [
        1500.0,
        1750.25,
    ]
    assert update.user == buyer
    page = client.get(
        reverse("procurement:declaration_history", args=[declaration.pk])
    ).content.decode()
    assert "Ligne ajoutée" in page and "Ligne modifiée" in page and str(buyer) in page
    assert "achats informatiques externes" in page
    # Amounts in euros, French style; no bookkeeping column.
    assert "1\u202f500\u00a0€ → <strong>1\u202f750,25\u00a0€</strong>" in page
    assert "2\u202f000\u202f000\u00a0€" in page
    assert "updated" not in page
    client.force_login(admin)
    client.post(reverse("procurement:line_delete", args=[declaration.pk, line.pk]))
    assert (
        "Ligne supprimée"
        in client.get(
            reverse("procurement:declaration_history", args=[declaration.pk])
        ).content.decode()
    )


@pytest.fixture
def sme_member(sme_profile):
    return member_of(sme_profile.organisation)


def test_sme_sees_its_lines_only_after_submission_and_disputes_one(
    declaration, admin, sme_profile, sme_member, client
):
    line = OrderLineFactory(declaration=declaration, sme_profile=sme_profile, reference="BC-777")
    OrderLineFactory(
        declaration=declaration, sme_profile_id="443061841", sme_name="Autre", reference="BC-888"
    )
    client.force_login(sme_member)
    url = reverse("procurement:sme_orders")
    assert "BC-777" not in client.get(url).content.decode()
    assert client.get(reverse("procurement:sme_order_respond", args=[line.pk])).status_code == 404
    services.submit_declaration(declaration=declaration, by=admin, attested=True)
    page = client.get(url).content.decode()
    assert "BC-777" in page and "BC-888" not in page
    respond = reverse("procurement:sme_order_respond", args=[line.pk])
    assert client.post(respond, {"status": "disputed", "comment": ""}).status_code == 400
    client.post(respond, {"status": "disputed", "comment": "Montant erroné"})
    line.refresh_from_db()
    assert line.sme_status == "disputed" and line.sme_comment == "Montant erroné"
    client.force_login(admin)
    assert (
        "Montant erroné"
        in client.get(
            reverse("procurement:declaration_detail", args=[declaration.pk])
        ).content.decode()
    )


def test_sme_confirms_a_line(declaration, admin, sme_profile, sme_member):
    line = OrderLineFactory(declaration=declaration, sme_profile=sme_profile)
    services.submit_declaration(declaration=declaration, by=admin, attested=True)
    line = services.respond_to_line(line=line, by=sme_member, status="confirmed", comment="")
    assert line.sme_status == "confirmed" and line.sme_responded_by == sme_member


def test_other_sme_cannot_answer(declaration, admin, sme_profile, client):
    line = OrderLineFactory(declaration=declaration, sme_profile=sme_profile)
    services.submit_declaration(declaration=declaration, by=admin, attested=True)
    other = member_of(OrganisationFactory(sme=True))
    client.force_login(other)
    assert client.get(reverse("procurement:sme_order_respond", args=[line.pk])).status_code == 404
    assert (
        client.post(
            reverse("procurement:sme_order_respond", args=[line.pk]), {"status": "confirmed"}
        ).status_code
        == 404
    )


def test_staff_see_dispute_rates_per_account(declaration, admin, sme_profile, sme_member, client):
    from tests.factories import UserFactory

    lines = [OrderLineFactory(declaration=declaration, sme_profile=sme_profile) for _ in range(4)]
    services.submit_declaration(declaration=declaration, by=admin, attested=True)
    services.respond_to_line(line=lines[0], by=sme_member, status="disputed", comment="Non")
    client.force_login(UserFactory(staff=True))
    page = client.get(
        reverse("procurement:campaign_dashboard", args=[declaration.campaign.pk])
    ).content.decode()
    assert "(25 %)" in page
    csv = client.get(
        reverse("procurement:campaign_export", args=[declaration.campaign.pk])
    ).content.decode("utf-8-sig")
    assert "Banque Test;" in csv and ";25,00" in csv


def test_account_figures_by_year_region_domain(declaration, sme_profile, buyer, client):
    OrderLineFactory(declaration=declaration, sme_profile=sme_profile, amount=Decimal("300"))
    client.force_login(buyer)
    page = client.get(reverse("procurement:account_figures")).content.decode()
    assert "Cyberbase" in page and "Auvergne" in page
    csv = client.get(reverse("procurement:account_figures_export", args=["csv"])).content.decode(
        "utf-8-sig"
    )
    assert "732829320;Cyberbase;oui" in csv
    xlsx = client.get(reverse("procurement:account_figures_export", args=["xlsx"]))
    assert xlsx["Content-Type"].startswith("application/vnd.openxml")


def test_sme_picker_suggests_published_profiles_by_name_or_siren(buyer, sme_profile, client):
    client.force_login(buyer)
    url = reverse("procurement:sme_autocomplete")
    by_name = client.get(url, {"q": "Cyberbas"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-siren="732829320"' in by_name
    assert 'data-siren="732829320"' in client.get(url, {"q": "7328"}).content.decode()
    unknown = client.get(url, {"q": "Inconnue SA"}).content.decode()
    assert "saisissez le SIREN et le nom" in unknown


def test_account_breakdowns_sum_the_lines_per_region_domain_and_sme(
    declaration, sme_profile, account
):
    cyber = Domain.objects.get(slug="cybersecurite")
    other = Domain.objects.exclude(pk=cyber.pk).order_by("pk").first()
    for profile, name, amount, domain in [
        (sme_profile, "Cyberbase", "300", cyber),
        (sme_profile, "Cyberbase", "200", other),
        (None, "Inconnue", "1000", cyber),  # an SME without a profile: no region
        (None, "Inconnue SAS", "1", cyber),
    ]:
        sme = {"sme_profile": profile} if profile else {"sme_profile_id": "443061841"}
        OrderLineFactory(
            declaration=declaration, sme_name=name, amount=Decimal(amount), domain=domain, **sme
        )
    breakdowns = selectors.account_breakdowns(account, declaration.campaign.year)
    assert breakdowns["by_region"] == [
        {"region": "", "total": Decimal("1001"), "lines": 2, "smes": 1},
        {"region": sme_profile.region.name, "total": Decimal("500"), "lines": 2, "smes": 1},
    ]
    assert breakdowns["by_domain"] == [
        {"domain__name": cyber.name, "total": Decimal("1301"), "lines": 3, "smes": 2},
        {"domain__name": other.name, "total": Decimal("200"), "lines": 1, "smes": 1},
    ]
    assert [
        (row["sme_profile_id"], row["name"], row["total"], row["lines"], row["registered"])
        for row in breakdowns["top_smes"]
    ] == [
        ("443061841", "Inconnue SAS", Decimal("1001"), 2, False),
        ("732829320", "Cyberbase", Decimal("500"), 2, True),
    ]
