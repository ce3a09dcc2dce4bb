"""An SME proves it is the company before it sees anything declared in its name: the squatting path
fails at each step, staff weigh the evidence (document, email domain, vouching) and decide;
arbitration, administration transfer, SIREN conflicts with large accounts, rate limits."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Membership, Organisation, User
from audit.models import AuditEvent
from directory import selectors, services
from directory.models import (
    ArbitrationRequest,
    ProfileChange,
    SMEProfile,
    VerificationDocument,
    Vouch,
)
from procurement.models import OrderLine
from tests.factories import (
    PASSWORD,
    CampaignFactory,
    DeclarationFactory,
    OrderLineFactory,
    OrganisationFactory,
    SMEProfileFactory,
    UserFactory,
    member_of,
)

pytestmark = pytest.mark.django_db

SIREN = "732829320"
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REGISTER = reverse("directory:register")
ORDERS = reverse("procurement:sme_orders")


def pdf(name="kbis.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _link(message, prefix: str) -> str:
    paths = re.findall(r"https?://[^/\s]+(/\S+)", message.body)
    matching = [path for path in paths if path.startswith(prefix)]
    assert matching, message.body
    return matching[0]


def _declared_orders(siren=SIREN, name="Cyberbase", *, campaign=None, references=("BC-1", "BC-2")):
    """A large account's submitted declaration naming an SME that has no profile yet."""
    account = OrganisationFactory(name="Banque Hexagone")
    declaration = DeclarationFactory(
        organisation=account, submitted=True, campaign=campaign or CampaignFactory()
    )
    for reference in references:
        OrderLineFactory(
            declaration=declaration, sme_profile_id=siren, sme_name=name, reference=reference
        )
    return account, declaration


def _complete(profile: SMEProfile, **fields) -> SMEProfile:
    from directory.models import Departement, Domain

    departement = Departement.objects.get(code="69")
    SMEProfile.objects.filter(pk=profile.pk).update(
        departement=departement,
        region=departement.region,
        headcount_band="11",
        description="Éditeur de logiciels de sécurité.",
        **fields,
    )
    profile.refresh_from_db()
    profile.domains.set([Domain.objects.get(slug="cybersecurite")])
    services.sync_denormalised(profile)
    profile.refresh_from_db()
    return profile


# --- the squatting path ---------------------------------------------------------------------------


def test_squatter_signs_up_registers_the_siren_and_sees_nothing_until_staff_verify(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    account, declaration = _declared_orders()
    buyer = member_of(account, admin=True)
    line = declaration.lines.first()

    # Anyone can sign up (email verified)...
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"),
            {"email": "squatteur@gmail.com", "password1": PASSWORD, "password2": PASSWORD},
        )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_link(mailoutbox[-1], "/compte/confirm-email/"))
    squatter = User.objects.get(email="squatteur@gmail.com")

    # ... and register the SIREN of an SME that large accounts named but that has no profile.
    response = client.post(REGISTER, {"siren": SIREN, "name": "Cyberbase"})
    assert response.status_code == 302
    organisation = Organisation.objects.get(siren=SIREN)
    assert Membership.objects.get(user=squatter, organisation=organisation).is_admin
    assert not organisation.is_verified

    # The declared orders stay hidden, and the page says why and what to do.
    page = client.get(ORDERS).content.decode()
    assert "BC-1" not in page and "Banque Hexagone" not in page
    assert "Identité de la PME à vérifier" in page
    assert reverse("directory:my_profile") in page
    assert not OrderLine.objects.visible_to(squatter).exists()

    # Answering is refused (404, never 500), and nothing changes on the buyer's side.
    respond = reverse("procurement:sme_order_respond", args=[line.pk])
    assert client.get(respond).status_code == 404
    assert client.post(respond, {"status": "disputed", "comment": "Faux"}).status_code == 404
    line.refresh_from_db()
    assert line.sme_status == OrderLine.SMEStatus.PENDING

    # The member may complete the profile and submit it; it is not published by that.
    profile = _complete(SMEProfile.objects.get(siren=SIREN))
    client.post(reverse("directory:submit_profile"))
    profile.refresh_from_db()
    assert profile.state == SMEProfile.State.PENDING
    client.force_login(buyer)
    assert client.get(reverse("directory:detail", args=[SIREN])).status_code == 404

    # Staff cannot publish without saying on what the verification rests.
    staff = UserFactory(staff=True)
    client.force_login(staff)
    moderate = reverse("directory:moderate", args=[profile.pk])
    page = client.get(moderate).content.decode()
    assert "Identité non vérifiée" in page
    assert "Messagerie grand public" in page  # gmail.com proves nothing
    client.post(moderate, {"action": "publish", "reason": ""})
    profile.refresh_from_db()
    organisation.refresh_from_db()
    assert profile.state == SMEProfile.State.PENDING and not organisation.is_verified


