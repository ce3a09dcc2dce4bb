"""The pages of editions, edition reports, meetings, challenges, sponsorship, the Pacte effect and
buying sites, attacked by a hostile user: absurd form values, other organisations' or other
editions' ids, hostile query strings and files. Never a server error; no access where there is
none (403 or 404, never 200); federators need a second factor and lose every /pilotage/ page of
these apps once their convention has ended."""

import datetime
import re
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone

from directory.models import Domain
from editions.models import EditionAccount
from meetings.models import Meeting
from meetings.models import Participant as MeetingParticipant
from tests.factories import (
    AnswerFactory,
    ChallengeFactory,
    ConventionFactory,
    EditionAccountFactory,
    EditionFactory,
    MeetingEventFactory,
    MeetingParticipantFactory,
    MissionFactory,
    NeedFactory,
    OfferFactory,
    OrganisationFactory,
    SiteFactory,
    UserFactory,
    member_of,
)

pytestmark = pytest.mark.django_db

APPS = ("editions", "reports", "meetings", "challenges", "sponsorship", "effect")
PROCUREMENT_ROUTES = ("site_list", "site_add", "site_edit", "site_delete")
# Every field name of the forms of these apps (a hostile payload sets each of them).
FIELDS = [
    "name", "slug", "kind", "description", "starts_on", "ends_on", "status", "regions",
    "departements", "domains", "naf_text", "federator", "fee_eur", "admission_rules", "q",
    "organisation", "decision", "reason", "message", "organisations", "subject", "body", "title",
    "date", "place", "online_url", "edition", "registration_opens_on", "registration_closes_on",
    "booking_opens_on", "booking_closes_on", "starts_at", "ends_at", "slot_minutes", "tables",
    "state", "pitch", "user", "needs", "buyer", "slot", "step-step", "action", "held", "context",
    "deadline", "confidential_text", "confidentiality", "public_naming", "text", "siren",
    "category", "estimated_days", "days", "need", "offer", "annee", "siret", "departement",
    "amount", "order_date", "site", "sme_siren", "domain", "reference",
]  # fmt: skip
LONG = "x" * 10_000
HOSTILE_VALUES = [
    "",
    LONG,  # also a non-numeric id
    "ab\x00cd",
    "=1+1<script>alert(1)</script>",
    "-1",
    "1e309",
    "99999999999999999999",
    "2026-02-30",
    "31/31/2026",
    ["1", "2", "abc"],  # a list where one value is expected
]
HOSTILE_QUERIES = [
    {"edition": "../../x", "page": "-1", "annee": "abc"},
    {"page": "999999", "annee": "99999999999999999999", "edition": "\x00", "q": LONG},
]


@dataclass
class World:
    users: dict = field(default_factory=dict)
    own: dict = field(default_factory=dict)  # route name -> kwargs of the objects users own
    other: dict = field(default_factory=dict)  # route name -> kwargs of others' objects
    objects: dict = field(default_factory=dict)


