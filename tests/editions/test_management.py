"""Managing editions under /pilotage/editions/: who may see which edition, large accounts added,
removed, asking to join; conventions and their signed document; federators and their second
factor."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Organisation, Role
from audit.models import AuditEvent
from editions.models import Convention, Edition, EditionAccount
from tests.factories import (
    ConventionFactory,
    EditionAccountFactory,
    EditionFactory,
    OrganisationFactory,
    UserFactory,
    give_totp,
    member_of,
    valid_siren,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def federator_member(federator: Organisation, *, admin: bool = False):
    """A member of a federator, with the second factor federators need."""
    user = member_of(federator, admin=admin)
    give_totp(user)
    return user


@pytest.fixture
def world():
    """Two editions, each run by its own federator; a large account in the first."""
    lyon = EditionFactory(name="Métropole de Lyon", slug="lyon", territory=["69"])
    numerique = EditionFactory(name="Numérique", slug="numerique", sector=["cybersecurite"])
    lyon_convention = ConventionFactory(edition=lyon)
    numerique_convention = ConventionFactory(edition=numerique)
    account = OrganisationFactory(name="Banque Hexagone")
    membership = EditionAccountFactory(edition=lyon, organisation=account)
    return {
        "lyon": lyon,
        "numerique": numerique,
        "lyon_federator": lyon_convention.federator,
        "numerique_federator": numerique_convention.federator,
        "lyon_convention": lyon_convention,
        "numerique_convention": numerique_convention,
        "account": account,
        "membership": membership,
    }


def edition_urls(world, edition_key: str) -> list[str]:
    """Every GET page of one edition's management (for the permission tests)."""
    edition = world[edition_key]
    convention = world[f"{edition_key}_convention"]
    membership = world["membership"] if edition_key == "lyon" else None
    request = EditionAccountFactory(
        edition=edition, state=EditionAccount.State.REQUESTED, message="Bonjour"
    )
    urls = [
        reverse("editions:manage", args=[edition.slug]),
        reverse("editions:account_add", args=[edition.slug]),
        reverse("editions:email_accounts", args=[edition.slug]),
        reverse("editions:request_decide", args=[edition.slug, request.pk]),
        reverse("editions:convention", args=[edition.slug, convention.pk]),
    ]
    if membership is not None:
        urls.append(reverse("editions:account_remove", args=[edition.slug, membership.pk]))
    return urls


# --- Permissions ------------------------------------------------------------------------------


