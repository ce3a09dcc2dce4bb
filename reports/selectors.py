"""Reading reports: scoped look-ups (404 for what the user may not see) and page lists.

Staff pages are scoped by `editions.selectors.staff_editions`: programme staff see every job and
version (national, members', editions'); a federator sees only the jobs and versions of the
editions it runs, and gets a 404 on any other id."""

import datetime

from django.db.models import Count, Q
from django.http import Http404

from editions import selectors as edition_selectors
from editions.models import Edition
from procurement.models import Campaign

from .models import ReportJob, ReportKind, ReportVersion

STAFF_JOBS_SHOWN = 40


def campaigns() -> list[Campaign]:
    return list(Campaign.objects.order_by("-year"))


def default_campaign(choices: list[Campaign]) -> Campaign | None:
    """The latest closed campaign (the one a report is due for), else the latest one."""
    closed = [c for c in choices if c.state == Campaign.State.CLOSED]
    return (closed or choices or [None])[0]


def staff_jobs(campaign: Campaign, *, edition: Edition | None = None) -> list[ReportJob]:
    """The campaign's jobs: the national and members' ones, or (with `edition`) the edition's."""
    return list(
        ReportJob.objects.filter(campaign=campaign, edition=edition)
        .select_related("organisation", "requested_by", "version")
        .order_by("-created_at", "-id")[:STAFF_JOBS_SHOWN]
    )


def programme_versions(
    campaign: Campaign, *, edition: Edition | None = None
) -> list[ReportVersion]:
    """The national programme report's versions, or an edition's."""
    return list(
        ReportVersion.objects.filter(campaign=campaign, kind=ReportKind.PROGRAMME, edition=edition)
        .select_related("created_by", "published_by", "unpublished_by")
        .order_by("-number")
    )


def member_versions(campaign: Campaign) -> list[ReportVersion]:
    """Every member report of the campaign (for staff), newest version first per member."""
    return list(
        ReportVersion.objects.filter(campaign=campaign, kind=ReportKind.MEMBER)
        .select_related("organisation")
        .order_by("organisation__name", "organisation_id", "-number")
    )


def published_programme_versions() -> list[ReportVersion]:
    """The national reports published (editions' reports are on their editions' pages)."""
    return list(
        ReportVersion.objects.filter(
            kind=ReportKind.PROGRAMME, is_published=True, edition__isnull=True
        )
        .select_related("campaign")
        .order_by("-campaign__year")
    )


def published_edition_versions(edition: Edition) -> list[ReportVersion]:
    """An edition's published reports, latest campaign first (one per campaign)."""
    return list(
        ReportVersion.objects.filter(kind=ReportKind.PROGRAMME, is_published=True, edition=edition)
        .select_related("campaign")
        .order_by("-campaign__year")
    )


def organisation_versions(organisation) -> list[ReportVersion]:
    return list(
        ReportVersion.objects.filter(kind=ReportKind.MEMBER, organisation=organisation)
        .select_related("campaign")
        .order_by("-campaign__year", "-number")
    )


def _get(queryset, pk) -> object:
    try:
        return queryset.get(pk=int(pk))
    except (TypeError, ValueError, queryset.model.DoesNotExist) as exc:
        raise Http404 from exc


def get_public_version(pk) -> ReportVersion:
    """A published programme report (national, or of an edition shown to the public); anything
    else is a 404 for visitors."""
    public = Q(edition__isnull=True) | Q(edition__in=Edition.objects.public())
    return _get(
        ReportVersion.objects.filter(
            public, kind=ReportKind.PROGRAMME, is_published=True
        ).select_related("campaign", "edition"),
        pk,
    )


def _in_scope(queryset, request):
    """Programme staff: every row; a federator: its editions' rows only; others: none."""
    scope = edition_selectors.staff_editions(request)
    return queryset if scope is None else queryset.filter(edition__in=scope)


def get_version_for_staff(pk, *, request) -> ReportVersion:
    return _get(
        _in_scope(
            ReportVersion.objects.select_related("campaign", "organisation", "edition"), request
        ),
        pk,
    )


def get_job_for_staff(pk, *, request) -> ReportJob:
    return _get(
        _in_scope(ReportJob.objects.select_related("campaign", "organisation", "edition"), request),
        pk,
    )


