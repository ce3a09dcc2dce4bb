"""The Pacte effect in the reports: the programme report gives the conversion rate of contacts
(not shown below 3 large accounts), a member report its own contacts and sponsorship days."""

import datetime
import re

import pytest
from django.utils import timezone

from meetings.models import Meeting
from meetings.models import Participant as MeetingParticipant
from reports import figures, rendering
from sponsorship.models import Mission
from tests.factories import MeetingEventFactory, MeetingParticipantFactory, MissionFactory

from .conftest import pdf_text
from .test_figures import generate_programme_report

pytestmark = pytest.mark.django_db


def _held(event, account, sme):
    return Meeting.objects.create(
        event=event,
        sme=sme,
        buyer=MeetingParticipantFactory(event=event, buyer=True, organisation=account),
        requested_by_side=MeetingParticipant.Side.SME,
        reason="Présentation",
        state=Meeting.State.HELD,
    )


def _meetings(report_data, members):
    # In November 2024, before the 2025 orders of the report data (declared on 1 May 2025).
    event = MeetingEventFactory(date=datetime.date(2024, 11, 20), state="done")
    sme = MeetingParticipantFactory(
        event=event, organisation=report_data.smes["Rhône Data"].organisation
    )
    for name in members:
        _held(event, report_data.members[name], sme)


def test_programme_report_gives_the_conversion_rate(report_data):
    bought = {line.sme_name for line in report_data.declarations[2025, "Gamma Énergie"].lines.all()}
    assert "Rhône Data" in bought
    _meetings(report_data, list(report_data.members))
    text = pdf_text(generate_programme_report(report_data.campaign).pdf.read())
    assert "L'effet Pacte" in text
    assert re.search(r"Rencontres d'affaires\s+4\s+\d\s+\d+,\d\s%", text)


def test_a_rate_resting_on_fewer_than_three_accounts_is_not_shown(report_data):
    _meetings(report_data, list(report_data.members)[:2])
    text = pdf_text(generate_programme_report(report_data.campaign).pdf.read())
    assert re.search(r"Rencontres d'affaires\s+n\.s\.\s+n\.s\.\s+n\.s\.", text)
    assert "moins de 3 grands comptes concernés" in text


def test_member_report_gives_its_own_contacts_and_sponsorship_days(report_data):
    gamma = report_data.members["Gamma Énergie"]
    _meetings(report_data, ["Gamma Énergie"])
    mission = MissionFactory(offer__account=gamma, days=4)
    Mission.objects.filter(pk=mission.pk).update(
        state=Mission.State.DONE,
        agreed_at=timezone.make_aware(datetime.datetime(2025, 2, 1)),
        done_at=timezone.make_aware(datetime.datetime(2025, 3, 1)),
    )
    member = figures.member_figures(report_data.campaign, organisation=gamma)
    text = pdf_text(rendering.member_pdf(member, version_number=1))
    assert "vos rencontres et les commandes qui ont suivi" in text
    assert re.search(r"Rencontres d'affaires\s+1\s+1\s+100,0\s%", text)
    assert "4 jours donnés à des PME" in text
