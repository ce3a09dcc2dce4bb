import pytest
from django.urls import reverse

from directory.models import Departement, Domain, Label, SMEProfile
from directory.search import Criteria, facet_counts
from directory.selectors import autocomplete_profiles, region_counts
from tests.factories import OrganisationFactory, SMEProfileFactory, UserFactory, member_of
from tests.support import clear_cache

pytestmark = pytest.mark.django_db
SEARCH = reverse("directory:search")


def profile(name, *, dept="69", domains=(), labels=(), **fields):
    departement = Departement.objects.get(code=dept)
    p = SMEProfileFactory(
        name=name,
        departement=departement,
        region=departement.region,
        domains=[Domain.objects.get(slug=s) for s in domains],
        **fields,
    )
    if labels:
        p.labels.set(Label.objects.filter(slug__in=labels))
    from directory.services import sync_denormalised

    sync_denormalised(p)
    return p


@pytest.fixture
def buyer(client):
    user = member_of(OrganisationFactory())
    client.force_login(user)
    return user


def names(response) -> list[str]:
    return [p.name for p in response.context["page"].results]


def test_accents_case_and_plurals_are_ignored(client, buyer):
    profile("Alpha", description="Spécialiste de la sécurité des réseaux.")
    profile("Beta", description="Nous vendons un logiciel de paie.")
    profile("École Numérique", description="Formation.")
    profile("Gamma", description="Rien à voir.")
    assert names(client.get(SEARCH, {"q": "securite"})) == ["Alpha"]
    assert names(client.get(SEARCH, {"q": "SÉCURITÉ"})) == ["Alpha"]
    assert names(client.get(SEARCH, {"q": "logiciels"})) == ["Beta"]
    assert names(client.get(SEARCH, {"q": "ecole"})) == ["École Numérique"]
    assert names(client.get(SEARCH, {"q": "École"})) == ["École Numérique"]
    assert names(client.get(SEARCH, {"q": "ÉCOLES"})) == ["École Numérique"]


def test_unaccented_word_finds_accented_text_and_the_reverse(client, buyer):
    profile("Delta", description="Audit de securite informatique.")
    assert names(client.get(SEARCH, {"q": "sécurité"})) == ["Delta"]


def test_ranking_puts_name_matches_before_description_matches(client, buyer):
    profile("Zeta Conseil", description="Nous faisons de la paie.")
    profile("Paie Express", description="Éditeur.")
    assert names(client.get(SEARCH, {"q": "paie"})) == ["Paie Express", "Zeta Conseil"]


def test_domain_names_are_searchable(client, buyer):
    profile("Omega", domains=["cybersecurite"], description="Éditeur.")
    assert names(client.get(SEARCH, {"q": "cybersecurite"})) == ["Omega"]


def test_facets_or_inside_and_across(client, buyer):
    profile("Lyon Cyber", dept="69", domains=["cybersecurite"])
    profile("Lyon Cloud", dept="69", domains=["cloud-hebergement"])
    profile("Rennes Cyber", dept="35", domains=["cybersecurite"])
    profile("Paris Data", dept="75", domains=["data-ia"])
    response = client.get(SEARCH, {"region": ["84", "53"]})
    assert sorted(names(response)) == ["Lyon Cloud", "Lyon Cyber", "Rennes Cyber"]
    response = client.get(SEARCH, {"region": ["84", "53"], "domaine": "cybersecurite"})
    assert sorted(names(response)) == ["Lyon Cyber", "Rennes Cyber"]
    response = client.get(
        SEARCH, {"region": "84", "domaine": ["cybersecurite", "cloud-hebergement"]}
    )
    assert sorted(names(response)) == ["Lyon Cloud", "Lyon Cyber"]
    facets = response.context["page"].facets
    # A facet's counts ignore its own selection: one can add Bretagne or Île-de-France.
    assert facets.of("region") == {"84": 2, "53": 1}
    domain_counts = facets.of("domain")
    assert domain_counts[str(Domain.objects.get(slug="cybersecurite").pk)] == 1
    assert facets.total == 2


def test_label_headcount_revenue_and_year_filters(client, buyer):
    profile("Jeune", labels=["jei"], headcount_band="01", founded_year=2022)
    profile("Ancienne", headcount_band="12", revenue_band="2_10m", founded_year=1995)
    assert names(client.get(SEARCH, {"label": "jei"})) == ["Jeune"]
    assert names(client.get(SEARCH, {"effectif": "12"})) == ["Ancienne"]
    assert names(client.get(SEARCH, {"ca": "2_10m"})) == ["Ancienne"]
    assert names(client.get(SEARCH, {"annee_min": "2000"})) == ["Jeune"]
    assert names(client.get(SEARCH, {"annee_max": "2000"})) == ["Ancienne"]


def test_unpublished_profiles_are_not_in_the_directory(client, buyer):
    profile("Publiée")
    profile("Brouillon", state=SMEProfile.State.DRAFT)
    assert names(client.get(SEARCH)) == ["Publiée"]


