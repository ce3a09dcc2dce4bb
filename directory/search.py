"""Directory search: the parsed criteria, the French full-text query and the facet counts.

The search vector is a stored generated column of SMEProfile (name A, keywords and domain names B,
description C), folded with lower() + translate() because the embedded PostgreSQL has no unaccent.
The typed query is folded exactly the same way here before it reaches websearch_to_tsquery, so that
"École", "ecole" and "ÉCOLES" all match the same documents.

Facets follow the usual rule: OR inside one facet, AND across facets, and each facet's counts apply
every criterion except that facet's own (so that one can add a second region).

Counting, fastest first, always exact:
1. counts already asked for this version of the directory are in Redis (facet_counts);
2. the facet index of the current version (one bitset of published profiles per facet value and
   founding year, built by a Celery task enqueued by bump_version whenever the published directory
   changes, and by the seeding) gives every count by ANDs and popcounts in about 2 ms, whatever the
   number of matching profiles; with text, one statement over the narrow search documents
   (SearchDocument, written by a trigger) returns the matching profiles as a bitset and the page;
3. until that index exists (a few hundred milliseconds after a change), a single SQL statement
   counts every facet and the total over one scan of the matching rows (_count_in_sql).
"""

import contextlib
import hashlib
import re
import uuid
from array import array
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.db import connection
from django.db.models import F, Q, QuerySet

from .models import ACCENTED, PLAIN, SearchDocument, SMEProfile

MAX_QUERY_LENGTH = 200
_FOLD = str.maketrans(ACCENTED, PLAIN)


def fold(text: str) -> str:
    """lower() then strip accents, as the generated column does in SQL."""
    return text.lower().translate(_FOLD)


def search_query(text: str) -> SearchQuery:
    return SearchQuery(fold(text), config="french", search_type="websearch")


class Sort:
    RELEVANCE = "pertinence"
    NAME = "nom"
    UPDATED = "maj"


@dataclass(frozen=True)
class Criteria:
    """What the person asked for, already validated (unknown codes and slugs are dropped)."""

    q: str = ""
    regions: tuple[str, ...] = ()
    departements: tuple[str, ...] = ()
    domain_ids: tuple[int, ...] = ()
    label_ids: tuple[int, ...] = ()
    headcount_bands: tuple[str, ...] = ()
    revenue_bands: tuple[str, ...] = ()
    year_min: int | None = None
    year_max: int | None = None
    sort: str = Sort.RELEVANCE

    def without(self, facet: str) -> "Criteria":
        return replace(self, **{facet: ()})


# facet name -> (Criteria attribute, SQL column, SQL condition with one array parameter)
FACETS = {
    "region": ("regions", "region_id", "region_id = ANY(%s::varchar[])"),
    "departement": ("departements", "departement_id", "departement_id = ANY(%s::varchar[])"),
    "domain": ("domain_ids", "domain_ids", "domain_ids && %s::bigint[]"),
    "label": ("label_ids", "label_ids", "label_ids && %s::bigint[]"),
    "headcount": ("headcount_bands", "headcount_band", "headcount_band = ANY(%s::varchar[])"),
    "revenue": ("revenue_bands", "revenue_band", "revenue_band = ANY(%s::varchar[])"),
}
ARRAY_FACETS = ("domain", "label")


def base_queryset(criteria: Criteria, *, facets: bool = True) -> QuerySet[SMEProfile]:
    """Published profiles matching the text and the founding years (and the facets if asked)."""
    qs = SMEProfile.objects.published()
    if criteria.q:
        qs = qs.filter(search_vector=search_query(criteria.q))
    if criteria.year_min is not None:
        qs = qs.filter(founded_year__gte=criteria.year_min)
    if criteria.year_max is not None:
        qs = qs.filter(founded_year__lte=criteria.year_max)
    if facets:
        qs = apply_facets(qs, criteria)
    return qs


def apply_facets(qs: QuerySet[SMEProfile], criteria: Criteria) -> QuerySet[SMEProfile]:
    if criteria.regions:
        qs = qs.filter(region_id__in=criteria.regions)
    if criteria.departements:
        qs = qs.filter(departement_id__in=criteria.departements)
    if criteria.domain_ids:
        qs = qs.filter(domain_ids__overlap=list(criteria.domain_ids))
    if criteria.label_ids:
        qs = qs.filter(label_ids__overlap=list(criteria.label_ids))
    if criteria.headcount_bands:
        qs = qs.filter(headcount_band__in=criteria.headcount_bands)
    if criteria.revenue_bands:
        qs = qs.filter(revenue_band__in=criteria.revenue_bands)
    return qs


