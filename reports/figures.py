"""The report's figures, computed in PostgreSQL (no Python loop over order lines).

Pure selectors: each function takes a campaign (and optionally a member) and returns frozen
dataclasses, so that tests can compare them with figures computed independently.

Scope of every figure: the *submitted* declarations of the campaign (drafts and declarations
reopened by staff are left out until they are submitted again). An SME is "registered" when the
directory holds a published profile with its SIREN; region and size come from that profile.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext as _

from accounts.models import Organisation
from directory.models import Domain, HeadcountBand, Region, SMEProfile
from procurement.models import Campaign, Declaration, OrderLine

# A cell (a figure about a group of members) is shown only if it describes at least this many.
MIN_MEMBERS = 3
PAYMENT_DELAY_LIMIT_DAYS = 60
HUNDRED = Decimal(100)
MONEY = DecimalField(max_digits=16, decimal_places=2)
UNKNOWN = ""

LINE_TABLE = OrderLine._meta.db_table
DECLARATION_TABLE = Declaration._meta.db_table
PROFILE_TABLE = SMEProfile._meta.db_table
SUBMITTED = Declaration.State.SUBMITTED.value
PUBLISHED = SMEProfile.State.PUBLISHED.value


@dataclass(frozen=True)
class KeyFigures:
    """The headline figures of a campaign (or of one member's declaration)."""

    year: int
    members: int
    declarations: int
    it_purchases: Decimal | None
    sme_purchases: Decimal
    registered_sme_purchases: Decimal
    distinct_smes: int
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
        """Registered (innovative) SMEs' part of the SME purchases, in %."""
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


@dataclass(frozen=True)
class BreakdownRow:
    """One line of a breakdown (a region, a domain, a size band)."""

    key: str
    label: str
    members: int
    smes: int
    amount: Decimal
    share: Decimal | None  # of all SME purchases, in %

    @property
    def suppressed(self) -> bool:
        return self.members < MIN_MEMBERS


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

    @property
    def ranking_shown(self) -> bool:
        return not self.current.suppressed


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

    @property
    def suppressed(self) -> bool:
        return self.declarations < MIN_MEMBERS


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


# --- helpers ----------------------------------------------------------------------------------


# Sorts for count(DISTINCT …) and percentile_cont over millions of lines stay in memory.
REPORT_WORK_MEM = "64MB"


def _fetchall(sql: str, params: list) -> list[tuple]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = %s", [REPORT_WORK_MEM])
        cursor.execute("SET LOCAL jit = off")  # compiling costs more than it saves here
        cursor.execute(sql, params)
        return cursor.fetchall()


def _decimal(value) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _submitted_declarations_sql(organisation_id: int | None) -> tuple[str, list]:
    sql = f"SELECT id, organisation_id, it_purchases_total FROM {DECLARATION_TABLE} WHERE campaign_id = %s AND state = %s"  # noqa: S608
    params: list = [SUBMITTED]
    if organisation_id is not None:
        sql += " AND organisation_id = %s"
        params.append(organisation_id)
    return sql, params


def member_count(year: int) -> int:
    """Large accounts that had joined the programme by the end of the year."""
    return (
        Organisation.objects.large_accounts()
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=datetime.date(year, 12, 31)))
        .count()
    )


# --- key figures ------------------------------------------------------------------------------


def key_figures(campaign: Campaign, *, organisation_id: int | None = None) -> KeyFigures:
    """Headline figures of the campaign's submitted declarations (or of one member's)."""
    declarations_sql, declarations_params = _submitted_declarations_sql(organisation_id)
    sql = f"""
        WITH d AS ({declarations_sql})
        SELECT
            (SELECT count(*) FROM d),
            (SELECT sum(it_purchases_total) FROM d),
            coalesce(sum(l.amount), 0),
            coalesce(sum(l.amount) FILTER (WHERE p.id IS NOT NULL), 0),
            count(DISTINCT l.sme_siren COLLATE "C"),
            percentile_cont(0.5) WITHIN GROUP (ORDER BY l.payment_delay_days),
            count(l.payment_delay_days),
            count(*) FILTER (WHERE l.payment_delay_days <= %s),
            count(l.id)
        FROM d
        JOIN {LINE_TABLE} l ON l.declaration_id = d.id
        LEFT JOIN {PROFILE_TABLE} p ON p.siren = l.sme_siren AND p.state = %s
    """  # noqa: S608
    params = [campaign.pk, *declarations_params, PAYMENT_DELAY_LIMIT_DAYS, PUBLISHED]
    (row,) = _fetchall(sql, params)
    (declarations, it_total, sme, registered, smes, median, with_delay, within, lines) = row
    return KeyFigures(
        year=campaign.year,
        members=member_count(campaign.year) if organisation_id is None else 1,
        declarations=declarations,
        it_purchases=_decimal(it_total),
        sme_purchases=_decimal(sme),
        registered_sme_purchases=_decimal(registered),
        distinct_smes=smes,
        median_payment_delay=_decimal(median),
        lines_with_delay=with_delay,
        lines_paid_within_60=within,
        lines=lines,
    )