def test_map_counts_equal_region_facet_counts(client, buyer):
    for dept in ["69", "69", "35", "75", "971"]:
        profile(f"PME {dept}", dept=dept, domains=["cybersecurite"])
    response = client.get(SEARCH, {"domaine": "cybersecurite"})
    facet = response.context["page"].facets.of("region")
    qs = SMEProfile.objects.published().filter(domains__slug="cybersecurite")
    assert region_counts(qs) == facet == {"84": 2, "53": 1, "11": 1, "01": 1}
    svg = str(response.context["map_svg"])
    assert 'aria-label="Auvergne-Rhône-Alpes : 2 PME"' in svg
    assert 'aria-label="Guadeloupe : 1 PME"' in svg
    assert "region=84" in svg


def test_number_of_queries_does_not_depend_on_page_size(client, buyer, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(30):
        profile(f"PME {i:02d}", domains=["cybersecurite", "data-ia"], labels=["jei"])
    for params in ({"q": "editeur"}, {"region": "84", "domaine": "data-ia"}, {}):
        counts = []
        for size in (10, 100):
            clear_cache()
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(SEARCH, {"taille": size, **params})
            assert response.status_code == 200
            assert len(response.context["page"].results) == min(size, 30)
            counts.append(len(ctx.captured_queries))
        assert counts[0] == counts[1]
        clear_cache()
        with django_assert_num_queries(counts[0]):
            client.get(SEARCH, {"taille": 50, **params})


def test_text_pages_are_the_same_whether_counts_are_cached_or_not(client, buyer):
    for i in range(25):
        profile(f"Éditeur {i:02d}", description=f"Logiciel numéro {i}." + " logiciel" * (i % 4))
    first = [names(client.get(SEARCH, {"q": "logiciel", "page": p})) for p in (1, 2)]
    again = [names(client.get(SEARCH, {"q": "logiciel", "page": p})) for p in (1, 2)]
    assert first == again
    assert len(first[0]) == 20 and len(first[1]) == 5
    assert not set(first[0]) & set(first[1])


@pytest.mark.parametrize(
    ("params", "notice"),
    [
        ({"region": "99"}, "Valeur inconnue"),
        ({"q": "x" * 5000}, "raccourcie"),
        ({"page": "1000000000"}, "n&#x27;existe pas"),
        ({"page": "abc"}, "pas été compris"),
        ({"annee_min": "abc"}, "pas été compris"),
        ({"annee_max": "1e400"}, "pas été compris"),
        ({"annee_min": "99999"}, "hors limites"),
        ({"tri": "drop table"}, "pas été compris"),
        ({"domaine": "<script>"}, "Valeur inconnue"),
        ({"q": "'\"&|!():*<>"}, ""),
        ({"taille": "-5"}, ""),
    ],
)
def test_hostile_parameters_give_a_normal_page_with_a_message(client, buyer, params, notice):
    profile("Alpha")
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    assert notice in response.content.decode()


def test_htmx_request_gets_the_fragment_only(client, buyer):
    profile("Alpha")
    response = client.get(SEARCH, {"q": "alpha"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="directory-app"' in html and "<html" not in html


def test_directory_is_for_large_accounts_and_staff(client):
    sme_user = member_of(SMEProfileFactory().organisation)
    client.force_login(sme_user)
    assert client.get(SEARCH).status_code == 403
    assert client.get(reverse("directory:autocomplete"), {"q": "abc"}).status_code == 403
    client.force_login(UserFactory())  # no organisation yet
    assert client.get(SEARCH).status_code == 403
    client.force_login(UserFactory(staff=True))
    assert client.get(SEARCH).status_code == 200
    client.logout()
    response = client.get(SEARCH)
    assert response.status_code == 302 and "login" in response["Location"]


def test_autocomplete_by_name_and_siren(client, buyer):
    p = profile("Cyberbase")
    profile("Brouillonne", state=SMEProfile.State.DRAFT)
    assert autocomplete_profiles(query="cyb") == [p]
    assert autocomplete_profiles(query="cybrebase") == [p]  # typo: trigram similarity
    assert autocomplete_profiles(query=p.siren[:4]) == [p]
    assert autocomplete_profiles(query="cy") == []
    assert autocomplete_profiles(query="brouill") == []
    html = client.get(reverse("directory:autocomplete"), {"q": "cyber"}).content.decode()
    assert "Cyberbase" in html and p.siren in html


def test_facet_counts_function_is_consistent_with_results():
    profile("A", dept="69")
    profile("B", dept="35")
    facets = facet_counts(Criteria(regions=("84",)))
    assert facets.total == 1
    assert facets.of("region") == {"84": 1, "53": 1}


def test_facet_counts_are_cached_and_forgotten_when_a_profile_is_published(
    django_assert_num_queries, django_capture_on_commit_callbacks
):
    from directory.services import publish_profile

    profile("A", dept="69")
    pending = profile("B", dept="35", state=SMEProfile.State.PENDING)
    assert facet_counts(Criteria()).total == 1
    with django_assert_num_queries(0):
        assert facet_counts(Criteria()).of("region") == {"84": 1}
    with django_capture_on_commit_callbacks(execute=True):
        publish_profile(profile=pending, by=UserFactory(staff=True))
    assert facet_counts(Criteria()).of("region") == {"84": 1, "53": 1}
