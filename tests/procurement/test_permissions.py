"""Every page and export: the owner can, another organisation's member gets 404, anonymous → login."""

import pytest
from django.urls import reverse

from procurement.models import ImportJob
from tests.factories import OrderLineFactory, UserFactory


@pytest.fixture
def objects(declaration, buyer):
    line = OrderLineFactory(declaration=declaration)
    job = ImportJob.objects.create(
        declaration=declaration,
        created_by=buyer,
        original_name="x.csv",
        file_format="csv",
        file="imports/x.csv",
        state="invalid",
    )
    return declaration, line, job


def declaration_urls(declaration, line, job):
    d = declaration.pk
    return [
        ("get", reverse("procurement:declaration_detail", args=[d])),
        ("get", reverse("procurement:declaration_totals", args=[d])),
        ("get", reverse("procurement:declaration_history", args=[d])),
        ("get", reverse("procurement:line_edit", args=[d, line.pk])),
        ("get", reverse("procurement:line_row", args=[d, line.pk])),
        ("get", reverse("procurement:line_delete", args=[d, line.pk])),
        ("post", reverse("procurement:line_delete", args=[d, line.pk])),
        ("get", reverse("procurement:line_add", args=[d])),
        ("post", reverse("procurement:declaration_total", args=[d])),
        ("get", reverse("procurement:declaration_submit", args=[d])),
        ("get", reverse("procurement:import_upload", args=[d])),
        ("get", reverse("procurement:import_detail", args=[d, job.pk])),
        ("get", reverse("procurement:import_progress", args=[d, job.pk])),
        ("post", reverse("procurement:import_confirm", args=[d, job.pk])),
        ("post", reverse("procurement:import_cancel", args=[d, job.pk])),
    ]


def test_owner_can_open_every_declaration_page(objects, admin, client):
    client.force_login(admin)
    for method, url in declaration_urls(*objects):
        if method == "get":
            assert getattr(client, method)(url).status_code == 200, url


def test_member_of_another_organisation_gets_404(objects, outsider, client):
    client.force_login(outsider)
    for method, url in declaration_urls(*objects):
        assert getattr(client, method)(url).status_code == 404, url


def test_anonymous_is_sent_to_login(objects, client):
    urls = [
        *declaration_urls(*objects),
        ("get", reverse("procurement:declaration_home")),
        ("get", reverse("procurement:account_figures")),
        ("get", reverse("procurement:account_figures_export", args=["csv"])),
        ("get", reverse("procurement:import_template", args=["csv"])),
        ("get", reverse("procurement:sme_orders")),
        ("get", reverse("procurement:sme_autocomplete")),
        ("get", reverse("procurement:staff_campaigns")),
        ("get", reverse("procurement:campaign_dashboard", args=[objects[0].campaign.pk])),
        ("get", reverse("procurement:campaign_export", args=[objects[0].campaign.pk])),
        ("post", reverse("procurement:campaign_remind", args=[objects[0].campaign.pk])),
    ]
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login" in response["Location"], url


def test_account_figures_export_shows_only_own_lines(objects, outsider, client):
    client.force_login(outsider)
    csv = client.get(reverse("procurement:account_figures_export", args=["csv"]))
    assert csv.status_code == 404  # the other account has no declaration at all


def test_staff_pages_refuse_non_staff_and_open_for_staff(objects, buyer, client):
    campaign = objects[0].campaign
    urls = [
        reverse("procurement:staff_campaigns"),
        reverse("procurement:campaign_dashboard", args=[campaign.pk]),
        reverse("procurement:campaign_export", args=[campaign.pk]),
        reverse("procurement:campaign_create"),
        reverse("procurement:declaration_reopen", args=[objects[0].pk]),
    ]
    client.force_login(buyer)
    for url in urls:
        assert client.get(url).status_code == 403, url
    client.force_login(UserFactory(staff=True))
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("procurement:campaign_dashboard", args=[999999])).status_code == 404
    assert (
        client.get(reverse("procurement:declaration_detail", args=[objects[0].pk])).status_code
        == 200
    )


def test_odd_inputs_never_fail(objects, buyer, client):
    declaration = objects[0]
    client.force_login(buyer)
    assert (
        client.get(
            reverse("procurement:declaration_detail", args=[declaration.pk]) + "?page=zzz"
        ).status_code
        == 200
    )
    assert client.get(reverse("procurement:account_figures") + "?annee=abc").status_code == 200
    assert client.get(reverse("procurement:import_template", args=["pdf"])).status_code == 404
    assert (
        client.get(reverse("procurement:sme_autocomplete") + "?q=" + "x" * 500).status_code == 200
    )
    assert (
        client.post(
            reverse("procurement:declaration_total", args=[declaration.pk]),
            {"it_purchases_total": "abc"},
        ).status_code
        == 400
    )


def test_bad_posts_get_messages_not_server_errors(objects, admin, client):
    from directory.models import Domain

    declaration, line, job = objects
    client.force_login(admin)
    d = declaration.pk
    bad = {"siren": "<script>", "amount": "1e400", "order_date": "31/02/2026", "domain": "999999"}
    assert client.post(reverse("procurement:line_add", args=[d]), bad).status_code == 400
    edit = client.post(
        reverse("procurement:line_edit", args=[d, line.pk]), bad, HTTP_HX_REQUEST="true"
    )
    assert edit.status_code == 200 and 'class="editing"' in edit.content.decode()
    confirm = client.post(reverse("procurement:import_confirm", args=[d, job.pk]), {"mode": "zzz"})
    assert confirm.status_code == 400
    confirm = client.post(
        reverse("procurement:import_confirm", args=[d, job.pk]), {"mode": "replace"}
    )
    assert confirm.status_code == 302  # the job has errors: message, nothing imported
    assert client.post(reverse("procurement:declaration_submit", args=[d]), {}).status_code == 400
    assert client.get(reverse("procurement:line_edit", args=[d, 10**12])).status_code == 404
    assert Domain.objects.exists()


def test_staff_odd_inputs(objects, client):
    campaign = objects[0].campaign
    client.force_login(UserFactory(staff=True))
    url = reverse("procurement:campaign_dashboard", args=[campaign.pk])
    assert client.get(url, {"state": "nope", "disputed": "maybe", "page": "-1"}).status_code == 200
    response = client.post(
        reverse("procurement:campaign_state", args=[campaign.pk]), {"state": "x"}
    )
    assert response.status_code == 302
    form = client.post(
        reverse("procurement:campaign_edit", args=[campaign.pk]),
        {"year": campaign.year, "opens_on": "2026-05-01", "closes_on": "2026-01-01"},
    )
    assert form.status_code == 400
    reopen = client.post(
        reverse("procurement:declaration_reopen", args=[objects[0].pk]), {"reason": "x"}
    )
    assert reopen.status_code == 400  # a draft cannot be reopened: the error is on the form
