"""Missions: proposed → agreed (both sides accept) → running → done (feedback from both), or
cancelled; the days given per large account and year; what the Pacte effect reads."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from sponsorship import selectors, services
from sponsorship.models import Mission, Need
from tests.factories import MissionFactory, NeedFactory, OfferFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_mission_goes_from_proposed_to_done_with_both_feedbacks(
    need, offer, sme, sme_user, account, account_user, staff, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        mission = services.propose_mission(need=need, offer=offer, days=4, by=staff)
    assert mission.state == Mission.State.PROPOSED
    assert (mission.account, mission.sme, mission.sme_siren) == (account, sme, sme.siren)
    assert Need.objects.get(pk=need.pk).state == Need.State.MATCHED
    assert sorted(mailoutbox[-1].to) == sorted([sme_user.email, account_user.email])
    assert AuditEvent.objects.filter(action="sponsorship.propose", actor=staff).exists()

    mission = services.accept_mission(mission=mission, organisation=sme, by=sme_user)
    assert mission.state == Mission.State.PROPOSED and mission.sme_accepted_at
    mission = services.accept_mission(mission=mission, organisation=account, by=account_user)
    assert mission.state == Mission.State.AGREED and mission.agreed_at

    with pytest.raises(services.TransitionError):
        services.give_feedback(mission=mission, organisation=sme, by=sme_user, text="Trop tôt")
    mission = services.start_mission(mission=mission, by=sme_user, organisation=sme)
    assert mission.state == Mission.State.RUNNING
    mission = services.finish_mission(mission=mission, by=account_user, organisation=account)
    assert mission.state == Mission.State.DONE and mission.done_at

    services.give_feedback(mission=mission, organisation=sme, by=sme_user, text="Très utile")
    services.give_feedback(mission=mission, organisation=account, by=account_user, text="Ravis")
    mission.refresh_from_db()
    assert (mission.sme_feedback, mission.account_feedback) == ("Très utile", "Ravis")
    with pytest.raises(services.TransitionError):
        services.cancel_mission(mission=mission, by=staff, organisation=None)


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("proposed", "start"),
        ("proposed", "finish"),
        ("agreed", "finish"),
        ("running", "start"),
        ("cancelled", "start"),
        ("done", "finish"),
    ],
)
def test_mission_refuses_transitions_out_of_order(staff, state, action):
    mission = MissionFactory(state=state, done_at=timezone.now() if state == "done" else None)
    move = {"start": services.start_mission, "finish": services.finish_mission}[action]
    with pytest.raises(services.TransitionError):
        move(mission=mission, by=staff, organisation=None)
    assert Mission.objects.get(pk=mission.pk).state == state


def test_accepting_twice_or_after_agreement_is_refused(sme, sme_user):
    mission = MissionFactory(need__sme=sme, state=Mission.State.AGREED)
    with pytest.raises(services.TransitionError):
        services.accept_mission(mission=mission, organisation=sme, by=sme_user)


def test_a_third_organisation_cannot_act_on_a_mission(sme_user):
    mission = MissionFactory()
    stranger = OrganisationFactory(sme=True)
    with pytest.raises(ValidationError):
        services.accept_mission(mission=mission, organisation=stranger, by=sme_user)
    with pytest.raises(ValidationError):
        services.cancel_mission(mission=mission, organisation=stranger, by=sme_user)


def test_cancelling_reopens_the_need_and_gives_the_days_back(need, offer, staff, sme, sme_user):
    mission = services.propose_mission(need=need, offer=offer, days=10, by=staff)
    with pytest.raises(ValidationError, match="0 jours"):
        services.propose_mission(need=NeedFactory(), offer=offer, days=1, by=staff)
    services.cancel_mission(mission=mission, by=sme_user, organisation=sme)
    assert Need.objects.get(pk=need.pk).state == Need.State.OPEN
    assert services.propose_mission(need=need, offer=offer, days=10, by=staff).days == 10


def test_proposal_needs_an_open_need_and_an_open_offer(need, offer, staff, sme_user, account_user):
    services.withdraw_need(need=need, by=sme_user)
    with pytest.raises(services.TransitionError):
        services.propose_mission(need=need, offer=offer, days=2, by=staff)
    services.withdraw_offer(offer=offer, by=account_user)
    with pytest.raises(services.TransitionError):
        services.propose_mission(need=NeedFactory(), offer=offer, days=2, by=staff)


def _done(account, days, when):
    return MissionFactory(
        offer=OfferFactory(account=account), days=days, state=Mission.State.DONE, done_at=when
    )


def test_days_given_per_account_and_year():
    first, second = OrganisationFactory(name="A"), OrganisationFactory(name="B")
    in_2026 = datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)
    _done(first, 3, in_2026)
    _done(first, 4, in_2026)
    _done(second, 10, in_2026)
    _done(first, 5, datetime.datetime(2025, 6, 1, 12, tzinfo=datetime.UTC))
    MissionFactory(offer=OfferFactory(account=first), days=8, state=Mission.State.RUNNING)

    assert selectors.days_given(first.pk, 2026) == 7
    assert selectors.days_given(first.pk, 2025) == 5
    assert selectors.days_given(first.pk, 2024) == 0
    assert selectors.days_by_account(2026) == [
        selectors.AccountDays(second.pk, "B", 10, 1),
        selectors.AccountDays(first.pk, "A", 7, 2),
    ]


def test_agreed_missions_for_the_effect(staff):
    agreed = MissionFactory(state=Mission.State.RUNNING, agreed_at=timezone.now())
    MissionFactory(state=Mission.State.PROPOSED)
    MissionFactory(state=Mission.State.CANCELLED, agreed_at=timezone.now())
    rows = selectors.agreed_missions()
    assert rows == [
        selectors.AgreedMission(
            timezone.localdate(), agreed.account_id, agreed.sme_siren, agreed.pk, agreed.need.title
        )
    ]
    assert selectors.agreed_missions(siren=agreed.sme_siren) == rows
    assert selectors.agreed_missions(account_ids=[agreed.account_id + 1000]) == []
