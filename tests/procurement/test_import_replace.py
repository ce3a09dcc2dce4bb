"""A replace-import keeps what it replaced: the removed lines are archived with the SME's answers,
staff and the account see them, and replacing answered lines needs an explicit confirmation."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from procurement import services
from procurement.models import Declaration, ImportJob, OrderLine, ReplacedLine
from procurement.selectors import declaration_history
from tests.factories import OrderLineFactory, UserFactory, member_of

from .test_import import GOOD, csv_upload, import_file, rows_csv


@pytest.fixture
def answered_declaration(declaration, admin, sme_profile):
    """A submitted declaration whose SME confirmed one line and disputed another, reopened by
    staff: its lines can be replaced again."""
    confirmed = OrderLineFactory(declaration=declaration, sme_profile=sme_profile, reference="A")
    disputed = OrderLineFactory(declaration=declaration, sme_profile=sme_profile, reference="B")
    OrderLineFactory(declaration=declaration, reference="C")  # another SME, no answer
    declaration = services.submit_declaration(declaration=declaration, by=admin, attested=True)
    sme_user = member_of(sme_profile.organisation)
    services.respond_to_line(line=confirmed, by=sme_user, status="confirmed", comment="")
    services.respond_to_line(
        line=disputed, by=sme_user, status="disputed", comment="Jamais commandé par ce client"
    )
    staff = UserFactory(staff=True)
    declaration = services.reopen_declaration(
        declaration=declaration, by=staff, reason="Corriger le fichier"
    )
    declaration.sme_user = sme_user
    return declaration


def test_replacing_answered_lines_is_refused_without_confirmation(answered_declaration, admin):
    job = import_file(answered_declaration, admin, csv_upload(rows_csv([GOOD])))
    with pytest.raises(services.TransitionError) as refused:
        services.confirm_import(job=job, mode="replace", by=admin)
    assert "2 lignes ont une réponse de la PME (1 contestées) : elles seront archivées" in str(
        refused.value
    )
    assert OrderLine.objects.filter(declaration=answered_declaration).count() == 3
    assert not ReplacedLine.objects.exists()
    job.refresh_from_db()
    assert job.state == ImportJob.State.VALID  # still waiting for the confirmation


def test_replace_archives_every_line_with_the_sme_answer(answered_declaration, admin):
    before = {
        line.reference: line for line in OrderLine.objects.filter(declaration=answered_declaration)
    }
    job = import_file(answered_declaration, admin, csv_upload(rows_csv([GOOD])))
    job = services.confirm_import(job=job, mode="replace", by=admin, replace_answers=True)
    assert job.state == ImportJob.State.DONE
    assert (job.replaced_rows, job.replaced_answers) == (3, 2)
    assert list(
        OrderLine.objects.filter(declaration=answered_declaration).values_list(
            "reference", flat=True
        )
    ) == ["BC-1"]
    archived = {line.reference: line for line in ReplacedLine.objects.filter(import_job=job)}
    assert set(archived) == {"A", "B", "C"}
    for reference, line in before.items():
        kept = archived[reference]
        assert kept.original_line_id == line.pk
        assert (kept.sme_siren, kept.sme_name, kept.amount, kept.order_date, kept.domain_id) == (
            line.sme_siren,
            line.sme_name,
            line.amount,
            line.order_date,
            line.domain_id,
        )
        assert (kept.sme_status, kept.sme_comment) == (line.sme_status, line.sme_comment)
        assert kept.sme_responded_at == line.sme_responded_at
        assert kept.sme_responded_by_id == line.sme_responded_by_id
        assert kept.declaration_id == answered_declaration.pk
    assert archived["B"].sme_status == "disputed"
    assert archived["B"].sme_comment == "Jamais commandé par ce client"
    assert archived["A"].sme_responded_by_id == answered_declaration.sme_user.pk
    event = next(
        e for e in declaration_history(answered_declaration) if e.pgh_label == "lines_imported"
    )
    assert event.pgh_context["import_replaced"] == 3
    assert event.pgh_context["import_replaced_answers"] == 2


def test_account_and_staff_see_what_a_replace_removed_other_organisations_do_not(
    answered_declaration, admin, outsider, client
):
    job = import_file(answered_declaration, admin, csv_upload(rows_csv([GOOD])))
    services.confirm_import(job=job, mode="replace", by=admin, replace_answers=True)
    url = reverse("procurement:import_replaced_lines", args=[answered_declaration.pk, job.pk])

    client.force_login(admin)
    history = client.get(reverse("procurement:declaration_history", args=[answered_declaration.pk]))
    assert url in history.content.decode()
    detail = client.get(
        reverse("procurement:import_detail", args=[answered_declaration.pk, job.pk])
    )
    assert url in detail.content.decode()
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Jamais commandé par ce client" in text
    assert "Contestée" in text and "Confirmée" in text
    assert "dont 1 contestées" in text

    client.force_login(UserFactory(staff=True))
    assert "Jamais commandé par ce client" in client.get(url).content.decode()

    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_replaced_lines_page_is_paginated_with_a_fixed_number_of_queries(
    declaration, buyer, client
):
    OrderLineFactory.create_batch(130, declaration=declaration)
    job = import_file(declaration, buyer, csv_upload(rows_csv([GOOD])))
    job = services.confirm_import(job=job, mode="replace", by=buyer)
    assert job.replaced_rows == 130
    client.force_login(buyer)
    url = reverse("procurement:import_replaced_lines", args=[declaration.pk, job.pk])
    counts = []
    for page in (1, 2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"page": page})
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert "Page 1 sur 2" in client.get(url).content.decode()
    assert response.content.decode().count("<tr>") == 1 + 30  # header + the last 30 lines


def test_confirm_form_says_how_many_answers_will_be_lost_and_requires_the_checkbox(
    answered_declaration, admin, client
):
    job = import_file(answered_declaration, admin, csv_upload(rows_csv([GOOD, GOOD])))
    client.force_login(admin)
    detail = reverse("procurement:import_detail", args=[answered_declaration.pk, job.pk])
    page = client.get(detail).content.decode()
    assert "2 lignes ont une réponse de la PME (1 contestées) : elles seront archivées" in page
    assert 'name="replace_answers"' in page
    confirm = reverse("procurement:import_confirm", args=[answered_declaration.pk, job.pk])

    response = client.post(confirm, {"mode": "replace"}, follow=True)
    assert "2 lignes ont une réponse de la PME (1 contestées)" in response.content.decode()
    assert OrderLine.objects.filter(declaration=answered_declaration).count() == 3

    response = client.post(confirm, {"mode": "replace", "replace_answers": "on"})
    assert response.status_code == 302
    assert OrderLine.objects.filter(declaration=answered_declaration).count() == 2
    assert ReplacedLine.objects.filter(import_job=job).count() == 3


def test_add_mode_keeps_the_answers_and_asks_nothing(answered_declaration, admin, client):
    job = import_file(answered_declaration, admin, csv_upload(rows_csv([GOOD])))
    job = services.confirm_import(job=job, mode="add", by=admin)
    assert job.state == ImportJob.State.DONE and job.replaced_rows == 0
    lines = OrderLine.objects.filter(declaration=answered_declaration)
    assert lines.count() == 4
    assert lines.filter(sme_status="disputed", sme_comment="Jamais commandé par ce client").exists()
    assert not ReplacedLine.objects.exists()
    client.force_login(admin)
    url = reverse("procurement:import_replaced_lines", args=[answered_declaration.pk, job.pk])
    assert client.get(url).status_code == 404  # an "add" replaced nothing


def test_replacing_lines_without_answers_needs_no_confirmation(declaration, buyer, client):
    OrderLineFactory.create_batch(2, declaration=declaration)
    job = import_file(declaration, buyer, csv_upload(rows_csv([GOOD])))
    client.force_login(buyer)
    page = client.get(reverse("procurement:import_detail", args=[declaration.pk, job.pk]))
    assert 'name="replace_answers"' not in page.content.decode()
    job = services.confirm_import(job=job, mode="replace", by=buyer)
    assert job.state == ImportJob.State.DONE
    assert (job.replaced_rows, job.replaced_answers) == (2, 0)
    assert declaration.state == Declaration.State.DRAFT


def test_confirmation_and_archive_read_in_english(answered_declaration, admin, client):
    job = import_file(answered_declaration, admin, csv_upload(rows_csv([GOOD])))
    client.force_login(admin)
    client.cookies["django_language"] = "en"
    detail = reverse("procurement:import_detail", args=[answered_declaration.pk, job.pk])
    assert "2 lines have an answer from the SME (1 disputed)" in client.get(detail).content.decode()
    services.confirm_import(job=job, mode="replace", by=admin, replace_answers=True)
    url = reverse("procurement:import_replaced_lines", args=[answered_declaration.pk, job.pk])
    text = client.get(url).content.decode()
    assert "Lines replaced by the import of" in text
    assert "2 had an answer from the SME, 1 of them disputed." in text
