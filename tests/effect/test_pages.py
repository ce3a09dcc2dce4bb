"""The Pacte effect as staff, federators and SMEs see it: meetings held, then orders declared."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from meetings.models import Meeting
from meetings.models import Participant as MeetingParticipant
from tests.factories import (
    CampaignFactory,
    ConventionFactory,
    DeclarationFactory,
    EditionAccountFactory,
    MeetingEventFactory,
    MeetingParticipantFactory,
    OrderLineFactory,
    OrganisationFactory,
    SMEProfileFactory,
    UserFactory,
    give_totp,
    member_of,
)

pytestmark = pytest.mark.django_db

MET_ON = datetime.date(2025, 11, 20)


def _held(event, account, sme_profile) -> Meeting:
    buyer = MeetingParticipantFactory(event=event, buyer=True, organisation=account)
    sme = MeetingParticipantFactory(event=event, organisation=sme_profile.organisation)
    return Meeting.objects.create(
        event=event,
        sme=sme,
        buyer=buyer,
        requested_by_side=MeetingParticipant.Side.SME,
        reason="Présenter notre SOC",
        state=Meeting.State.HELD,
    )


@pytest.fixture
def world():
    event = MeetingEventFactory(title="Rencontres cyber 2025", date=MET_ON, state="done")
    bank, insurer = OrganisationFactory(name="Banque Rhône"), OrganisationFactory(name="Assureur")
    cyber, cloud = SMEProfileFactory(name="Cyberlyon"), SMEProfileFactory(name="Nuage")
    _held(event, bank, cyber)
    _held(event, insurer, cloud)
    declaration = DeclarationFactory(
        organisation=bank, campaign=CampaignFactory(year=2026), submitted=True
    )
    OrderLineFactory(
        declaration=declaration,
        sme_profile=cyber,
        order_date=datetime.date(2026, 4, 2),
        amount=Decimal("30000.00"),
    )
    return {"event": event, "bank": bank, "insurer": insurer, "cyber": cyber, "cloud": cloud}


def _text(response) -> str:
    return response.content.decode().replace("\u202f", " ").replace("\u00a0", " ")


def test_staff_see_the_conversion_rate_per_event_and_per_account(client, world):
    client.force_login(UserFactory(staff=True))
    page = _text(client.get(reverse("effect:staff_overview")))
    assert "1 contacts sur 2 suivis d'une commande déclarée (50,0 %)" in page
    assert "Rencontres cyber 2025" in page
    assert "Banque Rhône" in page and "Assureur" in page


def test_a_federator_sees_only_the_contacts_of_its_editions_accounts(client, world):
    convention = ConventionFactory()
    EditionAccountFactory(edition=convention.edition, organisation=world["insurer"])
    federator = member_of(convention.federator, admin=True)
    give_totp(federator)
    client.force_login(federator)
    page = _text(client.get(reverse("effect:staff_overview")))
    assert "Assureur" in page
    assert "Banque Rhône" not in page
    assert "0 contacts sur 1" in page


def test_large_account_members_and_anonymous_visitors_do_not_see_the_staff_page(client, world):
    assert client.get(reverse("effect:staff_overview")).status_code == 302
    client.force_login(member_of(world["bank"], admin=True))
    assert client.get(reverse("effect:staff_overview")).status_code == 403


def test_an_sme_sees_the_meeting_and_the_order_that_followed(client, world):
    client.force_login(member_of(world["cyber"].organisation))
    page = _text(client.get(reverse("effect:sme_contacts")))
    assert "Rencontré Banque Rhône le 20 novembre 2025" in page
    assert "commande déclarée en 2026" in page
    assert "Assureur" not in page


def test_an_sme_without_order_is_told_so(client, world):
    client.force_login(member_of(world["cloud"].organisation))
    page = _text(client.get(reverse("effect:sme_contacts")))
    assert "Rencontré Assureur le 20 novembre 2025" in page
    assert "pas de commande déclarée à ce jour" in page


def test_an_unverified_sme_sees_no_order(client, world):
    unverified = SMEProfileFactory(unverified=True)
    _held(world["event"], world["bank"], unverified)
    client.force_login(member_of(unverified.organisation))
    page = _text(client.get(reverse("effect:sme_contacts")))
    assert "vérifier l'identité" in page
    assert "Banque Rhône" not in page


def test_shortlisted_answers_and_agreed_missions_are_contacts_too(client):
    from django.utils import timezone

    from challenges.models import Answer
    from effect import sources
    from effect.outcomes import outcomes
    from sponsorship.models import Mission
    from tests.factories import AnswerFactory, MissionFactory, NeedFactory, OfferFactory

    bank = OrganisationFactory(name="Banque Rhône")
    cyber = SMEProfileFactory(name="Cyberlyon")
    shortlisted = AnswerFactory(organisation=cyber.organisation, challenge__buyer=bank)
    Answer.objects.filter(pk=shortlisted.pk).update(
        state=Answer.State.SHORTLISTED, shortlisted_at=timezone.now()
    )
    mission = MissionFactory(
        need=NeedFactory(sme=cyber.organisation, state="matched", title="Vendre aux banques"),
        offer=OfferFactory(account=bank),
    )
    Mission.objects.filter(pk=mission.pk).update(
        state=Mission.State.AGREED, agreed_at=timezone.now()
    )
    later = timezone.localdate() + datetime.timedelta(days=60)
    declaration = DeclarationFactory(
        organisation=bank, campaign=CampaignFactory(year=later.year), submitted=True
    )
    OrderLineFactory(declaration=declaration, sme_profile=cyber, order_date=later)

    found = sources.contacts(siren=cyber.siren)
    assert {(c.kind, c.account_name) for c in found} == {
        ("challenge", "Banque Rhône"),
        ("mission", "Banque Rhône"),
    }
    assert all(o.converted for o in outcomes(found))
    assert sources.contacts(account_ids={OrganisationFactory().pk}) == []

    client.force_login(member_of(cyber.organisation))
    page = _text(client.get(reverse("effect:sme_contacts")))
    assert "Réponse retenue par Banque Rhône" in page
    assert "Mission de mécénat avec Banque Rhône" in page
    assert f"commande déclarée en {later.year}" in page
