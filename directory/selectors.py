"""Reading the directory: look-ups scoped to the person, autocomplete, counts per region."""

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from .models import Domain, JoinRequest, Label, SMEProfile, folded
from .search import fold

AUTOCOMPLETE_MIN_CHARS = 3


def autocomplete_profiles(*, query: str, limit: int = 10) -> list[SMEProfile]:
    """Published profiles whose name looks like `query` (trigrams, accents ignored, from
    3 characters) or whose SIREN starts with the digits typed (spaces ignored), best first."""
    query = (query or "").strip()[:100]
    digits = query.replace(" ", "")
    limit = max(1, min(int(limit), 50))
    qs = SMEProfile.objects.published().select_related("region", "departement")
    if digits.isdigit():
        if len(digits) < AUTOCOMPLETE_MIN_CHARS:
            return []
        return list(qs.filter(siren__startswith=digits[:9]).order_by("siren")[:limit])
    if len(query) < AUTOCOMPLETE_MIN_CHARS:
        return []
    text = fold(query)
    return list(
        qs.annotate(similarity=TrigramWordSimilarity(text, folded("name")))
        .filter(Q(similarity__gte=0.3) | Q(name__icontains=query))
        .order_by("-similarity", "name", "id")[:limit]
    )


def region_counts(queryset: QuerySet, *, field: str = "region_id") -> dict[str, int]:
    """{INSEE region code: number of rows} for any queryset with a region (regions without rows
    are absent). One GROUP BY query."""
    rows = queryset.order_by().values_list(field).annotate(n=Count("pk")).values_list(field, "n")
    return {code: n for code, n in rows if code}


def domain_counts(queryset: QuerySet[SMEProfile]) -> list[tuple[Domain, int]]:
    """(domain, number of profiles of the queryset) for every active domain, in taxonomy order."""
    counts = dict(
        queryset.order_by()
        .values_list("domains")
        .annotate(n=Count("pk"))
        .values_list("domains", "n")
    )
    return [(d, counts.get(d.pk, 0)) for d in Domain.objects.filter(is_active=True)]


def get_profile_for_user(user, siren: str) -> SMEProfile:
    """A profile the user may see (published; otherwise own members and staff), else 404."""
    siren = (siren or "").strip()
    if not siren.isdigit() or len(siren) != 9:
        raise Http404
    try:
        return (
            SMEProfile.objects.visible_to(user)
            .select_related("region", "departement", "naf", "organisation")
            .get(siren=siren)
        )
    except SMEProfile.DoesNotExist as exc:
        raise Http404 from exc


def profile_of(organisation) -> SMEProfile | None:
    if organisation is None:
        return None
    return (
        SMEProfile.objects.select_related("region", "departement", "naf")
        .filter(organisation=organisation)
        .first()
    )


def pending_join_requests(organisation) -> list[JoinRequest]:
    return list(
        JoinRequest.objects.filter(organisation=organisation, state=JoinRequest.State.PENDING)
        .select_related("user")
        .order_by("created_at", "id")
    )


def get_join_request_for_admin(user, organisation, pk) -> JoinRequest:
    try:
        pk = int(pk)
        return JoinRequest.objects.select_related("user", "organisation").get(
            pk=pk,
            organisation=organisation,
            organisation__memberships__user=user,
            organisation__memberships__role="admin",
        )
    except (TypeError, ValueError, JoinRequest.DoesNotExist) as exc:
        raise Http404 from exc


def moderation_queue() -> list[SMEProfile]:
    """Profiles waiting for review, oldest submission first."""
    return list(
        SMEProfile.objects.filter(state=SMEProfile.State.PENDING)
        .select_related("region", "departement", "naf", "organisation")
        .prefetch_related("domains", "labels")
        .order_by("submitted_at", "id")
    )


def labels_and_domains() -> tuple[list[Domain], list[Label]]:
    return list(Domain.objects.all()), list(Label.objects.all())
