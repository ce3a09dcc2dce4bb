"""Every page answers hostile or absurd input with a normal response, never a server error."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import OrganisationFactory, UserFactory, member_of

HOSTILE_QUERIES = [
    {},
    {"page": "999999999", "q": "x" * 5000},
    {"page": "-1", "region": "zz", "annee_min": "abc", "domaine": "<script>"},
    {"format": "../../etc/passwd", "tri": "'; DROP TABLE x; --"},
]


def _paths():
    """Every URL of the project's apps with its arguments replaced by ids nobody owns."""

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)

    for route in walk(get_resolver().url_patterns):
        # admin, allauth and set_language are others' code; /healthz answers 503 by design.
        if route.startswith(("admin/", "compte/", "i18n/", "healthz")) or route.startswith("^"):
            continue
        path = re.sub(r"<int:[^>]+>", "999999", route)
        path = re.sub(r"<str:[^>]+>", "zzz", path)
        path = re.sub(r"<slug:[^>]+>", "zzz", path)
        path = re.sub(r"<[^>]+>", "zzz", path)
        yield "/" + path


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who", ["anonymous", "staff", "large_account_admin", "sme_admin", "no_organisation"]
)
def test_no_page_answers_hostile_input_with_a_server_error(client, who):
    client.raise_request_exception = False
    if who == "staff":
        client.force_login(UserFactory(staff=True))
    elif who == "large_account_admin":
        client.force_login(member_of(OrganisationFactory(), admin=True))
    elif who == "sme_admin":
        client.force_login(member_of(OrganisationFactory(sme=True), admin=True))
    elif who == "no_organisation":
        client.force_login(UserFactory())
    paths = list(_paths())
    assert len(paths) > 60  # every page of the four apps
    failures = []
    for path in paths:
        for query in HOSTILE_QUERIES:
            for method in ("get", "post"):
                response = getattr(client, method)(path, query)
                if response.status_code >= 500:
                    failures.append((method, path, query, response.status_code))
    assert failures == []


@pytest.mark.django_db
def test_own_declaration_pages_take_hostile_input_without_a_server_error(client):
    from tests.factories import DeclarationFactory, OrderLineFactory

    declaration = DeclarationFactory()
    line = OrderLineFactory(declaration=declaration)
    client.force_login(member_of(declaration.organisation, admin=True))
    client.raise_request_exception = False
    hostile_forms = [
        {"amount": "1e400", "order_date": "31/02/2026", "sme_siren": "12345678A", "domain": "zzz"},
        {"it_purchases_total": "-5", "attestation": "yes", "mode": "../../", "file": "not a file"},
        {
            "amount": "９９９",
            "payment_delay_days": "99999999999999999999",
            "reference": "x" * 10_000,
        },
    ]
    failures = []
    for route in _paths():
        if not route.startswith("/declarations/999999"):
            continue
        path = route.replace("/declarations/999999", f"/declarations/{declaration.pk}", 1)
        path = path.replace("/lignes/999999", f"/lignes/{line.pk}")
        for data in hostile_forms:
            for method in ("get", "post"):
                response = getattr(client, method)(path, data)
                if response.status_code >= 500:
                    failures.append((method, path, data, response.status_code))
    assert failures == []


def test_media_files_are_not_served_by_url_even_in_development(settings):
    """Uploaded imports and generated reports are read only through views that check who asks:
    no URL serves MEDIA_ROOT, whatever DEBUG says."""
    import importlib

    from django.urls import Resolver404, clear_url_caches, resolve

    import pacte.urls

    settings.DEBUG = True
    try:
        clear_url_caches()
        importlib.reload(pacte.urls)
        with pytest.raises(Resolver404):
            resolve(f"{settings.MEDIA_URL}imports/commandes.csv", urlconf=pacte.urls)
    finally:
        settings.DEBUG = False
        importlib.reload(pacte.urls)
        clear_url_caches()
