"""One definition of each figure, used by every surface that shows it.

The account's figures page and its CSV/XLSX exports (procurement), the programme and member
reports and their XLSX annexes (reports, which sits above procurement) all read their key figures
from here, computed in PostgreSQL (no Python loop over order lines):

- SME purchases: the sum of the order lines' amounts (excl. VAT);
- SME share: SME purchases ÷ declared external IT purchases, in %;
- registered-SME purchases: the lines whose SIREN has a directory profile *registered at the
  campaign's closing date* (see `registered_cutoff`); their share of the SME purchases, in %;
- distinct SMEs (and distinct registered SMEs): distinct SIRENs of the lines;
- median payment delay and share paid within 60 days: over the lines whose delay is given;
- local-purchasing share (`local_share`): of the SME purchases, the share placed with SMEs of the
  same département as the line's buying site, of the same region, of a territory, with "site
  unknown" and "SME location unknown" apart; change from N-1 in points.
- change from N-1: in % for amounts, in points for shares, in days for delays, a difference for
  counts (`Figure.change`).

A programme's or a member's figures (the reports) count *submitted* declarations only; the
account's own page also shows a draft's figures, computed by the same query, and says it is a
draft.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation
from directory.models import Departement, SMEProfile

from . import formatting as fmt
from .models import Campaign, Declaration, DeclarationFigures, OrderLine, Site

# A figure about a group of members is published only if it describes at least this many.
MIN_MEMBERS = 3
PAYMENT_DELAY_LIMIT_DAYS = 60
HUNDRED = Decimal(100)

LINE_TABLE = OrderLine._meta.db_table
DECLARATION_TABLE = Declaration._meta.db_table
CAMPAIGN_TABLE = Campaign._meta.db_table
PROFILE_TABLE = SMEProfile._meta.db_table
SUBMITTED = Declaration.State.SUBMITTED.value
PUBLISHED = SMEProfile.State.PUBLISHED.value

# Sorts for count(DISTINCT …) and percentile_cont over millions of lines stay in memory (at 64MB
# the 2M lines of a year spilled to disk: a key figures query took 4.1 s, 3.4 s at 256MB).
REPORT_WORK_MEM = "256MB"


# --- "registered SME" ---------------------------------------------------------------------------


def registered_cutoff(campaign: Campaign) -> datetime.datetime:
    """An SME counts as registered for a campaign when its directory profile is published and was
    published before this instant: the end of the campaign's closing day (Paris time).

    While the campaign is open every profile published so far counts, and the figure no longer
    moves once the campaign has closed (a profile published later counts from the next year on).
    The SQL queries use the same rule (`CUTOFF_SQL`).
    """
    next_day = campaign.closes_on + datetime.timedelta(days=1)
    return datetime.datetime.combine(
        next_day, datetime.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE)
    )


# The same instant in SQL, from a campaign row aliased `c` (one parameter: the time zone).
CUTOFF_SQL = "((c.closes_on + 1)::timestamp AT TIME ZONE %s)"


def registered_profile_join(
    *,
    profile: str = "p",
    line: str = "l",
    cutoff: str = "d.registered_cutoff",
    lateral_columns: str | None = None,
) -> str:
    """LEFT JOIN of the profile that makes a line's SME registered (one parameter: PUBLISHED,
    then the cutoff's if `cutoff` is "%s"); `{profile}.id IS NOT NULL` then means "registered".
    `cutoff` names a column of the declarations CTE (`declarations_sql`).

    With `lateral_columns` (read from `{profile}`, e.g. "p.id, p.region_id"), one index lookup
    per row (LIMIT keeps the lateral subquery a nested loop): for a few accounts' thousand SMEs,
    where a hash join would first read every published profile."""
    condition = (
        f"{profile}.siren = {line}.sme_siren "
        f"AND {profile}.state = %s AND {profile}.published_at < {cutoff}"
    )
    if lateral_columns is None:
        return f"LEFT JOIN {PROFILE_TABLE} {profile} ON {condition}"
    return (
        f"LEFT JOIN LATERAL (SELECT {lateral_columns} FROM {PROFILE_TABLE} {profile} "  # noqa: S608 - names from the code only
        f"WHERE {condition} LIMIT 1) {profile} ON true"
    )


def registered_sme(campaign: Campaign) -> Exists:
    """ORM flag of an order line of `campaign`: its SME is registered (same rule as the SQL)."""
    return Exists(
        SMEProfile.objects.filter(
            siren=OuterRef("sme_profile_id"),
            state=SMEProfile.State.PUBLISHED,
            published_at__lt=registered_cutoff(campaign),
        )
    )


def registered_sme_definition(campaign: Campaign) -> str:
    """The methodology's sentence defining a registered SME for this campaign."""
    return _(
        "Une PME est dite « inscrite » (innovante, membre du programme) lorsque son SIREN "
        "correspond à un profil publié dans l'annuaire du programme au plus tard le jour de "
        "clôture de la campagne %(year)s, le %(date)s ; un profil en brouillon, en attente de "
        "validation, refusé ou publié après cette date ne compte pas. Tant que la campagne est "
        "ouverte, ce sont les profils publiés à ce jour."
    ) % {"year": campaign.year, "date": formats.date_format(campaign.closes_on, "j F Y")}