def test_edition_pages_send_anonymous_to_login(client, world):
    for url in [reverse("editions:list"), *edition_urls(world, "lyon")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url


def test_edition_pages_are_refused_to_large_account_members(client, world):
    client.force_login(member_of(world["account"], admin=True))
    for url in [reverse("editions:list"), *edition_urls(world, "lyon")]:
        assert client.get(url).status_code == 403, url


def test_programme_staff_see_every_edition(client, world):
    client.force_login(UserFactory(staff=True))
    html = client.get(reverse("editions:list")).content.decode()
    assert "Métropole de Lyon" in html
    assert "Numérique" in html
    for url in edition_urls(world, "lyon") + edition_urls(world, "numerique"):
        assert client.get(url).status_code == 200, url


def test_federator_sees_only_the_editions_it_runs(client, world):
    client.force_login(federator_member(world["lyon_federator"]))
    html = client.get(reverse("editions:list")).content.decode()
    assert "Métropole de Lyon" in html
    assert "Numérique" not in html
    for url in edition_urls(world, "lyon"):
        assert client.get(url).status_code == 200, url


def test_federator_of_another_edition_gets_404_on_every_page(client, world):
    client.force_login(federator_member(world["numerique_federator"]))
    for url in edition_urls(world, "lyon"):
        assert client.get(url).status_code == 404, url
    lyon = world["lyon"]
    assert (
        client.post(
            reverse("editions:account_remove", args=[lyon.slug, world["membership"].pk])
        ).status_code
        == 404
    )
    assert EditionAccount.objects.filter(pk=world["membership"].pk).exists()
    document = reverse(
        "editions:convention_document", args=[lyon.slug, world["lyon_convention"].pk]
    )
    assert client.get(document).status_code == 404


def test_federator_whose_convention_ended_sees_no_edition(client, world):
    Convention.objects.filter(pk=world["lyon_convention"].pk).update(
        starts_on=timezone.localdate() - datetime.timedelta(days=400),
        ends_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    client.force_login(federator_member(world["lyon_federator"]))
    assert client.get(reverse("editions:list")).status_code == 403
    assert client.get(reverse("editions:manage", args=["lyon"])).status_code == 403
    # Its dashboard says why.
    html = client.get(reverse("accounts:dashboard")).content.decode()
    assert "aucune édition sous une convention en vigueur" in html


def test_federator_cannot_create_or_edit_editions_and_conventions(client, world):
    client.force_login(federator_member(world["lyon_federator"], admin=True))
    lyon = world["lyon"]
    for url in [
        reverse("editions:create"),
        reverse("editions:edit", args=[lyon.slug]),
        reverse("editions:convention_create", args=[lyon.slug]),
        reverse("editions:convention_edit", args=[lyon.slug, world["lyon_convention"].pk]),
        reverse("accounts:federators"),
        reverse("accounts:federator_create"),
    ]:
        assert client.get(url).status_code == 403, url


def test_unknown_edition_is_404_for_staff(client):
    client.force_login(UserFactory(staff=True))
    assert client.get(reverse("editions:manage", args=["nulle-part"])).status_code == 404


# --- Large accounts of an edition ---------------------------------------------------------------


def test_federator_finds_and_adds_a_large_account(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    user = federator_member(world["lyon_federator"])
    client.force_login(user)
    other = OrganisationFactory(name="Énergies de France")
    admin = member_of(other, admin=True)
    OrganisationFactory(sme=True, name="Énergies PME")
    url = reverse("editions:account_add", args=["lyon"])
    html = client.get(url, {"q": "énergies"}).content.decode()
    assert "Énergies de France" in html
    assert "Énergies PME" not in html  # large accounts only
    assert "Banque Hexagone" not in client.get(url, {"q": "banque"}).content.decode()  # member
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"organisation": other.pk})
    assert response["Location"] == reverse("editions:manage", args=["lyon"])
    assert EditionAccount.objects.get(edition=world["lyon"], organisation=other).state == "member"
    event = AuditEvent.objects.get(action="editions.account_added")
    assert event.actor == user
    assert event.organisation_id == other.pk
    assert [m.to for m in mailoutbox] == [[admin.email]]


def test_adding_an_sme_or_unknown_organisation_is_404(client, world):
    client.force_login(UserFactory(staff=True))
    sme = OrganisationFactory(sme=True)
    url = reverse("editions:account_add", args=["lyon"])
    assert client.post(url, {"organisation": sme.pk}).status_code == 404
    assert client.post(url, {"organisation": "abc"}).status_code == 302
    assert not EditionAccount.objects.filter(organisation=sme).exists()


def test_removing_a_large_account_asks_for_confirmation(client, world):
    user = UserFactory(staff=True)
    client.force_login(user)
    url = reverse("editions:account_remove", args=["lyon", world["membership"].pk])
    page = client.get(url)
    assert "Voulez-vous vraiment retirer" in page.content.decode()
    assert EditionAccount.objects.filter(pk=world["membership"].pk).exists()
    client.post(url)
    assert not EditionAccount.objects.filter(pk=world["membership"].pk).exists()
    assert AuditEvent.objects.filter(action="editions.account_removed", actor=user).exists()


def test_edition_page_lists_members_and_requests_with_few_queries(
    client, world, django_assert_max_num_queries
):
    client.force_login(UserFactory(staff=True))
    for _n in range(10):
        EditionAccountFactory(edition=world["lyon"])
        EditionAccountFactory(edition=world["lyon"], state=EditionAccount.State.REQUESTED)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("editions:manage", args=["lyon"]))
    assert response.context["members"].paginator.count == 11
    assert len(response.context["requests"]) == 10