def _world() -> World:
    w = World()
    today = timezone.localdate()
    edition = EditionFactory(territory=["69"])
    other_edition = EditionFactory(territory=["75"])
    federator = OrganisationFactory(federator=True)
    other_federator = OrganisationFactory(federator=True)
    ended_federator = OrganisationFactory(federator=True)
    convention = ConventionFactory(edition=edition, federator=federator)
    other_convention = ConventionFactory(edition=other_edition, federator=other_federator)
    ConventionFactory(
        edition=edition,
        federator=ended_federator,
        starts_on=today - datetime.timedelta(days=400),
        ends_on=today - datetime.timedelta(days=30),
    )
    account = OrganisationFactory()
    other_account = OrganisationFactory()
    sme = OrganisationFactory(sme=True)
    other_sme = OrganisationFactory(sme=True)
    EditionAccountFactory(edition=edition, organisation=account)
    member_other = EditionAccountFactory(edition=other_edition, organisation=other_account)
    requested = EditionAccountFactory(
        edition=edition, organisation=OrganisationFactory(), state=EditionAccount.State.REQUESTED
    )
    requested_other = EditionAccountFactory(
        edition=other_edition,
        organisation=OrganisationFactory(),
        state=EditionAccount.State.REQUESTED,
    )
    w.users = {
        "anonymous": None,
        "staff": UserFactory(staff=True),
        "federator": member_of(federator, admin=True),
        "other_federator": member_of(other_federator, admin=True),
        "ended_federator": member_of(ended_federator, admin=True),
        "account": member_of(account, admin=True),
        "other_account": member_of(other_account, admin=True),
        "sme": member_of(sme, admin=True),
        "other_sme": member_of(other_sme, admin=True),
        "no_organisation": UserFactory(),
    }
    event = MeetingEventFactory(edition=edition)
    other_event = MeetingEventFactory(edition=other_edition)
    sme_participant = MeetingParticipantFactory(
        event=event, organisation=sme, user=w.users["sme"], pending=True
    )
    buyer = MeetingParticipantFactory(
        event=event, organisation=account, user=w.users["account"], buyer=True
    )
    other_sme_participant = MeetingParticipantFactory(
        event=other_event, organisation=other_sme, user=w.users["other_sme"]
    )
    other_buyer = MeetingParticipantFactory(
        event=other_event, organisation=other_account, user=w.users["other_account"], buyer=True
    )
    meeting = Meeting.objects.create(
        event=event,
        sme=sme_participant,
        buyer=buyer,
        requested_by_side=MeetingParticipant.Side.BUYER,
        reason="Un SOC.",
    )
    other_meeting = Meeting.objects.create(
        event=other_event,
        sme=other_sme_participant,
        buyer=other_buyer,
        requested_by_side=MeetingParticipant.Side.BUYER,
        reason="Un SOC.",
    )
    challenge = ChallengeFactory(buyer=account)
    other_challenge = ChallengeFactory(buyer=other_account, draft=True)
    draft_challenge = ChallengeFactory(buyer=account, draft=True)
    answer = AnswerFactory(challenge=challenge, organisation=sme)
    other_answer = AnswerFactory(challenge=other_challenge, organisation=other_sme)
    need = NeedFactory(sme=sme)
    other_need = NeedFactory(sme=other_sme)
    offer = OfferFactory(account=account)
    other_offer = OfferFactory(account=other_account)
    mission = MissionFactory(need=NeedFactory(sme=sme), offer=OfferFactory(account=account))
    other_mission = MissionFactory(
        need=NeedFactory(sme=other_sme), offer=OfferFactory(account=other_account)
    )
    site = SiteFactory(organisation=account)
    other_site = SiteFactory(organisation=other_account)
    w.objects = dict(locals())

    def both(name, own, other):
        w.own[name], w.other[name] = own, other

    slug, oslug = {"slug": edition.slug}, {"slug": other_edition.slug}
    for name in ["manage", "edit", "account_add", "email_accounts", "convention_create", "join"]:
        both(f"editions:{name}", slug, oslug)
    both(
        "editions:account_remove",
        {**slug, "pk": EditionAccount.objects.get(organisation=account).pk},
        {**slug, "pk": member_other.pk},
    )
    both(
        "editions:request_decide",
        {**slug, "pk": requested.pk},
        {**slug, "pk": requested_other.pk},
    )
    for name in ["convention", "convention_edit", "convention_document"]:
        both(f"editions:{name}", {**slug, "pk": convention.pk}, {**slug, "pk": other_convention.pk})
    for name in ["public_edition", "edition_logo", "staff_edition_reports"]:
        both(f"reports:{name}", slug, oslug)
    for name in ["event", "apply", "register_buyer", "agenda", "agenda_ics"]:
        both(f"meetings:{name}", {"pk": event.pk}, {"pk": other_event.pk})
    for name in ["edit", "event", "session", "state", "schedule", "tables"]:
        both(f"meetings:organiser_{name}", {"pk": event.pk}, {"pk": other_event.pk})
    both(
        "meetings:request",
        {"pk": event.pk, "participant_pk": buyer.pk},
        {"pk": event.pk, "participant_pk": other_buyer.pk},
    )
    for name in ["meeting", "meeting_ics", "organiser_attendance"]:
        both(f"meetings:{name}", {"pk": meeting.pk}, {"pk": other_meeting.pk})
    both("meetings:organiser_decide", {"pk": sme_participant.pk}, {"pk": other_sme_participant.pk})
    for name in ["detail", "edit", "submit", "close", "answer", "staff_review"]:
        both(f"challenges:{name}", {"pk": challenge.pk}, {"pk": other_challenge.pk})
    both("challenges:answer_document", {"pk": answer.pk}, {"pk": other_answer.pk})
    both(
        "challenges:answer_decide",
        {"pk": answer.pk, "decision": "retenir"},
        {"pk": other_answer.pk, "decision": "retenir"},
    )
    both("sponsorship:need_withdraw", {"pk": need.pk}, {"pk": other_need.pk})
    both("sponsorship:offer_withdraw", {"pk": offer.pk}, {"pk": other_offer.pk})
    both("sponsorship:mission", {"pk": mission.pk}, {"pk": other_mission.pk})
    for name in ["mission_action", "staff_mission_action"]:
        both(
            f"sponsorship:{name}",
            {"pk": mission.pk, "action": "accepter"},
            {"pk": other_mission.pk, "action": "accepter"},
        )
    for name in ["site_edit", "site_delete"]:
        both(f"procurement:{name}", {"pk": site.pk}, {"pk": other_site.pk})
    return w