# --- the key figures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyFigures:
    """The headline figures of a set of declarations (a campaign, a member, one declaration)."""

    year: int
    members: int
    declarations: int
    it_purchases: Decimal | None
    sme_purchases: Decimal
    registered_sme_purchases: Decimal
    distinct_smes: int
    registered_smes: int
    median_payment_delay: Decimal | None
    lines_with_delay: int
    lines_paid_within_60: int
    lines: int

    @property
    def sme_share(self) -> Decimal | None:
        """SME purchases as a percentage of external IT purchases."""
        if not self.it_purchases:
            return None
        return self.sme_purchases * HUNDRED / self.it_purchases

    @property
    def registered_share(self) -> Decimal | None:
        """Registered SMEs' part of the SME purchases, in %."""
        if not self.sme_purchases:
            return None
        return self.registered_sme_purchases * HUNDRED / self.sme_purchases

    @property
    def paid_within_60_share(self) -> Decimal | None:
        if not self.lines_with_delay:
            return None
        return Decimal(self.lines_paid_within_60) * HUNDRED / self.lines_with_delay

    @property
    def suppressed(self) -> bool:
        """Totals of fewer than three declarations would let one read a member's figures."""
        return self.declarations < MIN_MEMBERS

    @property
    def sme_purchases_exceed_it_purchases(self) -> bool:
        return self.it_purchases is not None and self.sme_purchases > self.it_purchases


def _fetchall(
    sql: str, params: list, *, large: bool = True, work_mem: str = REPORT_WORK_MEM
) -> list[tuple]:
    """The rows of a figures query; `large` (a campaign's lines) gives its sorts room in memory
    (`work_mem`). One account's or one declaration's lines need no setting: one round trip
    instead of five (JIT is off for every connection, see DATABASES in settings)."""
    if not large:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = %s", [work_mem])
        cursor.execute("SET LOCAL jit = off")  # compiling costs more than it saves here
        cursor.execute(sql, params)
        return cursor.fetchall()


def _decimal(value) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def declarations_sql(
    *,
    campaign_id: int | None = None,
    organisation_id: int | None = None,
    submitted_only: bool = True,
) -> tuple[str, list]:
    """The declarations a figure describes, with their campaign's year and registration cutoff:
    columns id, organisation_id, state, it_purchases_total, updated_at, year, registered_cutoff."""
    sql = (
        f"SELECT d.id, d.organisation_id, d.state, d.it_purchases_total, d.updated_at, c.year, "  # noqa: S608
        f"{CUTOFF_SQL} AS registered_cutoff "
        f"FROM {DECLARATION_TABLE} d JOIN {CAMPAIGN_TABLE} c ON c.id = d.campaign_id WHERE true"
    )
    params: list = [settings.TIME_ZONE]
    if campaign_id is not None:
        sql += " AND d.campaign_id = %s"
        params.append(campaign_id)
    if organisation_id is not None:
        sql += " AND d.organisation_id = %s"
        params.append(organisation_id)
    if submitted_only:
        sql += " AND d.state = %s"
        params.append(SUBMITTED)
    return sql, params


# The line aggregates of every key figure, over `d` (declarations) joined to their lines `l` and
# to the registering profile `p`. Parameters: PAYMENT_DELAY_LIMIT_DAYS.
LINE_AGGREGATES = """
    coalesce(sum(l.amount), 0) AS sme,
    coalesce(sum(l.amount) FILTER (WHERE p.id IS NOT NULL), 0) AS registered,
    count(DISTINCT l.sme_siren COLLATE "C") AS smes,
    count(DISTINCT p.id) AS registered_smes,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY l.payment_delay_days) AS delay,
    count(l.payment_delay_days) AS with_delay,
    count(l.id) FILTER (WHERE l.payment_delay_days <= %s) AS within,
    count(l.id) AS lines
"""
LINES_JOIN = f"LEFT JOIN {LINE_TABLE} l ON l.declaration_id = d.id " + registered_profile_join()


def _key_figures(*, year: int, members: int, declarations: int, it_total, aggregates) -> KeyFigures:
    sme, registered, smes, registered_smes, median, with_delay, within, lines = aggregates
    return KeyFigures(
        year=year,
        members=members,
        declarations=declarations,
        it_purchases=_decimal(it_total),
        sme_purchases=_decimal(sme),
        registered_sme_purchases=_decimal(registered),
        distinct_smes=smes,
        registered_smes=registered_smes,
        median_payment_delay=_decimal(median),
        lines_with_delay=with_delay,
        lines_paid_within_60=within,
        lines=lines,
    )


def member_count(year: int) -> int:
    """Large accounts that had joined the programme by the end of the year."""
    return (
        Organisation.objects.large_accounts()
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=datetime.date(year, 12, 31)))
        .count()
    )


def scope_sql(
    cte: str,
    params: list,
    *,
    organisation_ids: list[int] | None = None,
    sme_filter: tuple[str, list] | None = None,
) -> tuple[str, list, str, list]:
    """Restrict a figure to some members (`organisation_ids`, appended to a `declarations_sql`
    CTE) and to some SMEs (`sme_filter`: SQL selecting SIRENs, and its parameters, e.g. an
    edition's SMEs). Returns the CTE and its parameters, then the condition on the lines `l`
    ("AND l.sme_siren IN (…)" or "") and its parameters."""
    if organisation_ids is not None:
        cte += " AND d.organisation_id = ANY(%s)"
        params = [*params, list(organisation_ids)]
    if sme_filter is None:
        return cte, params, "", []
    sql, sme_params = sme_filter
    return cte, params, f" AND l.sme_siren IN ({sql})", list(sme_params)