def staff_edition_choices(request) -> list[Edition]:
    """The editions the person may produce reports for (the staff page's edition menu)."""
    scope = edition_selectors.staff_editions(request)
    return list((Edition.objects.all() if scope is None else scope).order_by("name"))


def get_member_version_for_organisation(organisation, pk) -> ReportVersion:
    """A member report of the active organisation; other organisations' ids are a 404."""
    if organisation is None:
        raise Http404
    return _get(
        ReportVersion.objects.filter(
            kind=ReportKind.MEMBER, organisation=organisation
        ).select_related("campaign", "organisation"),
        pk,
    )


def job_counts(campaign: Campaign, *, edition: Edition | None = None) -> dict[str, int]:
    """How many of the campaign's jobs (national, or the edition's) are in each state (one
    query), recent unfinished ones apart: the page keeps polling while `active` is not zero."""
    from django.utils import timezone

    from .services import HARD_TIME_LIMIT_S

    stale_before = timezone.now() - datetime.timedelta(seconds=HARD_TIME_LIMIT_S * 2)
    unfinished = Q(state__in=[ReportJob.State.QUEUED, ReportJob.State.RUNNING])
    return ReportJob.objects.filter(campaign=campaign, edition=edition).aggregate(
        active=Count("pk", filter=unfinished & Q(created_at__gt=stale_before)),
        done=Count("pk", filter=Q(state=ReportJob.State.DONE)),
        failed=Count("pk", filter=Q(state=ReportJob.State.FAILED)),
    )


def version_replaced_by(version: ReportVersion) -> ReportVersion | None:
    """The published version of the same report that publishing `version` would replace."""
    return (
        ReportVersion.objects.filter(
            campaign_id=version.campaign_id,
            kind=version.kind,
            edition_id=version.edition_id,
            is_published=True,
        )
        .exclude(pk=version.pk)
        .first()
    )


# --- public edition pages ---------------------------------------------------------------------

EDITION_FIGURES_CACHE_S = 600


def public_editions():
    """Editions shown to the public (launched: not drafts), for /editions/."""
    return Edition.objects.public().order_by("name", "pk")


def edition_key_figures(edition: Edition) -> dict | None:
    """The key figures on an edition's public page: those of its latest published report (so
    that the page and the PDF read the same); without one, computed for the latest closed
    campaign by the report's own functions (same scope, same disclosure control), cached a few
    minutes. None when no campaign has closed. {"year", "rows": [label, value, change],
    "version": the published version or None}."""
    from django.core.cache import cache

    from . import figures as report_figures
    from . import rendering

    published = (
        ReportVersion.objects.filter(kind=ReportKind.PROGRAMME, edition=edition, is_published=True)
        .select_related("campaign")
        .order_by("-campaign__year")
        .first()
    )
    if published is not None and published.key_figures.get("rows"):
        return {
            "year": published.campaign.year,
            "rows": published.key_figures["rows"],
            "version": published,
        }
    campaign = Campaign.objects.filter(state=Campaign.State.CLOSED).order_by("-year").first()
    if campaign is None:
        return None
    snapshot = report_figures.snapshot_time(campaign)
    members = ",".join(
        str(pk)
        for pk in sorted(
            edition_selectors.account_ids(edition).values_list("organisation_id", flat=True)
        )
    )
    key = f"reports:edition-figures:{edition.pk}:{campaign.pk}:{snapshot.timestamp()}:{members}"
    rows = cache.get(key)
    if rows is None:
        figures = report_figures.programme_figures(campaign, edition=edition)
        rows = rendering.key_figures_summary(figures)
        cache.set(key, rows, EDITION_FIGURES_CACHE_S)
    return {"year": campaign.year, "rows": rows, "version": None}


def edition_sme_counts(edition: Edition) -> dict[str, int]:
    """The edition's SMEs published in the directory, per region (what the public map shows)."""
    from directory.models import SMEProfile

    rows = (
        edition_selectors.smes(edition)
        .filter(state=SMEProfile.State.PUBLISHED, region__isnull=False)
        .order_by()
        .values("region_id")
        .annotate(n=Count("pk"))
    )
    return {row["region_id"]: row["n"] for row in rows}


def named_accounts(edition: Edition) -> list[str]:
    """Names of the edition's large accounts that agreed to be named publicly."""
    return list(
        edition_selectors.accounts(edition)
        .filter(public_naming=True)
        .order_by("name")
        .values_list("name", flat=True)
    )
