"""Who runs which edition, and which large accounts and SMEs an edition holds.

The scoping rule every edition-scoped staff page follows: programme staff see every edition; a
member of a federator, acting for it (the active organisation), sees the editions whose convention
with that federator is in force today, and nothing else; anyone else sees none."""

from functools import partial

from django.core.validators import slug_re
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest

from accounts.models import Organisation
from directory.models import Departement, SMEProfile

from .models import Convention, Edition, EditionAccount

SLUG_MAX_LENGTH = Edition._meta.get_field("slug").max_length


def editions_run_by(federator: Organisation) -> QuerySet[Edition]:
    """Editions whose convention with this federator is in force today."""
    if federator is None or not federator.is_federator:
        return Edition.objects.none()
    return Edition.objects.filter(
        pk__in=Convention.objects.in_force().filter(federator=federator).values("edition_id")
    )


def acting_federator(request: HttpRequest) -> Organisation | None:
    """The federator the signed-in person acts for, if the active organisation is one."""
    if not request.user.is_authenticated:
        return None
    # request.organisation is a lazy object: compare its truth, not its identity with None.
    organisation = getattr(request, "organisation", None) or None
    if organisation is not None and organisation.is_federator:
        return organisation
    return None


def staff_editions(request: HttpRequest) -> QuerySet[Edition] | None:
    """None means every edition (programme staff); otherwise the editions the person runs as a
    federator (possibly none)."""
    if request.user.is_authenticated and request.user.is_programme_staff:
        return None
    federator = acting_federator(request)
    if federator is None:
        return Edition.objects.none()
    return editions_run_by(federator)


def runs_any_edition(request: HttpRequest) -> bool:
    """Programme staff, or a federator with at least one edition under a convention in force."""
    scope = staff_editions(request)
    return scope is None or scope.exists()


def _slug(slug) -> str:
    """A slug as typed in a URL or a query string (?edition=...): anything that cannot be an
    edition's slug (NUL bytes, which PostgreSQL refuses, "../", 10,000 characters) is a 404."""
    text = str(slug)
    if len(text) > SLUG_MAX_LENGTH or not slug_re.fullmatch(text):
        raise Http404
    return text


def get_edition_for_staff(request: HttpRequest, slug) -> Edition:
    """The edition, for programme staff or a federator running it; 404 for anyone else."""
    scope = staff_editions(request)
    queryset = Edition.objects.all() if scope is None else scope
    try:
        return queryset.get(slug=_slug(slug))
    except Edition.DoesNotExist:
        raise Http404 from None


def get_public_edition(slug) -> Edition:
    try:
        return Edition.objects.public().get(slug=_slug(slug))
    except Edition.DoesNotExist:
        raise Http404 from None


def account_ids(edition: Edition) -> QuerySet:
    """Ids of the large accounts that are members of the edition (a values queryset, usable
    inside another query)."""
    return EditionAccount.objects.filter(edition=edition, state=EditionAccount.State.MEMBER).values(
        "organisation_id"
    )


def accounts(edition: Edition) -> QuerySet[Organisation]:
    return Organisation.objects.large_accounts().filter(pk__in=account_ids(edition))


def territory_departements(edition: Edition) -> list[str]:
    """Codes of the départements of a territorial edition (its regions' and its own)."""
    own = set(edition.departements.values_list("code", flat=True))
    regions = list(edition.regions.values_list("code", flat=True))
    if regions:
        own |= set(Departement.objects.filter(region__in=regions).values_list("code", flat=True))
    return sorted(own)


def smes_q(edition: Edition, *, prefix: str = "") -> Q:
    """A filter on SME profiles (or, with `prefix`, on a model that reaches a profile, e.g.
    `organisation__sme_profile__`) selecting the SMEs that belong to the edition: every SME for
    a national edition; by département for a territorial one; by domain or NAF code for a
    sectoral one. An edition without a territory or sector holds no SME."""
    if edition.is_national:
        return Q()
    if edition.is_territorial:
        departements = territory_departements(edition)
        return Q(**{f"{prefix}departement__in": departements}) if departements else Q(pk__in=[])
    domain_ids = list(edition.domains.values_list("pk", flat=True))
    naf_ids = list(edition.naf_codes.values_list("pk", flat=True))
    condition = Q(pk__in=[])
    if domain_ids:
        condition |= Q(**{f"{prefix}domain_ids__overlap": domain_ids})
    if naf_ids:
        condition |= Q(**{f"{prefix}naf__in": naf_ids})
    return condition


def smes(edition: Edition) -> QuerySet[SMEProfile]:
    return SMEProfile.objects.filter(smes_q(edition))


def sme_in_edition(edition: Edition, profile: SMEProfile) -> bool:
    return smes(edition).filter(pk=profile.pk).exists()