def key_figures(
    campaign: Campaign,
    *,
    organisation_id: int | None = None,
    organisation_ids: list[int] | None = None,
    sme_filter: tuple[str, list] | None = None,
) -> KeyFigures:
    """Headline figures of the campaign's submitted declarations (or of one member's); with
    `organisation_ids` and `sme_filter`, of those members' purchases from those SMEs only (an
    edition's report, `scope_sql`): `members` is then the number of those members."""
    cte, cte_params = declarations_sql(campaign_id=campaign.pk, organisation_id=organisation_id)
    cte, cte_params, line_filter, line_params = scope_sql(
        cte, cte_params, organisation_ids=organisation_ids, sme_filter=sme_filter
    )
    lines_join = (
        f"LEFT JOIN {LINE_TABLE} l ON l.declaration_id = d.id{line_filter} "
        + registered_profile_join()
    )
    sql = f"""
        WITH d AS ({cte})
        SELECT (SELECT count(*) FROM d), (SELECT sum(it_purchases_total) FROM d), {LINE_AGGREGATES}
        FROM d {lines_join}
    """  # noqa: S608
    (row,) = _fetchall(sql, [*cte_params, PAYMENT_DELAY_LIMIT_DAYS, *line_params, PUBLISHED])
    if organisation_id is not None:
        members = 1
    elif organisation_ids is not None:
        members = len(set(organisation_ids))
    else:
        members = member_count(campaign.year)
    return _key_figures(
        year=campaign.year,
        members=members,
        declarations=row[0],
        it_total=row[1],
        aggregates=row[2:],
    )


def _per_declaration(
    *,
    organisation_id=None,
    campaign_id=None,
    submitted_only: bool,
    declaration_ids: list[int] | None = None,
) -> list[tuple]:
    """(declaration id, state, year, it total, aggregates…, updated_at, settled) per
    declaration, one query; `settled`: the campaign's registration cutoff has passed."""
    cte, cte_params = declarations_sql(
        campaign_id=campaign_id, organisation_id=organisation_id, submitted_only=submitted_only
    )
    if declaration_ids is not None:
        cte += " AND d.id = ANY(%s)"
        cte_params.append(list(declaration_ids))
    sql = f"""
        WITH d AS ({cte})
        SELECT d.id, d.state, d.year, d.it_purchases_total, {LINE_AGGREGATES},
               d.updated_at, d.registered_cutoff <= %s
        FROM d {LINES_JOIN}
        GROUP BY d.id, d.state, d.year, d.it_purchases_total, d.updated_at, d.registered_cutoff
        ORDER BY d.year DESC, d.id
    """  # noqa: S608
    return _fetchall(
        sql,
        [*cte_params, PAYMENT_DELAY_LIMIT_DAYS, timezone.now(), PUBLISHED],
        large=organisation_id is None,
    )


AGGREGATE_FIELDS = [
    "sme_purchases",
    "registered_sme_purchases",
    "distinct_smes",
    "registered_smes",
    "median_payment_delay",
    "lines_with_delay",
    "lines_paid_within_60",
    "lines",
]


def _keep(rows: list[tuple]) -> int:
    """Store the aggregates of the rows (`_per_declaration`) of submitted declarations whose
    registration cutoff has passed: their figures no longer move (DeclarationFigures)."""
    now = timezone.now()
    kept = [
        DeclarationFigures(
            declaration_id=row[0],
            declaration_updated_at=row[12],
            computed_at=now,
            **dict(zip(AGGREGATE_FIELDS, row[4:12], strict=True)),
        )
        for row in rows
        if row[1] == SUBMITTED and row[13]
    ]
    DeclarationFigures.objects.bulk_create(
        kept,
        update_conflicts=True,
        unique_fields=["declaration"],
        update_fields=["declaration_updated_at", "computed_at", *AGGREGATE_FIELDS],
    )
    return len(kept)


def store_campaign_figures(campaign: Campaign) -> int:
    """Keep the figures of the campaign's submitted declarations (once its registration cutoff
    has passed; before, nothing is kept), in one grouped query: what the account's figures
    page then reads. Returns how many were kept."""
    return _keep(_per_declaration(campaign_id=campaign.pk, submitted_only=True))


def declaration_key_figures(declaration: Declaration) -> KeyFigures:
    """The figures of one declaration, whatever its state (the declaration's own pages)."""
    return declaration_figures_and_answers(declaration)[0]


def _kept_row(declaration: Declaration) -> DeclarationFigures | None:
    """The declaration's kept figures while they still describe it (as `_account_rows` uses
    them): submitted, not changed since, computed after its campaign's registration cutoff."""
    if declaration.state != SUBMITTED:
        return None
    stored = DeclarationFigures.objects.filter(
        declaration=declaration,
        declaration_updated_at=declaration.updated_at,
        computed_at__gte=registered_cutoff(declaration.campaign),
    ).first()
    return stored


