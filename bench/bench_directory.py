"""Directory benchmarks: seeding 100,000 SMEs, the directory page, a 10,000-row export.

Figures (see README):
- seed_smes_100k_s: `seed_smes(count=100_000)` (COPY, organisations included);
- directory_page_median_ms, directory_page_p95_ms: server time of the whole page through Django's
  test client, signed in as a large-account member, over 51 varied queries, each measured as the
  first visit to that search ("cold"): every cached facet count (keys directory:facets:<version>:*)
  is deleted before each query. What stays is what the system itself keeps whatever is searched:
  PostgreSQL's buffers (a first unmeasured pass reads every query once, as on a running server)
  and the facet index of the directory's current version (bitsets per facet value, see
  directory/search.py), which the seeding builds as the Celery task enqueued by bump_version does
  whenever the published directory changes; it holds nothing specific to the measured queries;
- directory_sql_p95_ms: the sum of the SQL time of each of those pages;
- directory_queries_max: the most SQL statements one of those pages ran (session, user and
  organisation included);
- directory_floor_ms: the floor, p95 over the same queries in the same run of the bare SQL of each
  page (bare_sql_ms: its total and facet counts in one statement, its rows in another, straight
  from the profiles); directory_page_floor_ratio: directory_page_p95_ms / directory_floor_ms
  (below 1: the page costs less than the bare SQL, thanks to the indexes kept in Redis);
- directory_page_warm_p95_ms: the same pages once their facet counts are cached (counts of text
  searches; without text the facet index is as fast as the cache and nothing more is cached);
- directory_facet_index_build_s: building the facet index of 100,000 profiles, as the worker does
  after each change of the published directory (until it is built, counts come from SQL);
- directory_export_10k_s: CSV export of a selection of about 10,000 rows.
"""

import sys
import time

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from bench.report import emit, median, p95, timed

SMES = 100_000


class SqlTimer:
    def __init__(self):
        self.total = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.total += time.perf_counter() - started


def forget_cached_counts() -> None:
    """Delete every cached facet count (not the version, not the facet index)."""
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=cache.make_key("directory:facets:[0-9]*"), count=1000))
    if keys:
        client.delete(*keys)


def queries() -> list[dict]:
    from directory.models import Domain

    slugs = list(Domain.objects.order_by("position").values_list("slug", flat=True))
    terms = [
        "sécurité",
        "logiciel",
        "paie",
        "cloud souverain",
        "ecole",
        "santé",
        "ERP",
        "intelligence artificielle",
        "facturation",
        "Kubernetes",
        "formation",
        "capteurs",
    ]
    regions = ["11", "84", "53", "76", "44", "93", "75", "32", "04", "94"]
    out = [{}]  # empty query
    out += [{"q": t} for t in terms]
    out += [{"q": t, "region": r} for t, r in zip(terms, regions, strict=False)]
    out += [{"region": r, "domaine": s} for r, s in zip(regions, slugs, strict=False)]
    out += [
        {
            "region": [regions[i], regions[i + 1]],
            "domaine": [slugs[i], slugs[i + 2]],
            "effectif": ["11", "12"],
        }
        for i in range(6)
    ]
    out += [{"q": "hyperspectral"}, {"q": "quantique"}, {"q": "zzzintrouvable"}]
    out += [{"page": "50"}, {"page": "50", "tri": "nom"}, {"q": "logiciel", "page": "50"}]
    out += [
        {"label": "jei", "ca": "2_10m"},
        {"annee_min": "2015", "annee_max": "2020"},
        {"departement": "69", "tri": "maj"},
        {"q": "SOC", "label": "french-tech"},
        {"domaine": slugs[:5], "taille": "100"},
        {"region": "11", "page": "20"},
    ]
    return out


def criteria_of(params: dict):
    from django.http import QueryDict

    from directory.forms import DirectoryFilterSet
    from directory.selectors import reference

    query = QueryDict(mutable=True)
    for key, value in params.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return DirectoryFilterSet(query, reference=reference()).criteria()


