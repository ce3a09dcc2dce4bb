"""The facet index (bitsets per facet value) and the narrow search documents give exactly what the
SQL counts and the wide profiles give."""

import time

import pytest
from django.core.cache import cache

from directory import search
from directory.models import Domain, Label, SearchDocument, SMEProfile
from directory.search import FACETS, Criteria, Sort, build_facet_index, facet_counts
from directory.selectors import directory_page, reference
from directory.services import publish_profile
from tests.directory.test_search import profile
from tests.factories import UserFactory
from tests.support import clear_cache

NAMES = [*FACETS, "total"]


def directory():
    profile("Cyberbase", dept="69", domains=["cybersecurite"], labels=["jei"], founded_year=2012)
    profile(
        "Nuage Sécurisé",
        dept="35",
        domains=["cloud-hebergement", "cybersecurite"],
        headcount_band="12",
    )
    profile("Paie Facile", dept="75", domains=["rh-paie"], revenue_band="2_10m", founded_year=2020)
    profile(
        "Logiciels Ouest", dept="44", keywords="logiciel sécurité", labels=["jei", "french-tech"]
    )
    profile(
        "Écoles Numériques", dept="13", description="Logiciels pour les écoles.", founded_year=None
    )
    profile("Brouillon", dept="69", state=SMEProfile.State.DRAFT)
    profile("En attente", dept="35", state=SMEProfile.State.PENDING)


def criteria_to_compare() -> list[Criteria]:
    cyber = Domain.objects.get(slug="cybersecurite").pk
    cloud = Domain.objects.get(slug="cloud-hebergement").pk
    jei = Label.objects.get(slug="jei").pk
    return [
        Criteria(),
        Criteria(regions=("84",)),
        Criteria(regions=("84", "53"), domain_ids=(cyber,)),
        Criteria(domain_ids=(cyber, cloud), headcount_bands=("11",)),
        Criteria(label_ids=(jei,), year_min=2010),
        Criteria(year_min=2013, year_max=2020),
        Criteria(departements=("75",), revenue_bands=("2_10m",)),
        Criteria(q="securite"),
        Criteria(q="logiciel", sort=Sort.NAME),
        Criteria(q="ECOLE", year_max=2019),
        Criteria(q="sécurité", regions=("53",), sort=Sort.UPDATED),
        Criteria(q="introuvable"),
    ]


@pytest.mark.django_db
def test_index_counts_and_pages_equal_sql_counts_and_pages():
    directory()
    assert build_facet_index()
    index = search._loaded["index"]
    for criteria in criteria_to_compare():
        window = (0, 20) if criteria.q else None
        expected = search._count_in_sql(criteria, NAMES, window=window)
        got = search._count_with_index(index, criteria, NAMES, window=window)
        for name in NAMES:
            assert got.get(name, {}) == expected.get(name, {}), (criteria, name)
        if criteria.q:
            ordered = list(search.matches(criteria).values_list("id", flat=True))
            assert got["page"] == expected["page"] == ordered, criteria
            assert search.text_page_ids(criteria, offset=1, limit=2) == ordered[1:3]


@pytest.mark.django_db
def test_directory_pages_are_the_same_with_the_index_and_counted_without_sql(
    django_assert_num_queries,
):
    directory()
    ref = reference()
    before = {}
    for criteria in criteria_to_compare():
        page = directory_page(criteria=criteria, page=1, per_page=20, ref=ref)
        before[criteria] = ([p.name for p in page.results], page.total, page.facets.counts)
    clear_cache()
    build_facet_index()
    for criteria in criteria_to_compare():
        page = directory_page(criteria=criteria, page=1, per_page=20, ref=ref)
        assert ([p.name for p in page.results], page.total, page.facets.counts) == before[criteria]
    clear_cache()
    build_facet_index()
    criteria = Criteria(regions=("84", "53"))
    expected = search._count_in_sql(criteria, ["region", "total"])
    with django_assert_num_queries(0):  # counts from the index: no SQL at all
        facets = facet_counts(criteria)
    assert (
        facets.of("region") == expected["region"] == {"84": 1, "53": 1, "11": 1, "52": 1, "93": 1}
    )
    assert facets.total == expected["total"] == 2


@pytest.mark.django_db
def test_a_new_version_is_counted_in_sql_until_its_index_is_built(
    django_capture_on_commit_callbacks,
):
    directory()
    build_facet_index()
    assert facet_counts(Criteria()).total == 5
    pending = SMEProfile.objects.get(name="En attente")
    with django_capture_on_commit_callbacks(execute=True):
        publish_profile(profile=pending, by=UserFactory(staff=True))
    assert facet_counts(Criteria()).total == 6  # new version: no index yet, counted in SQL
    assert facet_counts(Criteria(q="attente")).total == 1
    build_facet_index()
    cache.delete_many([search._cache_key(Criteria(), n, search._version()) for n in NAMES])
    assert facet_counts(Criteria()).total == 6