def previous_campaign(campaign: Campaign) -> Campaign | None:
    return Campaign.objects.filter(year=campaign.year - 1).first()


# --- breakdowns -------------------------------------------------------------------------------


def _labels() -> dict[str, dict[str, str]]:
    return {
        "region": dict(Region.objects.values_list("code", "name")),
        "domain": {str(pk): name for pk, name in Domain.objects.values_list("pk", "name")},
        "size": {value: str(label) for value, label in HeadcountBand.choices},
    }


def breakdowns(
    campaign: Campaign, *, organisation_id: int | None = None
) -> dict[str, list[BreakdownRow]]:
    """SME purchases by region, by domain and by SME size band, in one query.

    Each row counts the distinct members and SMEs it describes; lines of unregistered SMEs fall
    in "not known" for region and size.
    """
    declarations_sql, declarations_params = _submitted_declarations_sql(organisation_id)
    # Distinct counts as hash aggregates over (key, member) and (key, SME) pairs: no sort of the
    # millions of lines. Region and size are attributes of the SME, so SMEs are summed once.
    sql = f"""
        WITH d AS ({declarations_sql}),
        lines AS MATERIALIZED (
            SELECT d.organisation_id AS member, l.sme_siren COLLATE "C" AS siren, l.amount,
                   l.domain_id::text COLLATE "C" AS domain,
                   coalesce(p.region_id, '') COLLATE "C" AS region,
                   coalesce(p.headcount_band, '') COLLATE "C" AS size
            FROM d
            JOIN {LINE_TABLE} l ON l.declaration_id = d.id
            LEFT JOIN {PROFILE_TABLE} p ON p.siren = l.sme_siren AND p.state = %s
        ),
        smes AS (SELECT siren, region, size, sum(amount) AS amount FROM lines GROUP BY 1, 2, 3),
        domain_smes AS (SELECT domain, siren, sum(amount) AS amount FROM lines GROUP BY 1, 2),
        members AS (
            SELECT 'region' AS dim, region AS key, count(*) AS n
            FROM (SELECT DISTINCT region, member FROM lines) x GROUP BY 1, 2
            UNION ALL
            SELECT 'size', size, count(*) FROM (SELECT DISTINCT size, member FROM lines) x GROUP BY 1, 2
            UNION ALL
            SELECT 'domain', domain, count(*)
            FROM (SELECT DISTINCT domain, member FROM lines) x GROUP BY 1, 2
        ),
        totals AS (
            SELECT 'region' AS dim, region AS key, count(*) AS smes, sum(amount) AS amount
            FROM smes GROUP BY 1, 2
            UNION ALL
            SELECT 'size', size, count(*), sum(amount) FROM smes GROUP BY 1, 2
            UNION ALL
            SELECT 'domain', domain, count(*), sum(amount) FROM domain_smes GROUP BY 1, 2
        )
        SELECT t.dim, t.key, m.n, t.smes, t.amount
        FROM totals t JOIN members m ON m.dim = t.dim AND m.key = t.key
    """  # noqa: S608
    rows = _fetchall(sql, [campaign.pk, *declarations_params, PUBLISHED])
    labels = _labels()
    total = sum((row[4] for row in rows if row[0] == "domain"), Decimal(0))
    result: dict[str, list[BreakdownRow]] = {"region": [], "domain": [], "size": []}
    for dimension, key, members, smes, amount in rows:
        label = labels[dimension].get(key) or (
            _("Non renseignée") if dimension == "region" else _("Non renseigné")
        )
        result[dimension].append(
            BreakdownRow(
                key=key,
                label=label,
                members=members,
                smes=smes,
                amount=_decimal(amount),
                share=amount * HUNDRED / total if total else None,
            )
        )
    size_order = [value for value, _label in HeadcountBand.choices]
    result["region"].sort(key=lambda r: (r.key == UNKNOWN, -r.amount, r.label))
    result["domain"].sort(key=lambda r: (-r.amount, r.label))
    result["size"].sort(
        key=lambda r: size_order.index(r.key) if r.key in size_order else len(size_order)
    )
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