def declaration_figures_and_answers(declaration: Declaration) -> tuple[KeyFigures, dict]:
    """The declaration's figures and its SMEs' answers (disputed, confirmed lines), in one
    aggregate over its lines (the declaration page). A settled submitted declaration's figures
    are its kept ones (DeclarationFigures, as on the account's figures page): only the answers,
    which SMEs may still give, are counted over its lines."""
    kept = _kept_row(declaration)
    if kept is not None:
        answered = [OrderLine.SMEStatus.CONFIRMED, OrderLine.SMEStatus.DISPUTED]
        # The answered lines only, through their partial index (orderline_answered).
        answers = OrderLine.objects.filter(
            declaration=declaration, sme_status__in=answered
        ).aggregate(
            disputed=Count("pk", filter=Q(sme_status=OrderLine.SMEStatus.DISPUTED)),
            confirmed=Count("pk", filter=Q(sme_status=OrderLine.SMEStatus.CONFIRMED)),
        )
        figures = _key_figures(
            year=declaration.campaign.year,
            members=1,
            declarations=1,
            it_total=declaration.it_purchases_total,
            aggregates=[getattr(kept, name) for name in AGGREGATE_FIELDS],
        )
        return figures, answers
    cte, cte_params = declarations_sql(
        campaign_id=declaration.campaign_id,
        organisation_id=declaration.organisation_id,
        submitted_only=False,
    )
    sql = f"""
        WITH d AS ({cte})
        SELECT d.state, d.year, d.it_purchases_total, {LINE_AGGREGATES},
               count(l.id) FILTER (WHERE l.sme_status = %s),
               count(l.id) FILTER (WHERE l.sme_status = %s)
        FROM d {LINES_JOIN}
        GROUP BY d.id, d.state, d.year, d.it_purchases_total
    """  # noqa: S608
    (row,) = _fetchall(
        sql,
        [
            *cte_params,
            PAYMENT_DELAY_LIMIT_DAYS,
            OrderLine.SMEStatus.DISPUTED.value,
            OrderLine.SMEStatus.CONFIRMED.value,
            PUBLISHED,
        ],
        large=False,
    )
    figures = _key_figures(
        year=row[1],
        members=1,
        declarations=1 if row[0] == SUBMITTED else 0,
        it_total=row[2],
        aggregates=row[3:11],
    )
    return figures, {"disputed": row[11], "confirmed": row[12]}


@dataclass(frozen=True)
class AccountYear:
    declaration_id: int
    state: str
    figures: KeyFigures

    @property
    def year(self) -> int:
        return self.figures.year

    @property
    def submitted(self) -> bool:
        return self.state == SUBMITTED

    @property
    def state_label(self) -> str:
        return Declaration.State(self.state).label


def _account_rows(organisation: Organisation) -> list[tuple]:
    """`_per_declaration` rows of every declaration of the account: read from DeclarationFigures
    where a kept row still describes the declaration, computed (and kept when settled) for the
    others, which are few (the year being declared, a declaration submitted again)."""
    declarations = list(
        Declaration.objects.filter(organisation=organisation)
        .select_related("campaign", "stored_figures")
        .order_by("-campaign__year", "pk")
    )
    rows: dict[int, tuple] = {}
    missing = []
    for declaration in declarations:
        stored = getattr(declaration, "stored_figures", None)
        if (
            stored is not None
            and declaration.state == SUBMITTED
            and stored.declaration_updated_at == declaration.updated_at
            and stored.computed_at >= registered_cutoff(declaration.campaign)
        ):
            rows[declaration.pk] = (
                declaration.pk,
                declaration.state,
                declaration.campaign.year,
                declaration.it_purchases_total,
                *(getattr(stored, name) for name in AGGREGATE_FIELDS),
            )
        else:
            missing.append(declaration.pk)
    if missing:
        computed = _per_declaration(
            organisation_id=organisation.pk, submitted_only=False, declaration_ids=missing
        )
        _keep(computed)
        rows |= {row[0]: row for row in computed}
    return [rows[declaration.pk] for declaration in declarations]


def account_years(organisation: Organisation) -> list[AccountYear]:
    """The account's figures for each year it declared (newest first).

    A submitted declaration's figures are those of the account's report; a draft's or a reopened
    declaration's are the same computation over what is entered so far (the report ignores them).
    Settled years come from DeclarationFigures (`_account_rows`), so that ten years of lines are
    not read again at each view.
    """
    return [
        AccountYear(
            declaration_id=row[0],
            state=row[1],
            figures=_key_figures(
                year=row[2],
                members=1,
                declarations=1 if row[1] == SUBMITTED else 0,
                it_total=row[3],
                aggregates=row[4:12],
            ),
        )
        for row in _account_rows(organisation)
    ]


def empty_key_figures(year: int) -> KeyFigures:
    """What `key_figures` gives for a member without a submitted declaration that year."""
    return KeyFigures(
        year=year,
        members=1,
        declarations=0,
        it_purchases=None,
        sme_purchases=Decimal(0),
        registered_sme_purchases=Decimal(0),
        distinct_smes=0,
        registered_smes=0,
        median_payment_delay=None,
        lines_with_delay=0,
        lines_paid_within_60=0,
        lines=0,
    )


def account_previous_year(years: list[AccountYear], year: int) -> KeyFigures | None:
    """The member's figures of year-1 as its report shows them: submitted declarations only
    (None when there was no campaign that year)."""
    for row in years:
        if row.year == year - 1:
            return row.figures if row.submitted else empty_key_figures(year - 1)
    if Campaign.objects.filter(year=year - 1).exists():
        return empty_key_figures(year - 1)
    return None


def per_declaration_sql(campaign_id: int) -> tuple[str, list]:
    """The per-declaration figures of a campaign's submitted declarations, as a query with the
    columns id, it_total, sme, registered, smes, registered_smes, delay, with_delay, within, lines
    (for medians across members)."""
    cte, cte_params = declarations_sql(campaign_id=campaign_id)
    sql = f"""
        WITH d AS ({cte})
        SELECT d.id, d.it_purchases_total AS it_total, {LINE_AGGREGATES}
        FROM d {LINES_JOIN}
        GROUP BY d.id, d.it_purchases_total
    """  # noqa: S608
    return sql, [*cte_params, PAYMENT_DELAY_LIMIT_DAYS, PUBLISHED]