def _routes():
    """(route name, pattern) of every page of the new apps and of the buying sites."""
    resolver = get_resolver()
    for namespace, (_prefix, sub) in resolver.namespace_dict.items():
        if namespace not in (*APPS, "procurement"):
            continue
        for pattern in sub.url_patterns:
            if not isinstance(pattern, URLPattern):
                continue
            if namespace == "procurement" and pattern.name not in PROCUREMENT_ROUTES:
                continue
            yield f"{namespace}:{pattern.name}", str(pattern.pattern)


def _url(route: str, pattern: str, kwargs: dict | None) -> str | None:
    needed = set(re.findall(r"<(?:\w+:)?(\w+)>", pattern))
    given = dict(kwargs or {})
    if "fmt" in needed and "fmt" not in given:
        given["fmt"] = "pdf"
    if needed - set(given):
        if kwargs is None:
            # Nobody's object: ids and slugs that do not exist.
            given = {
                name: ("zzz" if name in ("slug", "decision", "action", "fmt") else 999999)
                for name in needed
            }
        else:
            return None
    return reverse(route, kwargs={k: v for k, v in given.items() if k in needed})


def _payload(value) -> dict:
    return dict.fromkeys(FIELDS, value)


def _client(client, world, who):
    client.logout()
    client.raise_request_exception = False
    if world.users[who] is not None:
        client.force_login(world.users[who])
    return client


# Who may use which pages (route name prefixes or names), for the access checks.
PILOTAGE_FEDERATOR_ROUTES = {
    "editions:list",
    "editions:manage",
    "editions:account_add",
    "editions:account_remove",
    "editions:request_decide",
    "editions:email_accounts",
    "editions:convention",
    "editions:convention_document",
    "reports:staff_reports",
    "reports:staff_edition_reports",
    "reports:staff_panel",
    "reports:staff_generate",
    "reports:staff_retry",
    "reports:staff_pdf",
    "reports:staff_xlsx",
    "reports:staff_publish",
    "reports:staff_unpublish",
    "meetings:organiser_list",
    "meetings:organiser_create",
    "meetings:organiser_event",
    "meetings:organiser_edit",
    "meetings:organiser_session",
    "meetings:organiser_state",
    "meetings:organiser_schedule",
    "meetings:organiser_tables",
    "meetings:organiser_decide",
    "meetings:organiser_attendance",
    "effect:staff_overview",
}


def _pilotage_routes():
    return [(r, p) for r, p in _routes() if p.startswith("pilotage/")]


# --- No server error, whatever the input ------------------------------------------------------


# Who fills in the forms of each app (the others are refused before any form: see below).
POSTING_USERS = {
    "editions": ["staff", "federator", "account"],
    "reports": ["staff", "federator", "account"],
    "meetings": ["federator", "account", "sme"],  # staff go through the federator's code
    "challenges": ["staff", "account", "sme"],
    "sponsorship": ["staff", "account", "sme"],
    "effect": ["staff", "federator", "sme"],
    "procurement": ["account"],
}


@pytest.mark.parametrize("app", list(POSTING_USERS))
def test_hostile_form_values_never_cause_a_server_error(client, app):
    world = _world()
    failures = []
    for who in POSTING_USERS[app]:
        _client(client, world, who)
        for route, pattern in _routes():
            if not route.startswith(app + ":"):
                continue
            url = _url(route, pattern, world.own.get(route))
            if url is None:
                continue
            for value in HOSTILE_VALUES:
                response = client.post(url, _payload(value))
                if response.status_code >= 500:
                    failures.append((who, url, repr(value)[:40], response.status_code))
    assert failures == []