@pytest.mark.django_db
def test_search_documents_follow_the_published_profiles():
    p = profile("Cyberbase", dept="69", domains=["cybersecurite"])
    p.refresh_from_db()
    doc = SearchDocument.objects.get(profile_id=p.pk)
    assert doc.search_vector == p.search_vector
    assert (doc.region_id, doc.domain_ids) == ("84", p.domain_ids) != ("84", [])
    SMEProfile.objects.filter(pk=p.pk).update(name="Cyberbase Lyon")
    assert SearchDocument.objects.get(profile_id=p.pk).name == "Cyberbase Lyon"
    SMEProfile.objects.filter(pk=p.pk).update(state=SMEProfile.State.PENDING)
    assert not SearchDocument.objects.filter(profile_id=p.pk).exists()
    SMEProfile.objects.filter(pk=p.pk).update(state=SMEProfile.State.PUBLISHED)
    assert SearchDocument.objects.filter(profile_id=p.pk).exists()
    SMEProfile.objects.filter(pk=p.pk).delete()
    assert not SearchDocument.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_builds_the_index_when_a_profile_is_published(
    celery_worker, django_assert_num_queries
):
    directory()
    pending = SMEProfile.objects.get(name="En attente")
    publish_profile(profile=pending, by=UserFactory(staff=True))
    version = search._version()
    token = search.INDEX_KEY.format(version=version, part="token")
    deadline = time.monotonic() + 30
    while cache.get(token) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert cache.get(token) is not None
    search._index(cache.get(token), version)  # loaded once per version and process
    with django_assert_num_queries(0):
        facets = facet_counts(Criteria(regions=("53",)))
    assert facets.total == 2  # Nuage Sécurisé and the profile just published
    assert facets.of("region") == search._count_in_sql(Criteria(), ["region"])["region"]


@pytest.mark.django_db
def test_common_words_give_the_counts_and_name_order_of_sql(settings):
    """A search whose words are all common is answered from the index: the same counts and, by
    name, the same page as PostgreSQL."""
    settings.DIRECTORY_COMMON_WORD_MIN_DOCS = 2
    directory()
    profile("Sécurité Logiciels", dept="35", domains=["cybersecurite"], founded_year=2015)
    build_facet_index()
    index = search._loaded["index"]
    assert "logiciel" in index["by_name"]["word"]
    assert "paie" not in index["by_name"]["word"]  # in one profile only
    cyber = Domain.objects.get(slug="cybersecurite").pk
    for criteria in [
        Criteria(q="logiciels", sort=Sort.NAME),
        Criteria(q="logiciel sécurité", sort=Sort.NAME),
        Criteria(q="LOGICIEL", regions=("53", "52"), sort=Sort.NAME),
        Criteria(q="securite", domain_ids=(cyber,), year_min=2010, sort=Sort.NAME),
    ]:
        words = search._broad_words(index, criteria)
        assert words, criteria
        expected = search._count_in_sql(criteria, NAMES)
        got = search._count_broad(index["by_name"], criteria, words, NAMES, window=(0, 20))
        for name in NAMES:
            assert got.get(name, {}) == expected.get(name, {}), (criteria, name)
        ordered = list(search.matches(criteria).values_list("id", flat=True))
        assert got["page"] == ordered, criteria
        assert search.text_page_ids(criteria, offset=1, limit=1) == ordered[1:2]
    # A rare word, a phrase, an "or" or a negation keep the SQL path (exact ts_rank).
    for q in ("paie", '"logiciel securite"', "logiciel or paie", "logiciel -paie"):
        assert search._broad_words(index, Criteria(q=q)) is None, q


@pytest.mark.django_db
def test_common_words_rank_name_matches_first_then_keywords_then_description(settings):
    settings.DIRECTORY_COMMON_WORD_MIN_DOCS = 2
    profile("Zeta Logiciel")  # in the name
    profile("Alpha", keywords="logiciel")  # in the keywords
    profile("Aardvark", description="Un logiciel.")  # in the description only
    profile("Beta Logiciel", description="Logiciel.")
    build_facet_index()
    ids = search.text_page_ids(Criteria(q="logiciel"), offset=0, limit=10)
    names = list(SMEProfile.objects.filter(id__in=ids).values_list("id", "name"))
    by_id = dict(names)
    assert [by_id[i] for i in ids] == ["Beta Logiciel", "Zeta Logiciel", "Alpha", "Aardvark"]
    assert search.text_page_ids(Criteria(q="logiciel"), offset=3, limit=10) == ids[3:]


def _forget_counts() -> None:
    """As the benchmark measures pages: every cached facet count forgotten, the rest kept."""
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=cache.make_key("directory:facets:[0-9]*")))
    if keys:
        client.delete(*keys)


@pytest.mark.django_db
def test_directory_page_runs_a_fixed_number_of_queries_at_most_five(
    client, settings, django_assert_num_queries
):
    """Session (cache), user, memberships, then: without text, the page's ids and its rows; with
    common words, their stems and the rows; with a rare word, its stems, one statement over the
    search documents and the rows. Counts come from the index."""
    from tests.factories import OrganisationFactory, member_of

    settings.DIRECTORY_COMMON_WORD_MIN_DOCS = 2
    directory()
    build_facet_index()
    client.force_login(member_of(OrganisationFactory()))
    url = "/annuaire/"
    assert client.get(url).status_code == 200  # the taxonomy is then in the cache
    cases = [
        ({}, 4),
        ({"region": "84", "domaine": "cybersecurite", "page": "1"}, 4),
        ({"q": "logiciel"}, 4),
        ({"q": "logiciel", "region": "53", "tri": "nom"}, 4),
        ({"q": "paie"}, 5),
        ({"q": "securite", "tri": "maj"}, 4),  # no stems asked: that order is SQL's
    ]
    for params, queries in cases:
        _forget_counts()
        with django_assert_num_queries(queries):
            response = client.get(url, params)
        assert response.status_code == 200
        assert response.context["page"].results or params.get("region"), params


@pytest.mark.django_db
def test_reference_is_kept_while_its_version_stands_and_read_again_once_forgotten():
    from directory.selectors import forget_reference

    first = reference()
    assert reference() is first  # this process's copy, while the cache names its version
    Domain.objects.create(slug="calcul-quantique", name="Calcul quantique", position=99)
    assert "calcul-quantique" not in [d.slug for d in reference().domains]
    forget_reference()  # what the admin does once a domain or a label is saved
    assert "calcul-quantique" in [d.slug for d in reference().domains]
