"""The report's figures, computed in PostgreSQL (no Python loop over order lines).

Pure selectors: each function takes a campaign (and optionally a member) and returns frozen
dataclasses, so that tests can compare them with figures computed independently.

Scope of every figure: the *submitted* declarations of the campaign (drafts and declarations
reopened by staff are left out until they are submitted again). The key figures and what
"registered SME" means (a profile published by the campaign's closing date; region and size come
from that profile) are defined once, in `procurement.figures`, for every page, export and report.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    Q,
    Sum,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Organisation
from accounts.stored_text import stored
from directory.models import Departement, Domain, HeadcountBand, Region, SMEProfile
from disclosure import Cell, primary_reason
from procurement.figures import (
    HUNDRED,
    LINE_AGGREGATES,
    LINES_JOIN,
    LOCAL_LINE_COLUMNS,
    LOCAL_LINE_JOINS,
    LOCAL_LINE_KEYS,
    LOCAL_MEMBER_SUMS,
    LOCAL_PARTS,
    MIN_MEMBERS,
    PAYMENT_DELAY_LIMIT_DAYS,
    KeyFigures,
    LocalShare,
    _key_figures,
    declarations_sql,
    empty_key_figures,
    key_figures,
    local_share_of,
    member_count,
    members_local_shares,
    per_declaration_sql,
    registered_profile_join,
    registered_sme_definition,
    scope_sql,
)
from procurement.figures import (
    _fetchall as figures_fetchall,
)
from procurement.models import Campaign, Declaration, OrderLine

from .local import LocalReport, edition_local_share

T = TypeVar("T")
MONEY = DecimalField(max_digits=16, decimal_places=2)
UNKNOWN = ""

LINE_TABLE = OrderLine._meta.db_table
DECLARATION_TABLE = Declaration._meta.db_table
PROFILE_TABLE = SMEProfile._meta.db_table
DOMAIN_TABLE = Domain._meta.db_table
SUBMITTED = Declaration.State.SUBMITTED.value
PUBLISHED = SMEProfile.State.PUBLISHED.value


@dataclass(frozen=True)
class BreakdownRow:
    """One line of a breakdown (a region, a domain, a size band)."""

    key: str
    label: str
    members: int
    smes: int
    amount: Decimal
    share: Decimal | None  # of all SME purchases, in %
    largest: Decimal = Decimal(0)  # the largest single member's part of the amount

    @property
    def suppressed(self) -> bool:
        """Hidden by a primary rule (threshold or dominance); a published table may hide more
        (secondary suppression, `reports.published`)."""
        return primary_reason(self.cell()) is not None

    def cell(self) -> Cell:
        return Cell(members=self.members, amount=self.amount, largest=self.largest)


@dataclass(frozen=True)
class RankedMember:
    rank: int
    organisation_id: int
    display_name: str
    named: bool
    sme_purchases: Decimal
    it_purchases: Decimal | None
    sme_share: Decimal | None


@dataclass(frozen=True)
class ProgrammeFigures:
    campaign_id: int
    year: int
    methodology_version: str
    methodology: str
    snapshot_at: datetime.datetime
    current: KeyFigures
    previous: KeyFigures | None
    regions: list[BreakdownRow]
    domains: list[BreakdownRow]
    sizes: list[BreakdownRow]
    ranking: list[RankedMember]
    named_participants: list[str]
    anonymous_participants: int
    # The methodology's definition of a registered SME for this campaign (procurement.figures).
    registered_definition: str = ""
    # The whole table ("total") and its split by registration ("registered": "yes", "no"), as
    # breakdown rows: the margins that disclosure control needs (reports.published).
    margins: dict[str, list[BreakdownRow]] = field(default_factory=dict)
    previous_margins: dict[str, list[BreakdownRow]] = field(default_factory=dict)  # year N-1
    # An edition's report (`edition_scope`): its name, and its members' SME purchases from every
    # SME (inside the edition or not), shown next to the edition's figures. None: programme.
    edition_name: str = ""
    edition_kind: str = ""
    edition_regions: tuple[str, ...] = ()  # a territorial edition's regions, outlined on the map
    edition_members: tuple[int, ...] = ()  # the edition's member large accounts' ids
    members_total: KeyFigures | None = None
    # The local-purchasing share (procurement.figures.local_share) of year N and N-1
    # (reports.local.LocalReport): the programme's, or an edition's members' with its territory.
    local_share: LocalReport | None = None

    @property
    def ranking_shown(self) -> bool:
        return not self.current.suppressed

    @property
    def is_edition(self) -> bool:
        return bool(self.edition_name)


@dataclass(frozen=True)
class TopSME:
    siren: str
    name: str
    amount: Decimal
    lines: int


@dataclass(frozen=True)
class ProgrammeMedians:
    """Medians over the submitted declarations, to place a member among its peers."""

    declarations: int
    sme_purchases: Decimal | None
    sme_share: Decimal | None
    distinct_smes: Decimal | None
    median_payment_delay: Decimal | None
    paid_within_60_share: Decimal | None
    # Members behind the medians that skip some declarations (no IT purchases, no delays given).
    declarations_with_share: int = 0
    declarations_with_delay: int = 0

    @property
    def suppressed(self) -> bool:
        return self.declarations < MIN_MEMBERS

    def contributors(self, name: str) -> int:
        """How many members the median `name` is computed over (fewer than three: not shown,
        since a member reading it could work out the others' figure)."""
        return {
            "sme_share": self.declarations_with_share,
            "median_payment_delay": self.declarations_with_delay,
            "paid_within_60_share": self.declarations_with_delay,
        }.get(name, self.declarations)

    def shown(self, name: str) -> bool:
        return self.contributors(name) >= MIN_MEMBERS


@dataclass(frozen=True)
class MemberFigures:
    campaign_id: int
    year: int
    organisation_id: int
    organisation_name: str
    methodology_version: str
    snapshot_at: datetime.datetime
    current: KeyFigures
    previous: KeyFigures | None
    medians: ProgrammeMedians
    regions: list[BreakdownRow]
    domains: list[BreakdownRow]
    top_smes: list[TopSME] = field(default_factory=list)
    registered_definition: str = ""
    # The member's own local-purchasing share, year N and N-1 (`members_figures`, grouped).
    local_share: LocalReport | None = None


# --- helpers ----------------------------------------------------------------------------------


# The planner counts a group per line in each grouping set of `year_pass` (the groups are SMEs
# and members: 120,000 and 56,000 rows, 100 MB, at 2,000,000 lines); below what that estimate
# needs, it sorts the year's lines for some sets instead of hashing them (9 s instead of 5).
# What a hash aggregate really uses is what its groups take (it spills to disk past the limit).
HASHED_WORK_MEM = "1GB"


def _fetchall(sql: str, params: list, *, hashed: bool = False) -> list[tuple]:
    """The rows of a report query (`procurement.figures`' large ones). `hashed`: a query whose
    grouping sets must be hash aggregates (`year_pass`), run with HASHED_WORK_MEM."""
    if hashed:
        return figures_fetchall(sql, params, work_mem=HASHED_WORK_MEM)
    return figures_fetchall(sql, params)


def _decimal(value) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _submitted_declarations_sql(campaign_id: int, organisation_id: int | None) -> tuple[str, list]:
    """The campaign's submitted declarations (or a member's), with their registration cutoff."""
    return declarations_sql(campaign_id=campaign_id, organisation_id=organisation_id)


@dataclass(frozen=True)
class EditionScope:
    """What an edition's report counts: the submitted declarations of the large accounts that
    are the edition's members when the report is generated (`organisation_ids`), and, in them,
    only the order lines placed with the edition's SMEs (`sme_filter`: SQL selecting the SIRENs
    of the directory profiles of its territory or sector; None for a national edition: every
    line). A line whose SIREN has no directory profile has no territory or sector: it counts only
    in a national edition, and in the members' total (`edition_margins`)."""

    edition_id: int
    name: str
    kind: str
    organisation_ids: list[int]
    sme_filter: tuple[str, list] | None
    regions: tuple[str, ...] = ()

    def filters(self) -> dict:
        return {"organisation_ids": self.organisation_ids, "sme_filter": self.sme_filter}


NO_SME = ("SELECT NULL::varchar WHERE false", [])


def territory_regions(edition) -> tuple[str, ...]:
    """Codes of the regions a territorial edition covers, wholly or in part."""
    from editions import selectors as edition_selectors

    if not edition.is_territorial:
        return ()
    departements = edition_selectors.territory_departements(edition)
    codes = set(edition.regions.values_list("code", flat=True))
    codes |= set(
        Departement.objects.filter(code__in=departements).values_list("region_id", flat=True)
    )
    return tuple(sorted(codes))


def edition_scope(edition) -> EditionScope:
    from editions import selectors as edition_selectors

    organisation_ids = sorted(
        edition_selectors.account_ids(edition).values_list("organisation_id", flat=True)
    )
    sme_filter = None
    if not edition.is_national:
        query = (
            SMEProfile.objects.filter(edition_selectors.smes_q(edition))
            .order_by()
            .values("siren")
            .query
        )
        try:
            sme_filter = query.sql_with_params()
            sme_filter = (sme_filter[0], list(sme_filter[1]))
        except EmptyResultSet:  # an edition without territory or sector holds no SME
            sme_filter = NO_SME
    return EditionScope(
        edition_id=edition.pk,
        name=edition.name,
        kind=str(edition.get_kind_display()),
        organisation_ids=organisation_ids,
        sme_filter=sme_filter,
        regions=territory_regions(edition),
    )


def previous_campaign(campaign: Campaign) -> Campaign | None:
    return Campaign.objects.filter(year=campaign.year - 1).first()


# --- breakdowns -------------------------------------------------------------------------------


# Domain ids up to this fit the bits of a bigint (`year_pass`); beyond, the (domain, SME) pairs.
MASK_MAX_DOMAIN_ID = 63


def _domain_ids_fit_a_mask() -> bool:
    return not Domain.objects.filter(pk__gt=MASK_MAX_DOMAIN_ID).exists()


def _labels() -> dict[str, dict[str, str]]:
    return {
        "region": dict(Region.objects.values_list("code", "name")),
        "domain": {str(pk): name for pk, name in Domain.objects.values_list("pk", "name")},
        "size": {value: str(label) for value, label in HeadcountBand.choices},
    }


@dataclass(frozen=True)
class YearPass:
    """What one pass over a year's submitted lines gives (`year_pass`)."""

    parts: dict[str, list[BreakdownRow]]  # as `breakdowns` returns them
    member_sums: dict[int, Decimal]  # each member's SME purchases (members with lines)
    declarations: int
    it_total: Decimal | None
    median_delay: float | None
    lines_with_delay: int
    lines_paid_within_60: int
    lines: int
    local_share: LocalShare | None = None  # with `local`: the year's local-purchasing share

    def key_figures(self, campaign: Campaign, *, members: int) -> KeyFigures:
        """The campaign's key figures (`key_figures`' definition), from this pass."""
        total = self.parts["total"][0] if self.parts["total"] else None
        registered = next((r for r in self.parts["registered"] if r.key == "yes"), None)
        return _key_figures(
            year=campaign.year,
            members=members,
            declarations=self.declarations,
            it_total=self.it_total,
            aggregates=(
                total.amount if total else Decimal(0),
                registered.amount if registered else Decimal(0),
                total.smes if total else 0,
                registered.smes if registered else 0,
                self.median_delay,
                self.lines_with_delay,
                self.lines_paid_within_60,
                self.lines,
            ),
        )

    def margins(self) -> dict[str, list[BreakdownRow]]:
        """The "total" and "registered" rows as `margins` returns them."""
        return {
            name: [
                BreakdownRow(
                    key=row.key,
                    label=row.key,
                    members=row.members,
                    smes=0,
                    amount=row.amount,
                    share=None,
                    largest=row.largest,
                )
                for row in self.parts[name]
            ]
            for name in ("registered", "total")
        }


def year_pass(
    campaign: Campaign,
    *,
    organisation_id: int | None = None,
    full: bool = True,
    local: bool = False,
) -> YearPass:
    """One pass over the campaign's submitted lines (or a member's): the breakdowns (`full`;
    otherwise only the "total" and "registered" margins), each member's SME purchases (for the
    ranking), the line aggregates of the key figures (`procurement.figures.LINE_AGGREGATES`:
    distinct SMEs and registered SMEs are the rows of the SME aggregate, the amounts those of the
    margins) and, with `local`, the local-purchasing share (`procurement.figures.local_share`,
    from the same pieces of SQL), so that the programme report reads each year's lines once."""
    declarations_sql, declarations_params = _submitted_declarations_sql(
        campaign.pk, organisation_id
    )
    local_columns = local_joins = local_cells = ""
    local_params: list = []
    local_keys: list[str] = []
    if local:
        local_columns = f", {LOCAL_LINE_COLUMNS}"
        local_joins = LOCAL_LINE_JOINS
        local_params = [[]]  # no territory: the programme's share
        local_keys = list(LOCAL_LINE_KEYS)
        parts = ", ".join(f"('{part}', m.{part})" for part in LOCAL_PARTS)
        local_cells = f"""
            member_local AS (SELECT member, {LOCAL_MEMBER_SUMS} FROM member_parts GROUP BY member),
            local_cells AS (
                SELECT 'local' AS dim, '' AS key, count(*) AS n,
                       coalesce(sum(total), 0) AS amount, coalesce(max(total), 0) AS largest
                FROM member_local
                UNION ALL
                SELECT 'local', v.part, count(*) FILTER (WHERE v.amount > 0),
                       coalesce(sum(v.amount), 0), coalesce(max(v.amount), 0)
                FROM member_local m CROSS JOIN LATERAL (VALUES {parts}) v(part, amount)
                GROUP BY v.part
            ),
        """  # noqa: S608 - LOCAL_PARTS names only
    # The grouping sets of the one pass over the lines (below), by the name of the CTE that
    # reads each; without `full`, only the margins: no region, size or domain cell.
    mask = full and _domain_ids_fit_a_mask()
    grouping = {
        "smes": ["siren", "region", "size", "registered"],
        "member_parts": ["member", "region", "size", "registered", *local_keys],
        "delays": ["delay"],
    }
    if full:
        grouping["member_domains"] = ["domain", "member"]
        if not mask:
            grouping["domain_smes"] = ["domain", "siren"]
    tags = ["siren", "member", "domain", "delay"] if full else ["siren", "member", "delay"]
    # GROUPING(tags) tells which set a row of `cells` belongs to: a bit per tag left out of it.
    set_of = {
        name: sum(1 << (len(tags) - 1 - i) for i, tag in enumerate(tags) if tag not in columns)
        for name, columns in grouping.items()
    }
    # A line's domain, and its SME's region and size (when registered), for the breakdowns.
    attributes = """
        l.domain_id::text COLLATE "C" AS domain, l.domain_id,
        coalesce(p.region_id, '') COLLATE "C" AS region,
        coalesce(p.headcount_band, '') COLLATE "C" AS size
    """
    domains = smes_domains = domain_smes = member_cells = totals = ""
    if full:
        if mask:
            # Each SME's domains as the bits of a bigint (bit = domain id), OR-ed in the SME
            # aggregate: an SME counts in each domain whose bit it has, without a (domain, SME)
            # grouping set (400,000 pairs at 2,000,000 lines); the domains' amounts are the sums
            # of their per-member cells.
            domains = ", bit_or(1::bigint << mod(domain_id, 64)::int) AS domains"
            smes_domains = ", domains"
            domain_smes = f"""
                domain_counts AS (
                    SELECT dom.id::text COLLATE "C" AS domain, count(*) AS smes
                    FROM smes JOIN {DOMAIN_TABLE} dom
                    ON smes.domains & (1::bigint << dom.id::int) <> 0
                    GROUP BY 1
                ),
            """  # noqa: S608 - model table names only
            domain_totals = """
                SELECT 'domain', a.key, c.smes, sum(a.amount)
                FROM member_cells a JOIN domain_counts c ON c.domain = a.key
                WHERE a.dim = 'domain' GROUP BY a.key, c.smes
            """
        else:
            domain_smes = f"""
                domain_smes AS (
                    SELECT domain, siren, amount FROM cells WHERE g = {set_of["domain_smes"]}
                ),
            """  # noqa: S608 - fragments of this function only
            domain_totals = """
                SELECT 'domain', domain, count(*), sum(amount) FROM domain_smes GROUP BY 1, 2
            """
        member_cells = f"""
            UNION ALL
            SELECT 'region', region, member, sum(amount) FROM member_smes GROUP BY 2, 3
            UNION ALL
            SELECT 'size', size, member, sum(amount) FROM member_smes GROUP BY 2, 3
            UNION ALL
            SELECT 'domain', domain, member, amount FROM cells WHERE g = {set_of["member_domains"]}
        """  # noqa: S608 - fragments of this function only
        totals = f"""
            UNION ALL
            SELECT 'region', region, count(*), sum(amount) FROM smes GROUP BY 1, 2
            UNION ALL
            SELECT 'size', size, count(*), sum(amount) FROM smes GROUP BY 1, 2
            UNION ALL
            {domain_totals}
        """  # noqa: S608 - fragments of this function only
    else:
        # The margins only: no line carries what no cell reads.
        attributes = """'' COLLATE "C" AS region, '' COLLATE "C" AS size"""
    sets = ", ".join(f"({', '.join(columns)})" for columns in grouping.values())
    keys = ", ".join(dict.fromkeys(column for columns in grouping.values() for column in columns))
    # One pass over the year's lines: each line goes into one hash table per grouping set (the
    # SMEs; the members by region, size, registration and, with `local`, where the SME is from
    # the buying site; the members by domain; the payment delays), and the lines are not kept
    # (materialising two million joined rows to read them again for each aggregate cost more
    # than the aggregates). Region and size are attributes of the SME, so SMEs are summed once;
    # members are summed per cell first, so that each cell knows its largest member (max over
    # the per-member sums). The declarations are materialised (a few hundred rows: their
    # registration cutoff computed once each), and each one's lines read through the lines'
    # index on their declaration (the lateral subquery, kept apart by OFFSET 0): the year's lines
    # only, however many years the table holds, where a join would let the planner read the whole
    # table (20,000,000 lines at ten years) or hash it.
    sql = f"""
        WITH d AS MATERIALIZED ({declarations_sql}),
        lines AS (
            SELECT d.organisation_id AS member, l.sme_siren COLLATE "C" AS siren, l.amount,
                   {attributes},
                   (CASE WHEN p.id IS NULL THEN 'no' ELSE 'yes' END) COLLATE "C" AS registered,
                   l.payment_delay_days AS delay
                   {local_columns}
            FROM d
            CROSS JOIN LATERAL (
                SELECT l.sme_siren, l.amount, l.domain_id, l.payment_delay_days, l.site_id
                FROM {LINE_TABLE} l WHERE l.declaration_id = d.id OFFSET 0
            ) l
            {registered_profile_join()}
            {local_joins}
        ),
        cells AS MATERIALIZED (
            SELECT GROUPING({", ".join(tags)}) AS g, {keys},
                   sum(amount) AS amount, count(*) AS n{domains}
            FROM lines GROUP BY GROUPING SETS ({sets})
        ),
        smes AS (
            SELECT siren, region, size, registered, amount{smes_domains}
            FROM cells WHERE g = {set_of["smes"]}
        ),
        member_parts AS (SELECT * FROM cells WHERE g = {set_of["member_parts"]}),
        {domain_smes}
        {local_cells}
        -- Per member, region, size and registration: a few thousand rows.
        member_smes AS (
            SELECT member, region, size, registered, sum(amount) AS amount
            FROM member_parts GROUP BY 1, 2, 3, 4
        ),
        member_cells AS (
            SELECT 'registered' AS dim, registered AS key, member, sum(amount) AS amount
            FROM member_smes GROUP BY 2, 3
            UNION ALL
            SELECT 'total', '', member, sum(amount) FROM member_smes GROUP BY 3
            {member_cells}
        ),
        members AS (
            SELECT dim, key, count(*) AS n, max(amount) AS largest
            FROM member_cells GROUP BY 1, 2
        ),
        totals AS (
            SELECT 'registered' AS dim, registered AS key, count(*) AS smes, sum(amount) AS amount
            FROM smes GROUP BY 1, 2
            UNION ALL
            SELECT 'total', '', count(*), sum(amount) FROM smes
            {totals}
        )
        SELECT t.dim, t.key, m.n, t.smes, t.amount, m.largest
        FROM totals t JOIN members m ON m.dim = t.dim AND m.key = t.key
        UNION ALL
        SELECT 'member', member::text, 1, 0, amount, amount
        FROM member_cells WHERE dim = 'total'
        UNION ALL
        -- The payment delays' histogram (a few hundred values): the median and the counts of
        -- the key figures without sorting the year's lines.
        SELECT 'delay', delay::text, n, 0, 0, NULL FROM cells WHERE g = {set_of["delays"]}
        UNION ALL
        SELECT 'declarations', '', count(*), 0, sum(it_purchases_total), NULL FROM d
        {"UNION ALL SELECT dim, key, n, 0, amount, largest FROM local_cells" if local else ""}
    """  # noqa: S608
    rows = _fetchall(sql, [*declarations_params, *local_params, PUBLISHED], hashed=True)
    breakdown_rows, member_sums, delays, local_rows = [], {}, {}, {}
    declarations = None
    for row in rows:
        dimension = row[0]
        if dimension == "local":
            local_rows[row[1]] = (row[4], row[2], row[5])  # amount, members, largest
        elif dimension == "member":
            member_sums[int(row[1])] = row[4]
        elif dimension == "delay":
            delays[None if row[1] is None else int(row[1])] = row[2]
        elif dimension == "declarations":
            declarations = row
        else:
            breakdown_rows.append(row)
    given = sorted((delay, n) for delay, n in delays.items() if delay is not None)
    return YearPass(
        parts=_breakdown_result(breakdown_rows, _labels() if full else {}),
        member_sums=member_sums,
        declarations=declarations[2],
        it_total=declarations[4],
        median_delay=percentile_cont(0.5, given),
        lines_with_delay=sum(n for _delay, n in given),
        lines_paid_within_60=sum(n for delay, n in given if delay <= PAYMENT_DELAY_LIMIT_DAYS),
        lines=sum(delays.values()),
        local_share=(
            local_share_of(
                year=campaign.year,
                declarations=declarations[2],
                values=(
                    *local_rows[""],
                    *(v for part in LOCAL_PARTS for v in local_rows.get(part, (0, 0, 0))),
                ),
                has_territory=False,
            )
            if local
            else None
        ),
    )


def percentile_cont(fraction: float, histogram: list[tuple[int, int]]) -> float | None:
    """PostgreSQL's `percentile_cont(fraction)` over the values of `histogram` ((value, count),
    in increasing value order), computed as PostgreSQL does (double precision: the two values
    around the position fraction × (count − 1), interpolated), hence the same float."""
    total = sum(n for _value, n in histogram)
    if not total:
        return None
    position = fraction * (total - 1)
    first_row, second_row = math.floor(position), math.ceil(position)
    first = second = None
    seen = 0
    for value, n in histogram:
        if first is None and first_row < seen + n:
            first = float(value)
        if second_row < seen + n:
            second = float(value)
            break
        seen += n
    return first + (second - first) * (position - first_row)


def breakdowns(
    campaign: Campaign,
    *,
    organisation_id: int | None = None,
    organisation_ids: list[int] | None = None,
    sme_filter: tuple[str, list] | None = None,
) -> dict[str, list[BreakdownRow]]:
    """SME purchases by region, by domain and by SME size band, in one query (`year_pass`).

    Each row counts the distinct members and SMEs it describes and the largest single member's
    amount (for the dominance rule); lines of unregistered SMEs fall in "not known" for region
    and size. Two more keys serve disclosure control: "total" (one row: every line) and
    "registered" (rows "yes" and "no": lines of registered SMEs or not), whose amounts are the
    key figures' SME and registered-SME purchases. `organisation_ids` and `sme_filter` restrict
    it to some members and some SMEs (an edition's, `EditionScope`).
    """
    if organisation_ids is None and sme_filter is None:
        return year_pass(campaign, organisation_id=organisation_id).parts
    # An edition's breakdowns (a small part of the lines): the scoped query.
    declarations_sql, declarations_params = _submitted_declarations_sql(
        campaign.pk, organisation_id
    )
    declarations_sql, declarations_params, line_filter, line_params = scope_sql(
        declarations_sql,
        declarations_params,
        organisation_ids=organisation_ids,
        sme_filter=sme_filter,
    )
    # Hash aggregates over (key, member) and (key, SME) pairs: no sort of the millions of lines.
    # Region and size are attributes of the SME, so SMEs are summed once. Members are summed per
    # cell first, so that each cell knows its largest member (max over the per-member sums); the
    # region, size, registration and total cells come from one small per-member aggregate.
    sql = f"""
        WITH d AS ({declarations_sql}),
        lines AS MATERIALIZED (
            SELECT d.organisation_id AS member, l.sme_siren COLLATE "C" AS siren, l.amount,
                   l.domain_id::text COLLATE "C" AS domain,
                   coalesce(p.region_id, '') COLLATE "C" AS region,
                   coalesce(p.headcount_band, '') COLLATE "C" AS size,
                   (CASE WHEN p.id IS NULL THEN 'no' ELSE 'yes' END) COLLATE "C" AS registered
            FROM d
            JOIN {LINE_TABLE} l ON l.declaration_id = d.id{line_filter}
            {registered_profile_join()}
        ),
        smes AS (
            SELECT siren, region, size, registered, sum(amount) AS amount
            FROM lines GROUP BY 1, 2, 3, 4
        ),
        domain_smes AS (SELECT domain, siren, sum(amount) AS amount FROM lines GROUP BY 1, 2),
        -- Per member, region, size and registration: a few thousand rows, one pass over lines.
        member_smes AS (
            SELECT member, region, size, registered, sum(amount) AS amount
            FROM lines GROUP BY 1, 2, 3, 4
        ),
        member_cells AS (
            SELECT 'region' AS dim, region AS key, member, sum(amount) AS amount
            FROM member_smes GROUP BY 2, 3
            UNION ALL
            SELECT 'size', size, member, sum(amount) FROM member_smes GROUP BY 2, 3
            UNION ALL
            SELECT 'registered', registered, member, sum(amount) FROM member_smes GROUP BY 2, 3
            UNION ALL
            SELECT 'total', '', member, sum(amount) FROM member_smes GROUP BY 3
            UNION ALL
            SELECT 'domain', domain, member, sum(amount) FROM lines GROUP BY 2, 3
        ),
        members AS (
            SELECT dim, key, count(*) AS n, max(amount) AS largest
            FROM member_cells GROUP BY 1, 2
        ),
        totals AS (
            SELECT 'region' AS dim, region AS key, count(*) AS smes, sum(amount) AS amount
            FROM smes GROUP BY 1, 2
            UNION ALL
            SELECT 'size', size, count(*), sum(amount) FROM smes GROUP BY 1, 2
            UNION ALL
            SELECT 'domain', domain, count(*), sum(amount) FROM domain_smes GROUP BY 1, 2
            UNION ALL
            SELECT 'registered', registered, count(*), sum(amount) FROM smes GROUP BY 1, 2
            UNION ALL
            SELECT 'total', '', count(*), sum(amount) FROM smes
        )
        SELECT t.dim, t.key, m.n, t.smes, t.amount, m.largest
        FROM totals t JOIN members m ON m.dim = t.dim AND m.key = t.key
    """  # noqa: S608
    rows = _fetchall(sql, [*declarations_params, *line_params, PUBLISHED])
    return _breakdown_result(rows, _labels())


def _breakdown_result(rows, labels: dict[str, dict[str, str]]) -> dict[str, list[BreakdownRow]]:
    """Breakdown rows (dimension, key, members, SMEs, amount, largest member's amount) as
    `breakdowns` returns them: labelled, with their share of the total, in the report's order."""
    total = sum((row[4] for row in rows if row[0] == "domain"), Decimal(0))
    result: dict[str, list[BreakdownRow]] = {
        "region": [],
        "domain": [],
        "size": [],
        "registered": [],
        "total": [],
    }
    for dimension, key, members, smes, amount, largest in rows:
        if dimension in labels:
            label = labels[dimension].get(key) or (
                _("Non renseignée") if dimension == "region" else _("Non renseigné")
            )
        else:
            label = key
        result[dimension].append(
            BreakdownRow(
                key=key,
                label=label,
                members=members,
                smes=smes,
                amount=_decimal(amount),
                share=amount * HUNDRED / total if total else None,
                largest=_decimal(largest),
            )
        )
    size_order = [value for value, _label in HeadcountBand.choices]
    result["region"].sort(key=lambda r: (r.key == UNKNOWN, -r.amount, r.label))
    result["domain"].sort(key=lambda r: (-r.amount, r.label))
    result["size"].sort(
        key=lambda r: size_order.index(r.key) if r.key in size_order else len(size_order)
    )
    result["registered"].sort(key=lambda r: r.key)
    return result


def margins(
    campaign: Campaign,
    *,
    organisation_ids: list[int] | None = None,
    sme_filter: tuple[str, list] | None = None,
) -> dict[str, list[BreakdownRow]]:
    """The "total" and "registered" rows of `breakdowns` alone (for year N-1, whose key figures
    the report shows next to year N's): members, amount and largest member of each."""
    if organisation_ids is None and sme_filter is None:
        return year_pass(campaign, full=False).margins()
    declarations_sql, declarations_params = _submitted_declarations_sql(campaign.pk, None)
    declarations_sql, declarations_params, line_filter, line_params = scope_sql(
        declarations_sql,
        declarations_params,
        organisation_ids=organisation_ids,
        sme_filter=sme_filter,
    )
    sql = f"""
        WITH d AS ({declarations_sql}),
        per_member AS (
            SELECT d.organisation_id AS member,
                   (CASE WHEN p.id IS NULL THEN 'no' ELSE 'yes' END) AS registered,
                   sum(l.amount) AS amount
            FROM d
            JOIN {LINE_TABLE} l ON l.declaration_id = d.id{line_filter}
            {registered_profile_join()}
            GROUP BY 1, 2
        )
        SELECT 'registered', registered, count(*), sum(amount), max(amount)
        FROM per_member GROUP BY 2
        UNION ALL
        SELECT 'total', '', count(*), sum(amount), max(amount)
        FROM (SELECT member, sum(amount) AS amount FROM per_member GROUP BY 1) m
        HAVING count(*) > 0
    """  # noqa: S608
    result: dict[str, list[BreakdownRow]] = {"registered": [], "total": []}
    for dimension, key, members, amount, largest in _fetchall(
        sql, [*declarations_params, *line_params, PUBLISHED]
    ):
        result[dimension].append(
            BreakdownRow(
                key=key,
                label=key,
                members=members,
                smes=0,
                amount=_decimal(amount),
                share=None,
                largest=_decimal(largest),
            )
        )
    result["registered"].sort(key=lambda r: r.key)
    return result


# --- members ----------------------------------------------------------------------------------


def anonymous_label(index: int) -> str:
    """ "Membre A", "Membre B"… "Membre Z", "Membre AA"…"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return _("Membre %(letters)s") % {"letters": letters}


def _declarations(campaign: Campaign, organisation_ids: list[int] | None):
    declarations = Declaration.objects.filter(campaign=campaign, state=SUBMITTED)
    if organisation_ids is not None:
        declarations = declarations.filter(organisation_id__in=organisation_ids)
    return declarations


def ranking(
    campaign: Campaign,
    *,
    organisation_ids: list[int] | None = None,
    sme_filter: tuple[str, list] | None = None,
    member_sums: dict[int, Decimal] | None = None,
) -> list[RankedMember]:
    """Submitted declarations ranked by SME share; members named only where they agreed.

    Anonymous letters follow the ranking (not the names), so they reveal nothing. With
    `organisation_ids` and `sme_filter` (an edition), the share is of the purchases from those
    SMEs, among those members. `member_sums`: each member's SME purchases when already summed
    (`year_pass`, the programme's report), so that the lines are not read again; the share is
    computed by the same SQL expression either way.
    """
    if member_sums is None:
        lines = None
        if sme_filter is not None:
            # The SQL is built by the ORM (`edition_scope`), with its parameters apart.
            lines = Q(lines__sme_profile_id__in=RawSQL(sme_filter[0], sme_filter[1]))  # noqa: S611
        sme = Coalesce(Sum("lines__amount", filter=lines), Value(Decimal(0)), output_field=MONEY)
    else:
        members = sorted(member_sums)
        lookup = (
            "(SELECT s.amount FROM unnest(%s::bigint[], %s::numeric[]) AS s(member, amount)"  # noqa: S608 - the table name is the model's
            f" WHERE s.member = {DECLARATION_TABLE}.organisation_id)"
        )
        sme = Coalesce(
            RawSQL(  # noqa: S611 - bound parameters
                lookup,
                [members, [member_sums[m] for m in members]],
                output_field=MONEY,
            ),
            Value(Decimal(0)),
            output_field=MONEY,
        )
    rows = (
        _declarations(campaign, organisation_ids)
        .annotate(sme=sme)
        .annotate(
            share=ExpressionWrapper(
                F("sme") * HUNDRED / NullIf(F("it_purchases_total"), Value(Decimal(0))),
                output_field=DecimalField(),
            )
        )
        .order_by(F("share").desc(nulls_last=True), "organisation__name", "organisation_id")
        .values_list(
            "organisation_id",
            "organisation__name",
            "organisation__public_naming",
            "it_purchases_total",
            "sme",
            "share",
        )
    )
    ranked = []
    anonymous = 0
    for position, row in enumerate(rows, start=1):
        organisation_id, name, named, it_total, sme, share = row
        if not named:
            name = anonymous_label(anonymous)
            anonymous += 1
        ranked.append(
            RankedMember(
                rank=position,
                organisation_id=organisation_id,
                display_name=name,
                named=named,
                sme_purchases=sme,
                it_purchases=it_total,
                sme_share=share,
            )
        )
    return ranked


def participants(
    campaign: Campaign, *, organisation_ids: list[int] | None = None
) -> tuple[list[str], int]:
    """Names of the participating members who agreed to be named, and how many did not."""
    declarations = _declarations(campaign, organisation_ids)
    named = list(
        declarations.filter(organisation__public_naming=True)
        .order_by("organisation__name")
        .values_list("organisation__name", flat=True)
    )
    anonymous = declarations.filter(organisation__public_naming=False).count()
    return named, anonymous


def snapshot_time(campaign: Campaign) -> datetime.datetime:
    """When the data was last changed (the latest declaration change), or now."""
    from django.utils import timezone

    latest = Declaration.objects.filter(campaign=campaign).aggregate(at=Max("updated_at"))["at"]
    return latest or timezone.now()


# Queries of a report run side by side on this many connections (the worker has 2 cores).
PARALLEL_QUERIES = 2


def in_parallel(*calls: Callable[[], T]) -> list[T]:
    """The results of `calls`, run on PARALLEL_QUERIES threads, each query on a connection of its
    own; one after the other inside a transaction (tests), whose data other connections would
    not see."""
    if connection.in_atomic_block or PARALLEL_QUERIES < 2:
        return [call() for call in calls]

    def run(call: Callable[[], T]) -> T:
        try:
            return call()
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=PARALLEL_QUERIES) as pool:
        futures = [pool.submit(run, call) for call in calls]
        return [future.result() for future in futures]


def _no_progress(percent: int, step: str) -> None:
    """Default progress callback: nothing to report."""


def edition_margins(campaign: Campaign, scope: EditionScope) -> dict[str, list[BreakdownRow]]:
    """The edition's members' SME purchases from every SME ("members_total"), and from SMEs
    outside the edition ("outside", never published but the difference a reader could compute):
    members, amount and largest member of each, for disclosure control (reports.published)."""
    declarations_sql, declarations_params = _submitted_declarations_sql(campaign.pk, None)
    declarations_sql, declarations_params, _none, _params = scope_sql(
        declarations_sql, declarations_params, organisation_ids=scope.organisation_ids
    )
    inside, inside_params = "true", []
    if scope.sme_filter is not None:
        inside, inside_params = f"l.sme_siren IN ({scope.sme_filter[0]})", scope.sme_filter[1]
    sql = f"""
        WITH d AS ({declarations_sql}),
        per_member AS (
            SELECT d.organisation_id AS member, ({inside}) AS inside, sum(l.amount) AS amount
            FROM d JOIN {LINE_TABLE} l ON l.declaration_id = d.id
            GROUP BY 1, 2
        )
        SELECT 'outside', count(*), sum(amount), max(amount)
        FROM per_member WHERE NOT inside HAVING count(*) > 0
        UNION ALL
        SELECT 'members_total', count(*), sum(amount), max(amount)
        FROM (SELECT member, sum(amount) AS amount FROM per_member GROUP BY 1) m
        HAVING count(*) > 0
    """  # noqa: S608
    result: dict[str, list[BreakdownRow]] = {"outside": [], "members_total": []}
    for dimension, members, amount, largest in _fetchall(
        sql, [*declarations_params, *inside_params]
    ):
        result[dimension].append(
            BreakdownRow(
                key="",
                label=dimension,
                members=members,
                smes=0,
                amount=_decimal(amount),
                share=None,
                largest=_decimal(largest),
            )
        )
    return result


def programme_figures(
    campaign: Campaign, *, progress=_no_progress, edition=None
) -> ProgrammeFigures:
    """Every figure of the programme report; `progress(percent, step)` is called between
    queries (the report job shows it). With `edition`, the edition's report: the same figures
    over what `EditionScope` counts, and its members' total."""
    if edition is not None:
        return _edition_figures(campaign, edition_scope(edition), progress=progress)
    previous = previous_campaign(campaign)
    snapshot_at = snapshot_time(campaign)
    progress(10, stored(gettext_noop("Chiffres clés, répartitions et classement")))
    # One pass over each year's lines (breakdowns, key figures, members' sums, local share; year
    # N-1: its margins, key figures and local share), side by side, so that PostgreSQL uses both
    # cores.
    this_year, last_year = in_parallel(
        lambda: year_pass(campaign, local=True),
        lambda: year_pass(previous, full=False, local=True) if previous else None,
    )
    local = LocalReport(
        current=this_year.local_share, previous=last_year.local_share if previous else None
    )
    parts = this_year.parts
    current = this_year.key_figures(campaign, members=member_count(campaign.year))
    previous_figures = (
        last_year.key_figures(previous, members=member_count(previous.year)) if previous else None
    )
    previous_margins = last_year.margins() if previous else {}
    ranked = ranking(campaign, member_sums=this_year.member_sums)
    progress(45, stored(gettext_noop("Classement des membres")))
    named, anonymous = participants(campaign)
    return ProgrammeFigures(
        campaign_id=campaign.pk,
        year=campaign.year,
        methodology_version=campaign.methodology_version,
        methodology=campaign.methodology,
        snapshot_at=snapshot_at,
        current=current,
        previous=previous_figures,
        regions=parts["region"],
        domains=parts["domain"],
        sizes=parts["size"],
        ranking=ranked,
        named_participants=named,
        anonymous_participants=anonymous,
        registered_definition=registered_sme_definition(campaign),
        margins={"total": parts["total"], "registered": parts["registered"]},
        previous_margins=previous_margins,
        local_share=local,
    )


# --- a member's report ------------------------------------------------------------------------


def programme_medians(campaign: Campaign) -> ProgrammeMedians:
    """Medians of the per-declaration figures, computed in one query."""
    per_member, params = per_declaration_sql(campaign.pk)
    sql = f"""
        WITH per_member AS ({per_member})
        SELECT count(*),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY sme),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY sme * 100 / nullif(it_total, 0)),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY smes),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY delay),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY within * 100.0 / nullif(with_delay, 0)),
               count(nullif(it_total, 0)),
               count(delay)
        FROM per_member
    """  # noqa: S608
    (row,) = _fetchall(sql, params)
    return ProgrammeMedians(
        declarations=row[0],
        sme_purchases=_decimal(row[1]),
        sme_share=_decimal(row[2]),
        distinct_smes=_decimal(row[3]),
        median_payment_delay=_decimal(row[4]),
        paid_within_60_share=_decimal(row[5]),
        declarations_with_share=row[6],
        declarations_with_delay=row[7],
    )


def top_smes(campaign: Campaign, *, organisation_id: int, limit: int = 10) -> list[TopSME]:
    return members_top_smes(campaign, organisation_ids=[organisation_id], limit=limit).get(
        organisation_id, []
    )


def members_top_smes(
    campaign: Campaign, *, organisation_ids: list[int], limit: int = 10
) -> dict[int, list[TopSME]]:
    """Each member's largest SMEs of the campaign (its submitted declaration), one query for
    all of `organisation_ids`: amount, then SIREN, order; the SME's name as `max(sme_name)`."""
    declarations_sql, params = declarations_sql_for(campaign.pk, organisation_ids)
    sql = f"""
        WITH d AS MATERIALIZED ({declarations_sql}),
        per_sme AS (
            SELECT d.organisation_id AS member, l.sme_siren AS siren, max(l.sme_name) AS name,
                   sum(l.amount) AS amount, count(l.id) AS lines
            FROM d JOIN {LINE_TABLE} l ON l.declaration_id = d.id
            GROUP BY 1, 2
        ),
        ranked AS (
            SELECT *, row_number() OVER (PARTITION BY member ORDER BY amount DESC, siren) AS n
            FROM per_sme
        )
        SELECT member, siren, name, amount, lines FROM ranked WHERE n <= %s ORDER BY member, n
    """  # noqa: S608
    result: dict[int, list[TopSME]] = {}
    for member, siren, name, amount, lines in _fetchall(sql, [*params, limit]):
        result.setdefault(member, []).append(
            TopSME(siren=siren, name=name, amount=amount, lines=lines)
        )
    return result


def declarations_sql_for(campaign_id: int, organisation_ids: list[int]) -> tuple[str, list]:
    """The campaign's submitted declarations of the members `organisation_ids`."""
    sql, params = _submitted_declarations_sql(campaign_id, None)
    return f"{sql} AND d.organisation_id = ANY(%s)", [*params, list(organisation_ids)]


def members_key_figures(
    campaign: Campaign, *, organisation_ids: list[int]
) -> dict[int, KeyFigures]:
    """`key_figures(campaign, organisation_id=…)` of each member of `organisation_ids`, in one
    query grouped by member (a member without a submitted declaration gets the empty figures
    that `key_figures` gives)."""
    cte, params = declarations_sql_for(campaign.pk, organisation_ids)
    sql = f"""
        WITH d AS MATERIALIZED ({cte}),
        per_member AS (
            SELECT organisation_id, count(*) AS n, sum(it_purchases_total) AS it_total
            FROM d GROUP BY 1
        ),
        aggregates AS (
            SELECT d.organisation_id, {LINE_AGGREGATES}
            FROM d {LINES_JOIN}
            GROUP BY d.organisation_id
        )
        SELECT m.organisation_id, m.n, m.it_total, a.sme, a.registered, a.smes,
               a.registered_smes, a.delay, a.with_delay, a.within, a.lines
        FROM per_member m JOIN aggregates a ON a.organisation_id = m.organisation_id
    """  # noqa: S608
    result = {
        row[0]: _key_figures(
            year=campaign.year, members=1, declarations=row[1], it_total=row[2], aggregates=row[3:]
        )
        for row in _fetchall(sql, [*params, PAYMENT_DELAY_LIMIT_DAYS, PUBLISHED])
    }
    for organisation_id in organisation_ids:
        result.setdefault(organisation_id, empty_key_figures(campaign.year))
    return result


def members_breakdowns(
    campaign: Campaign, *, organisation_ids: list[int]
) -> dict[int, dict[str, list[BreakdownRow]]]:
    """The region and domain rows of `breakdowns(campaign, organisation_id=…)` for each member of
    `organisation_ids`, in one query grouped by member (one member per cell: members is 1 and
    the largest member's amount is the cell's amount)."""
    cte, params = declarations_sql_for(campaign.pk, organisation_ids)
    sql = f"""
        WITH d AS MATERIALIZED ({cte}),
        lines AS (
            SELECT d.organisation_id AS member, l.sme_siren COLLATE "C" AS siren, l.amount,
                   l.domain_id::text COLLATE "C" AS domain,
                   coalesce(p.region_id, '') COLLATE "C" AS region
            FROM d
            JOIN {LINE_TABLE} l ON l.declaration_id = d.id
            {registered_profile_join()}
        )
        SELECT member, 'region', region, count(DISTINCT siren), sum(amount)
        FROM lines GROUP BY member, region
        UNION ALL
        SELECT member, 'domain', domain, count(DISTINCT siren), sum(amount)
        FROM lines GROUP BY member, domain
    """  # noqa: S608
    rows: dict[int, list[tuple]] = {organisation_id: [] for organisation_id in organisation_ids}
    for member, dimension, key, smes, amount in _fetchall(sql, [*params, PUBLISHED]):
        rows[member].append((dimension, key, 1, smes, amount, amount))
    labels = _labels()
    return {member: _breakdown_result(member_rows, labels) for member, member_rows in rows.items()}


def member_figures(
    campaign: Campaign, *, organisation: Organisation, medians: ProgrammeMedians | None = None
) -> MemberFigures:
    return members_figures(campaign, organisations=[organisation], medians=medians)[organisation.pk]


def members_figures(
    campaign: Campaign,
    *,
    organisations: list[Organisation],
    medians: ProgrammeMedians | None = None,
) -> dict[int, MemberFigures]:
    """`member_figures` of several members (a batch of member reports): the programme's figures
    (medians, previous campaign, data snapshot) computed once, each member's figures in a few
    queries grouped by member. Keyed by organisation id."""
    previous = previous_campaign(campaign)
    ids = [organisation.pk for organisation in organisations]
    snapshot_at = snapshot_time(campaign)
    medians = medians or programme_medians(campaign)
    definition = registered_sme_definition(campaign)
    current = members_key_figures(campaign, organisation_ids=ids)
    previous_figures = (
        members_key_figures(previous, organisation_ids=ids) if previous else dict.fromkeys(ids)
    )
    parts = members_breakdowns(campaign, organisation_ids=ids)
    tops = members_top_smes(campaign, organisation_ids=ids)
    local = members_local_shares(
        [campaign, previous] if previous else [campaign], organisation_ids=ids
    )
    return {
        organisation.pk: MemberFigures(
            campaign_id=campaign.pk,
            year=campaign.year,
            organisation_id=organisation.pk,
            organisation_name=organisation.name,
            methodology_version=campaign.methodology_version,
            snapshot_at=snapshot_at,
            current=current[organisation.pk],
            previous=previous_figures[organisation.pk],
            medians=medians,
            regions=parts[organisation.pk]["region"],
            domains=parts[organisation.pk]["domain"],
            top_smes=tops.get(organisation.pk, []),
            registered_definition=definition,
            local_share=LocalReport(
                current=local[organisation.pk][campaign.year],
                previous=local[organisation.pk][previous.year] if previous else None,
            ),
        )
        for organisation in organisations
    }


# --- an edition's report ----------------------------------------------------------------------


def _edition_figures(
    campaign: Campaign, scope: EditionScope, *, progress=_no_progress
) -> ProgrammeFigures:
    """The programme report's figures over an edition (`EditionScope`), one after the other
    (an edition is a small part of the programme's lines)."""
    previous = previous_campaign(campaign)
    filters = scope.filters()
    progress(10, stored(gettext_noop("Chiffres clés, répartitions et classement")))
    parts = breakdowns(campaign, **filters)
    current = key_figures(campaign, **filters)
    members_total = key_figures(campaign, organisation_ids=scope.organisation_ids)
    previous_figures = key_figures(previous, **filters) if previous else None
    previous_margins = margins(previous, **filters) if previous else {}
    progress(45, stored(gettext_noop("Classement des membres")))
    ranked = ranking(campaign, **filters)
    named, anonymous = participants(campaign, organisation_ids=scope.organisation_ids)
    totals = edition_margins(campaign, scope)
    return ProgrammeFigures(
        campaign_id=campaign.pk,
        year=campaign.year,
        methodology_version=campaign.methodology_version,
        methodology=campaign.methodology,
        snapshot_at=snapshot_time(campaign),
        current=current,
        previous=previous_figures,
        regions=parts["region"],
        domains=parts["domain"],
        sizes=parts["size"],
        ranking=ranked,
        named_participants=named,
        anonymous_participants=anonymous,
        registered_definition=registered_sme_definition(campaign),
        margins={"total": parts["total"], "registered": parts["registered"], **totals},
        previous_margins=previous_margins,
        edition_name=scope.name,
        edition_kind=scope.kind,
        edition_regions=scope.regions,
        edition_members=tuple(scope.organisation_ids),
        members_total=members_total,
        local_share=edition_local_share(
            campaign, edition_id=scope.edition_id, organisation_ids=scope.organisation_ids
        ),
    )