def sme_excess_message(key: KeyFigures) -> str:
    """Why SME orders above the declared IT purchases stop a submission, and what to check."""
    return _(
        "Les commandes déclarées auprès des PME (%(sme)s) dépassent le total des achats "
        "informatiques externes (%(it)s), soit %(share)s. Vérifiez d'abord le total des achats "
        "informatiques externes (en euros hors taxes, pour toute l'année), puis les montants des "
        "lignes (une saisie en centimes ou en double ?). Si les deux sont exacts, expliquez "
        "l'écart dans le champ « Justification de l'écart » en soumettant : l'équipe du "
        "programme la verra."
    ) % {
        "sme": fmt.euros(key.sme_purchases),
        "it": fmt.euros(key.it_purchases),
        "share": fmt.percent(key.sme_share),
    }


# --- how each figure is shown -------------------------------------------------------------------

_FORMATS = {"euros": fmt.euros, "percent": fmt.percent, "number": fmt.number, "days": fmt.days}
_CHANGES = {
    "ratio": fmt.change_ratio,
    "points": fmt.change_points,
    "count": fmt.change_count,
    "days": fmt.change_days,
}


@dataclass(frozen=True)
class Figure:
    """A key figure: where to read it on KeyFigures, how to show it and its change from N-1."""

    key: str
    label: str
    kind: str  # euros, percent, number, days
    change_kind: str  # ratio (% for amounts), points (shares), count, days
    programme_only: bool = False

    def value(self, figures: KeyFigures):
        return getattr(figures, self.key)

    def formatted(self, figures: KeyFigures) -> str:
        return _FORMATS[self.kind](self.value(figures))

    def formatted_change(self, current: KeyFigures, previous: KeyFigures | None) -> str:
        if previous is None:
            return fmt.MISSING
        return _CHANGES[self.change_kind](self.value(current), self.value(previous))


KEY_FIGURES = [
    Figure("members", gettext_lazy("Membres du programme"), "number", "count", True),
    Figure("declarations", gettext_lazy("Déclarations soumises"), "number", "count", True),
    Figure("it_purchases", gettext_lazy("Achats informatiques externes"), "euros", "ratio"),
    Figure("sme_purchases", gettext_lazy("Achats auprès des PME"), "euros", "ratio"),
    Figure("sme_share", gettext_lazy("Part PME des achats"), "percent", "points"),
    Figure(
        "registered_sme_purchases",
        gettext_lazy("Achats auprès des PME innovantes inscrites"),
        "euros",
        "ratio",
    ),
    Figure(
        "registered_share",
        gettext_lazy("Part des PME inscrites dans les achats PME"),
        "percent",
        "points",
    ),
    Figure("distinct_smes", gettext_lazy("PME distinctes"), "number", "count"),
    Figure("median_payment_delay", gettext_lazy("Délai de paiement médian"), "days", "days"),
    Figure(
        "paid_within_60_share", gettext_lazy("Commandes payées sous 60 jours"), "percent", "points"
    ),
]


def key_figure_list(*, programme: bool) -> list[Figure]:
    """The figures a table shows: a member's (or an account's) leave out the programme's counts."""
    return [f for f in KEY_FIGURES if programme or not f.programme_only]


@dataclass(frozen=True)
class KeyRow:
    label: str
    value: str
    previous: str
    change: str


def key_rows(current: KeyFigures, previous: KeyFigures | None) -> list[KeyRow]:
    """A member's (account's) key figures of year N and N-1 with their change, formatted."""
    return [
        KeyRow(
            label=str(f.label),
            value=f.formatted(current),
            previous=f.formatted(previous) if previous is not None else fmt.MISSING,
            change=f.formatted_change(current, previous),
        )
        for f in key_figure_list(programme=False)
    ]


# --- the local-purchasing share -----------------------------------------------------------------
#
# Of the SME purchases of a set of declarations, the part placed with SMEs of the same
# département as the line's buying site (`OrderLine.site`), of the same region, and of a given
# territory (a list of département codes: an edition's territory). The SME's place is its
# registered directory profile's (the same profile as "registered SME", `registered_profile_join`:
# an unregistered SME has no known place). Every line falls in exactly one of five parts:
#   same_departement | same_region_other (same region, another département) | elsewhere
#   | site_unknown (the line names no site) | sme_location_unknown (a site, but no SME département)
# "Same region" = same_departement + same_region_other. The territory share is about the SME
# only (wherever the buying site is); an SME without a known département is outside it.

LOCAL_PARTS = (
    "same_departement",
    "same_region_other",
    "elsewhere",
    "site_unknown",
    "sme_location_unknown",
    "territory",
    "outside_territory",
)
SITE_TABLE = Site._meta.db_table
DEPARTEMENT_TABLE = Departement._meta.db_table


@dataclass(frozen=True)
class LocalPart:
    """A part of the SME purchases: its amount, how many members contribute to it and the
    largest member's amount (what disclosure control needs)."""

    amount: Decimal
    members: int
    largest: Decimal


