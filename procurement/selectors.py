"""Reading declarations: scoped look-ups (404 for other organisations), totals and figures in SQL."""

from decimal import Decimal

from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from django.utils import timezone
from pghistory.models import MiddlewareEvents

from accounts.models import Membership, Organisation
from directory.models import Domain, Region, SMEProfile
from editions import selectors as edition_selectors
from editions.models import Edition, EditionAccount

from . import figures
from .imports.pipeline import OUTLIER_FACTOR, money
from .models import (
    Campaign,
    Declaration,
    Dispute,
    DomainMapping,
    ImportJob,
    OrderLine,
    Reminder,
    ReplacedLine,
)

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=16, decimal_places=2))


def _int_or_404(pk) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


# --- One access helper per object kind ------------------------------------------------------


def get_declaration_for_user(request: HttpRequest, pk) -> Declaration:
    """The declaration if the user may see it: staff any, a member only their active
    organisation's; 404 otherwise."""
    qs = Declaration.objects.select_related("campaign", "organisation")
    if not request.user.is_programme_staff:
        # The active organisation is one of the user's memberships (`accounts.selectors.
        # active_membership` reads it for this user): its declarations are the ones they see,
        # without joining the memberships again on each page.
        organisation = request.organisation or None
        if organisation is None or not request.user.is_authenticated:
            raise Http404
        qs = qs.filter(organisation=organisation)
    try:
        return qs.get(pk=_int_or_404(pk))
    except Declaration.DoesNotExist as exc:
        raise Http404 from exc


def get_line_for_declaration(declaration: Declaration, pk) -> OrderLine:
    try:
        line = OrderLine.objects.select_related("domain", "site").get(
            pk=_int_or_404(pk), declaration=declaration
        )
    except OrderLine.DoesNotExist as exc:
        raise Http404 from exc
    line.declaration = declaration
    return line


def get_sme_line_for_user(request: HttpRequest, pk) -> OrderLine:
    """A line naming the active SME, in a submitted declaration; 404 otherwise (and for an SME
    whose identity is not verified yet)."""
    organisation = request.organisation or None
    if organisation is None or not organisation.is_sme or not organisation.is_verified:
        raise Http404
    try:
        return (
            OrderLine.objects.select_related("declaration__campaign", "declaration__organisation")
            .filter(
                sme_profile_id=organisation.siren,
                declaration__state=Declaration.State.SUBMITTED,
            )
            .get(pk=_int_or_404(pk))
        )
    except OrderLine.DoesNotExist as exc:
        raise Http404 from exc


def get_campaign_for_staff(request: HttpRequest, pk) -> Campaign:
    if not request.user.is_programme_staff:
        raise Http404
    try:
        return Campaign.objects.get(pk=_int_or_404(pk))
    except Campaign.DoesNotExist as exc:
        raise Http404 from exc


def get_campaign_for_edition_staff(request: HttpRequest, pk) -> Campaign:
    """A campaign for the dashboard: any for programme staff; for a federator running an edition,
    any campaign but those in preparation (campaigns are national); 404 otherwise."""
    campaigns = Campaign.objects.all()
    if not request.user.is_programme_staff:
        if not edition_selectors.runs_any_edition(request):
            raise Http404
        campaigns = campaigns.exclude(state=Campaign.State.PREPARING)
    try:
        return campaigns.get(pk=_int_or_404(pk))
    except Campaign.DoesNotExist as exc:
        raise Http404 from exc


def get_declaration_for_reader(request: HttpRequest, pk) -> Declaration:
    """A declaration to read (its page, totals, history): as `get_declaration_for_user`, and for a
    federator, the declarations of its editions' member large accounts; 404 otherwise."""
    if request.user.is_programme_staff or not edition_selectors.acting_federator(request):
        return get_declaration_for_user(request, pk)
    editions = edition_selectors.staff_editions(request)
    members = EditionAccount.objects.filter(
        edition__in=editions, state=EditionAccount.State.MEMBER
    ).values("organisation_id")
    try:
        return (
            Declaration.objects.select_related(
                "campaign", "organisation", "submitted_by", "reopened_by"
            )
            .filter(organisation_id__in=members)
            .exclude(campaign__state=Campaign.State.PREPARING)
            .get(pk=_int_or_404(pk))
        )
    except Declaration.DoesNotExist as exc:
        raise Http404 from exc