@pytest.mark.parametrize("app", list(POSTING_USERS))
def test_hostile_query_strings_never_cause_a_server_error(client, app):
    world = _world()
    failures = []
    for who in ["anonymous", "ended_federator", "no_organisation", *POSTING_USERS[app]]:
        _client(client, world, who)
        for route, pattern in _routes():
            if not route.startswith(app + ":"):
                continue
            for kwargs in (world.own.get(route), world.other.get(route)):
                url = _url(route, pattern, kwargs)
                if url is None:
                    continue
                for query in HOSTILE_QUERIES:
                    response = client.get(url, query)
                    if response.status_code >= 500:
                        failures.append((who, url, list(query), response.status_code))
                if kwargs is None:
                    break
    assert failures == []


# --- Access: another organisation's or another edition's objects --------------------------------

# (who, route, whose objects): the person has no business with these objects.
FOREIGN_OBJECTS = [
    *[
        (who, f"editions:{name}", "own")
        for who in ["other_federator", "ended_federator"]
        for name in [
            "manage",
            "account_add",
            "account_remove",
            "request_decide",
            "email_accounts",
            "convention",
            "convention_document",
        ]
    ],
    ("federator", "editions:account_remove", "other"),
    ("federator", "editions:request_decide", "other"),
    ("federator", "editions:convention", "other"),
    ("federator", "editions:convention_document", "other"),
    *[
        (who, f"meetings:organiser_{name}", "own")
        for who in ["other_federator", "ended_federator"]
        for name in ["edit", "event", "session", "state", "schedule", "tables", "decide"]
    ],
    ("other_federator", "meetings:organiser_attendance", "own"),
    ("other_federator", "reports:staff_edition_reports", "own"),
    *[
        (who, route, "other")
        for who, routes in {
            "account": [
                "challenges:detail",
                "challenges:edit",
                "challenges:submit",
                "challenges:close",
                "challenges:answer_decide",
                "challenges:answer_document",
                "sponsorship:offer_withdraw",
                "sponsorship:mission",
                "sponsorship:mission_action",
                "procurement:site_edit",
                "procurement:site_delete",
                "meetings:meeting",
                "meetings:meeting_ics",
                "meetings:request",
            ],
            "sme": [
                "sponsorship:need_withdraw",
                "sponsorship:mission",
                "sponsorship:mission_action",
                "challenges:answer_document",
                "meetings:meeting",
                "meetings:meeting_ics",
            ],
        }.items()
        for route in routes
    ],
    *[
        ("other_account", route, "own")
        for route in [
            "challenges:edit",
            "challenges:submit",
            "challenges:close",
            "challenges:answer_decide",
            "challenges:answer_document",
            "sponsorship:offer_withdraw",
            "sponsorship:mission",
            "sponsorship:mission_action",
            "procurement:site_edit",
            "procurement:site_delete",
            "meetings:meeting",
            "meetings:meeting_ics",
        ]
    ],
    *[
        ("other_sme", route, "own")
        for route in [
            "sponsorship:need_withdraw",
            "sponsorship:mission",
            "challenges:answer_document",
            "meetings:meeting",
        ]
    ],
]


def test_other_organisations_and_other_editions_objects_are_refused(client):
    world = _world()
    patterns = dict(_routes())
    wrong = []
    for who, route, whose in FOREIGN_OBJECTS:
        _client(client, world, who)
        url = _url(route, patterns[route], (world.own if whose == "own" else world.other)[route])
        post = client.post(url, _payload("1"))
        get = client.get(url, {"page": "2"})
        # 405: a page that only reads (GET) refuses the POST before anything else.
        if post.status_code not in (403, 404, 405) or get.status_code not in (403, 404, 405):
            wrong.append((who, url, post.status_code, get.status_code))
    assert wrong == [], wrong


STAFF_ONLY = {
    "editions:create",
    "editions:edit",
    "editions:convention_create",
    "editions:convention_edit",
    "challenges:staff_list",
    "challenges:staff_review",
    "challenges:staff_research",
    "challenges:staff_research_verify",
    "sponsorship:staff",
    "sponsorship:staff_mission_action",
}


@pytest.mark.parametrize(
    "who", ["account", "sme", "no_organisation", "ended_federator", "federator"]
)
def test_pilotage_pages_of_the_new_apps_answer_403_to_who_may_not_use_them(client, who):
    """Large accounts, SMEs, people without organisation and a federator whose convention has
    ended get 403 on every /pilotage/ page of these apps (and a federator on the pages of
    programme staff only), whatever the method."""
    world = _world()
    _client(client, world, who)
    wrong = []
    for route, pattern in _pilotage_routes():
        if who == "federator" and route not in STAFF_ONLY:
            continue
        url = _url(route, pattern, world.own.get(route))
        for method in ("get", "post"):
            response = getattr(client, method)(url, _payload("1"))
            if response.status_code not in (403, 405):
                wrong.append((method, url, response.status_code))
    assert wrong == [], wrong