def test_staff_verify_with_a_reason_then_the_orders_appear_and_can_be_answered(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    _account, declaration = _declared_orders()
    owner = UserFactory(email="dirigeante@cyberbase.fr")
    client.force_login(owner)
    client.post(REGISTER, {"siren": SIREN, "name": "Cyberbase"})
    profile = _complete(SMEProfile.objects.get(siren=SIREN), website="https://www.cyberbase.fr")
    client.post(reverse("directory:upload_document"), {"document": pdf()})
    client.post(reverse("directory:submit_profile"))
    staff = UserFactory(staff=True)
    client.force_login(staff)
    moderate = reverse("directory:moderate", args=[profile.pk])
    assert "correspond au site web" in client.get(moderate).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(moderate, {"action": "publish", "reason": "Kbis conforme"})
    assert response.status_code == 302
    organisation = Organisation.objects.get(siren=SIREN)
    assert organisation.is_verified and organisation.verified_by == staff
    assert SMEProfile.objects.get(pk=profile.pk).state == SMEProfile.State.PUBLISHED
    event = AuditEvent.objects.get(action="directory.sme_verified")
    assert event.actor == staff and event.reason == "Kbis conforme"
    assert ProfileChange.objects.filter(profile=profile, kind="verified").exists()
    assert any(m.to == [owner.email] and "commandes déclarées" in m.body for m in mailoutbox), [
        m.body for m in mailoutbox
    ]

    client.force_login(owner)
    page = client.get(ORDERS).content.decode()
    assert "BC-1" in page and "BC-2" in page and "Banque Hexagone" in page
    line = declaration.lines.get(reference="BC-1")
    respond = reverse("procurement:sme_order_respond", args=[line.pk])
    client.post(respond, {"status": "disputed", "comment": "Montant erroné"})
    line.refresh_from_db()
    assert line.sme_status == OrderLine.SMEStatus.DISPUTED


def test_unverified_sme_cannot_answer_through_the_service_either():
    _account, declaration = _declared_orders()
    profile = SMEProfileFactory(unverified=True, organisation__siren=SIREN, siren=SIREN)
    member = member_of(profile.organisation, admin=True)
    from django.core.exceptions import PermissionDenied

    from procurement import services as procurement

    with pytest.raises(PermissionDenied):
        procurement.respond_to_line(
            line=declaration.lines.first(), by=member, status="confirmed", comment=""
        )


def test_staff_reject_an_unverified_sme_with_a_reason_emailed(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    profile = SMEProfileFactory(unverified=True, pending=True)
    owner = member_of(profile.organisation, admin=True)
    client.force_login(UserFactory(staff=True))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("directory:moderate", args=[profile.pk]),
            {"action": "reject", "reason": "Le Kbis est celui d'une autre société."},
        )
    profile.refresh_from_db()
    assert profile.state == SMEProfile.State.REJECTED
    assert not profile.organisation.is_verified
    assert AuditEvent.objects.filter(action="directory.profile_rejected").exists()
    (message,) = [m for m in mailoutbox if m.to == [owner.email]]
    assert "autre société" in message.body and "Kbis" in message.body


# --- the identity document ------------------------------------------------------------------------


@pytest.fixture
def unverified():
    profile = SMEProfileFactory(unverified=True, pending=True)
    return profile, member_of(profile.organisation, admin=True)


def test_pdf_upload_is_kept_privately_and_served_to_staff_only(client, unverified, settings):
    profile, owner = unverified
    client.force_login(owner)
    client.post(reverse("directory:upload_document"), {"document": pdf("Kbis Cyberbase.pdf")})
    document = VerificationDocument.objects.get(organisation=profile.organisation)
    path = Path(document.file.path)
    assert path.read_bytes() == PDF
    assert Path(settings.PRIVATE_MEDIA_ROOT) in path.parents
    assert Path(settings.MEDIA_ROOT) not in path.parents
    assert "Kbis Cyberbase.pdf" in client.get(reverse("directory:my_profile")).content.decode()
    url = reverse("directory:verification_document", args=[document.pk])

    # The SME's own member, another SME's member, a large account's member: 404.
    assert client.get(url).status_code == 404
    client.force_login(member_of(SMEProfileFactory().organisation, admin=True))
    assert client.get(url).status_code == 404
    client.force_login(member_of(OrganisationFactory(), admin=True))
    assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/compte/login/" in response["Location"]

    client.force_login(UserFactory(staff=True))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    moderate = client.get(reverse("directory:moderate", args=[profile.pk])).content.decode()
    assert url in moderate


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("kbis.pdf", b"PK\x03\x04 not a pdf", "application/pdf"), "PDF"),
        (SimpleUploadedFile("kbis.png", b"\x89PNG\r\n\x1a\n", "image/png"), "PDF"),
        (pdf(content=PDF + b"0" * (5 * 1024 * 1024)), "5 Mo"),
    ],
)
def test_non_pdf_and_too_large_documents_are_refused(client, unverified, upload, message):
    _profile, owner = unverified
    client.force_login(owner)
    response = client.post(reverse("directory:upload_document"), {"document": upload}, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not VerificationDocument.objects.exists()


@pytest.mark.parametrize("decision", ["publish", "reject"])
def test_document_is_deleted_once_staff_decide(
    client, unverified, decision, django_capture_on_commit_callbacks
):
    profile, owner = unverified
    _complete(profile)
    client.force_login(owner)
    client.post(reverse("directory:upload_document"), {"document": pdf()})
    document = VerificationDocument.objects.get()
    path = Path(document.file.path)
    assert path.exists()
    client.force_login(UserFactory(staff=True))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("directory:moderate", args=[profile.pk]),
            {"action": decision, "reason": "Décidé sur pièces"},
        )
    document.refresh_from_db()
    assert document.deleted_at is not None and not document.file
    assert not path.exists()
    url = reverse("directory:verification_document", args=[document.pk])
    assert client.get(url).status_code == 404
    # The history still says what was looked at.
    assert (
        document.original_name
        in client.get(reverse("directory:moderate", args=[profile.pk])).content.decode()
    )


