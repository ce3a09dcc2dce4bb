"""Signing the charter: who may, what is kept, the certificate, renewal and reminders."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import OutgoingEmail
from charter import selectors, services
from charter.models import CharterVersion, Signature
from tests.factories import OrganisationFactory, UserFactory, member_of

from .conftest import make_version

pytestmark = pytest.mark.django_db


def sign_data(version, **extra):
    data = {f"commitment_{c.pk}": "on" for c in version.commitments.all()}
    data.update(signer_name="Claire Dupont", signer_role="Directrice des achats")
    data.update(extra)
    return data


def test_public_charter_page_is_open_and_lists_named_signatories(client, version, account):
    hidden = OrganisationFactory(name="Assurance Discrète", public_naming=False)
    account.public_naming = True
    account.save()
    for organisation in (account, hidden):
        services.sign(
            organisation=organisation,
            version=version,
            by=member_of(organisation, admin=True),
            signer_name="X",
            signer_role="Y",
            commitment_ids=[c.pk for c in version.commitments.all()],
        )
    response = client.get(reverse("charter:public"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "<strong>PME innovantes</strong>" in content
    assert "Engagement numéro 2" in content
    assert "Banque Charte" in content and "Assurance Discrète" not in content


def test_admin_signs_keeps_signer_time_version_and_emails_certificate_once(
    client, version, account, admin, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("charter:sign"), sign_data(version))
    assert response.status_code == 302
    signature = Signature.objects.get(organisation=account)
    assert signature.version == version and signature.signed_by == admin
    assert signature.signer_role == "Directrice des achats"
    account.refresh_from_db()
    assert account.charter_signed_on == signature.signed_at.astimezone().date()
    assert len(mailoutbox) == 1
    assert admin.email in mailoutbox[0].to
    url = reverse("charter:certificate", args=[signature.pk])
    assert url in mailoutbox[0].body
    # The certificate is a PDF that says who signed what.
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages
    )
    assert "Claire Dupont" in text and "Banque Charte" in text and "Engagement numéro 1" in text
    # Issuing again (a redelivered task) sends nothing more.
    from charter.certificates import issue_certificate

    with django_capture_on_commit_callbacks(execute=True):
        assert issue_certificate(signature_id=signature.pk) is False
    assert len(mailoutbox) == 1
    assert "Signataire depuis" in client.get(reverse("charter:sign")).content.decode()


def test_every_commitment_must_be_ticked(client, version, account, admin):
    client.force_login(admin)
    data = sign_data(version)
    data.pop(f"commitment_{version.commitments.first().pk}")
    response = client.post(reverse("charter:sign"), data)
    assert response.status_code == 400
    assert not Signature.objects.exists()


def test_cannot_sign_twice_the_same_version(version, account, admin):
    ids = [c.pk for c in version.commitments.all()]
    services.sign(
        organisation=account,
        version=version,
        by=admin,
        signer_name="A",
        signer_role="B",
        commitment_ids=ids,
    )
    with pytest.raises(services.TransitionError):
        services.sign(
            organisation=account,
            version=version,
            by=admin,
            signer_name="A",
            signer_role="B",
            commitment_ids=ids,
        )


def test_member_who_is_not_admin_cannot_sign(client, version, account):
    member = member_of(account)
    client.force_login(member)
    assert client.post(reverse("charter:sign"), sign_data(version)).status_code == 403
    assert not Signature.objects.exists()


def test_anonymous_is_sent_to_login(client, version):
    response = client.get(reverse("charter:sign"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_other_organisation_gets_404_on_certificate(
    client, version, account, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signature = services.sign(
            organisation=account,
            version=version,
            by=admin,
            signer_name="A",
            signer_role="B",
            commitment_ids=[c.pk for c in version.commitments.all()],
        )
    other = member_of(OrganisationFactory(), admin=True)
    client.force_login(other)
    assert client.get(reverse("charter:certificate", args=[signature.pk])).status_code == 404
    client.force_login(admin)
    assert client.get(reverse("charter:certificate", args=[signature.pk])).status_code == 200


def test_unverified_sme_cannot_sign_the_providers_charter(db):
    version = make_version(CharterVersion.Kind.PROVIDERS)
    sme = OrganisationFactory(sme=True, unverified=True)
    with pytest.raises(services.TransitionError):
        services.sign(
            organisation=sme,
            version=version,
            by=member_of(sme, admin=True),
            signer_name="A",
            signer_role="B",
            commitment_ids=[c.pk for c in version.commitments.all()],
        )


def test_sme_cannot_sign_the_members_charter(version):
    sme = OrganisationFactory(sme=True)
    with pytest.raises(PermissionDenied):
        services.sign(
            organisation=sme,
            version=version,
            by=member_of(sme, admin=True),
            signer_name="A",
            signer_role="B",
            commitment_ids=[c.pk for c in version.commitments.all()],
        )


def test_new_version_marks_signatories_to_renew_and_reminds_once_a_day(
    version, account, admin, mailoutbox, django_capture_on_commit_callbacks
):
    services.sign(
        organisation=account,
        version=version,
        by=admin,
        signer_name="A",
        signer_role="B",
        commitment_ids=[c.pk for c in version.commitments.all()],
    )
    staff = UserFactory(staff=True)
    draft = make_version(number=2, published=False)
    assert not selectors.standing(account).to_renew
    services.publish_version(version=draft, by=staff, renewal_deadline=datetime.date(2030, 6, 30))
    assert selectors.standing(account).to_renew
    mailoutbox.clear()
    today = datetime.date(2030, 5, 2)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_renewal_reminders(today=today) == 1
        assert services.send_renewal_reminders(today=today) == 0
    assert len(mailoutbox) == 1 and "30/06/2030" in mailoutbox[0].body
    assert OutgoingEmail.objects.filter(subject__contains="nouvelle version").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_renewal_reminders(today=today + datetime.timedelta(days=1)) == 1
    # Once renewed, no more reminders.
    services.sign(
        organisation=account,
        version=draft,
        by=admin,
        signer_name="A",
        signer_role="B",
        commitment_ids=[c.pk for c in draft.commitments.all()],
    )
    assert not selectors.standing(account).to_renew
    assert services.send_renewal_reminders(today=today + datetime.timedelta(days=2)) == 0


def test_old_version_can_no_longer_be_signed_and_published_version_is_final(
    version, account, admin
):
    staff = UserFactory(staff=True)
    newer = make_version(number=2, published=False)
    services.publish_version(version=newer, by=staff)
    with pytest.raises(services.TransitionError):
        services.sign(
            organisation=account,
            version=version,
            by=admin,
            signer_name="A",
            signer_role="B",
            commitment_ids=[c.pk for c in version.commitments.all()],
        )
    with pytest.raises(services.TransitionError):
        services.publish_version(version=newer, by=staff)


def test_only_staff_publish(version, admin):
    draft = make_version(number=2, published=False)
    with pytest.raises(PermissionDenied):
        services.publish_version(version=draft, by=admin)


@pytest.mark.django_db(transaction=True)
def test_certificate_through_the_worker(celery_worker, version, account, admin):
    """End to end: the signature enqueues the certificate, a real worker renders it."""
    import time

    services.sign(
        organisation=account,
        version=version,
        by=admin,
        signer_name="A",
        signer_role="B",
        commitment_ids=[c.pk for c in version.commitments.all()],
    )
    for _ in range(60):
        signature = Signature.objects.get(organisation=account)
        if signature.certificate:
            break
        time.sleep(0.5)
    assert signature.certificate.endswith(".pdf")