def get_campaign_open_for_declaring(pk) -> Campaign:
    try:
        return Campaign.objects.get(pk=_int_or_404(pk), state=Campaign.State.OPEN)
    except Campaign.DoesNotExist as exc:
        raise Http404 from exc


def get_import_job_for_declaration(declaration: Declaration, pk) -> ImportJob:
    try:
        job = ImportJob.objects.get(pk=_int_or_404(pk), declaration=declaration)
    except ImportJob.DoesNotExist as exc:
        raise Http404 from exc
    job.declaration = declaration
    return job


# --- Declarations -------------------------------------------------------------------------------


def account_declarations(organisation: Organisation) -> list[dict]:
    """Every campaign that is not in preparation, with the account's declaration if any."""
    declarations = {
        d.campaign_id: d
        for d in Declaration.objects.filter(organisation=organisation).select_related("campaign")
    }
    return [
        {"campaign": campaign, "declaration": declarations.get(campaign.pk)}
        for campaign in Campaign.objects.exclude(state=Campaign.State.PREPARING).order_by("-year")
    ]


def declaration_lines(declaration: Declaration) -> QuerySet[OrderLine]:
    return (
        OrderLine.objects.filter(declaration=declaration)
        .select_related("domain", "site")
        .annotate(registered=figures.registered_sme(declaration.campaign))
        .order_by("order_date", "id")
    )


def declaration_line_count(declaration: Declaration) -> int:
    return OrderLine.objects.filter(declaration=declaration).count()


def declaration_totals(declaration: Declaration) -> dict:
    """The declaration's key figures (procurement.figures, as in the reports) and its SME answers.

    `sme_exceeds_it` warns before submitting: SME orders above the declared IT purchases.
    """
    key, answers = figures.declaration_figures_and_answers(declaration)
    return {
        "figures": key,
        "lines": key.lines,
        "sme_total": key.sme_purchases,
        "registered_total": key.registered_sme_purchases,
        "smes": key.distinct_smes,
        "registered_smes": key.registered_smes,
        "it_total": key.it_purchases,
        "sme_share": key.sme_share,  # percentage of IT purchases
        "registered_share": key.registered_share,  # percentage of SME purchases
        "sme_exceeds_it": key.sme_purchases_exceed_it_purchases,
        "excess_message": (
            figures.sme_excess_message(key) if key.sme_purchases_exceed_it_purchases else ""
        ),
        **answers,
    }


def declaration_history(declaration: Declaration) -> QuerySet:
    """Events on the declaration and its lines, newest first (with before/after and the user)."""
    return (
        MiddlewareEvents.objects.references(declaration)
        .select_related("user")
        .order_by("-pgh_created_at", "-pgh_id")
    )


def latest_import(declaration: Declaration) -> ImportJob | None:
    return (
        ImportJob.objects.filter(declaration=declaration)
        .exclude(state=ImportJob.State.CANCELLED)
        .order_by("-created_at", "-id")
        .first()
    )


def answered_lines(declaration: Declaration) -> tuple[int, int]:
    """(lines with an SME answer, of which disputed): what a replace would archive."""
    row = OrderLine.objects.filter(declaration=declaration).aggregate(
        answered=Count("pk", filter=~Q(sme_status=OrderLine.SMEStatus.PENDING)),
        disputed=Count("pk", filter=Q(sme_status=OrderLine.SMEStatus.DISPUTED)),
    )
    return row["answered"], row["disputed"]


def replaced_lines(job: ImportJob) -> QuerySet[ReplacedLine]:
    """The lines a "replace" import removed, with the SME's answers, in date order."""
    return (
        ReplacedLine.objects.filter(import_job=job)
        .select_related("domain", "sme_responded_by")
        .order_by("order_date", "id")
    )


def replaced_lines_summary(job: ImportJob) -> dict:
    """How many lines the replace removed, their amount, and how many had an answer: one query."""
    return ReplacedLine.objects.filter(import_job=job).aggregate(
        lines=Count("pk"),
        amount=Coalesce(Sum("amount"), ZERO),
        answered=Count("pk", filter=~Q(sme_status=OrderLine.SMEStatus.PENDING)),
        disputed=Count("pk", filter=Q(sme_status=OrderLine.SMEStatus.DISPUTED)),
    )


# --- SME side ---------------------------------------------------------------------------------