def test_verified_sme_cannot_upload_and_large_account_cannot_either(client):
    profile = SMEProfileFactory()
    client.force_login(member_of(profile.organisation))
    response = client.post(reverse("directory:upload_document"), {"document": pdf()}, follow=True)
    assert "déjà vérifiée" in response.content.decode()
    client.force_login(member_of(OrganisationFactory()))
    assert client.post(reverse("directory:upload_document"), {"document": pdf()}).status_code == 403
    assert not VerificationDocument.objects.exists()


# --- the email domain hint ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "website", "verdict"),
    [
        ("jeanne@cyberbase.fr", "https://www.cyberbase.fr/", "match"),
        ("jeanne@mail.cyberbase.fr", "cyberbase.fr", "match"),
        ("jeanne@autre-societe.fr", "https://cyberbase.fr", "mismatch"),
        ("jeanne@gmail.com", "https://gmail.com", "free_mail"),
        ("jeanne@outlook.fr", "https://cyberbase.fr", "free_mail"),
        ("jeanne@hotmail.co.uk", "https://cyberbase.fr", "free_mail"),
        ("jeanne@orange.fr", "https://cyberbase.fr", "free_mail"),
        ("jeanne@proton.me", "https://cyberbase.fr", "free_mail"),
        ("jeanne@cyberbase.fr", "", "no_website"),
    ],
)
def test_email_domain_is_compared_with_the_website(email, website, verdict):
    assert selectors.email_domain_hint(email, website).verdict == verdict


def test_staff_see_the_email_domain_hint_of_each_administrator(client):
    profile = SMEProfileFactory(unverified=True, pending=True, website="https://cyberbase.fr")
    member_of(profile.organisation, admin=True, email="jeanne@cyberbase.fr")
    member_of(profile.organisation, admin=True, email="paul@laposte.net")
    client.force_login(UserFactory(staff=True))
    page = client.get(reverse("directory:moderate", args=[profile.pk])).content.decode()
    assert "correspond au site web" in page
    assert "ne prouve rien" in page


# --- vouching -----------------------------------------------------------------------------------