def ordered(qs: QuerySet[SMEProfile], criteria: Criteria) -> QuerySet[SMEProfile]:
    if criteria.sort == Sort.UPDATED:
        return qs.order_by("-updated_at", "id")
    if criteria.sort == Sort.RELEVANCE and criteria.q:
        return qs.annotate(
            rank=SearchRank(F("search_vector"), search_query(criteria.q), normalization=1)
        ).order_by("-rank", "name", "id")
    return qs.order_by("name", "id")


@dataclass
class FacetCounts:
    total: int = 0
    counts: dict[str, dict] = field(default_factory=dict)
    page_ids: list[int] | None = None  # see facet_counts(window=...)

    def of(self, facet: str) -> dict:
        return self.counts.get(facet, {})


VERSION_KEY = "directory:facets:version"
CACHE_SECONDS = 600


def _version() -> int:
    """The cache generation of facet counts; 0 means "do not cache".

    Test runs do not cache unless DIRECTORY_FACET_CACHE is set (tests/directory does), so that
    counts of an earlier run's database never leak into another test run through Redis.
    """
    if getattr(settings, "TESTING", False) and not getattr(
        settings, "DIRECTORY_FACET_CACHE", False
    ):
        return 0
    try:
        return cache.get_or_set(VERSION_KEY, 1, None)
    except Exception:  # a cache outage must not break the directory
        return 0


def bump_version(*, rebuild: bool = True) -> None:
    """Forget every cached facet count (called when the published directory changes) and, unless
    told not to, have a worker build the facet index of the new version (see below)."""
    try:
        version = cache.incr(VERSION_KEY)
    except ValueError:
        version = 2
        cache.set(VERSION_KEY, version, None)
    except Exception:  # no cache: nothing to forget, no index to build
        return
    if rebuild and _version():
        from .tasks import build_facet_index_task

        with contextlib.suppress(Exception):  # no broker: counts come from SQL meanwhile
            build_facet_index_task.delay(version)


def _selections(criteria: Criteria, skip: str | None) -> list:
    return [
        (name, sorted(getattr(criteria, attr)))
        for name, (attr, _c, _w) in FACETS.items()
        if name != skip and getattr(criteria, attr)
    ]


def _cache_key(criteria: Criteria, facet: str, version: int) -> str:
    """A facet's counts depend on the text, the years and the other facets' selections only."""
    skip = None if facet == "total" else facet
    raw = repr(
        (facet, fold(criteria.q), criteria.year_min, criteria.year_max, _selections(criteria, skip))
    )
    return f"directory:facets:{version}:{hashlib.sha1(raw.encode()).hexdigest()}"  # noqa: S324


def facet_counts(criteria: Criteria, *, window: tuple[int, int] | None = None) -> FacetCounts:
    """Counts per value of every facet, and the total, for whatever the cache does not hold yet
    (a facet's counts are cached by the criteria they depend on): from the facet index when it
    exists for the current version (with text, after one SQL statement), else one SQL statement.

    With text and a `window` (offset, limit), the same statement also returns the ids of that
    window of results in the asked order (`page_ids`), so that the matching rows are read once.
    """
    version = _version()
    names = [*FACETS, "total"]
    keys = {name: _cache_key(criteria, name, version) for name in names}
    token_key = INDEX_KEY.format(version=version, part="token")
    try:
        cached = cache.get_many([*keys.values(), token_key]) if version else {}
    except Exception:
        cached = {}
    result = FacetCounts()
    missing = []
    for name in names:
        value = cached.get(keys[name])
        if value is None:
            missing.append(name)
        elif name == "total":
            result.total = value
        else:
            result.counts[name] = value
    if missing:
        window = window if criteria.q else None
        index = _index(cached.get(token_key), version) if version else None
        words = _broad_words(index, criteria) if index is not None else None
        if words is not None:
            fresh = _count_broad(index["by_name"], criteria, words, missing, window=window)
        elif index is None:
            fresh = _count_in_sql(criteria, missing, window=window)
        else:
            fresh = _count_with_index(index, criteria, missing, window=window)
        result.page_ids = fresh.get("page")
        for name in missing:
            if name == "total":
                result.total = fresh.get("total", 0)
            else:
                result.counts[name] = fresh.get(name, {})
        if version and (index is None or criteria.q):  # without text, the index is as fast
            with contextlib.suppress(Exception):
                cache.set_many(
                    {keys[name]: fresh.get(name, 0 if name == "total" else {}) for name in missing},
                    CACHE_SECONDS,
                )
    return result


