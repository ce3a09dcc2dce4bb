"""Reading reports: scoped look-ups (404 for what the user may not see) and page lists."""

import datetime

from django.http import Http404

from procurement.models import Campaign

from .models import ReportJob, ReportKind, ReportVersion

STAFF_JOBS_SHOWN = 40


def campaigns() -> list[Campaign]:
    return list(Campaign.objects.order_by("-year"))


def default_campaign(choices: list[Campaign]) -> Campaign | None:
    """The latest closed campaign (the one a report is due for), else the latest one."""
    closed = [c for c in choices if c.state == Campaign.State.CLOSED]
    return (closed or choices or [None])[0]


def staff_jobs(campaign: Campaign) -> list[ReportJob]:
    return list(
        ReportJob.objects.filter(campaign=campaign)
        .select_related("organisation", "requested_by", "version")
        .order_by("-created_at", "-id")[:STAFF_JOBS_SHOWN]
    )


def programme_versions(campaign: Campaign) -> list[ReportVersion]:
    return list(
        ReportVersion.objects.filter(campaign=campaign, kind=ReportKind.PROGRAMME)
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
    return list(
        ReportVersion.objects.filter(kind=ReportKind.PROGRAMME, is_published=True)
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
    """A published programme report; anything else is a 404 for visitors."""
    return _get(
        ReportVersion.objects.filter(kind=ReportKind.PROGRAMME, is_published=True).select_related(
            "campaign"
        ),
        pk,
    )


def get_version_for_staff(pk) -> ReportVersion:
    return _get(ReportVersion.objects.select_related("campaign", "organisation"), pk)


def get_job_for_staff(pk) -> ReportJob:
    return _get(ReportJob.objects.select_related("campaign", "organisation"), pk)


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


def job_counts(campaign: Campaign) -> dict[str, int]:
    """How many of the campaign's jobs are in each state (one query), recent unfinished ones
    apart: the page keeps polling while `active` is not zero."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from .services import HARD_TIME_LIMIT_S

    stale_before = timezone.now() - datetime.timedelta(seconds=HARD_TIME_LIMIT_S * 2)
    unfinished = Q(state__in=[ReportJob.State.QUEUED, ReportJob.State.RUNNING])
    return ReportJob.objects.filter(campaign=campaign).aggregate(
        active=Count("pk", filter=unfinished & Q(created_at__gt=stale_before)),
        done=Count("pk", filter=Q(state=ReportJob.State.DONE)),
        failed=Count("pk", filter=Q(state=ReportJob.State.FAILED)),
    )


def version_replaced_by(version: ReportVersion) -> ReportVersion | None:
    """The published version of the same report that publishing `version` would replace."""
    return (
        ReportVersion.objects.filter(
            campaign_id=version.campaign_id, kind=version.kind, is_published=True
        )
        .exclude(pk=version.pk)
        .first()
    )