def test_large_account_that_declared_the_siren_vouches_for_the_contact_and_staff_see_it(client):
    account, _declaration = _declared_orders()
    buyer_admin = member_of(account, admin=True)
    profile = SMEProfileFactory(
        unverified=True,
        pending=True,
        organisation__siren=SIREN,
        organisation__name="Cyberbase",
        siren=SIREN,
    )
    contact = member_of(profile.organisation, admin=True, email="jeanne@cyberbase.fr")
    client.force_login(buyer_admin)
    assert "Cyberbase" in client.get(reverse("procurement:smes_to_vouch_for")).content.decode()
    url = reverse("procurement:vouch", args=[SIREN])
    page = client.get(url).content.decode()
    assert contact.email in page
    assert client.post(url, {"contact": contact.pk}).status_code == 400  # must confirm
    response = client.post(url, {"contact": contact.pk, "confirm": "on", "comment": "Notre CTO"})
    assert response.status_code == 302
    vouch = Vouch.objects.get()
    assert vouch.voucher == account and vouch.contact == contact
    client.force_login(UserFactory(staff=True))
    page = client.get(reverse("directory:moderate", args=[profile.pk])).content.decode()
    assert "Banque Hexagone" in page and "jeanne@cyberbase.fr" in page and "Notre CTO" in page


def test_only_an_administrator_of_an_account_that_named_the_siren_may_vouch(client):
    account, _declaration = _declared_orders()
    profile = SMEProfileFactory(unverified=True, organisation__siren=SIREN, siren=SIREN)
    contact = member_of(profile.organisation, admin=True)
    url = reverse("procurement:vouch", args=[SIREN])
    client.force_login(member_of(account))  # a member, not an administrator
    assert client.get(url).status_code == 403
    client.force_login(member_of(OrganisationFactory(), admin=True))  # never named it
    assert client.get(url).status_code == 404
    assert client.post(url, {"contact": contact.pk, "confirm": "on"}).status_code == 404
    client.force_login(member_of(SMEProfileFactory().organisation, admin=True))
    assert client.get(url).status_code == 403
    client.force_login(member_of(account, admin=True))
    assert client.post(url, {"contact": 999999, "confirm": "on"}).status_code == 400
    assert not Vouch.objects.exists()


# --- arbitration and transfer --------------------------------------------------------------------


def test_claimant_asks_staff_to_arbitrate_and_staff_hand_over_the_administration(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    profile = SMEProfileFactory(
        unverified=True, organisation__siren=SIREN, organisation__name="Cyberbase", siren=SIREN
    )
    squatter = member_of(profile.organisation, admin=True, email="squatteur@gmail.com")
    staff = UserFactory(staff=True, email="equipe@programme.test")
    claimant = UserFactory(email="pdg@cyberbase.fr")
    client.force_login(claimant)
    page = client.post(REGISTER, {"siren": SIREN}).content.decode()
    assert "Demander un arbitrage" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("directory:request_arbitration"),
            {"siren": SIREN, "message": "Je suis le président de Cyberbase.", "document": pdf()},
        )
    assert response.status_code == 302
    arbitration = ArbitrationRequest.objects.get()
    assert arbitration.user == claimant and arbitration.document
    assert any(m.to == [staff.email] for m in mailoutbox)
    assert any(m.to == [claimant.email] for m in mailoutbox)

    # The members of the SME cannot read the claimant's document.
    document_url = reverse("directory:arbitration_document", args=[arbitration.pk])
    client.force_login(squatter)
    assert client.get(document_url).status_code == 404

    client.force_login(staff)
    assert "Cyberbase" in client.get(reverse("directory:arbitrations")).content.decode()
    url = reverse("directory:arbitration", args=[arbitration.pk])
    assert "président" in client.get(url).content.decode()
    assert client.get(document_url).status_code == 200
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url,
            {"decision": "transfer", "remove_previous": "on", "reason": "Kbis au nom du demandeur"},
        )
    arbitration.refresh_from_db()
    assert arbitration.state == ArbitrationRequest.State.TRANSFERRED
    assert not arbitration.document
    assert Membership.objects.get(user=claimant, organisation=profile.organisation).is_admin
    assert not Membership.objects.filter(user=squatter).exists()
    event = AuditEvent.objects.get(action="organisation.administration_transferred")
    assert event.changes["administrators"] == [squatter.email, claimant.email]
    assert event.reason == "Kbis au nom du demandeur"
    assert AuditEvent.objects.filter(action="directory.arbitration_decided").exists()
    assert ProfileChange.objects.filter(profile=profile, kind="transferred").exists()
    recipients = {tuple(m.to) for m in mailoutbox}
    assert (claimant.email,) in recipients and (squatter.email,) in recipients