PAGE_ORDER = {
    Sort.RELEVANCE: "rank DESC, name, id",
    Sort.NAME: "name, id",
    Sort.UPDATED: "updated_at DESC, id",
}


def _count_in_sql(
    criteria: Criteria, wanted: list[str], *, window: tuple[int, int] | None = None
) -> dict:
    columns = ["region_id", "departement_id", "domain_ids", "label_ids"]
    columns += ["headcount_band", "revenue_band"]
    base = base_queryset(criteria, facets=False).order_by()
    if window:
        base = base.annotate(
            rank=SearchRank(F("search_vector"), search_query(criteria.q), normalization=1)
        )
        columns += ["id", "name", "updated_at", "rank"]
    base_sql, base_params = base.values(*columns).query.sql_with_params()
    # Only constants of this module and placeholders go into the SQL text; values are parameters.
    selects, params = [], list(base_params)

    def where(skip: str | None) -> tuple[str, list]:
        conditions, values = [], []
        for name, (attr, _column, condition) in FACETS.items():
            selected = getattr(criteria, attr)
            if name != skip and selected:
                conditions.append(condition)
                values.append(list(selected))
        return (" AND ".join(conditions) or "TRUE"), values

    # Region, département, headcount, revenue and the total: one pass with GROUPING SETS, each
    # facet counted with the other facets' conditions (FILTER).
    scalar = [n for n in FACETS if n not in ARRAY_FACETS and n in wanted]
    if scalar:
        columns = [FACETS[n][1] for n in scalar]
        names, counts = [], []
        for name, column in zip(scalar, columns, strict=True):
            condition, values = where(name)
            names.append(f"WHEN GROUPING({column}) = 0 THEN '{name}'")
            counts.append(f"WHEN GROUPING({column}) = 0 THEN count(*) FILTER (WHERE {condition})")
            params.extend(values)
        condition, values = where(None)
        params.extend(values)
        sets = [f"({c})" for c in columns] + (["()"] if "total" in wanted else [])
        selects.append(
            f"SELECT CASE {' '.join(names)} ELSE 'total' END AS facet, "  # noqa: S608
            f"COALESCE({', '.join(columns)})::text AS value, "
            f"CASE {' '.join(counts)} ELSE count(*) FILTER (WHERE {condition}) END AS n "
            f"FROM m GROUP BY GROUPING SETS ({', '.join(sets)})"
        )
    elif "total" in wanted:
        condition, values = where(None)
        selects.append(
            f"SELECT 'total' AS facet, NULL AS value, count(*) AS n FROM m WHERE {condition}"  # noqa: S608
        )
        params.extend(values)
    # Domains and labels: one pass each over their arrays.
    for name in ARRAY_FACETS:
        if name not in wanted:
            continue
        condition, values = where(name)
        column = FACETS[name][1]
        selects.append(
            f"SELECT '{name}' AS facet, v::text AS value, count(*) AS n "  # noqa: S608
            f"FROM (SELECT unnest(m.{column}) AS v FROM m WHERE {condition}) s GROUP BY v"
        )
        params.extend(values)
    if window:
        condition, values = where(None)
        order = PAGE_ORDER.get(criteria.sort, PAGE_ORDER[Sort.RELEVANCE])
        selects.append(
            f"SELECT 'page' AS facet, string_agg(id::text, ',' ORDER BY {order}) AS value, "  # noqa: S608
            f"0 AS n FROM (SELECT id, rank, name, updated_at FROM m WHERE {condition} "
            f"ORDER BY {order} LIMIT %s OFFSET %s) AS p"
        )
        params.extend([*values, window[1], window[0]])
    # With text, the matching rows are read once (GIN bitmap, then the wide rows) and kept; without,
    # each count reads the covering index on its own, which is cheaper than keeping 100,000 rows.
    materialized = "MATERIALIZED" if criteria.q else "NOT MATERIALIZED"
    sql = f"WITH m AS {materialized} ({base_sql}) " + " UNION ALL ".join(selects)
    fresh: dict = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for facet, value, n in cursor.fetchall():
            if facet == "total":
                fresh["total"] = n
            elif facet == "page":
                fresh["page"] = [int(i) for i in value.split(",")] if value else []
            elif value and n:  # no region, band…: not a value; 0: as if absent
                fresh.setdefault(facet, {})[value] = n
    return fresh


