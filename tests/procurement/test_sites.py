"""Buying sites: SIRET checks, pages scoped to the account, the optional site of a line (form and
import column "Site acheteur")."""

from decimal import Decimal

import pytest
from django.urls import reverse

from directory.models import Departement, Domain
from procurement import services, sites
from procurement.imports.messages import error_text
from procurement.models import ImportJob, OrderLine, Site
from tests.factories import OrderLineFactory, SiteFactory, valid_siret

from .conftest import YEAR, order_date
from .test_import import GOOD, HEADER, csv_upload, import_file, rows_csv


@pytest.fixture
def site(account):
    return SiteFactory(organisation=account, name="Siège Lyon", siret=valid_siret(account.siren, 1))


def _post_site(client, data, pk=None):
    url = reverse("procurement:site_edit", args=[pk]) if pk else reverse("procurement:site_add")
    return client.post(url, data)


def test_admin_adds_a_site_with_a_siret_of_the_account(client, account, admin):
    client.force_login(admin)
    siret = valid_siret(account.siren, 12)
    response = _post_site(
        client,
        {"siret": f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}", "name": "Agence Paris",
         "departement": "75"},
    )  # fmt: skip
    assert response.status_code == 302
    site = Site.objects.get(organisation=account)
    assert (site.siret, site.name, site.departement_id) == (siret, "Agence Paris", "75")
    assert site.events.count() == 1  # history (pghistory)


def test_siret_with_a_wrong_key_is_refused(client, account, admin):
    client.force_login(admin)
    siret = valid_siret(account.siren, 3)
    wrong = siret[:-1] + str((int(siret[-1]) + 1) % 10)
    response = _post_site(client, {"siret": wrong, "name": "X", "departement": "69"})
    assert response.status_code == 400
    assert "clé de contrôle" in response.content.decode()
    assert not Site.objects.exists()