def test_email_to_the_accounts_administrators(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(federator_member(world["lyon_federator"]))
    admin = member_of(world["account"], admin=True)
    member_of(world["account"])  # not an administrator: not written to
    outsider = OrganisationFactory()
    member_of(outsider, admin=True)
    url = reverse("editions:email_accounts", args=["lyon"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url,
            {
                "organisations": [world["account"].pk],
                "subject": "Réunion de lancement",
                "body": "Rendez-vous le 12 à la CCI.",
            },
        )
    assert [m.to for m in mailoutbox] == [[admin.email]]
    assert "Réunion de lancement" in mailoutbox[0].subject
    # An account outside the edition cannot be chosen.
    response = client.post(url, {"organisations": [outsider.pk], "subject": "x", "body": "y"})
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()


# --- Join requests ------------------------------------------------------------------------------


def test_join_request_flow_with_emails(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    account = OrganisationFactory(name="Télécom Horizon")
    admin = member_of(account, admin=True)
    staff = UserFactory(staff=True)
    federator = federator_member(world["numerique_federator"])
    lyon_federator = federator_member(world["lyon_federator"])

    client.force_login(admin)
    dashboard = client.get(reverse("accounts:dashboard")).content.decode()
    assert reverse("editions:join", args=["numerique"]) in dashboard
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("editions:join", args=["numerique"]), {"message": "Nous achetons du logiciel."}
        )
    assert response.status_code == 302
    request = EditionAccount.objects.get(edition=world["numerique"], organisation=account)
    assert request.state == EditionAccount.State.REQUESTED
    assert request.requested_by == admin
    assert len(mailoutbox) == 1
    recipients = set(mailoutbox[0].to)
    assert {staff.email, federator.email} <= recipients
    assert lyon_federator.email not in recipients
    assert "Nous achetons du logiciel." in mailoutbox[0].body

    # Asking twice is refused without a second email.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("editions:join", args=["numerique"]), {"message": ""})
    assert len(mailoutbox) == 1

    # The federator refuses: a reason is required, and it is emailed back.
    client.force_login(federator)
    url = reverse("editions:request_decide", args=["numerique", request.pk])
    response = client.post(url, {"decision": "refuse", "reason": ""})
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "refuse", "reason": "Aucun achat de logiciel déclaré."})
    request.refresh_from_db()
    assert request.state == EditionAccount.State.REFUSED
    assert request.decided_by == federator
    assert mailoutbox[-1].to == [admin.email]
    assert "Aucun achat de logiciel déclaré." in mailoutbox[-1].body
    event = AuditEvent.objects.get(action="editions.request_refused")
    assert event.reason == "Aucun achat de logiciel déclaré."

    # Asked again, then accepted.
    client.force_login(admin)
    client.post(reverse("editions:join", args=["numerique"]), {"message": "Nouvelle demande."})
    request.refresh_from_db()
    assert request.state == EditionAccount.State.REQUESTED
    client.force_login(federator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "accept", "reason": ""})
    request.refresh_from_db()
    assert request.state == EditionAccount.State.MEMBER
    assert "acceptée" in mailoutbox[-1].body
    # A decided request has no decision page any more.
    assert client.get(url).status_code == 404


def test_only_a_large_account_administrator_asks_to_join(client, world):
    account = OrganisationFactory()
    client.force_login(member_of(account))  # a member, not an administrator
    assert client.get(reverse("editions:join", args=["numerique"])).status_code == 403
    client.force_login(member_of(OrganisationFactory(sme=True), admin=True))
    assert client.get(reverse("editions:join", args=["numerique"])).status_code == 403


def test_draft_edition_cannot_be_joined(client):
    EditionFactory(slug="brouillon", status=Edition.Status.DRAFT)
    client.force_login(member_of(OrganisationFactory(), admin=True))
    assert client.get(reverse("editions:join", args=["brouillon"])).status_code == 404


