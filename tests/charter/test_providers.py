"""The SME providers' charter: verified SMEs sign it and get a badge and a facet in the directory."""

import pytest
from django.urls import reverse

from charter import selectors, services
from charter.models import CharterVersion
from directory.models import SMEProfile
from directory.reference import PROVIDERS_CHARTER_LABEL
from tests.factories import OrganisationFactory, SMEProfileFactory, UserFactory, member_of

from .conftest import make_version

pytestmark = pytest.mark.django_db


def test_verified_sme_signs_and_is_found_by_the_charter_facet(client):
    version = make_version(CharterVersion.Kind.PROVIDERS)
    signed = SMEProfileFactory(name="Prestataire Signataire")
    SMEProfileFactory(name="Prestataire Autre")
    admin = member_of(signed.organisation, admin=True)
    client.force_login(admin)
    data = {f"commitment_{c.pk}": "on" for c in version.commitments.all()}
    data.update(signer_name="Sophie", signer_role="Présidente")
    assert client.post(reverse("charter:sign"), data).status_code == 302
    assert selectors.standing(signed.organisation).up_to_date
    profile = SMEProfile.objects.get(pk=signed.pk)
    assert profile.labels.filter(slug=PROVIDERS_CHARTER_LABEL).exists()
    assert profile.label_ids
    # The providers' public page lists it.
    public = client.get(reverse("charter:public_providers")).content.decode()
    assert signed.organisation.name in public
    # The directory facet finds the signatory only.
    client.force_login(member_of(OrganisationFactory()))
    page = client.get(reverse("directory:search"), {"label": PROVIDERS_CHARTER_LABEL})
    content = page.content.decode()
    assert page.status_code == 200
    assert "Prestataire Signataire" in content and "Prestataire Autre" not in content


def test_sme_cannot_tick_the_granted_label_and_an_edit_keeps_it():
    from directory.forms import ProfileForm
    from directory.models import Label

    profile = SMEProfileFactory()
    granted = Label.objects.get(slug=PROVIDERS_CHARTER_LABEL)
    assert granted not in ProfileForm(instance=profile).fields["labels"].queryset
    profile.labels.add(granted)
    form = ProfileForm(instance=profile)
    form.cleaned_data = {"labels": Label.objects.filter(slug="jei")}
    assert granted in form.clean_labels()


def test_staff_only_publish_providers_version():
    draft = make_version(CharterVersion.Kind.PROVIDERS, published=False)
    services.publish_version(version=draft, by=UserFactory(staff=True))
    draft.refresh_from_db()
    assert draft.is_published