def test_siret_of_another_company_is_refused_and_says_why(client, account, admin, other_account):
    client.force_login(admin)
    response = _post_site(
        client,
        {"siret": valid_siret(other_account.siren, 1), "name": "X", "departement": "69"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "autre entreprise" in text and account.siren in text
    assert not Site.objects.exists()


def test_check_siret_messages():
    from tests.factories import OrganisationFactory

    organisation = OrganisationFactory.build(siren="732829320", name="Cyber")
    assert sites.check_siret("732 829 320 00074", organisation) == "73282932000074"
    for value, code in [
        ("1234", "siret_format"),
        ("73282932000075", "siret_key"),
        (valid_siret("443061841", 1), "siret_other_siren"),
    ]:
        with pytest.raises(Exception) as caught:
            sites.check_siret(value, organisation)
        assert caught.value.code == code


def test_two_sites_cannot_share_a_name_ignoring_case_and_accents(client, account, admin, site):
    client.force_login(admin)
    response = _post_site(
        client,
        {"siret": valid_siret(account.siren, 2), "name": "SIEGE lyon", "departement": "69"},
    )
    assert response.status_code == 400
    assert Site.objects.count() == 1


def test_member_lists_sites_but_cannot_add_them(client, buyer, site):
    client.force_login(buyer)
    response = client.get(reverse("procurement:site_list"))
    assert response.status_code == 200
    assert "Siège Lyon" in response.content.decode()
    assert reverse("procurement:site_add") not in response.content.decode()
    assert client.get(reverse("procurement:site_add")).status_code == 403


def test_other_account_gets_404_on_a_site(client, outsider, site):
    client.force_login(outsider)
    assert client.get(reverse("procurement:site_edit", args=[site.pk])).status_code == 404
    assert client.post(reverse("procurement:site_delete", args=[site.pk])).status_code == 404
    assert "Siège Lyon" not in client.get(reverse("procurement:site_list")).content.decode()
    assert Site.objects.filter(pk=site.pk).exists()


def test_anonymous_is_sent_to_login(client, site):
    response = client.get(reverse("procurement:site_list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_site_named_by_lines_cannot_be_deleted(client, admin, site, declaration):
    OrderLineFactory(declaration=declaration, site=site)
    client.force_login(admin)
    page = client.get(reverse("procurement:site_delete", args=[site.pk])).content.decode()
    assert "ne peut pas être supprimé" in page
    response = client.post(reverse("procurement:site_delete", args=[site.pk]))
    assert response.status_code == 409
    assert Site.objects.filter(pk=site.pk).exists()


def test_unused_site_is_deleted_after_confirmation(client, admin, site):
    client.force_login(admin)
    assert client.get(reverse("procurement:site_delete", args=[site.pk])).status_code == 200
    assert Site.objects.filter(pk=site.pk).exists()
    assert client.post(reverse("procurement:site_delete", args=[site.pk])).status_code == 302
    assert not Site.objects.filter(pk=site.pk).exists()


# --- the site of a line --------------------------------------------------------------------------


def _line_post(site_id, **extra):
    return {
        "siren": "443061841",
        "sme_name": "Nuagique",
        "amount": "1500",
        "order_date": order_date().isoformat(),
        "domain": Domain.objects.get(slug="cybersecurite").pk,
        "site": site_id,
        **extra,
    }


def test_line_form_names_a_site_of_the_account(client, buyer, declaration, site):
    client.force_login(buyer)
    page = client.get(reverse("procurement:declaration_detail", args=[declaration.pk]))
    assert "Site acheteur" in page.content.decode()
    client.post(reverse("procurement:line_add", args=[declaration.pk]), _line_post(site.pk))
    assert OrderLine.objects.get().site == site


def test_line_form_refuses_another_accounts_site(client, buyer, declaration, other_account):
    SiteFactory(organisation=declaration.organisation)  # the account has sites: the field shows
    foreign = SiteFactory(organisation=other_account)
    client.force_login(buyer)
    response = client.post(
        reverse("procurement:line_add", args=[declaration.pk]), _line_post(foreign.pk)
    )
    assert not OrderLine.objects.exists()
    assert response.status_code in {200, 400}


def test_service_refuses_another_accounts_site(declaration, buyer, other_account):
    from .test_state_machine import line_data

    foreign = SiteFactory(organisation=other_account)
    data = line_data()
    data = type(data)(**{**data.__dict__, "site": foreign})
    with pytest.raises(services.TransitionError):
        services.add_line(declaration=declaration, data=data, by=buyer)


SITE_HEADER = HEADER + ";Site acheteur"


def test_import_finds_the_site_by_siret_with_spaces_or_by_name(declaration, buyer, site):
    siret = f"{site.siret[:3]} {site.siret[3:6]} {site.siret[6:9]} {site.siret[9:]}"
    rows = [f"{GOOD};{siret}", f"{GOOD};  siege LYON ", f"{GOOD};"]
    job = import_file(declaration, buyer, csv_upload(rows_csv(rows, header=SITE_HEADER)))
    assert job.state == ImportJob.State.VALID, job.errors
    services.confirm_import(job=job, mode="replace", by=buyer)
    assert sorted(OrderLine.objects.values_list("site_id", flat=True), key=lambda v: v or 0) == [
        None,
        site.pk,
        site.pk,
    ]


def test_import_refuses_an_unknown_site_and_writes_nothing(declaration, buyer, site, other_account):
    OrderLineFactory(declaration=declaration, amount=Decimal("7"))
    foreign = SiteFactory(organisation=other_account)
    rows = [f"{GOOD};Siège Lyon", f"{GOOD};Usine de Brest", f"{GOOD};{foreign.siret}"]
    job = import_file(declaration, buyer, csv_upload(rows_csv(rows, header=SITE_HEADER)))
    assert job.state == ImportJob.State.INVALID
    errors = {
        line: (column, error_text(code, params)) for line, column, _v, code, params in job.errors
    }
    assert set(errors) == {3, 4}
    assert errors[3][0] == "Site acheteur"
    assert "Usine de Brest" in errors[3][1] and "site acheteur inconnu" in errors[3][1]
    assert list(OrderLine.objects.values_list("amount", flat=True)) == [Decimal("7.00")]


def test_import_template_has_the_site_column(client, buyer, campaign):
    client.force_login(buyer)
    text = client.get(reverse("procurement:import_template", args=["csv"])).content.decode(
        "utf-8-sig"
    )
    assert "Site acheteur" in text.splitlines()[0]


def test_account_line_export_shows_the_site(client, buyer, declaration, site):
    OrderLineFactory(declaration=declaration, site=site)
    client.force_login(buyer)
    response = client.get(
        reverse("procurement:account_figures_export", args=["csv"]) + f"?annee={YEAR}"
    )
    text = (
        b"".join(response.streaming_content).decode("utf-8-sig")
        if response.streaming
        else response.content.decode("utf-8-sig")
    )
    assert "Site acheteur" in text and "Siège Lyon" in text and site.siret in text


def test_sites_use_departements(site):
    assert site.departement == Departement.objects.get(code="69")


def test_history_names_the_site_of_a_changed_line(client, buyer, declaration, site):
    client.force_login(buyer)
    client.post(reverse("procurement:line_add", args=[declaration.pk]), _line_post(""))
    line = OrderLine.objects.get()
    client.post(
        reverse("procurement:line_edit", args=[declaration.pk, line.pk]), _line_post(site.pk)
    )
    assert OrderLine.objects.get().site == site
    page = client.get(reverse("procurement:declaration_history", args=[declaration.pk]))
    assert "Siège Lyon" in page.content.decode()


def test_a_replace_archives_the_site_of_the_lines_it_removes(declaration, buyer, site):
    from procurement.models import ReplacedLine

    OrderLineFactory(declaration=declaration, site=site)
    job = import_file(declaration, buyer, csv_upload(rows_csv([GOOD])))
    services.confirm_import(job=job, mode="replace", by=buyer)
    assert list(ReplacedLine.objects.values_list("site_siret", flat=True)) == [site.siret]


def test_site_clean_checks_the_siret_as_the_form_does(account, other_account):
    from django.core.exceptions import ValidationError

    site = Site(
        organisation=account,
        siret=valid_siret(other_account.siren, 1),
        name="X",
        departement=Departement.objects.get(code="69"),
    )
    with pytest.raises(ValidationError) as caught:
        site.full_clean()
    assert "siret" in caught.value.message_dict


def test_the_line_form_never_shows_another_accounts_sites(
    client, campaign, declaration, admin, site, other_account, outsider
):
    """The blank "add a line" form is kept per process: keyed by the sites it lists too."""
    from tests.factories import DeclarationFactory

    client.force_login(admin)
    mine = client.get(reverse("procurement:declaration_detail", args=[declaration.pk]))
    assert "Siège Lyon" in mine.content.decode()

    SiteFactory(
        organisation=other_account,
        name="Entrepôt Rennes",
        siret=valid_siret(other_account.siren, 2),
    )
    theirs = DeclarationFactory(campaign=campaign, organisation=other_account)
    client.force_login(outsider)
    page = client.get(reverse("procurement:declaration_detail", args=[theirs.pk])).content.decode()
    assert "Entrepôt Rennes" in page
    assert "Siège Lyon" not in page