def test_join_page_sends_anonymous_to_login(client, world):
    response = client.get(reverse("editions:join", args=["numerique"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- Editions and conventions by programme staff -------------------------------------------------


def test_staff_create_a_territorial_edition_with_its_logo(client):
    staff = UserFactory(staff=True)
    client.force_login(staff)
    response = client.post(
        reverse("editions:create"),
        {
            "name": "Pacte PME Grand Est",
            "slug": "grand-est",
            "kind": "territorial",
            "description": "",
            "starts_on": "2026-01-01",
            "status": "active",
            "regions": ["44"],
            "naf_text": "",
            "logo_upload": SimpleUploadedFile("logo.png", PNG, content_type="image/png"),
        },
    )
    edition = Edition.objects.get(slug="grand-est")
    assert response["Location"] == reverse("editions:manage", args=["grand-est"])
    assert list(edition.regions.values_list("code", flat=True)) == ["44"]
    assert edition.logo
    assert AuditEvent.objects.filter(action="editions.edition_created", actor=staff).exists()


def test_edition_form_checks_territory_naf_codes_and_logo_content(client):
    client.force_login(UserFactory(staff=True))
    response = client.post(
        reverse("editions:create"),
        {
            "name": "Mauvaise",
            "slug": "mauvaise",
            "kind": "sectoral",
            "starts_on": "2026-01-01",
            "status": "draft",
            "naf_text": "99.99X",
            "logo_upload": SimpleUploadedFile(
                "logo.png", b"MZ not an image", content_type="image/png"
            ),
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "naf_text" in errors
    assert "logo_upload" in errors
    assert not Edition.objects.filter(slug="mauvaise").exists()


def test_staff_edit_a_sectoral_edition_with_naf_codes(client, world):
    client.force_login(UserFactory(staff=True))
    response = client.post(
        reverse("editions:edit", args=["numerique"]),
        {
            "name": "Numérique",
            "slug": "numerique",
            "kind": "sectoral",
            "starts_on": "2026-01-01",
            "status": "active",
            "domains": [],
            "naf_text": "62.01Z, 58.29C",
        },
    )
    assert response.status_code == 302
    codes = set(world["numerique"].naf_codes.values_list("code", flat=True))
    assert codes == {"62.01Z", "58.29C"}


def test_staff_sign_a_convention_with_its_pdf_which_only_staff_and_the_federator_download(
    client, world
):
    staff = UserFactory(staff=True)
    federator = OrganisationFactory(federator=True, name="CCI Lyon")
    client.force_login(staff)
    url = reverse("editions:convention_create", args=["lyon"])
    response = client.post(
        url,
        {
            "federator": federator.pk,
            "starts_on": "2026-01-01",
            "fee_eur": "12500.50",
            "admission_rules": "Un site dans le Rhône.",
            "document": SimpleUploadedFile("signee.pdf", PDF, content_type="application/pdf"),
        },
    )
    convention = Convention.objects.get(federator=federator)
    assert response["Location"] == reverse("editions:convention", args=["lyon", convention.pk])
    assert str(convention.fee_eur) == "12500.50"
    assert AuditEvent.objects.filter(action="editions.convention_created").exists()
    document = reverse("editions:convention_document", args=["lyon", convention.pk])
    download = client.get(document)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert download["Cache-Control"] == "private, no-store"

    client.force_login(federator_member(federator))
    assert client.get(document).status_code == 200
    assert (
        "12"
        in client.get(reverse("editions:convention", args=["lyon", convention.pk])).content.decode()
    )
    # The other federator of the same edition reads its own convention, not this one.
    client.force_login(federator_member(world["lyon_federator"]))
    assert client.get(document).status_code == 404
    assert (
        client.get(reverse("editions:convention", args=["lyon", convention.pk])).status_code == 404
    )
    client.force_login(member_of(world["account"], admin=True))
    assert client.get(document).status_code == 403


def test_convention_document_must_be_a_small_pdf(client, world, settings):
    client.force_login(UserFactory(staff=True))
    url = reverse("editions:convention_edit", args=["lyon", world["lyon_convention"].pk])
    base = {"starts_on": "2026-01-01", "fee_eur": "10", "admission_rules": ""}
    fake = SimpleUploadedFile("convention.pdf", b"<html>not a pdf", content_type="application/pdf")
    response = client.post(url, {**base, "document": fake})
    assert response.status_code == 200
    assert "document" in response.context["form"].errors
    settings.VERIFICATION_DOCUMENT_MAX_BYTES = 100
    big = SimpleUploadedFile("convention.pdf", PDF + b"x" * 200, content_type="application/pdf")
    response = client.post(url, {**base, "document": big})
    assert "document" in response.context["form"].errors
    world["lyon_convention"].refresh_from_db()
    assert not world["lyon_convention"].signed_document


def test_convention_keeps_its_federator_and_refuses_a_negative_fee(client, world):
    client.force_login(UserFactory(staff=True))
    convention = world["lyon_convention"]
    other = OrganisationFactory(federator=True)
    url = reverse("editions:convention_edit", args=["lyon", convention.pk])
    response = client.post(
        url,
        {"federator": other.pk, "starts_on": "2026-01-01", "fee_eur": "-5", "admission_rules": ""},
    )
    assert response.status_code == 200
    assert "fee_eur" in response.context["form"].errors
    client.post(
        url,
        {"federator": other.pk, "starts_on": "2026-01-01", "fee_eur": "5", "admission_rules": ""},
    )
    convention.refresh_from_db()
    assert convention.federator == world["lyon_federator"]


# --- Federator organisations ---------------------------------------------------------------------


def test_staff_create_a_federator_and_invite_its_first_administrator(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    staff = UserFactory(staff=True)
    client.force_login(staff)
    siren = valid_siren(777)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:federator_create"),
            {
                "name": "CCI Métropole",
                "siren": siren,
                "sector": "Chambre de commerce",
                "admin_email": "direction@cci.test",
            },
        )
    federator = Organisation.objects.get(siren=siren)
    assert response["Location"] == reverse("accounts:organisation", args=[federator.pk])
    assert federator.is_federator
    assert not federator.public_naming
    invitation = Invitation.objects.get(organisation=federator)
    assert invitation.role == Role.ADMIN
    assert mailoutbox[0].to == ["direction@cci.test"]
    assert AuditEvent.objects.filter(action="accounts.federator_created", actor=staff).exists()
    listing = client.get(reverse("accounts:federators")).content.decode()
    assert "CCI Métropole" in listing


def test_federator_siren_is_checked(client):
    client.force_login(UserFactory(staff=True))
    response = client.post(
        reverse("accounts:federator_create"),
        {"name": "Mauvais", "siren": "123456789", "admin_email": "a@example.test"},
    )
    assert response.status_code == 200
    assert "siren" in response.context["form"].errors
    assert not Organisation.objects.filter(name="Mauvais").exists()


def test_federator_administrator_invites_a_colleague(client, world):
    admin = federator_member(world["lyon_federator"], admin=True)
    client.force_login(admin)
    response = client.post(
        reverse("accounts:invite", args=[world["lyon_federator"].pk]),
        {"email": "collegue@cci.test", "role": "member"},
    )
    assert response.status_code == 302
    assert Invitation.objects.filter(
        organisation=world["lyon_federator"], email="collegue@cci.test"
    ).exists()


# --- The federator's home and second factor ------------------------------------------------------


def test_federator_dashboard_lists_its_editions_with_their_tools(client, world):
    client.force_login(federator_member(world["lyon_federator"]))
    html = client.get(reverse("accounts:dashboard")).content.decode()
    assert "Métropole de Lyon" in html
    assert "Numérique" not in html
    assert f"{reverse('procurement:staff_campaigns')}?edition=lyon" in html
    assert f"{reverse('directory:moderation')}?edition=lyon" in html
    assert reverse("reports:staff_edition_reports", args=["lyon"]) in html
    assert f'href="{reverse("editions:list")}"' in html  # navigation


def test_federator_needs_a_second_factor_on_staff_pages(client, world):
    user = member_of(world["lyon_federator"], second_factor=False)
    client.force_login(user)
    response = client.get(reverse("editions:list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    assert client.get(reverse("accounts:dashboard")).status_code == 200  # not a staff page
    give_totp(user)
    assert client.get(reverse("editions:list")).status_code == 200


def test_large_account_members_need_no_second_factor(client, world):
    client.force_login(member_of(world["account"], admin=True))
    assert client.get(reverse("editions:list")).status_code == 403  # refused, not sent to set up


@pytest.mark.parametrize("who", ["staff", "federator"])
def test_edition_pages_answer_hostile_input_without_a_server_error(client, world, who):
    from tests.test_no_server_errors import HOSTILE_QUERIES, _paths

    client.raise_request_exception = False
    if who == "staff":
        client.force_login(UserFactory(staff=True))
    else:
        client.force_login(federator_member(world["lyon_federator"]))
    request = EditionAccountFactory(edition=world["lyon"], state=EditionAccount.State.REQUESTED)
    failures = []
    for route in _paths():
        if not route.startswith(("/pilotage/editions/", "/editions/", "/pilotage/federateurs/")):
            continue
        path = route.replace("/zzz/", "/lyon/")
        path = path.replace("/demandes/999999/", f"/demandes/{request.pk}/")
        path = path.replace("/conventions/999999/", f"/conventions/{world['lyon_convention'].pk}/")
        for query in [*HOSTILE_QUERIES, {"organisation": "x" * 50, "decision": "<b>"}]:
            for method in ("get", "post"):
                response = getattr(client, method)(path, query)
                if response.status_code >= 500:
                    failures.append((method, path, query, response.status_code))
    assert failures == []


def test_edition_list_has_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    client.force_login(UserFactory(staff=True))
    for _n in range(12):
        edition = EditionFactory()
        EditionAccountFactory(edition=edition)
        EditionAccountFactory(edition=edition, state=EditionAccount.State.REQUESTED)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("editions:list"))
    assert response.status_code == 200
    assert response.context["page"].object_list[0].member_count == 1


def test_admin_checks_the_convention_document_and_the_logo_by_content():
    from django import forms

    from editions.admin import ConventionAdminForm, EditionAdminForm

    ConventionForm = forms.modelform_factory(
        Convention, form=ConventionAdminForm, fields=["signed_document"]
    )
    form = ConventionForm(
        data={},
        files={"signed_document": SimpleUploadedFile("c.pdf", b"<html>", "application/pdf")},
    )
    assert "signed_document" in form.errors
    EditionForm = forms.modelform_factory(Edition, form=EditionAdminForm, fields=["logo"])
    form = EditionForm(data={}, files={"logo": SimpleUploadedFile("l.png", b"GIF89a", "image/png")})
    assert "logo" in form.errors
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>'
    form = EditionForm(data={}, files={"logo": SimpleUploadedFile("l.svg", svg, "image/svg+xml")})
    assert "logo" not in form.errors


def test_federator_members_cannot_remove_their_last_second_factor(world):
    from allauth.mfa.models import Authenticator

    from accounts.adapter import MFAAdapter

    user = federator_member(world["lyon_federator"])
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    assert not MFAAdapter().can_delete_authenticator(authenticator)
    account_admin = member_of(world["account"], admin=True)
    give_totp(account_admin)
    own = Authenticator.objects.get(user=account_admin, type=Authenticator.Type.TOTP)
    assert MFAAdapter().can_delete_authenticator(own)


def test_federator_organisation_page_names_the_editions_it_runs(client, world):
    client.force_login(UserFactory(staff=True))
    html = client.get(
        reverse("accounts:organisation", args=[world["lyon_federator"].pk])
    ).content.decode()
    assert "Métropole de Lyon" in html
    assert "Numérique" not in html
    assert f'href="{reverse("editions:manage", args=["lyon"])}"' in html


def test_public_edition_page_offers_large_account_administrators_to_join(client, world):
    join = reverse("editions:join", args=["numerique"])
    page = reverse("reports:public_edition", args=["numerique"])
    assert join not in client.get(page).content.decode()  # anonymous
    client.force_login(member_of(world["account"]))
    assert join not in client.get(page).content.decode()  # a member, not an administrator
    client.force_login(member_of(world["account"], admin=True))
    assert join in client.get(page).content.decode()