def _count_with_index(
    index: dict, criteria: Criteria, wanted: list[str], *, window: tuple[int, int] | None
) -> dict:
    """Counts from the facet index; with text, one SQL statement finds the matching ids (and the
    page's ids when a window is asked)."""
    matching, page = None, None
    if criteria.q:
        sql, params = _text_page_sql(criteria, window)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            words = {}
            for kind, a, b in cursor.fetchall():
                if kind == "w":
                    words[int(a)] = int(b)
                else:
                    page = _ids(a)
            matching = _words_bitset(words)
    fresh = _count_from_index(index, criteria, wanted, matching)
    if page is not None:
        fresh["page"] = page
    return fresh


def matches(criteria: Criteria) -> QuerySet[SMEProfile]:
    """The matching published profiles, in the asked order."""
    return ordered(base_queryset(criteria), criteria)


def text_filter(q: str) -> Q:
    return Q(search_vector=search_query(q))


# --- the facet index: exact counts without counting rows -------------------------------------
#
# For every value of every facet (and every founding year), the set of published profiles that
# have it, as a bitset (a Python int whose bit n is the profile of id n). A search's counts are
# then ANDs and popcounts of about 200 bitsets of 12.5 kB each (100,000 profiles): about 2 ms,
# whatever the number of profiles matching, instead of aggregating every matching row in SQL.
# The index is built in one SQL statement from the published profiles (build_facet_index), by a
# Celery task enqueued whenever the directory changes (bump_version) and when seeding, and kept in
# Redis under the directory's version: counts read from it are those of that version, exactly as
# cached counts are. Until the index of the current version exists, counts come from SQL.

INDEX_KEY = "directory:index:{version}:{part}"
INDEX_SECONDS = 7 * 24 * 3600
INDEX_FACETS = {
    "region": "region_id",
    "departement": "departement_id",
    "headcount": "headcount_band",
    "revenue": "revenue_band",
    "year": "founded_year",
}
_loaded: dict = {"token": None, "index": None}


