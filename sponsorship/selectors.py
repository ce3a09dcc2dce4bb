"""Who sees which need, offer and mission; the days given; what the Pacte effect reads.

An SME sees its own needs and missions, a large account its own offers and missions, a federator
the missions of the large accounts of the editions it runs (read only), programme staff
everything; anyone else nothing. Another organisation's ids answer 404."""

import datetime
from typing import NamedTuple

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.http import Http404, HttpRequest

from accounts.models import Organisation
from editions.models import EditionAccount
from editions.selectors import editions_run_by

from .models import Mission, Need, Offer


def _organisation(request: HttpRequest) -> Organisation | None:
    return getattr(request, "organisation", None) or None


def needs_for(request: HttpRequest) -> QuerySet[Need]:
    if request.user.is_authenticated and request.user.is_programme_staff:
        return Need.objects.all()
    organisation = _organisation(request)
    if organisation is None or not organisation.is_sme:
        return Need.objects.none()
    return Need.objects.filter(sme=organisation)


def offers_for(request: HttpRequest) -> QuerySet[Offer]:
    if request.user.is_authenticated and request.user.is_programme_staff:
        return Offer.objects.all()
    organisation = _organisation(request)
    if organisation is None or not organisation.is_large_account:
        return Offer.objects.none()
    return Offer.objects.filter(account=organisation)


def missions_for(request: HttpRequest) -> QuerySet[Mission]:
    if request.user.is_authenticated and request.user.is_programme_staff:
        return Mission.objects.all()
    organisation = _organisation(request)
    if organisation is None:
        return Mission.objects.none()
    if organisation.is_federator:
        return Mission.objects.filter(
            account_id__in=EditionAccount.objects.filter(
                edition__in=editions_run_by(organisation), state=EditionAccount.State.MEMBER
            ).values("organisation_id")
        )
    return Mission.objects.filter(Q(account=organisation) | Q(sme=organisation))


def _get(queryset, pk):
    try:
        return queryset.get(pk=int(pk))
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_need_for_user(request: HttpRequest, pk) -> Need:
    return _get(needs_for(request).select_related("sme"), pk)


def get_offer_for_user(request: HttpRequest, pk) -> Offer:
    return _get(offers_for(request).select_related("account"), pk)


def get_mission_for_user(request: HttpRequest, pk) -> Mission:
    return _get(missions_for(request).select_related("need", "offer", "account", "sme"), pk)


def mission_list(queryset: QuerySet[Mission]) -> QuerySet[Mission]:
    return queryset.select_related("need", "account", "sme").order_by("-created_at", "-pk")


def open_needs() -> QuerySet[Need]:
    return (
        Need.objects.filter(state=Need.State.OPEN)
        .select_related("sme")
        .order_by("category", "created_at", "pk")
    )


def open_offers_with_room() -> QuerySet[Offer]:
    """Open offers with the days already promised to missions (cancelled ones excluded)."""
    return (
        Offer.objects.filter(state=Offer.State.OPEN)
        .select_related("account")
        .annotate(
            committed=Coalesce(
                Sum("missions__days", filter=~Q(missions__state=Mission.State.CANCELLED)), 0
            )
        )
        .order_by("category", "-created_at", "-pk")
    )


# --- days given (the member report) --------------------------------------------------------------


def _done_in(year: int) -> QuerySet[Mission]:
    """Missions done (finished) during the year, Paris time: the days a large account gave."""
    return Mission.objects.filter(state=Mission.State.DONE, done_at__year=int(year))


def days_given(organisation_id: int, year: int) -> int:
    """Volunteer days a large account gave in the year (missions done that year)."""
    return (
        _done_in(year)
        .filter(account_id=organisation_id)
        .aggregate(total=Coalesce(Sum("days"), 0))["total"]
    )


class AccountDays(NamedTuple):
    organisation_id: int
    name: str
    days: int
    missions: int


def days_by_account(year: int) -> list[AccountDays]:
    """Days given per large account in the year (missions done that year), most days first."""
    rows = (
        _done_in(year)
        .values("account_id", "account__name")
        .annotate(days=Sum("days"), missions=Count("pk"))
        .order_by("-days", "account__name")
    )
    return [
        AccountDays(row["account_id"], row["account__name"], row["days"], row["missions"])
        for row in rows
    ]


# --- the Pacte effect ----------------------------------------------------------------------------


class AgreedMission(NamedTuple):
    """A mission both sides agreed to: joined later to the orders the account declares. The
    first four fields are the contact; the last one labels it."""

    date: datetime.date  # the day the mission was agreed
    account_id: int  # the large account giving the days
    siren: str  # the SME's SIREN
    mission_id: int
    title: str  # the SME's need


def agreed_missions(
    *,
    since: datetime.date | None = None,
    account_ids=None,
    siren: str | None = None,
) -> list[AgreedMission]:
    """Every mission that reached "agreed" (agreed, running or done; cancelled ones left out) as
    (date agreed, large account organisation id, SME SIREN, mission id, need title), oldest
    first. Optionally only since a date, for some large accounts, or for one SIREN."""
    rows = Mission.objects.filter(agreed_at__isnull=False).exclude(state=Mission.State.CANCELLED)
    if since is not None:
        rows = rows.filter(agreed_at__date__gte=since)
    if account_ids is not None:
        rows = rows.filter(account_id__in=account_ids)
    if siren is not None:
        rows = rows.filter(sme_siren=siren)
    rows = rows.annotate(day=TruncDate("agreed_at")).order_by("agreed_at", "pk")
    return [
        AgreedMission(*row)
        for row in rows.values_list("day", "account_id", "sme_siren", "pk", "need__title")
    ]