def sme_lines(organisation: Organisation) -> QuerySet[OrderLine]:
    """Lines naming the SME's SIREN in submitted declarations; none until the SME is verified."""
    if not organisation.is_verified:
        return OrderLine.objects.none()
    return (
        OrderLine.objects.filter(
            sme_profile_id=organisation.siren, declaration__state=Declaration.State.SUBMITTED
        )
        .select_related("declaration__campaign", "declaration__organisation", "domain")
        .annotate(
            dispute_pk=Subquery(Dispute.objects.filter(line=OuterRef("pk")).values("pk")[:1]),
            dispute_state=Subquery(Dispute.objects.filter(line=OuterRef("pk")).values("state")[:1]),
        )
        .order_by(
            "-declaration__campaign__year", "declaration__organisation__name", "order_date", "id"
        )
    )


# --- Staff ------------------------------------------------------------------------------------


def campaign_accounts(campaign: Campaign, edition: Edition | None = None) -> QuerySet[Organisation]:
    """Every large account (of `edition`, when given: its members) with its declaration for the
    campaign: state, last activity, totals, dispute counts, whether reminded today. One query."""

    declaration = Declaration.objects.filter(campaign=campaign, organisation=OuterRef("pk"))
    lines = (
        OrderLine.objects.filter(
            declaration__campaign=campaign, declaration__organisation=OuterRef("pk")
        )
        .order_by()
        .values("declaration__organisation")
    )
    accounts = Organisation.objects.large_accounts()
    if edition is not None:
        accounts = accounts.filter(pk__in=edition_selectors.account_ids(edition))
    return accounts.annotate(
        declaration_id=Subquery(declaration.values("pk")[:1]),
        declaration_state=Coalesce(Subquery(declaration.values("state")[:1]), Value("not_started")),
        last_activity=Subquery(declaration.values("updated_at")[:1]),
        it_total=Subquery(declaration.values("it_purchases_total")[:1]),
        excess_justification=Subquery(declaration.values("sme_excess_justification")[:1]),
        sme_total=Subquery(lines.annotate(s=Sum("amount")).values("s")[:1]),
        line_count=Coalesce(Subquery(lines.annotate(n=Count("pk")).values("n")[:1]), 0),
        disputed_count=Coalesce(
            Subquery(
                lines.filter(sme_status=OrderLine.SMEStatus.DISPUTED)
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
            0,
        ),
        reminded_today=Exists(
            Reminder.objects.filter(
                campaign=campaign, organisation=OuterRef("pk"), sent_on=timezone.localdate()
            )
        ),
        last_reminder=Subquery(
            Reminder.objects.filter(campaign=campaign, organisation=OuterRef("pk"))
            .order_by("-sent_at")
            .values("sent_at")[:1]
        ),
    ).order_by("name", "pk")


def campaign_summary(campaign: Campaign, edition: Edition | None = None) -> dict:
    declarations = Declaration.objects.filter(campaign=campaign)
    if edition is not None:
        declarations = declarations.filter(
            organisation_id__in=edition_selectors.account_ids(edition)
        )
    return declarations.aggregate(
        declarations=Count("pk"),
        submitted=Count("pk", filter=Q(state=Declaration.State.SUBMITTED)),
        reopened=Count("pk", filter=Q(state=Declaration.State.REOPENED)),
    )


def campaigns_with_counts(
    edition: Edition | None = None, *, include_preparing: bool = True
) -> QuerySet[Campaign]:
    """Campaigns, newest first, with their declarations counted (those of `edition`'s member
    accounts when given)."""
    among = Q()
    if edition is not None:
        among = Q(declarations__organisation_id__in=edition_selectors.account_ids(edition))
    campaigns = Campaign.objects.all()
    if not include_preparing:
        campaigns = campaigns.exclude(state=Campaign.State.PREPARING)
    return campaigns.annotate(
        declarations_count=Count("declarations", filter=among, distinct=True),
        submitted_count=Count(
            "declarations",
            filter=among & Q(declarations__state=Declaration.State.SUBMITTED),
            distinct=True,
        ),
    ).order_by("-year")


def disputed_lines(declaration: Declaration) -> QuerySet[OrderLine]:
    return declaration_lines(declaration).filter(sme_status=OrderLine.SMEStatus.DISPUTED)


# --- The account's own figures -------------------------------------------------------------


def account_years(organisation: Organisation) -> list[figures.AccountYear]:
    """The account's key figures for each year it declared (procurement.figures), newest first."""
    return figures.account_years(organisation)


def _year_lines(organisation: Organisation, year: int, declaration_id=None) -> QuerySet[OrderLine]:
    """The lines of the account's declaration of `year`, reached through that declaration (the
    lines' index on it), so that ten years of lines cost what one year does. `declaration_id`,
    when the caller knows it (the figures page), saves looking it up."""
    if declaration_id is not None:
        return OrderLine.objects.filter(declaration_id=declaration_id).order_by()
    declaration_ids = Declaration.objects.filter(
        organisation=organisation, campaign__year=year
    ).values_list("pk", flat=True)
    return OrderLine.objects.filter(declaration_id__in=list(declaration_ids)).order_by()


def _registered_region(year: int) -> Subquery:
    """The region of a line's SME, from its registered profile (as in the reports' breakdowns)."""
    campaign = Campaign.objects.get(year=year)
    return Subquery(
        SMEProfile.objects.filter(
            siren=OuterRef("sme_profile_id"),
            state=SMEProfile.State.PUBLISHED,
            published_at__lt=figures.registered_cutoff(campaign),
        ).values("region__name")[:1]
    )


def account_breakdowns(
    organisation: Organisation, year: int, *, campaign=None, declaration_id=None, top: int = 10
) -> dict[str, list[dict]]:
    """The account's SME purchases of `year` by region of the registered SME ("by_region", ""
    when not known), by domain ("by_domain", None when not given) and its `top` largest SMEs
    ("top_smes", whether each is registered), from one pass over the year's lines summed per SME
    and domain: the region and the registration are looked up once per SME. The campaign of
    `year` and the account's declaration, when the caller has them, save two look-ups."""
    campaign = campaign or Campaign.objects.get(year=year)
    lines_sql, lines_params = (
        _year_lines(organisation, year, declaration_id)
        .values("sme_profile_id", "domain_id")
        .annotate(name=Max("sme_name"), total=Sum("amount"), lines=Count("pk"))
        .query.sql_with_params()
    )
    # The lines summed per SME and domain, then per SME (with its registered region: one
    # index lookup per SME) and per domain (how many SMEs: the pairs counted, no DISTINCT sort).
    profile_join = figures.registered_profile_join(
        line="g", cutoff="%s", lateral_columns="p.id, p.region_id"
    )
    sql = f"""
        WITH sd AS ({lines_sql})
        SELECT g.per_domain, g.sme_siren, g.domain_id, g.name, g.total, g.lines, g.smes,
               CASE WHEN p.id IS NOT NULL THEN coalesce(r.name, '') END
        FROM (
            SELECT GROUPING(sme_profile_id) = 1 AS per_domain, sme_profile_id AS sme_siren,
                   domain_id, max(name) AS name, sum(total) AS total,
                   sum(lines)::bigint AS lines, count(*) AS smes
            FROM sd GROUP BY GROUPING SETS ((sme_profile_id), (domain_id))
        ) g
        {profile_join}
        LEFT JOIN {Region._meta.db_table} r ON r.code = p.region_id
    """  # noqa: S608
    params = [*lines_params, SMEProfile.State.PUBLISHED.value, figures.registered_cutoff(campaign)]
    smes: dict[str, dict] = {}
    domains: dict[int, dict] = {}
    regions_of: dict[str, str] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for per_domain, siren, domain_id, name, total, lines, count, region in cursor.fetchall():
            if not per_domain:
                smes[siren] = {
                    "sme_profile_id": siren,
                    "name": name,
                    "total": total,
                    "lines": lines,
                }
                if region is not None:
                    regions_of[siren] = region
            else:
                domains[domain_id] = {"total": total, "lines": lines, "smes": count}
    regions: dict[str, dict] = {}
    for siren, sme in smes.items():
        region = regions.setdefault(
            regions_of.get(siren) or "", {"total": 0, "lines": 0, "smes": 0}
        )
        region["total"] += sme["total"]
        region["lines"] += sme["lines"]
        region["smes"] += 1
    names = dict(Domain.objects.filter(pk__in=list(domains)).values_list("pk", "name"))
    by_domain = [{"domain__name": names.get(key)} | value for key, value in domains.items()]
    return {
        "by_region": sorted(
            ({"region": key} | value for key, value in regions.items()),
            key=lambda row: (-row["total"], row["region"]),
        ),
        "by_domain": sorted(
            by_domain,
            key=lambda row: (-row["total"], row["domain__name"]),
        ),
        "top_smes": [
            sme | {"registered": sme["sme_profile_id"] in regions_of}
            for sme in sorted(
                smes.values(), key=lambda sme: (-sme["total"], sme["sme_profile_id"])
            )[:top]
        ],
    }


def account_year_lines(organisation: Organisation, year: int) -> QuerySet[OrderLine]:
    campaign = Campaign.objects.get(year=year)
    return (
        OrderLine.objects.filter(
            declaration__organisation=organisation, declaration__campaign__year=year
        )
        .select_related("domain", "site")
        .annotate(registered=figures.registered_sme(campaign), region=_registered_region(year))
        .order_by("order_date", "id")
    )


def is_account_admin(user, organisation: Organisation) -> bool:
    return Membership.objects.filter(user=user, organisation=organisation, role="admin").exists()


def sme_autocomplete(query: str) -> list[SMEProfile]:
    from directory.selectors import autocomplete_profiles

    return autocomplete_profiles(query=query, limit=8)


def unverified_smes_named_by(organisation: Organisation) -> list[dict]:
    """SMEs registered but not verified that the account named in its declarations: it may vouch
    for the person who registered them. One query."""
    named = OrderLine.objects.filter(declaration__organisation=organisation).values(
        "sme_profile_id"
    )
    return list(
        Organisation.objects.filter(
            kind=Organisation.Kind.SME, verified_at__isnull=True, siren__in=named
        )
        .order_by("name", "pk")
        .values("pk", "name", "siren")
    )


def get_unverified_sme_for_voucher(request: HttpRequest, siren) -> Organisation:
    """An unverified SME named in the active large account's lines; 404 otherwise."""
    organisation = request.organisation or None
    if organisation is None or not organisation.is_large_account:
        raise Http404
    siren = str(siren or "")
    named = OrderLine.objects.filter(
        declaration__organisation=organisation, sme_profile_id=siren
    ).exists()
    sme = Organisation.objects.filter(
        siren=siren, kind=Organisation.Kind.SME, verified_at__isnull=True
    ).first()
    if sme is None or not named:
        raise Http404
    return sme


# --- Imports ------------------------------------------------------------------------------------


def import_domain_names(campaign: Campaign | None) -> list[str]:
    """The domain names an import file may use (the campaign's, or every active one)."""
    domains = campaign.domains.order_by("position", "name") if campaign else None
    if domains is None or not domains.exists():
        domains = Domain.objects.filter(is_active=True).order_by("position", "name")
    return list(domains.values_list("name", flat=True))


def domain_mappings(organisation: Organisation) -> QuerySet[DomainMapping]:
    return (
        DomainMapping.objects.filter(organisation=organisation)
        .select_related("domain", "created_by")
        .order_by("source_text_folded", "id")
    )


def declaration_warnings(declaration: Declaration) -> list[list[object]]:
    """The import's sanity checks again on the whole declaration, before it is submitted:
    [code, params] for lines 100 times the account's median, duplicate lines (same SIREN, date,
    amount, reference), order dates in the future. SME orders above the IT total are said once,
    by `figures.sme_excess_message`, which also stops the submission without a justification."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH account AS (
                SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY l.amount) AS median
                FROM procurement_orderline l
                JOIN procurement_declaration d ON d.id = l.declaration_id
                WHERE d.organisation_id = %(organisation)s
            ), lines AS (
                SELECT amount, order_date,
                       count(*) OVER (PARTITION BY sme_siren, order_date, amount, reference) AS n,
                       row_number() OVER (
                           PARTITION BY sme_siren, order_date, amount, reference ORDER BY id
                       ) AS rank
                FROM procurement_orderline WHERE declaration_id = %(declaration)s
            )
            SELECT (SELECT median FROM account),
                   count(*) FILTER (WHERE amount > (SELECT median FROM account) * %(factor)s),
                   count(*) FILTER (WHERE n > 1 AND rank > 1),
                   count(*) FILTER (WHERE order_date > %(today)s)
            FROM lines
            """,
            {
                "organisation": declaration.organisation_id,
                "declaration": declaration.pk,
                "factor": OUTLIER_FACTOR,
                "today": timezone.localdate(),
            },
        )
        median, outliers, duplicates, future = cursor.fetchone()
    warnings: list[list[object]] = []
    if outliers:
        warnings.append(["decl_outlier", {"count": outliers, "median": money(median)}])
    if duplicates:
        warnings.append(["decl_duplicates", {"count": duplicates}])
    if future:
        warnings.append(["decl_future_date", {"count": future}])
    return warnings