def bitset(ids) -> int:
    """The int whose bits are `ids` (non-negative integers)."""
    ids = list(ids)
    if not ids:
        return 0
    bits = bytearray((max(ids) >> 3) + 1)
    for i in ids:
        bits[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(bits, "little")


def _ids(text: str | None) -> list[int]:
    return [int(i) for i in text.split(",")] if text else []


def build_facet_index(version: int | None = None) -> int | None:
    """Build the facet index of the published directory and keep it in the cache under `version`
    (the one that bump_version just made; by default the current one). Returns that version (None
    when the cache is off or unavailable). The data read is at least as new as that version, and
    a later change makes a new version, so that the index is never used for older data."""
    version = version or _version()
    if not version:
        return None
    selects = ["SELECT 'all', '', string_agg(id::text, ',') FROM p"]
    for name, column in INDEX_FACETS.items():
        selects.append(
            f"SELECT '{name}', {column}::text, string_agg(id::text, ',') "  # noqa: S608
            f"FROM p WHERE {column} IS NOT NULL GROUP BY {column}"
        )
    for name in ARRAY_FACETS:
        column = FACETS[name][1]
        selects.append(
            f"SELECT '{name}', v::text, string_agg(id::text, ',') "  # noqa: S608
            f"FROM (SELECT id, unnest({column}) AS v FROM p) s GROUP BY v"
        )
    published = SMEProfile.objects.published().order_by()
    columns = ["id", *INDEX_FACETS.values(), "domain_ids", "label_ids"]
    base_sql, params = published.values(*columns).query.sql_with_params()
    sql = f"WITH p AS MATERIALIZED ({base_sql}) " + " UNION ALL ".join(selects)
    index: dict = {"all": 0}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for facet, value, ids in cursor.fetchall():
            if facet == "all":
                index["all"] = bitset(_ids(ids))
            else:
                index.setdefault(facet, {})[value] = bitset(_ids(ids))
    index["by_name"] = _build_name_index()
    token = uuid.uuid4().hex
    try:
        cache.set_many(
            {
                INDEX_KEY.format(version=version, part="data"): index,
                INDEX_KEY.format(version=version, part="token"): token,
            },
            INDEX_SECONDS,
        )
    except Exception:
        return None
    _loaded.update(token=token, index=index)
    return version


def _index(token: str | None, version: int) -> dict | None:
    """The facet index of this version (kept in memory while its token stays the same)."""
    if not token:
        return None
    if _loaded["token"] == token:
        return _loaded["index"]
    try:
        index = cache.get(INDEX_KEY.format(version=version, part="data"))
    except Exception:
        return None
    if index is not None:
        _loaded.update(token=token, index=index)
    return index


def _union(values: dict, selected) -> int:
    bits = 0
    for value in selected:
        bits |= values.get(str(value), 0)
    return bits


def _base_and_selections(
    index: dict, criteria: Criteria, matching: int | None
) -> tuple[int, dict[str, int]]:
    """The profiles matching the text and the years, and each selected facet's profiles."""
    base = index["all"]
    if matching is not None:
        base &= matching
    if criteria.year_min is not None or criteria.year_max is not None:
        low = criteria.year_min if criteria.year_min is not None else -(10**9)
        high = criteria.year_max if criteria.year_max is not None else 10**9
        years = index.get("year", {})
        base &= _union(years, [y for y in years if low <= int(y) <= high])
    selections = {
        name: _union(index.get(name, {}), getattr(criteria, attr))
        for name, (attr, _c, _w) in FACETS.items()
        if getattr(criteria, attr)
    }
    return base, selections


def _count_from_index(
    index: dict, criteria: Criteria, wanted: list[str], matching: int | None
) -> dict:
    """Counts of `wanted` facets (and total) for `criteria`, with `matching` the bitset of the
    profiles matching the text (None without text)."""
    base, selections = _base_and_selections(index, criteria, matching)
    fresh: dict = {}
    for name in wanted:
        others = base
        for other, bits in selections.items():
            if other != name:
                others &= bits
        if name == "total":
            fresh["total"] = others.bit_count()
            continue
        counts = {}
        for value, bits in index.get(name, {}).items():
            n = (bits & others).bit_count()
            if n and value:  # no band: not a value; 0: as if absent
                counts[value] = n
        fresh[name] = counts
    return fresh


def text_page_ids(criteria: Criteria, *, offset: int, limit: int) -> list[int]:
    """The ids of a window of the results of a text search, in the asked order (one statement
    over the narrow search documents), or from the words' index when every word is common."""
    version = _version()
    if version:
        try:
            token = cache.get(INDEX_KEY.format(version=version, part="token"))
        except Exception:
            token = None
        index = _index(token, version)
        words = _broad_words(index, criteria) if index is not None else None
        if words is not None:
            return _broad_page(index["by_name"], criteria, words, (offset, limit))
    sql, params = _text_page_sql(criteria, (offset, limit), words=False)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return _ids(row[1] if row else None)


def _text_page_sql(
    criteria: Criteria, window: tuple[int, int] | None, *, words: bool = True
) -> tuple[str, list]:
    """One statement over the narrow search documents (SearchDocument): the published profiles
    matching the text and the years as a bitset in 64-bit words (for the index), and the ids of
    the asked window of results (with the facets) in the asked order."""
    query = search_query(criteria.q)
    docs = SearchDocument.objects.filter(search_vector=query)
    if criteria.year_min is not None:
        docs = docs.filter(founded_year__gte=criteria.year_min)
    if criteria.year_max is not None:
        docs = docs.filter(founded_year__lte=criteria.year_max)
    # Only the columns that the page needs: the narrower the kept rows, the cheaper.
    docs = docs.annotate(id=F("profile_id"))
    columns = ["id"]
    if window:
        sort = criteria.sort if criteria.sort in PAGE_ORDER else Sort.RELEVANCE
        columns += {Sort.RELEVANCE: ["rank", "name"], Sort.NAME: ["name"]}.get(sort, ["updated_at"])
        if sort == Sort.RELEVANCE:
            docs = docs.annotate(rank=SearchRank(F("search_vector"), query, normalization=1))
        columns += [column for _n, (attr, column, _w) in FACETS.items() if getattr(criteria, attr)]
    base_sql, params = docs.order_by().values(*columns).query.sql_with_params()
    params = list(params)
    selects = []
    if words:
        selects.append(
            "SELECT 'w' AS kind, (id >> 6)::text AS a, "
            "bit_or(1::bigint << (id & 63)::int)::text AS b FROM m GROUP BY id >> 6"
        )
    if window:
        conditions = []
        for _name, (attr, _column, condition) in FACETS.items():
            if getattr(criteria, attr):
                conditions.append(condition)
                params.append(list(getattr(criteria, attr)))
        order = PAGE_ORDER[sort]
        kept = ", ".join(columns[: 3 if sort == Sort.RELEVANCE else 2])
        selects.append(
            f"SELECT 'page', string_agg(id::text, ',' ORDER BY {order}), NULL "  # noqa: S608
            f"FROM (SELECT {kept} FROM m WHERE "
            f"{' AND '.join(conditions) or 'TRUE'} ORDER BY {order} LIMIT %s OFFSET %s) AS p"
        )
        params.extend([window[1], window[0]])
    sql = f"WITH m AS MATERIALIZED ({base_sql}) " + " UNION ALL ".join(selects)
    return sql, params


def _words_bitset(words: dict[int, int]) -> int:
    """The int made of 64-bit words {position: signed value}."""
    if not words:
        return 0
    buffer = bytearray(8 * (max(words) + 1))
    for position, value in words.items():
        buffer[8 * position : 8 * position + 8] = (value & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "little")
    return int.from_bytes(buffer, "little")


# --- common words: text searches that match a large part of the directory ------------------------
#
# A word found in thousands of profiles ("logiciel" is in half of them) makes PostgreSQL test and
# rank every one of those documents: 150 to 250 ms, whatever the index. The facet index therefore
# also holds, for each common word (in at least DIRECTORY_COMMON_WORD_MIN_DOCS published profiles),
# the bitset of the profiles that contain it, and those that have it in their name (weight A) or in
# their keywords and domains (weight B). These bitsets, and a copy of the facet bitsets, number the
# profiles by their position in name order (bit n: the n-th profile by name, id), so that the
# lowest set bits of a selection are the first profiles of its page by name.
#
# A search whose words are all common (after PostgreSQL's French stemming, one small statement) is
# then answered from the index: counts by ANDs and popcounts, and the page ordered by where the
# words are found (every word in the name first, then every word in the name, keywords or domains,
# then the others), each group by name: the order that ts_rank gives by the weights A > B > C,
# without ranking tens of thousands of documents. Other searches (a rare word, a phrase, a
# negation, "or") are few rows for the GIN index and keep the exact ts_rank order in SQL.

_LEXEME = r"'(?:[^']|'')+'"
_AND_OF_LEXEMES = re.compile(rf"^{_LEXEME}(?: & {_LEXEME})*$")


def common_word_min_docs() -> int:
    return getattr(settings, "DIRECTORY_COMMON_WORD_MIN_DOCS", 1000)


def _build_name_index() -> dict:
    """The name-ordered copy of the facet index, with the common words' bitsets."""
    published = SMEProfile.objects.published().order_by()
    columns = ["id", "name", *INDEX_FACETS.values(), "domain_ids", "label_ids"]
    base_sql, params = published.values(*columns).query.sql_with_params()
    selects = [
        "SELECT 'order', '', string_agg(id::text, ',' ORDER BY pos) FROM p",
        "SELECT 'all', '', string_agg(pos::text, ',') FROM p",
    ]
    for name, column in INDEX_FACETS.items():
        selects.append(
            f"SELECT '{name}', {column}::text, string_agg(pos::text, ',') "  # noqa: S608
            f"FROM p WHERE {column} IS NOT NULL GROUP BY {column}"
        )
    for name in ARRAY_FACETS:
        column = FACETS[name][1]
        selects.append(
            f"SELECT '{name}', v::text, string_agg(pos::text, ',') "  # noqa: S608
            f"FROM (SELECT pos, unnest({column}) AS v FROM p) s GROUP BY v"
        )
    # One pass over every (profile, word): the common words' profiles, and those that have the
    # word in their name (A), or in their name, keywords or domains (A, B).
    selects.append(
        "SELECT k.kind, g.lexeme, k.positions FROM (SELECT t.lexeme, "
        "string_agg(p.pos::text, ',') AS anywhere, "
        "string_agg(p.pos::text, ',') FILTER (WHERE 'A' = ANY(t.weights)) AS in_name, "
        "string_agg(p.pos::text, ',') FILTER (WHERE t.weights && ARRAY['A', 'B']) AS in_keywords "
        "FROM p JOIN directory_searchdocument d ON d.profile_id = p.id, "
        "unnest(d.search_vector) t GROUP BY t.lexeme HAVING count(*) >= %s) g "
        "CROSS JOIN LATERAL (VALUES ('word', g.anywhere), ('word_a', g.in_name), "
        "('word_b', g.in_keywords)) AS k(kind, positions)"
    )
    sql = (
        f"WITH p AS MATERIALIZED (SELECT b.*, (row_number() OVER (ORDER BY name, id) - 1)::int "  # noqa: S608
        f"AS pos FROM ({base_sql}) b) " + " UNION ALL ".join(selects)
    )
    index: dict = {"all": 0, "order": (), "word": {}, "word_a": {}, "word_b": {}}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, common_word_min_docs()])
        for facet, value, positions in cursor.fetchall():
            if facet == "order":
                index["order"] = array("q", _ids(positions))
            elif facet == "all":
                index["all"] = bitset(_ids(positions))
            else:
                index.setdefault(facet, {})[value] = bitset(_ids(positions))
    return index


