"""An SME sees its own needs and missions, a large account its own offers and missions; another
organisation's ids answer 404; staff see all; anonymous visitors go to login."""

import pytest
from django.urls import reverse

from sponsorship.models import Mission, Need, Offer
from tests.factories import (
    MissionFactory,
    NeedFactory,
    OrganisationFactory,
    member_of,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name", ["sponsorship:home", "sponsorship:need_create", "sponsorship:staff"]
)
def test_anonymous_visitor_is_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/compte/login/" in response["Location"]


def test_sme_sees_its_own_needs_only(client, sme_user, need):
    NeedFactory(title="Besoin d'une autre PME")
    client.force_login(sme_user)
    body = client.get(reverse("sponsorship:home")).content.decode()
    assert need.title in body and "Besoin d'une autre PME" not in body


def test_another_sme_gets_404_on_a_need_and_a_mission(client, need):
    mission = MissionFactory(need=need, sme=need.sme, sme_siren=need.sme.siren)
    client.force_login(member_of(OrganisationFactory(sme=True), admin=True))
    assert client.post(reverse("sponsorship:need_withdraw", args=[need.pk])).status_code == 404
    assert client.get(reverse("sponsorship:mission", args=[mission.pk])).status_code == 404
    response = client.post(reverse("sponsorship:mission_action", args=[mission.pk, "accepter"]))
    assert response.status_code == 404
    assert Need.objects.get(pk=need.pk).state == Need.State.OPEN


def test_another_large_account_gets_404_on_an_offer_and_a_mission(client, offer):
    mission = MissionFactory(offer=offer, account=offer.account)
    client.force_login(member_of(OrganisationFactory(), admin=True))
    assert client.post(reverse("sponsorship:offer_withdraw", args=[offer.pk])).status_code == 404
    assert client.get(reverse("sponsorship:mission", args=[mission.pk])).status_code == 404
    assert Offer.objects.get(pk=offer.pk).state == Offer.State.OPEN


def test_only_staff_match(client, sme_user, account_user, staff, need, offer):
    for user in (sme_user, account_user):
        client.force_login(user)
        response = client.post(
            reverse("sponsorship:staff"), {"need": need.pk, "offer": offer.pk, "days": 2}
        )
        assert response.status_code == 403
    assert not Mission.objects.exists()
    client.force_login(staff)
    response = client.post(
        reverse("sponsorship:staff"), {"need": need.pk, "offer": offer.pk, "days": 50}
    )
    assert response.status_code == 200 and "10 jours" in response.content.decode()
    response = client.post(
        reverse("sponsorship:staff"), {"need": need.pk, "offer": offer.pk, "days": 3}
    )
    mission = Mission.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{mission.pk}/")


def test_both_sides_accept_from_the_mission_page(client, need, offer, sme_user, account_user):
    mission = MissionFactory(need=need, offer=offer, account=offer.account, sme=need.sme)
    for user in (sme_user, account_user):
        client.force_login(user)
        assert client.get(reverse("sponsorship:mission", args=[mission.pk])).status_code == 200
        client.post(reverse("sponsorship:mission_action", args=[mission.pk, "accepter"]))
    assert Mission.objects.get(pk=mission.pk).state == Mission.State.AGREED


def test_sme_posts_a_need_and_account_offers_days(client, sme, sme_user, account, account_user):
    client.force_login(sme_user)
    response = client.post(
        reverse("sponsorship:need_create"),
        {"title": "Négocier", "category": "legal", "description": "Contrats", "estimated_days": 0},
    )
    assert response.status_code == 200  # at least one day
    client.post(
        reverse("sponsorship:need_create"),
        {"title": "Négocier", "category": "legal", "description": "Contrats", "estimated_days": 3},
    )
    assert Need.objects.get().sme == sme
    client.force_login(account_user)
    response = client.post(
        reverse("sponsorship:offer_create"),
        {
            "category": "legal",
            "days": 5,
            "starts_on": "2026-12-31",
            "ends_on": "2026-01-01",
            "description": "Juristes",
        },
    )
    assert response.status_code == 200 and not Offer.objects.exists()
    assert client.get(reverse("sponsorship:need_create")).status_code == 403


def test_staff_move_missions_from_the_staff_pages_only(client, staff, need, offer):
    from audit.models import AuditEvent

    mission = MissionFactory(need=need, offer=offer, account=offer.account, sme=need.sme)
    client.force_login(staff)
    party_url = reverse("sponsorship:mission_action", args=[mission.pk, "annuler"])
    assert client.post(party_url).status_code == 404
    staff_url = reverse("sponsorship:staff_mission_action", args=[mission.pk, "annuler"])
    assert client.post(staff_url).status_code == 302
    assert Mission.objects.get(pk=mission.pk).state == Mission.State.CANCELLED
    assert AuditEvent.objects.filter(action="sponsorship.cancelled", actor=staff).exists()
    assert Need.objects.get(pk=need.pk).state == Need.State.OPEN


def test_parties_cannot_use_the_staff_action(client, sme_user, need):
    mission = MissionFactory(need=need, sme=need.sme)
    client.force_login(sme_user)
    url = reverse("sponsorship:staff_mission_action", args=[mission.pk, "annuler"])
    assert client.post(url).status_code == 403


def test_lists_take_a_fixed_number_of_queries(client, staff, django_assert_max_num_queries):
    for _ in range(6):
        MissionFactory()
    client.force_login(staff)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("sponsorship:staff"))
    assert response.status_code == 200


def test_federator_sees_the_missions_of_its_editions_accounts_only(client, offer, need):
    from tests.factories import ConventionFactory, EditionAccountFactory

    convention = ConventionFactory()
    EditionAccountFactory(edition=convention.edition, organisation=offer.account)
    mine = MissionFactory(need=need, offer=offer, account=offer.account, sme=need.sme)
    other = MissionFactory()
    _federator = member_of(convention.federator, admin=True)
    client.force_login(_federator)
    body = client.get(reverse("sponsorship:home")).content.decode()
    assert need.title in body and other.need.title not in body
    assert client.get(reverse("sponsorship:mission", args=[mine.pk])).status_code == 200
    assert client.get(reverse("sponsorship:mission", args=[other.pk])).status_code == 404
    response = client.post(reverse("sponsorship:mission_action", args=[mine.pk, "annuler"]))
    assert Mission.objects.get(pk=mine.pk).state == Mission.State.PROPOSED
    assert response.status_code == 302  # refused with a message: not a party to the mission