def test_staff_refuse_an_arbitration_and_the_claimant_is_told(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    profile = SMEProfileFactory()
    admin = member_of(profile.organisation, admin=True)
    claimant = UserFactory()
    arbitration = services.request_arbitration(
        user=claimant, organisation=profile.organisation, message="C'est à moi"
    )
    client.force_login(UserFactory(staff=True))
    url = reverse("directory:arbitration", args=[arbitration.pk])
    assert client.post(url, {"decision": "refuse", "reason": ""}).status_code == 400
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "refuse", "reason": "Aucune pièce probante"})
    arbitration.refresh_from_db()
    assert arbitration.state == ArbitrationRequest.State.REFUSED
    assert Membership.objects.get(user=admin).is_admin
    assert [m.to for m in mailoutbox] == [[claimant.email]]
    assert "Aucune pièce probante" in mailoutbox[0].body


def test_arbitration_pages_are_for_staff_only(client):
    arbitration = services.request_arbitration(
        user=UserFactory(), organisation=SMEProfileFactory().organisation, message="Moi"
    )
    client.force_login(member_of(arbitration.organisation, admin=True))
    assert client.get(reverse("directory:arbitration", args=[arbitration.pk])).status_code in (
        403,
        404,
    )
    assert client.get(reverse("directory:arbitrations")).status_code == 403


