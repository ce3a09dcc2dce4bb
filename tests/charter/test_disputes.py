"""Disputes that get answered: open -> answered -> resolved | escalated -> resolved, with the
charter's SME correspondent and mediator emailed (procurement reads them through its registry)."""

import pytest
from django.urls import reverse

from charter import services as charter_services
from procurement import disputes
from procurement import services as procurement_services
from procurement.models import Dispute, OrderLine
from tests.factories import (
    CampaignFactory,
    DeclarationFactory,
    OrderLineFactory,
    OrganisationFactory,
    SMEProfileFactory,
    UserFactory,
    member_of,
)

from .conftest import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(account, admin):
    charter_services.save_contacts(
        organisation=account,
        by=admin,
        correspondent_name="Paul PME",
        correspondent_email="pme@banque.test",
        mediator_name="Mona",
        mediator_email="mediation@banque.test",
    )
    declaration = DeclarationFactory(
        campaign=CampaignFactory(year=YEAR), organisation=account, submitted=True
    )
    profile = SMEProfileFactory()
    line = OrderLineFactory(declaration=declaration, sme_profile=profile)
    sme_user = member_of(profile.organisation, email="dirigeant@pme.test")
    return line, sme_user


def dispute_line(line, sme_user, comment="Montant faux"):
    return procurement_services.respond_to_line(
        line=line, by=sme_user, status=OrderLine.SMEStatus.DISPUTED, comment=comment
    )


def test_dispute_emails_the_correspondent_once(
    setup, mailoutbox, django_capture_on_commit_callbacks
):
    line, sme_user = setup
    with django_capture_on_commit_callbacks(execute=True):
        dispute_line(line, sme_user)
        dispute_line(line, sme_user, comment="Montant faux, précisions")
    assert [m.to for m in mailoutbox] == [["pme@banque.test"]]
    assert Dispute.objects.get(line=line).state == Dispute.State.OPEN


def test_answer_accept_resolves_and_sme_is_told(
    client, setup, admin, mailoutbox, django_capture_on_commit_callbacks
):
    line, sme_user = setup
    dispute_line(line, sme_user)
    dispute = Dispute.objects.get(line=line)
    client.force_login(admin)
    url = reverse("procurement:dispute_answer", args=[dispute.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"answer": "stand", "comment": "Facture n° 12 jointe"})
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.state == Dispute.State.ANSWERED
    assert [m.to for m in mailoutbox] == [["dirigeant@pme.test"]]
    # Answering twice is refused.
    assert client.post(url, {"answer": "stand", "comment": "x"}).status_code == 409
    client.force_login(sme_user)
    sme_url = reverse("procurement:sme_dispute", args=[dispute.pk])
    assert client.post(sme_url, {"action": "accept"}).status_code == 302
    dispute.refresh_from_db()
    assert dispute.state == Dispute.State.RESOLVED and dispute.resolved_at


def test_correction_on_submitted_declaration_asks_staff_to_reopen(
    setup, admin, mailoutbox, django_capture_on_commit_callbacks
):
    line, sme_user = setup
    staff = UserFactory(staff=True)
    dispute_line(line, sme_user)
    with django_capture_on_commit_callbacks(execute=True):
        disputes.answer_dispute(
            dispute=Dispute.objects.get(line=line), by=admin, answer="correct", comment="Oui"
        )
    reopen = [m for m in mailoutbox if "réouverture" in m.subject]
    assert len(reopen) == 1 and reopen[0].to == [staff.email]


def test_escalation_tells_mediator_and_staff_who_settle(
    client, setup, admin, mailoutbox, django_capture_on_commit_callbacks
):
    line, sme_user = setup
    staff = UserFactory(staff=True)
    dispute_line(line, sme_user)
    dispute = Dispute.objects.get(line=line)
    disputes.answer_dispute(dispute=dispute, by=admin, answer="stand", comment="Maintenu")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        disputes.escalate(dispute=dispute, by=sme_user)
    assert sorted(mailoutbox[0].to) == sorted(["mediation@banque.test", staff.email])
    with pytest.raises(disputes.TransitionError):
        disputes.accept_answer(dispute=dispute, by=sme_user)
    with pytest.raises(Exception):  # noqa: B017 - only staff settle
        disputes.settle(dispute=dispute, by=admin, comment="x")
    disputes.settle(dispute=dispute, by=staff, comment="Accord trouvé")
    dispute.refresh_from_db()
    assert dispute.state == Dispute.State.RESOLVED
    summary = disputes.time_to_resolve(line.declaration.campaign)
    assert summary["counts"]["resolved"] == 1 and summary["average_days"] is not None


def test_confirming_the_line_resolves_its_dispute(setup):
    line, sme_user = setup
    dispute_line(line, sme_user)
    procurement_services.respond_to_line(
        line=line, by=sme_user, status=OrderLine.SMEStatus.CONFIRMED, comment=""
    )
    assert Dispute.objects.get(line=line).state == Dispute.State.RESOLVED


def test_who_may_see_a_dispute(client, setup, admin):
    line, sme_user = setup
    dispute_line(line, sme_user)
    dispute = Dispute.objects.get(line=line)
    answer = reverse("procurement:dispute_answer", args=[dispute.pk])
    sme_page = reverse("procurement:sme_dispute", args=[dispute.pk])
    assert "login" in client.get(answer)["Location"]
    client.force_login(member_of(OrganisationFactory(), admin=True))
    assert client.get(answer).status_code == 404
    client.force_login(member_of(SMEProfileFactory().organisation))
    assert client.get(sme_page).status_code == 404
    client.force_login(sme_user)
    assert client.get(sme_page).status_code == 200
    assert (
        "Suivre la contestation" in client.get(reverse("procurement:sme_orders")).content.decode()
    )
    client.force_login(admin)
    assert client.get(answer).status_code == 200
    assert client.get(reverse("procurement:account_disputes")).status_code == 200


def test_campaign_dashboard_shows_time_to_resolve(client, setup, admin):
    line, sme_user = setup
    staff = UserFactory(staff=True)
    dispute_line(line, sme_user)
    dispute = Dispute.objects.get(line=line)
    disputes.answer_dispute(dispute=dispute, by=admin, answer="stand", comment="Maintenu")
    disputes.accept_answer(dispute=dispute, by=sme_user)
    client.force_login(staff)
    response = client.get(
        reverse("procurement:campaign_dashboard", args=[line.declaration.campaign_id])
    )
    assert response.status_code == 200
    assert "1 résolues" in response.content.decode()
    assert "Délai moyen de résolution" in response.content.decode()