def ranking(campaign: Campaign) -> list[RankedMember]:
    """Submitted declarations ranked by SME share; members named only where they agreed.

    Anonymous letters follow the ranking (not the names), so they reveal nothing.
    """
    rows = (
        Declaration.objects.filter(campaign=campaign, state=SUBMITTED)
        .annotate(sme=Coalesce(Sum("lines__amount"), Value(Decimal(0)), output_field=MONEY))
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


def participants(campaign: Campaign) -> tuple[list[str], int]:
    """Names of the participating members who agreed to be named, and how many did not."""
    declarations = Declaration.objects.filter(campaign=campaign, state=SUBMITTED)
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


def _no_progress(percent: int, step: str) -> None:
    """Default progress callback: nothing to report."""


def programme_figures(campaign: Campaign, *, progress=_no_progress) -> ProgrammeFigures:
    """Every figure of the programme report; `progress(percent, step)` is called between
    queries (the report job shows it)."""
    previous = previous_campaign(campaign)
    snapshot_at = snapshot_time(campaign)
    progress(10, _("Chiffres clés de l'année"))
    current = key_figures(campaign)
    progress(20, _("Chiffres clés de l'année précédente"))
    previous_figures = key_figures(previous) if previous else None
    progress(30, _("Répartitions par région, domaine et taille"))
    parts = breakdowns(campaign)
    progress(45, _("Classement des membres"))
    ranked = ranking(campaign)
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
    )


# --- a member's report ------------------------------------------------------------------------


def programme_medians(campaign: Campaign) -> ProgrammeMedians:
    """Medians of the per-declaration figures, computed in one query."""
    sql = f"""
        WITH per_member AS (
            SELECT d.id,
                   d.it_purchases_total AS it_total,
                   coalesce(sum(l.amount), 0) AS sme,
                   count(DISTINCT l.sme_siren COLLATE "C") AS smes,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY l.payment_delay_days) AS delay,
                   count(*) FILTER (WHERE l.payment_delay_days <= %s) * 100.0
                       / nullif(count(l.payment_delay_days), 0) AS within
            FROM {DECLARATION_TABLE} d
            LEFT JOIN {LINE_TABLE} l ON l.declaration_id = d.id
            WHERE d.campaign_id = %s AND d.state = %s
            GROUP BY d.id
        )
        SELECT count(*),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY sme),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY sme * 100 / nullif(it_total, 0)),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY smes),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY delay),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY within)
        FROM per_member
    """  # noqa: S608
    (row,) = _fetchall(sql, [PAYMENT_DELAY_LIMIT_DAYS, campaign.pk, SUBMITTED])
    return ProgrammeMedians(
        declarations=row[0],
        sme_purchases=_decimal(row[1]),
        sme_share=_decimal(row[2]),
        distinct_smes=_decimal(row[3]),
        median_payment_delay=_decimal(row[4]),
        paid_within_60_share=_decimal(row[5]),
    )


def top_smes(campaign: Campaign, *, organisation_id: int, limit: int = 10) -> list[TopSME]:
    rows = (
        OrderLine.objects.filter(
            declaration__campaign=campaign,
            declaration__state=SUBMITTED,
            declaration__organisation_id=organisation_id,
        )
        .values("sme_profile_id")
        .annotate(name=Max("sme_name"), amount=Sum("amount"), lines=Count("id"))
        .order_by("-amount", "sme_profile_id")[:limit]
    )
    return [
        TopSME(siren=r["sme_profile_id"], name=r["name"], amount=r["amount"], lines=r["lines"])
        for r in rows
    ]


def member_figures(
    campaign: Campaign, *, organisation: Organisation, medians: ProgrammeMedians | None = None
) -> MemberFigures:
    previous = previous_campaign(campaign)
    parts = breakdowns(campaign, organisation_id=organisation.pk)
    return MemberFigures(
        campaign_id=campaign.pk,
        year=campaign.year,
        organisation_id=organisation.pk,
        organisation_name=organisation.name,
        methodology_version=campaign.methodology_version,
        snapshot_at=snapshot_time(campaign),
        current=key_figures(campaign, organisation_id=organisation.pk),
        previous=key_figures(previous, organisation_id=organisation.pk) if previous else None,
        medians=medians or programme_medians(campaign),
        regions=parts["region"],
        domains=parts["domain"],
        top_smes=top_smes(campaign, organisation_id=organisation.pk),
    )