def test_staff_transfer_administration_recorded_and_both_told(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    profile = SMEProfileFactory()
    old_admin = member_of(profile.organisation, admin=True)
    newcomer = UserFactory(email="nouvelle@cyberbase.fr")
    url = reverse("directory:transfer", args=[profile.organisation.pk])
    client.force_login(old_admin)
    assert client.get(url).status_code == 403
    staff = UserFactory(staff=True)
    client.force_login(staff)
    assert client.post(url, {"email": "inconnu@x.test", "reason": "x"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": newcomer.email, "reason": "Départ du dirigeant"})
    assert response.status_code == 302
    assert Membership.objects.get(user=newcomer).is_admin
    assert not Membership.objects.get(user=old_admin).is_admin  # kept as a member
    event = AuditEvent.objects.get(action="organisation.administration_transferred")
    assert event.actor == staff and event.organisation_id == profile.organisation.pk
    change = ProfileChange.objects.get(profile=profile, kind="transferred")
    assert change.changes["to"] == newcomer.email
    history = client.get(reverse("directory:moderate", args=[profile.pk])).content.decode()
    assert "Administration transférée" in history
    assert {tuple(m.to) for m in mailoutbox} >= {(newcomer.email,), (old_admin.email,)}


# --- SIREN conflicts with large accounts ---------------------------------------------------------


def _large_account_form(siren):
    return {
        "name": "Énergies de France",
        "siren": siren,
        "sector": "Énergie",
        "admin_email": "achats@energies.test",
    }


def test_unverified_sme_never_blocks_a_large_account_staff_resolve_the_conflict(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    profile = SMEProfileFactory(unverified=True, organisation__siren=SIREN, siren=SIREN)
    squatter = member_of(profile.organisation, admin=True)
    VerificationDocument.objects.create(
        organisation=profile.organisation, original_name="x.pdf", size=3
    )
    staff = UserFactory(staff=True)
    client.force_login(staff)
    create = reverse("accounts:large_account_create")
    response = client.post(create, _large_account_form(SIREN))
    page = response.content.decode()
    assert response.status_code == 200
    assert "non vérifiée" in page
    release = reverse("directory:release_siren", args=[profile.organisation.pk])
    assert release in page
    assert squatter.email in client.get(release).content.decode()
    assert client.post(release, {"reason": ""}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(release, {"reason": "SIREN d'un grand compte du programme"})
    assert response.status_code == 302
    assert not Organisation.objects.filter(kind="sme", siren=SIREN).exists()
    assert not SMEProfile.objects.filter(siren=SIREN).exists()
    event = AuditEvent.objects.get(action="directory.sme_registration_rejected")
    assert event.changes["siren"] == [SIREN, None] and event.actor == staff
    assert any(m.to == [squatter.email] and "grand compte" in m.body for m in mailoutbox)
    assert User.objects.filter(pk=squatter.pk).exists()  # the person keeps their account

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(create, _large_account_form(SIREN))
    assert response.status_code == 302
    assert Organisation.objects.get(siren=SIREN).is_large_account


def test_verified_sme_siren_stays_a_plain_duplicate_and_cannot_be_released(client):
    profile = SMEProfileFactory(organisation__siren=SIREN, siren=SIREN)
    client.force_login(UserFactory(staff=True))
    page = client.post(
        reverse("accounts:large_account_create"), _large_account_form(SIREN)
    ).content.decode()
    assert "existe déjà" in page
    assert reverse("directory:release_siren", args=[profile.organisation.pk]) not in page
    url = reverse("directory:release_siren", args=[profile.organisation.pk])
    assert client.get(url).status_code == 404
    assert Organisation.objects.get(siren=SIREN).is_sme


def test_release_is_for_staff_only(client):
    profile = SMEProfileFactory(unverified=True)
    url = reverse("directory:release_siren", args=[profile.organisation.pk])
    client.force_login(member_of(profile.organisation, admin=True))
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert SMEProfile.objects.filter(pk=profile.pk).exists()


# --- rate limits --------------------------------------------------------------------------------


def test_too_many_registrations_from_one_person_get_a_429_page(client, settings):
    settings.PACTE_RATE_LIMITS = {**settings.PACTE_RATE_LIMITS, "sme_registration": (2, 100, 60)}
    client.force_login(UserFactory())
    from tests.factories import valid_siren

    for n in range(2):
        assert client.post(REGISTER, {"siren": valid_siren(9000 + n), "name": "X"}).status_code in (
            200,
            302,
        )
    response = client.post(REGISTER, {"siren": valid_siren(9100), "name": "Y"})
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    assert not Organisation.objects.filter(siren=valid_siren(9100)).exists()


def test_too_many_join_requests_from_one_address_get_a_429_page(client, settings):
    settings.PACTE_RATE_LIMITS = {**settings.PACTE_RATE_LIMITS, "sme_registration": (100, 2, 60)}
    profiles = [SMEProfileFactory() for _ in range(3)]
    for profile in profiles[:2]:
        client.force_login(UserFactory())
        assert client.post(REGISTER, {"siren": profile.siren}).status_code == 200
    client.force_login(UserFactory())  # another person, same address
    assert client.post(REGISTER, {"siren": profiles[2].siren}).status_code == 429


def test_arbitration_requests_are_rate_limited(client, settings):
    settings.PACTE_RATE_LIMITS = {**settings.PACTE_RATE_LIMITS, "sme_arbitration": (1, 100, 60)}
    client.force_login(UserFactory())
    first, second = SMEProfileFactory(), SMEProfileFactory()
    url = reverse("directory:request_arbitration")
    assert client.post(url, {"siren": first.siren, "message": "Moi"}).status_code == 302
    assert client.post(url, {"siren": second.siren, "message": "Moi"}).status_code == 429


def test_registration_works_when_the_rate_limit_cache_is_down(client, settings, caplog):
    from django.test import override_settings

    caches = {name: dict(config) for name, config in settings.CACHES.items()}
    caches["default"]["LOCATION"] = "redis://127.0.0.1:1/0"  # nothing listens there
    client.force_login(UserFactory())
    with override_settings(CACHES=caches):
        response = client.post(REGISTER, {"siren": SIREN, "name": "Cyberbase"})
    assert response.status_code == 302
    assert Organisation.objects.filter(siren=SIREN).exists()
    assert "unreachable" in caplog.text


def test_the_verification_pages_read_in_english_too(client):
    profile = SMEProfileFactory(unverified=True)
    client.force_login(member_of(profile.organisation, admin=True))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "SME identity to be verified" in client.get(ORDERS).content.decode()
    page = client.get(reverse("directory:my_profile")).content.decode()
    assert "Prove that you represent this company" in page


def test_staff_may_verify_the_identity_without_publishing_the_profile(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    profile = SMEProfileFactory(unverified=True)  # a draft
    owner = member_of(profile.organisation, admin=True)
    client.force_login(UserFactory(staff=True))
    url = reverse("directory:moderate", args=[profile.pk])
    assert "Vérifier l'identité sans publier" in client.get(url).content.decode()
    client.post(url, {"action": "verify", "reason": ""})
    profile.organisation.refresh_from_db()
    assert not profile.organisation.is_verified
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "verify", "reason": "Avis INSEE conforme"})
    profile.refresh_from_db()
    profile.organisation.refresh_from_db()
    assert profile.organisation.is_verified
    assert profile.state == SMEProfile.State.DRAFT
    assert AuditEvent.objects.get(action="directory.sme_verified").reason == "Avis INSEE conforme"
    assert any(m.to == [owner.email] and "commandes" in m.body for m in mailoutbox)
