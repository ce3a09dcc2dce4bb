"""Realistic declarations and order lines for benchmarks: `manage.py seed_bench --accounts --orders`.

Large accounts and declarations are few (hundreds) and written with COPY; order lines (millions)
are generated inside PostgreSQL with one INSERT … SELECT over generate_series per year, which
needs no round trip per row. During the load, the history triggers are off (session_replication_role
= replica) and the secondary indexes of the order lines are dropped, then rebuilt; ANALYZE after.
"""

import datetime
import random
import sys
import time

from django.db import connection, transaction
from django.utils import timezone
from stdnum import luhn

from accounts.models import Organisation
from directory.models import Domain

from . import figures
from .models import Campaign, Declaration, OrderLine

ACCOUNT_SIREN_BASE = 70_000_000
SECTORS = ["Banque", "Assurance", "Énergie", "Transport", "Distribution", "Industrie", "Public"]
WORDS = ["Groupe", "Compagnie", "Société", "Régie", "Caisse", "Mutuelle", "Union", "Réseau"]
PLACES = ["Atlantique", "Rhône", "Seine", "Loire", "Alpes", "Garonne", "Nord", "Provence"]
METHODOLOGY = (
    "Commandes passées dans l'année auprès de PME, montants hors taxes ; dénominateur : "
    "achats informatiques externes déclarés par chaque membre."
)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def account_siren(n: int) -> str:
    body = f"{ACCOUNT_SIREN_BASE + n:08d}"
    return body + luhn.calc_check_digit(body)


def _seed_accounts(count: int, rng: random.Random) -> list[int]:
    sirens = [account_siren(n) for n in range(count)]
    existing = set(Organisation.objects.filter(siren__in=sirens).values_list("siren", flat=True))
    now = timezone.now()
    with (
        connection.cursor() as cursor,
        cursor.copy(
            "COPY accounts_organisation (kind, name, siren, sector, joined_on, public_naming, "
            "created_at) FROM STDIN"
        ) as copy,
    ):
        for n, siren in enumerate(sirens):
            if siren in existing:
                continue
            name = f"{rng.choice(WORDS)} {rng.choice(PLACES)} {n + 1}"
            copy.write_row(
                (
                    "large_account",
                    name,
                    siren,
                    rng.choice(SECTORS),
                    datetime.date(2018, 1, 1),
                    rng.random() < 0.5,
                    now,
                )
            )
    return list(
        Organisation.objects.filter(siren__in=sirens).order_by("pk").values_list("pk", flat=True)
    )


def _campaign(year: int) -> Campaign:
    campaign, _created = Campaign.objects.get_or_create(
        year=year,
        defaults={
            "opens_on": datetime.date(year, 1, 1),
            "closes_on": datetime.date(year + 1, 3, 31),
            "state": Campaign.State.CLOSED,
            "methodology_version": f"{year}.1",
            "methodology": METHODOLOGY,
        },
    )
    campaign.domains.set(Domain.objects.all())
    return campaign


def _seed_declarations(campaign: Campaign, account_ids: list[int], rng: random.Random) -> None:
    existing = set(
        Declaration.objects.filter(campaign=campaign).values_list("organisation_id", flat=True)
    )
    now = timezone.now()
    with (
        connection.cursor() as cursor,
        cursor.copy(
            "COPY procurement_declaration (campaign_id, organisation_id, state, it_purchases_total,"
            " submitted_at, reopen_reason, sme_excess_justification, created_at, updated_at)"
            " FROM STDIN"
        ) as copy,
    ):
        for account_id in account_ids:
            if account_id in existing:
                continue
            it_total = rng.randint(20, 400) * 1_000_000
            copy.write_row((campaign.pk, account_id, "submitted", it_total, now, "", "", now, now))


def _secondary_indexes() -> list[tuple[str, str]]:
    """(name, definition) of the order lines' indexes that back no constraint."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.tablename = %s AND i.schemaname = current_schema()
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            ORDER BY i.indexname
            """,
            [OrderLine._meta.db_table],
        )
        return cursor.fetchall()