def account_editions(organisation: Organisation) -> QuerySet[Edition]:
    """The editions a large account belongs to."""
    return Edition.objects.filter(
        memberships__organisation=organisation, memberships__state=EditionAccount.State.MEMBER
    )


# --- The management pages ---------------------------------------------------------------------


def managed_editions(request: HttpRequest) -> QuerySet[Edition]:
    """The editions listed on /pilotage/editions/: every one for programme staff, the ones the
    person runs as a federator otherwise; with their member and pending request counts."""
    scope = staff_editions(request)
    editions = Edition.objects.all() if scope is None else scope
    return editions.annotate(
        member_count=Count("memberships", filter=Q(memberships__state=EditionAccount.State.MEMBER)),
        request_count=Count(
            "memberships", filter=Q(memberships__state=EditionAccount.State.REQUESTED)
        ),
    ).order_by("name", "pk")


def memberships(edition: Edition, state: str) -> QuerySet[EditionAccount]:
    return (
        EditionAccount.objects.filter(edition=edition, state=state)
        .select_related("organisation", "requested_by", "decided_by")
        .order_by("organisation__name", "pk")
    )


def get_membership(edition: Edition, pk, *, state: str | None = None) -> EditionAccount:
    """A large account's membership of this edition (404 for another edition's)."""
    found = EditionAccount.objects.filter(edition=edition).select_related("organisation")
    if state is not None:
        found = found.filter(state=state)
    try:
        return found.get(pk=int(pk))
    except (EditionAccount.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def conventions_visible(request: HttpRequest, edition: Edition) -> QuerySet[Convention]:
    """Programme staff see every convention of the edition; a federator its own."""
    found = Convention.objects.filter(edition=edition).select_related("federator")
    if not (request.user.is_authenticated and request.user.is_programme_staff):
        federator = acting_federator(request)
        found = found.filter(federator=federator) if federator else found.none()
    return found.order_by("-starts_on", "pk")


def get_convention(request: HttpRequest, edition: Edition, pk) -> Convention:
    try:
        return conventions_visible(request, edition).get(pk=int(pk))
    except (Convention.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def addable_accounts(edition: Edition, *, query: str) -> QuerySet[Organisation]:
    """Large accounts matching a name or SIREN that are not yet members of the edition."""
    query = query.strip()
    if not query:
        return Organisation.objects.none()
    digits = query.replace(" ", "")
    condition = Q(name__icontains=query)
    if digits.isdigit():
        condition |= Q(siren__startswith=digits)
    return (
        Organisation.objects.large_accounts()
        .filter(condition)
        .exclude(pk__in=account_ids(edition))
        .order_by("name", "pk")
    )


def joinable_editions(organisation: Organisation) -> QuerySet[Edition]:
    """Active editions a large account may ask to join (not a member, no request pending)."""
    taken = EditionAccount.objects.filter(
        organisation=organisation,
        state__in=[EditionAccount.State.MEMBER, EditionAccount.State.REQUESTED],
    ).values("edition_id")
    return Edition.objects.filter(status=Edition.Status.ACTIVE).exclude(pk__in=taken)


def account_requests(organisation: Organisation) -> QuerySet[EditionAccount]:
    """A large account's editions and requests, for its dashboard."""
    return (
        EditionAccount.objects.filter(organisation=organisation)
        .select_related("edition")
        .order_by("edition__name")
    )


def scope_labels(edition: Edition) -> list[str]:
    """What an edition covers, for its pages: its regions and départements, or its domains and
    NAF codes (empty for a national edition)."""
    if edition.is_territorial:
        return [region.name for region in edition.regions.all()] + [
            str(departement) for departement in edition.departements.all()
        ]
    if edition.is_sectoral:
        return [domain.name for domain in edition.domains.all()] + list(
            edition.naf_codes.order_by("code").values_list("code", flat=True).distinct()
        )
    return []


def user_runs_edition(user, edition: Edition) -> bool:
    """The user belongs to a federator whose convention for this edition is in force (services
    check it again, below the views)."""
    if user is None or not user.is_authenticated or edition is None:
        return False
    return (
        Convention.objects.in_force()
        .filter(
            edition=edition,
            federator__kind=Organisation.Kind.FEDERATOR,
            federator__memberships__user=user,
        )
        .exists()
    )


def directory_scope(request: HttpRequest) -> tuple[bool, list]:
    """directory.scope's provider (registered by EditionsConfig.ready()): (True, every edition)
    for programme staff, who see every profile and may narrow to one edition; (False, the
    editions the person runs) otherwise, possibly none. Each edition as (slug, name, function
    giving its Q on SMEProfile)."""
    scope = staff_editions(request)
    everything = scope is None
    editions = Edition.objects.all() if everything else scope
    return everything, [
        (edition.slug, edition.name, partial(smes_q, edition))
        for edition in editions.order_by("name")
    ]