def bare_sql_ms(params: dict, per_page: int = 20) -> float:
    """The floor of one directory page: the SQL time of the minimal statements that give its rows
    and its counts straight from the profiles, without any index kept outside PostgreSQL: the
    total and every facet's counts in one statement (GROUPING SETS), and the page's rows, ordered
    (by ts_rank with text), with their region and département."""
    from directory.search import FACETS, _count_in_sql, matches

    criteria = criteria_of(params)
    page = max(1, int(params.get("page", 1)))
    rows = (
        matches(criteria)
        .select_related("region", "departement")
        .defer("search_vector", "published_snapshot")
    )
    rows_sql, rows_params = rows[(page - 1) * per_page : page * per_page].query.sql_with_params()
    timer = SqlTimer()
    with connection.execute_wrapper(timer):
        _count_in_sql(criteria, [*FACETS, "total"])
        with connection.cursor() as cursor:
            cursor.execute(rows_sql, rows_params)
            cursor.fetchall()
    return timer.total * 1000


def run() -> None:
    from accounts.models import Organisation
    from directory.bench_data import seed_smes
    from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

    with timed("seed 100k SMEs") as t:
        seed_smes(count=SMES)
    emit("seed_smes_100k_s", t["s"], "s")
    from directory.search import build_facet_index

    with timed("facet index") as t:
        build_facet_index()
    emit("directory_facet_index_build_s", t["s"], "s")

    account = Organisation.objects.filter(kind="large_account").first() or OrganisationFactory(
        name="Banque du banc d'essai"
    )
    user = UserFactory(email="bench-buyer@example.test")
    MembershipFactory(user=user, organisation=account)
    client = Client()
    client.force_login(user)
    cases = queries()
    print(
        f"{len(cases)} directory queries; cold = first visit of each: cached counts deleted before"
        " each query; kept: PostgreSQL's buffers and the facet index of the current version",
        file=sys.stderr,
    )
    plain_static = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(ALLOWED_HOSTS=["testserver"], STORAGES=plain_static):
        client.get("/annuaire/", {"q": "échauffement"})  # connection, template loading
        # "prime" reads every query once so that PostgreSQL's buffers hold the tables and indexes
        # as on a running server; "cold" then forgets every cached count before each query; "fill"
        # puts each query's counts in the cache, and "warm" measures pages served from it.
        passes = (("prime", False), ("cold", True), ("fill", False), ("warm", False))
        for label, clear in passes:
            page_ms, sql_ms, floor_ms, counts = [], [], [], []
            for params in cases:
                if clear:
                    forget_cached_counts()
                timer = SqlTimer()
                with connection.execute_wrapper(timer), CaptureQueriesContext(connection) as ctx:
                    started = time.perf_counter()
                    response = client.get("/annuaire/", params)
                    elapsed = time.perf_counter() - started
                assert response.status_code == 200, (params, response.status_code)
                page_ms.append(elapsed * 1000)
                sql_ms.append(timer.total * 1000)
                counts.append(len(ctx.captured_queries))
                if label == "cold":
                    floor_ms.append(bare_sql_ms(params))
            if label in ("prime", "fill"):
                continue
            slowest = sorted(zip(page_ms, [repr(c) for c in cases], strict=True))[-3:]
            print(
                f"{label}: median {median(page_ms):.1f} ms, p95 {p95(page_ms):.1f} ms, "
                f"SQL p95 {p95(sql_ms):.1f} ms; slowest {slowest}",
                file=sys.stderr,
            )
            if label == "cold":
                print(
                    f"floor (bare SQL of each page: its rows, its total and facet counts): "
                    f"median {median(floor_ms):.1f} ms, p95 {p95(floor_ms):.1f} ms; "
                    f"queries per page: at most {max(counts)}",
                    file=sys.stderr,
                )
                emit("directory_page_median_ms", median(page_ms), "ms")
                emit("directory_page_p95_ms", p95(page_ms), "ms")
                emit("directory_sql_p95_ms", p95(sql_ms), "ms")
                emit("directory_queries_max", max(counts), "queries")
                emit("directory_floor_ms", p95(floor_ms), "ms")
                emit("directory_page_floor_ratio", p95(page_ms) / p95(floor_ms), "ratio")
            else:
                emit("directory_page_warm_p95_ms", p95(page_ms), "ms")

        # A selection of about 10,000 rows: Île-de-France, 10 to 49 employees.
        from directory.search import facet_counts

        params = {"region": "11", "effectif": ["11", "12"]}
        rows = facet_counts(criteria_of(params)).total
        started = time.perf_counter()
        response = client.get("/annuaire/export.csv", params)
        size = sum(len(chunk) for chunk in response.streaming_content)
        elapsed = time.perf_counter() - started
        print(f"export: {rows} rows, {size / 1e6:.1f} MB in {elapsed:.2f} s", file=sys.stderr)
        emit("directory_export_10k_s", elapsed, "s")