# Each account buys from a pool of regular suppliers (a few hundred SMEs, the same every year);
# each SME works mostly in one domain; a declaration's lines are stored together, as an import
# writes them; 15 % of the lines name SMEs that are not in the directory.
LINES_SQL = """
WITH decl AS (
    SELECT row_number() OVER (ORDER BY id) AS n, id FROM procurement_declaration
    WHERE campaign_id = %(campaign)s
), sme AS (
    SELECT row_number() OVER (ORDER BY siren) AS n, siren FROM directory_smeprofile
    WHERE state = 'published'
), sizes AS (
    SELECT (SELECT count(*) FROM decl) AS decls, greatest((SELECT count(*) FROM sme), 1) AS smes,
           (SELECT array_agg(id ORDER BY id) FROM directory_domain) AS domains
), picks AS (
    SELECT g, random() AS r_registered, random() AS r_amount, random() AS r_delay,
           random() AS r_date, random() AS r_domain,
           1 + floor(power(random(), 1.6) * sizes.decls)::bigint AS decl_n,
           floor(power(random(), 2.0) * 600)::bigint AS supplier
    FROM generate_series(1, %(count)s) AS g, sizes
), raw AS (
    SELECT picks.*,
           1 + (decl_n * 7919 + supplier) %% sizes.smes AS sme_n,
           (900000000 + (decl_n * 37 + supplier) %% 20000)::text AS unregistered,
           sizes.domains[1 + ((decl_n * 7919 + supplier) * 31
                              + floor(power(r_domain, 4) * 3)::bigint)
                             %% cardinality(sizes.domains)] AS domain_id
    FROM picks, sizes
)
INSERT INTO procurement_orderline
    (declaration_id, sme_siren, sme_name, amount, order_date, domain_id, reference,
     payment_delay_days, sme_status, sme_comment, created_at, updated_at)
SELECT decl.id, s.siren, 'PME ' || s.siren,
       round((200 + exp(r_amount * 7.5) * 90)::numeric, 2),
       %(first_day)s::date + floor(r_date * 365)::int,
       domain_id, 'BC-' || g,
       CASE WHEN r_delay < 0.12 THEN NULL ELSE 10 + floor(power(r_delay, 1.5) * 110)::int END,
       'pending', '', now(), now()
FROM raw
JOIN decl ON decl.n = raw.decl_n
LEFT JOIN sme ON sme.n = raw.sme_n AND raw.r_registered < 0.85
CROSS JOIN LATERAL (SELECT coalesce(sme.siren, raw.unregistered) AS siren) AS s
ORDER BY raw.decl_n, raw.g
"""


def seed_orders(*, accounts: int, orders_per_year: int, years: int) -> None:
    """`accounts` large accounts, `years` closed campaigns (up to last year), with a submitted
    declaration per account and `orders_per_year` order lines per campaign."""
    rng = random.Random(2026)
    last_year = timezone.localdate().year - 1
    campaign_years = list(range(last_year - years + 1, last_year + 1))
    started = time.perf_counter()
    with transaction.atomic():
        account_ids = _seed_accounts(accounts, rng)
        campaigns = [_campaign(year) for year in campaign_years]
        for campaign in campaigns:
            _seed_declarations(campaign, account_ids, rng)
    _log(
        f"{len(account_ids)} accounts, {len(campaigns)} campaigns in {time.perf_counter() - started:.1f} s"
    )
    if not orders_per_year:
        return
    # Campaigns that already hold their lines (an earlier, shorter seeding) keep them.
    campaigns = [
        c for c in campaigns if not OrderLine.objects.filter(declaration__campaign=c).exists()
    ]
    if not campaigns:
        return
    indexes = _secondary_indexes()
    with transaction.atomic(), connection.cursor() as cursor:
        # History triggers (pghistory) off for this load only; the data is synthetic.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute("SET LOCAL work_mem = '128MB'")
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        for campaign in campaigns:
            step = time.perf_counter()
            cursor.execute(
                LINES_SQL,
                {
                    "campaign": campaign.pk,
                    "count": orders_per_year,
                    "first_day": datetime.date(campaign.year, 1, 1),
                },
            )
            _log(
                f"{orders_per_year} lines for {campaign.year} in {time.perf_counter() - step:.1f} s"
            )
        step = time.perf_counter()
        for _name, definition in indexes:
            cursor.execute(definition)
        _log(f"{len(indexes)} indexes rebuilt in {time.perf_counter() - step:.1f} s")
    step = time.perf_counter()
    with connection.cursor() as cursor:
        for table in ("procurement_orderline", "procurement_declaration", "accounts_organisation"):
            cursor.execute(f"ANALYZE {table}")
    _log(
        f"ANALYZE in {time.perf_counter() - step:.1f} s; orders seeded in {time.perf_counter() - started:.1f} s"
    )
    step = time.perf_counter()
    kept = sum(figures.store_campaign_figures(campaign) for campaign in campaigns)
    _log(f"figures of {kept} settled declarations kept in {time.perf_counter() - step:.1f} s")