@dataclass(frozen=True)
class LocalShare:
    """The local-purchasing share of a set of declarations (`local_share`)."""

    year: int
    declarations: int
    sme_purchases: Decimal
    parts: dict[str, LocalPart]
    members: int = 0  # members with SME purchases
    largest: Decimal = Decimal(0)  # the largest member's SME purchases
    has_territory: bool = False

    def amount(self, key: str) -> Decimal | None:
        """The amount of a shown figure (LOCAL_FIGURES keys)."""
        if key == "territory" and not self.has_territory:
            return None
        if key == "same_region":
            return self.parts["same_departement"].amount + self.parts["same_region_other"].amount
        return self.parts[key].amount

    def share(self, key: str) -> Decimal | None:
        """The figure as a percentage of the SME purchases (None without SME purchases)."""
        amount = self.amount(key)
        if amount is None or not self.sme_purchases:
            return None
        return amount * HUNDRED / self.sme_purchases

    @property
    def same_departement_share(self) -> Decimal | None:
        return self.share("same_departement")

    @property
    def same_region_share(self) -> Decimal | None:
        return self.share("same_region")

    @property
    def territory_share(self) -> Decimal | None:
        return self.share("territory")

    @property
    def site_unknown_share(self) -> Decimal | None:
        return self.share("site_unknown")

    @property
    def sme_location_unknown_share(self) -> Decimal | None:
        return self.share("sme_location_unknown")

    @property
    def suppressed(self) -> bool:
        """As the key figures: fewer than three declarations would show one member's figures."""
        return self.declarations < MIN_MEMBERS

    def change(self, key: str, previous: LocalShare | None) -> Decimal | None:
        """The change of a share from `previous` (year N-1), in points."""
        if previous is None:
            return None
        current, before = self.share(key), previous.share(key)
        if current is None or before is None:
            return None
        return current - before


# The local share of a set of lines, in pieces that `_local_sql` and the programme report's pass
# over a year's lines (`reports.figures.year_pass`) both put together: one definition.
# LOCAL_LINE_JOINS: after `registered_profile_join()` (profile `p`), the line's buyer site `s`
# and its département `sd`; LOCAL_LINE_COLUMNS: what each line contributes (one parameter: the
# territory's département codes); LOCAL_MEMBER_SUMS: a member's SME purchases and each part of
# them, over those columns grouped by member.
LOCAL_LINE_JOINS = (
    f"LEFT JOIN {SITE_TABLE} s ON s.id = l.site_id "
    f"LEFT JOIN {DEPARTEMENT_TABLE} sd ON sd.code = s.departement_id"
)
_LOCAL_LINE_EXPRESSIONS = {
    "no_site": "l.site_id IS NULL",
    "no_place": "p.departement_id IS NULL",
    "same_dep": "s.departement_id = p.departement_id",
    "same_reg": "sd.region_id = p.region_id",
    "inside": "coalesce(p.departement_id = ANY(%s), false)",
}
LOCAL_LINE_COLUMNS = ",\n".join(f"{sql} AS {name}" for name, sql in _LOCAL_LINE_EXPRESSIONS.items())
# The names of LOCAL_LINE_COLUMNS: what LOCAL_MEMBER_SUMS reads besides the amount.
LOCAL_LINE_KEYS = tuple(_LOCAL_LINE_EXPRESSIONS)
LOCAL_MEMBER_SUMS = """
    sum(amount) AS total,
    sum(amount) FILTER (WHERE same_dep) AS same_departement,
    sum(amount) FILTER (WHERE same_reg AND NOT same_dep) AS same_region_other,
    sum(amount) FILTER (WHERE NOT no_site AND NOT no_place AND NOT same_reg) AS elsewhere,
    sum(amount) FILTER (WHERE no_site) AS site_unknown,
    sum(amount) FILTER (WHERE NOT no_site AND no_place) AS sme_location_unknown,
    sum(amount) FILTER (WHERE inside) AS territory,
    sum(amount) FILTER (WHERE NOT inside) AS outside_territory
"""


# Up to this many accounts, `_local_sql` looks their SMEs up one by one (an account names about
# a thousand SMEs a year); beyond, one hash join over the published profiles costs less.
FEW_ACCOUNTS = 20


def _local_sql(cte: str, *, by_member: bool = False, few: bool = False) -> str:
    """Per campaign year of the declarations `d` (`by_member`: per year and member, the member's
    id after the year): declarations, SME purchases, members, largest member, then amount,
    members and largest member of each of LOCAL_PARTS. `few`: the declarations of a few
    accounts (FEW_ACCOUNTS at most), whose SMEs are looked up one by one."""
    parts_sql = ",\n".join(
        f"coalesce(sum({part}), 0), count(*) FILTER (WHERE {part} > 0), coalesce(max({part}), 0)"
        for part in LOCAL_PARTS
    )
    member = ", organisation_id" if by_member else ""
    profile_join = registered_profile_join(
        lateral_columns="p.departement_id, p.region_id" if few else None
    )
    return f"""
        WITH d AS ({cte}),
        lines AS (
            SELECT d.year, d.organisation_id AS member, l.amount, {LOCAL_LINE_COLUMNS}
            FROM d
            -- A declaration's lines summed per SME and site first: what makes a line local
            -- depends on these two only, and an account names each SME on ten lines or so,
            -- so its profile is looked up ten times less.
            CROSS JOIN LATERAL (
                SELECT sme_siren, site_id, sum(amount) AS amount
                FROM {LINE_TABLE} WHERE declaration_id = d.id
                GROUP BY sme_siren, site_id
            ) l
            {profile_join}
            {LOCAL_LINE_JOINS}
        ),
        per_member AS (SELECT year, member, {LOCAL_MEMBER_SUMS} FROM lines GROUP BY year, member),
        years AS (SELECT year{member}, count(*) AS declarations FROM d GROUP BY year{member})
        SELECT y.year{member.replace(", ", ", y.")}, y.declarations, coalesce(sum(m.total), 0),
               count(m.member), coalesce(max(m.total), 0),
               {parts_sql}
        FROM years y LEFT JOIN per_member m ON m.year = y.year
            {"AND m.member = y.organisation_id" if by_member else ""}
        GROUP BY y.year{member.replace(", ", ", y.")}, y.declarations
    """  # noqa: S608