def test_every_pilotage_page_of_the_new_apps_wants_a_federators_second_factor(client):
    world = _world()
    without = member_of(world.objects["federator"], admin=True, second_factor=False)
    client.force_login(without)
    setup = reverse("mfa_activate_totp")
    routes = _pilotage_routes()
    assert len(routes) > 30
    wrong = []
    for route, pattern in routes:
        url = _url(route, pattern, world.own.get(route))
        for method in ("get", "post"):
            response = getattr(client, method)(url, _payload("1"))
            if response.status_code != 302 or response.url != setup:
                wrong.append((method, url, response.status_code))
    assert wrong == [], wrong


def test_a_federator_with_its_second_factor_reaches_its_editions_pilotage_pages(client):
    world = _world()
    client.force_login(world.users["federator"])
    for route in ["editions:manage", "meetings:organiser_event", "reports:staff_edition_reports"]:
        pattern = dict(_routes())[route]
        assert client.get(_url(route, pattern, world.own[route])).status_code == 200
    assert client.get(reverse("effect:staff_overview")).status_code == 200


# --- Files ------------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script>"
    b'<image href="https://evil.example/x.png"/></svg>'
)
SIX_MB = 6 * 1024 * 1024


def _file(name: str, content: bytes, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


BAD_PDFS = [
    ("png-renamed.pdf", PNG),
    ("empty.pdf", b""),
    ("big.pdf", PDF + b"0" * SIX_MB),
    ("nul.pdf", b"\x00" * 100),
]


@pytest.mark.parametrize(("name", "content"), BAD_PDFS)
def test_a_signed_convention_must_be_a_real_pdf_of_5_mb_at_most(client, name, content):
    world = _world()
    client.force_login(world.users["staff"])
    client.raise_request_exception = False
    edition = world.objects["edition"]
    federator = OrganisationFactory(federator=True)
    url = reverse("editions:convention_create", kwargs={"slug": edition.slug})
    response = client.post(
        url,
        {
            "federator": federator.pk,
            "starts_on": "2026-01-01",
            "fee_eur": "100",
            "document": _file(name, content),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not federator.conventions.exists()


@pytest.mark.parametrize(("name", "content"), BAD_PDFS)
def test_an_answers_document_must_be_a_real_pdf_of_5_mb_at_most(client, name, content):
    world = _world()
    other_sme = world.objects["other_sme"]
    client.force_login(world.users["other_sme"])
    client.raise_request_exception = False
    challenge = world.objects["challenge"]
    response = client.post(
        reverse("challenges:answer", kwargs={"pk": challenge.pk}),
        {"text": "Notre solution.", "document": _file(name, content)},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not challenge.answers.filter(organisation=other_sme).exists()


def _edition_data(edition, logo) -> dict:
    return {
        "name": edition.name,
        "slug": edition.slug,
        "kind": "territorial",
        "description": "",
        "starts_on": "2026-01-01",
        "status": "active",
        "departements": [d.pk for d in edition.departements.all()],
        "logo_upload": logo,
    }


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.png", b""),
        ("big.png", PNG + b"0" * SIX_MB),
        ("page.png", PDF),
        ("page.svg", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_an_editions_logo_must_be_a_png_jpeg_or_svg_of_1_mb_at_most(client, name, content):
    world = _world()
    client.force_login(world.users["staff"])
    client.raise_request_exception = False
    edition = world.objects["edition"]
    response = client.post(
        reverse("editions:edit", kwargs={"slug": edition.slug}),
        _edition_data(edition, _file(name, content, "image/png")),
    )
    assert response.status_code == 200
    assert "logo_upload" in response.context["form"].errors
    edition.refresh_from_db()
    assert not edition.logo


def test_an_svg_logo_with_a_script_is_served_under_a_policy_that_forbids_scripts(client):
    """check_logo accepts SVG; the logo's page serves it with its own content type, nosniff and
    a Content-Security-Policy of default-src 'none': an SVG opened directly cannot run its script
    nor load anything (and <img> never runs an SVG's scripts)."""
    world = _world()
    client.force_login(world.users["staff"])
    edition = world.objects["edition"]
    response = client.post(
        reverse("editions:edit", kwargs={"slug": edition.slug}),
        _edition_data(edition, _file("logo.svg", SVG_WITH_SCRIPT, "image/svg+xml")),
    )
    assert response.status_code == 302
    client.logout()
    logo = client.get(reverse("reports:edition_logo", kwargs={"slug": edition.slug}))
    assert logo.status_code == 200
    assert logo["Content-Type"] == "image/svg+xml"
    assert logo["X-Content-Type-Options"] == "nosniff"
    policy = logo["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src" not in policy and "unsafe" not in policy


def test_a_png_logo_renamed_svg_is_served_as_png(client):
    world = _world()
    client.force_login(world.users["staff"])
    edition = world.objects["edition"]
    response = client.post(
        reverse("editions:edit", kwargs={"slug": edition.slug}),
        _edition_data(edition, _file("logo.svg", PNG, "image/svg+xml")),
    )
    assert response.status_code == 302
    logo = client.get(reverse("reports:edition_logo", kwargs={"slug": edition.slug}))
    assert logo["Content-Type"] == "image/png"


# --- The "Site acheteur" column of imports ------------------------------------------------------

IMPORT_HEADER = (
    "SIREN;Raison sociale;Montant HT (€);Date de commande;Domaine;Référence;"
    "Délai de paiement (jours);Site acheteur"
)


@pytest.mark.parametrize(
    "site_cell",
    ["ab\x00cd", "\x00", LONG, "=1+1", "-1", "99999999999999999999", "<script>x</script>"],
)
def test_hostile_site_cells_in_an_import_never_cause_a_server_error(client, site_cell):
    """An import whose "Site acheteur" cell is hostile is refused with a message (a file with NUL
    bytes is not a CSV), its errors page and its errors file open."""
    from procurement.models import ImportJob
    from tests.factories import CampaignFactory, DeclarationFactory

    world = _world()
    account = world.objects["account"]
    declaration = DeclarationFactory(organisation=account, campaign=CampaignFactory())
    year = declaration.campaign.year
    good = f"732829320;Cyberbase;1 234,50 €;31/03/{year};Cybersécurité;BC-1;45"
    text = f"{IMPORT_HEADER}\n{good};{world.objects['site'].name}\n{good};{site_cell}\n"
    client.force_login(world.users["account"])
    client.raise_request_exception = False
    response = client.post(
        reverse("procurement:import_upload", kwargs={"pk": declaration.pk}),
        {"file": SimpleUploadedFile("commandes.csv", text.encode(), content_type="text/csv")},
    )
    assert response.status_code < 500
    job = ImportJob.objects.filter(declaration=declaration).first()
    if "\x00" in site_cell:
        assert job is None or job.state != ImportJob.State.VALID
        return
    job.refresh_from_db()
    assert job.state == ImportJob.State.INVALID
    kwargs = {"pk": declaration.pk, "job_pk": job.pk}
    assert client.get(reverse("procurement:import_detail", kwargs=kwargs)).status_code == 200
    assert client.get(reverse("procurement:import_errors_csv", kwargs=kwargs)).status_code == 200


# --- Nearly valid forms with one hostile field: reaching the services ---------------------------

NEAR_VALID_VALUES = [
    "ab\x00cd",
    LONG,
    "99999999999999999999",
    "-1",
    "0",
    "2026-02-30",
    "9999-12-31",
    "0001-01-01",
    "23:59",
]


def _near_valid_forms(w: World) -> dict:
    """form -> (who, route, url kwargs, a valid payload)."""
    o = w.objects
    today = timezone.localdate()
    day = lambda n: (today + datetime.timedelta(days=n)).isoformat()  # noqa: E731
    return {
        "event": (
            "federator",
            "meetings:organiser_edit",
            {"pk": o["event"].pk},
            {
                "title": "Rencontre",
                "description": "Des rendez-vous.",
                "date": day(60),
                "place": "Lyon",
                "online_url": "",
                "edition": o["edition"].pk,
                "registration_opens_on": day(1),
                "registration_closes_on": day(10),
                "booking_opens_on": day(20),
                "booking_closes_on": day(50),
            },
        ),
        "event_create": (
            "staff",
            "meetings:organiser_create",
            {},
            {
                "title": "Rencontre",
                "date": day(60),
                "place": "Lyon",
                "registration_opens_on": day(1),
                "registration_closes_on": day(10),
                "booking_opens_on": day(20),
                "booking_closes_on": day(50),
            },
        ),
        "session": (
            "federator",
            "meetings:organiser_session",
            {"pk": o["event"].pk},
            {"starts_at": "09:00", "ends_at": "12:00", "slot_minutes": "25", "tables": "10"},
        ),
        "state": ("federator", "meetings:organiser_state", {"pk": o["event"].pk}, {"state": "day"}),
        "decide_application": (
            "federator",
            "meetings:organiser_decide",
            {"pk": o["sme_participant"].pk},
            {"decision": "refuse", "reason": "Hors sujet."},
        ),
        "edition": (
            "staff",
            "editions:edit",
            {"slug": o["edition"].slug},
            {
                "name": o["edition"].name,
                "slug": o["edition"].slug,
                "kind": "territorial",
                "starts_on": "2026-01-01",
                "ends_on": "2026-12-31",
                "status": "active",
                "departements": "69",
                "naf_text": "62.01Z",
            },
        ),
        "convention": (
            "staff",
            "editions:convention_edit",
            {"slug": o["edition"].slug, "pk": o["convention"].pk},
            {"starts_on": "2026-01-01", "ends_on": "2026-12-31", "fee_eur": "100.50"},
        ),
        "email": (
            "federator",
            "editions:email_accounts",
            {"slug": o["edition"].slug},
            {"organisations": o["account"].pk, "subject": "Bonjour", "body": "Un message."},
        ),
        "request_decision": (
            "federator",
            "editions:request_decide",
            {"slug": o["edition"].slug, "pk": o["requested"].pk},
            {"decision": "refuse", "reason": "Non."},
        ),
        "add_account": (
            "federator",
            "editions:account_add",
            {"slug": o["edition"].slug},
            {"organisation": o["other_account"].pk},
        ),
        "join": (
            "other_account",
            "editions:join",
            {"slug": o["edition"].slug},
            {"message": "Nous achetons à Lyon."},
        ),
        "challenge": (
            "account",
            "challenges:edit",
            {"pk": o["draft_challenge"].pk},
            {
                "title": "Défi",
                "context": "Contexte.",
                "domains": Domain.objects.filter(is_active=True).first().pk,
                "deadline": day(30),
                "confidential_text": "",
                "confidentiality": "shortlisted",
                "public_naming": "on",
            },
        ),
        "answer": (
            "other_sme",
            "challenges:answer",
            {"pk": o["challenge"].pk},
            {"text": "Notre réponse."},
        ),
        "research": (
            "no_organisation",
            "challenges:research_register",
            {},
            {"name": "Labo", "siren": "732 829 320", "kind": "laboratory"},
        ),
        "need": (
            "sme",
            "sponsorship:need_create",
            {},
            {
                "title": "Besoin",
                "category": "sales",
                "description": "Vendre.",
                "estimated_days": "5",
            },
        ),
        "offer": (
            "account",
            "sponsorship:offer_create",
            {},
            {
                "category": "sales",
                "days": "10",
                "starts_on": day(0),
                "ends_on": day(90),
                "description": "Des volontaires.",
            },
        ),
        "mission_proposal": (
            "staff",
            "sponsorship:staff",
            {},
            {"need": o["need"].pk, "offer": o["offer"].pk, "days": "5"},
        ),
        "feedback": ("sme", "sponsorship:mission", {"pk": o["mission"].pk}, {"text": "Bien."}),
        "site": (
            "account",
            "procurement:site_edit",
            {"pk": o["site"].pk},
            {"siret": o["site"].siret, "name": "Siège", "departement": "69"},
        ),
        "generate": ("staff", "reports:staff_generate", {}, {"annee": "2026", "kind": "programme"}),
    }


def test_nearly_valid_forms_with_one_hostile_field_never_cause_a_server_error(client):
    world = _world()
    failures = []
    for form, (who, route, kwargs, valid) in _near_valid_forms(world).items():
        _client(client, world, who)
        url = reverse(route, kwargs=kwargs)
        for name in valid:
            for value in NEAR_VALID_VALUES:
                response = client.post(url, {**valid, name: value})
                if response.status_code >= 500:
                    failures.append((form, name, repr(value)[:30], response.status_code))
        # Every date at the edge of the calendar at once (date arithmetic may overflow).
        dates = [
            name for name, value in valid.items() if re.fullmatch(r"\d{4}-\d\d-\d\d", str(value))
        ]
        for value in ["9999-12-31", "0001-01-01"]:
            response = client.post(url, {**valid, **dict.fromkeys(dates, value)})
            if response.status_code >= 500:
                failures.append((form, "every date", value, response.status_code))
    # The pages then show what the hostile values left behind.
    for who in ["anonymous", "federator", "account", "sme"]:
        _client(client, world, who)
        for route, pattern in _routes():
            url = _url(route, pattern, world.own.get(route))
            if url is not None and (response := client.get(url)).status_code >= 500:
                failures.append((who, url, "after", response.status_code))
    assert failures == [], failures


def test_hostile_edition_in_the_query_string_of_other_pilotage_pages_is_a_404(client):
    """?edition= also scopes the campaign dashboard and the moderation pages: a value that
    cannot be a slug (NUL bytes) is not sent to the database."""
    from tests.factories import CampaignFactory

    world = _world()
    campaign = CampaignFactory()
    for who in ["staff", "federator"]:
        _client(client, world, who)
        for path in [
            reverse("procurement:campaign_dashboard", kwargs={"pk": campaign.pk}),
            reverse("procurement:staff_campaigns"),
        ]:
            for value in ["\x00", "ab\x00cd", "../../x", LONG]:
                assert client.get(path, {"edition": value}).status_code in (200, 302, 404)


@pytest.mark.parametrize(
    "filename",
    ["ré\x00ponse.pdf", 'a"\r\nX-Evil: 1.pdf', "../../etc/passwd.pdf", "x" * 300 + ".pdf", ".pdf"],
)
def test_an_answers_pdf_with_a_hostile_name_is_kept_and_downloaded_safely(client, filename):
    world = _world()
    challenge = world.objects["challenge"]
    client.force_login(world.users["other_sme"])
    client.raise_request_exception = False
    response = client.post(
        reverse("challenges:answer", kwargs={"pk": challenge.pk}),
        {"text": "Notre solution.", "document": _file(filename, PDF)},
    )
    assert response.status_code < 500
    answer = challenge.answers.filter(organisation=world.objects["other_sme"]).first()
    if answer is None:
        return  # refused with a message next to the field
    _client(client, world, "account")
    download = client.get(reverse("challenges:answer_document", kwargs={"pk": answer.pk}))
    assert download.status_code == 200
    disposition = download["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition and "\x00" not in disposition
    assert "/" not in answer.document_name


def test_a_challenges_confidential_text_stays_with_its_buyer(client):
    world = _world()
    challenge = world.objects["challenge"]
    url = reverse("challenges:detail", kwargs={"pk": challenge.pk})
    for who in ["other_account", "other_sme", "federator"]:
        _client(client, world, who)
        response = client.get(url)
        assert response.status_code in (200, 403, 404)
        assert challenge.confidential_text not in response.content.decode()


def test_ids_of_other_organisations_in_form_fields_are_refused(client):
    world = _world()
    o, users = world.objects, world.users
    # A large account registers another account's person as its buyer.
    _client(client, world, "account")
    event = MeetingEventFactory(edition=o["edition"])
    response = client.post(
        reverse("meetings:register_buyer", kwargs={"pk": event.pk}),
        {"user": users["other_account"].pk, "needs": "Un SOC."},
    )
    assert response.status_code == 200 and "user" in response.context["form"].errors
    assert not event.participants.exists()
    # A federator adds an SME (not a large account) to its edition, or moves an event elsewhere.
    _client(client, world, "federator")
    response = client.post(
        reverse("editions:account_add", kwargs={"slug": o["edition"].slug}),
        {"organisation": o["sme"].pk},
    )
    assert response.status_code == 404
    assert not EditionAccount.objects.filter(organisation=o["sme"]).exists()
    response = client.post(
        reverse("meetings:organiser_edit", kwargs={"pk": o["event"].pk}),
        {"title": "x", "place": "Lyon", "date": "2030-01-01", "edition": o["other_edition"].pk},
    )
    assert response.status_code == 200 and "edition" in response.context["form"].errors
    o["event"].refresh_from_db()
    assert o["event"].edition == o["edition"]
    # A federator writes to another edition's accounts.
    response = client.post(
        reverse("editions:email_accounts", kwargs={"slug": o["edition"].slug}),
        {"organisations": o["other_account"].pk, "subject": "x", "body": "y"},
    )
    assert response.status_code == 200 and "organisations" in response.context["form"].errors
