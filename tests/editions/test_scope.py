"""Who runs which edition, and which SMEs and large accounts an edition holds."""

import datetime

import pytest
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone

from directory.models import Departement
from editions import selectors
from tests.factories import (
    ConventionFactory,
    EditionAccountFactory,
    EditionFactory,
    MembershipFactory,
    OrganisationFactory,
    SMEProfileFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _request(user, organisation=None):
    request = RequestFactory().get("/")
    request.user = user
    request.organisation = organisation
    return request


def test_territorial_edition_holds_the_smes_of_its_departements_and_regions():
    lyon = SMEProfileFactory(departement=Departement.objects.get(code="69"))
    grenoble = SMEProfileFactory(departement=Departement.objects.get(code="38"))
    paris = SMEProfileFactory(departement=Departement.objects.get(code="75"))
    metropole = EditionFactory(territory=["69"])
    region = EditionFactory()
    region.regions.set([Departement.objects.get(code="38").region])

    assert set(selectors.smes(metropole)) == {lyon}
    assert set(selectors.smes(region)) == {lyon, grenoble}
    assert paris not in selectors.smes(region)


def test_sectoral_edition_holds_the_smes_of_its_domains():
    from directory.models import Domain

    cyber = SMEProfileFactory()
    cyber.domain_ids = [Domain.objects.get(slug="cybersecurite").pk]
    cyber.save()
    other = SMEProfileFactory()
    edition = EditionFactory(sector=["cybersecurite"])

    assert set(selectors.smes(edition)) == {cyber}
    assert other not in selectors.smes(edition)


def test_edition_without_territory_holds_no_sme():
    SMEProfileFactory()
    assert not selectors.smes(EditionFactory()).exists()


def test_federator_runs_only_editions_under_a_convention_in_force():
    convention = ConventionFactory()
    ConventionFactory(
        federator=convention.federator,
        starts_on=timezone.localdate() - datetime.timedelta(days=400),
        ends_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    other = EditionFactory()
    user = UserFactory()
    MembershipFactory(user=user, organisation=convention.federator)

    request = _request(user, convention.federator)
    assert list(selectors.staff_editions(request)) == [convention.edition]
    assert selectors.get_edition_for_staff(request, convention.edition.slug) == convention.edition
    with pytest.raises(Http404):
        selectors.get_edition_for_staff(request, other.slug)


def test_federator_role_needs_the_federator_as_active_organisation():
    convention = ConventionFactory()
    account = OrganisationFactory()
    user = UserFactory()
    MembershipFactory(user=user, organisation=convention.federator)
    MembershipFactory(user=user, organisation=account)

    assert not selectors.staff_editions(_request(user, account)).exists()
    with pytest.raises(Http404):
        selectors.get_edition_for_staff(_request(user, account), convention.edition.slug)


def test_programme_staff_see_every_edition():
    edition = EditionFactory()
    request = _request(UserFactory(staff=True))
    assert selectors.staff_editions(request) is None
    assert selectors.get_edition_for_staff(request, edition.slug) == edition


def test_only_accepted_large_accounts_are_members():
    edition = EditionFactory()
    member = EditionAccountFactory(edition=edition).organisation
    EditionAccountFactory(edition=edition, state="requested")
    assert list(selectors.accounts(edition)) == [member]
    assert list(selectors.account_editions(member)) == [edition]