def local_share_of(
    *, year: int, declarations: int, values: tuple, has_territory: bool
) -> LocalShare:
    """A LocalShare from a row of `_local_sql` after its year and declarations: SME purchases,
    members, largest member, then amount, members and largest member of each of LOCAL_PARTS."""
    total, members, largest, *parts = values
    return LocalShare(
        year=year,
        declarations=declarations,
        sme_purchases=_decimal(total),
        parts={
            part: LocalPart(
                amount=_decimal(parts[3 * i]),
                members=parts[3 * i + 1],
                largest=_decimal(parts[3 * i + 2]),
            )
            for i, part in enumerate(LOCAL_PARTS)
        },
        members=members,
        largest=_decimal(largest),
        has_territory=has_territory,
    )


def _ids(values) -> list[int]:
    """Organisation ids from a list of ids or a values queryset (`editions.selectors.account_ids`
    gives rows such as {"organisation_id": 3})."""
    return [v if isinstance(v, int) else next(iter(v.values())) for v in values]


def _local_declarations(
    campaigns: list[Campaign], organisation_ids: list[int] | None, any_state: list[Campaign]
) -> tuple[str, list]:
    """The declarations of `campaigns` (of `organisation_ids`): submitted ones, and every one
    whatever its state for the campaigns of `any_state`."""
    cte, cte_params = declarations_sql(submitted_only=False)
    cte += " AND d.campaign_id = ANY(%s)"
    cte_params.append([campaign.pk for campaign in campaigns])
    if organisation_ids is not None:
        cte += " AND d.organisation_id = ANY(%s)"
        cte_params.append(organisation_ids)
    any_state_ids = {campaign.pk for campaign in any_state}
    if not {campaign.pk for campaign in campaigns} <= any_state_ids:
        cte += " AND (d.state = %s OR d.campaign_id = ANY(%s))"
        cte_params += [SUBMITTED, sorted(any_state_ids)]
    return cte, cte_params


_NO_LOCAL_ROW = (0, 0, 0, 0, *([0] * 3 * len(LOCAL_PARTS)))


def _local_share_of_row(year: int, row: tuple | None, *, has_territory: bool) -> LocalShare:
    """A LocalShare from a `_local_sql` row after its year (and member), or of nothing."""
    declarations, *values = row or _NO_LOCAL_ROW
    return local_share_of(
        year=year, declarations=declarations, values=tuple(values), has_territory=has_territory
    )


def local_shares(
    campaigns: list[Campaign],
    *,
    organisation_ids: Iterable[int] | None = None,
    territory: list[str] | None = None,
    any_state: list[Campaign] = (),
) -> dict[int, LocalShare]:
    """`local_share` of several campaigns in one grouped query, by campaign year: submitted
    declarations, and every declaration whatever its state for the campaigns of `any_state`."""
    if organisation_ids is not None:
        organisation_ids = _ids(organisation_ids)
    cte, cte_params = _local_declarations(campaigns, organisation_ids, list(any_state))
    few = organisation_ids is not None and len(organisation_ids) <= FEW_ACCOUNTS
    # A hash aggregate per member (no sort, no DISTINCT): the default work_mem does, so one
    # statement without _fetchall's SET LOCALs (pages show it beside other figures).
    with connection.cursor() as cursor:
        sql = _local_sql(cte, few=few)
        cursor.execute(sql, [*cte_params, list(territory or []), PUBLISHED])
        rows = {row[0]: row[1:] for row in cursor.fetchall()}
    return {
        campaign.year: _local_share_of_row(
            campaign.year, rows.get(campaign.year), has_territory=territory is not None
        )
        for campaign in campaigns
    }


def members_local_shares(
    campaigns: list[Campaign], *, organisation_ids: list[int]
) -> dict[int, dict[int, LocalShare]]:
    """`local_share` of each of several members (its submitted declarations), for each campaign,
    in one query grouped by member (a batch of member reports): {member id: {year: share}}."""
    cte, cte_params = _local_declarations(campaigns, organisation_ids, [])
    with connection.cursor() as cursor:
        sql = _local_sql(cte, by_member=True, few=len(organisation_ids) <= FEW_ACCOUNTS)
        cursor.execute(sql, [*cte_params, [], PUBLISHED])
        rows = {(row[0], row[1]): row[2:] for row in cursor.fetchall()}
    return {
        organisation_id: {
            campaign.year: _local_share_of_row(
                campaign.year, rows.get((campaign.year, organisation_id)), has_territory=False
            )
            for campaign in campaigns
        }
        for organisation_id in organisation_ids
    }


def local_share(
    campaign: Campaign,
    *,
    organisation_ids: Iterable[int] | None = None,
    territory: list[str] | None = None,
    submitted_only: bool = True,
) -> LocalShare:
    """The local-purchasing share of the campaign's submitted declarations (the programme), or of
    some members' (`organisation_ids`: one account, an edition's members: ids, or the values
    queryset `editions.selectors.account_ids`), with the share placed in `territory` (département
    codes, e.g. `editions.selectors.territory_departements`) when given. One grouped query.
    `submitted_only=False`: every declaration whatever its state (an account's own page shows
    its draft's figures)."""
    return local_shares(
        [campaign],
        organisation_ids=organisation_ids,
        territory=territory,
        any_state=[] if submitted_only else [campaign],
    )[campaign.year]