def _lexemes(q: str) -> list[str] | None:
    """The words of a search as PostgreSQL stems them (French), when the search is only words
    that must all be found (no phrase, negation or "or"); else None."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT websearch_to_tsquery('french', %s)::text", [fold(q)])
        text = cursor.fetchone()[0] or ""
    if not _AND_OF_LEXEMES.match(text):
        return None
    return [t[1:-1].replace("''", "'") for t in re.findall(_LEXEME, text)]


def _broad_words(index: dict, criteria: Criteria) -> list[str] | None:
    """The stemmed words of a text search that the index answers (all of them common), else None."""
    by_name = index.get("by_name")
    if not criteria.q or not by_name or criteria.sort not in (Sort.RELEVANCE, Sort.NAME):
        return None
    words = _lexemes(criteria.q)
    if not words or any(w not in by_name["word"] for w in words):
        return None
    return words


def _all_of(bitsets: list[int]) -> int:
    bits = bitsets[0]
    for other in bitsets[1:]:
        bits &= other
    return bits


def _count_broad(
    by_name: dict,
    criteria: Criteria,
    words: list[str],
    wanted: list[str],
    *,
    window: tuple[int, int] | None,
) -> dict:
    matching = _all_of([by_name["word"][w] for w in words])
    fresh = _count_from_index(by_name, criteria, wanted, matching)
    if window:
        fresh["page"] = _broad_page(by_name, criteria, words, window)
    return fresh


def _broad_page(
    by_name: dict, criteria: Criteria, words: list[str], window: tuple[int, int]
) -> list[int]:
    """The ids of a window of results: by name, or by where the words are found, then name."""
    matching = _all_of([by_name["word"][w] for w in words])
    base, selections = _base_and_selections(by_name, criteria, matching)
    for bits in selections.values():
        base &= bits
    if criteria.sort == Sort.NAME:
        groups = [base]
    else:
        in_name = _all_of([by_name["word_a"].get(w, 0) for w in words])
        in_name_or_keywords = _all_of([by_name["word_b"].get(w, 0) for w in words])
        groups = [
            base & in_name,
            base & in_name_or_keywords & ~in_name,
            base & ~in_name_or_keywords,
        ]
    skip, limit = window
    positions: list[int] = []
    for group in groups:
        n = group.bit_count()
        if skip >= n:
            skip -= n
            continue
        positions += _lowest_bits(group, skip, limit - len(positions))
        skip = 0
        if len(positions) >= limit:
            break
    order = by_name["order"]
    return [order[p] for p in positions]


def _lowest_bits(bits: int, skip: int, count: int) -> list[int]:
    """The positions of the set bits of `bits`, lowest first, after skipping `skip` of them."""
    out: list[int] = []
    if count <= 0 or not bits:
        return out
    data = bits.to_bytes((bits.bit_length() + 63) // 64 * 8, "little")
    for n, word in enumerate(memoryview(data).cast("Q")):
        if not word:
            continue
        ones = word.bit_count()
        if skip >= ones:
            skip -= ones
            continue
        while word:
            low = word & -word
            if skip:
                skip -= 1
            else:
                out.append(64 * n + low.bit_length() - 1)
                if len(out) == count:
                    return out
            word ^= low
    return out