def local_share_with_previous(
    campaign: Campaign,
    *,
    organisation_ids: Iterable[int] | None = None,
    territory: list[str] | None = None,
) -> tuple[LocalShare, LocalShare | None]:
    """`local_share` of the campaign and of the year before (None when there was no campaign),
    submitted declarations only, in one query."""
    previous = Campaign.objects.filter(year=campaign.year - 1).first()
    campaigns = [campaign, previous] if previous is not None else [campaign]
    shares = local_shares(campaigns, organisation_ids=organisation_ids, territory=territory)
    return shares[campaign.year], shares[previous.year] if previous is not None else None


@dataclass(frozen=True)
class LocalFigure:
    key: str
    label: str


LOCAL_FIGURES = [
    LocalFigure(
        "same_departement", gettext_lazy("Part des achats PME dans le département du site acheteur")
    ),
    LocalFigure("same_region", gettext_lazy("Part des achats PME dans la région du site acheteur")),
    LocalFigure("territory", gettext_lazy("Part des achats PME auprès de PME du territoire")),
    LocalFigure("site_unknown", gettext_lazy("Site acheteur non précisé")),
    LocalFigure("sme_location_unknown", gettext_lazy("Localisation de la PME inconnue")),
]


def local_figure_list(*, territory: bool) -> list[LocalFigure]:
    return [f for f in LOCAL_FIGURES if territory or f.key != "territory"]


# The parts a reader sees (amount ÷ SME purchases) and those only computable from them.
LOCAL_PUBLISHED = ("same_departement", "same_region", "territory", "site_unknown",
                   "sme_location_unknown")  # fmt: skip
LOCAL_UNPUBLISHED = ("same_region_other", "elsewhere", "outside_territory")


def local_disclosure(local: LocalShare) -> frozenset[str]:
    """The local figures (LOCAL_FIGURES keys) a programme (or edition) report must show as
    "n.s.": the same rules as the report's other cells (`disclosure`: threshold of 3 members,
    85 % dominance, then secondary suppression so that no hidden part follows from the shown
    ones and the SME purchases, which the report shows). Fewer than 3 declarations: all."""
    from disclosure import Cell, Constraint, suppress

    keys = [f.key for f in local_figure_list(territory=local.has_territory)]
    if local.suppressed:
        return frozenset(keys)
    if not local.sme_purchases:
        return frozenset()

    def cell(part: LocalPart) -> Cell:
        return Cell(members=part.members, amount=part.amount, largest=part.largest)

    p = local.parts
    # "same_region" = same_departement + same_region_other; its largest member is bounded by
    # the sum of the parts' largest (a cautious bound for the dominance rule).
    region = LocalPart(
        amount=p["same_departement"].amount + p["same_region_other"].amount,
        members=max(p["same_departement"].members, p["same_region_other"].members),
        largest=p["same_departement"].largest + p["same_region_other"].largest,
    )
    cells = {
        "total": Cell(members=local.members, amount=local.sme_purchases, largest=local.largest),
        "same_region": cell(region),
        **{part: cell(p[part]) for part in LOCAL_PARTS if part != "same_region"},
    }
    constraints = [
        Constraint(("same_departement", "same_region_other"), "same_region"),
        Constraint(("same_region", "elsewhere", "site_unknown", "sme_location_unknown"), "total"),
    ]
    unpublished = set(LOCAL_UNPUBLISHED)
    if local.has_territory:
        constraints.append(Constraint(("territory", "outside_territory"), "total"))
    else:
        unpublished |= {"territory"}
    try:
        result = suppress(cells, constraints, fixed={"total"}, unpublished=unpublished)
    except ValueError:  # cannot happen with a fixed total this small; hide everything then
        return frozenset(keys)
    if result.hidden("total"):
        return frozenset(keys)
    return frozenset(key for key in keys if result.hidden(key))


@dataclass(frozen=True)
class LocalRow:
    key: str
    label: str
    value: str
    previous: str
    change: str


def local_rows(
    current: LocalShare,
    previous: LocalShare | None,
    *,
    hidden: frozenset[str] = frozenset(),
    hidden_previous: frozenset[str] = frozenset(),
    not_significant: str = "n.s.",
) -> list[LocalRow]:
    """The local figures of year N and N-1 with their change in points, formatted as the key
    figures are; "n.s." where disclosure control hides one (`local_disclosure`), and the change
    with either."""
    rows = []
    for figure in local_figure_list(territory=current.has_territory):
        key = figure.key
        value = not_significant if key in hidden else fmt.percent(current.share(key))
        if previous is None:
            before = change = fmt.MISSING
        else:
            before = not_significant if key in hidden_previous else fmt.percent(previous.share(key))
            change = (
                not_significant
                if key in hidden or key in hidden_previous
                else fmt.change_points(current.share(key), previous.share(key))
            )
        rows.append(LocalRow(key=key, label=str(figure.label), value=value, previous=before,
                             change=change))  # fmt: skip
    return rows


def local_definition() -> str:
    """The methodology's sentence on the local-purchasing share."""
    return _(
        "Part des achats locaux : parmi les achats auprès des PME (montants HT), la part passée "
        "auprès de PME du même département que le site acheteur de la ligne, puis de la même "
        "région, et, pour une édition territoriale, auprès de PME de son territoire (quel que "
        "soit le site). La localisation d'une PME est celle de son profil inscrit dans "
        "l'annuaire ; les lignes sans site acheteur sont comptées à part (« site acheteur non "
        "précisé »), de même que les lignes dont la PME n'a pas de département connu (PME non "
        "inscrite). Évolution en points par rapport à l'année précédente."
    )
