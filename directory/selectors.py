"""Reading the directory: look-ups scoped to the person, autocomplete, counts per region."""

import contextlib
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.postgres.search import TrigramWordSimilarity
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Membership, Organisation

from .models import (
    ArbitrationRequest,
    Departement,
    Domain,
    JoinRequest,
    Label,
    ProfileChange,
    Region,
    SMEProfile,
    VerificationDocument,
    Vouch,
    folded,
)
from .scope import ModerationScope
from .search import Criteria, FacetCounts, facet_counts, fold, matches, text_page_ids

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
    # Every condition uses the trigram GIN index on the folded name (%, %> and LIKE '%…%').
    return list(
        qs.annotate(
            folded_name=folded("name"), similarity=TrigramWordSimilarity(text, folded("name"))
        )
        .filter(
            Q(folded_name__trigram_similar=text)
            | Q(folded_name__trigram_word_similar=text)
            | Q(folded_name__contains=text)
        )
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


def moderation_queue(scope: ModerationScope | None = None) -> list[SMEProfile]:
    """Profiles waiting for review, oldest submission first (only those in `scope`, a
    federator's editions or the edition chosen, when given)."""
    queryset = SMEProfile.objects.filter(state=SMEProfile.State.PENDING)
    if scope is not None:
        queryset = scope.profiles(queryset)
    return list(
        queryset.select_related("region", "departement", "naf", "organisation")
        .prefetch_related("domains", "labels")
        .order_by("submitted_at", "id")
    )


def labels_and_domains() -> tuple[list[Domain], list[Label]]:
    return list(Domain.objects.all()), list(Label.objects.all())


# --- the directory page -----------------------------------------------------------------------


@dataclass
class Reference:
    regions: list[Region]
    departements: list[Departement]
    domains: list[Domain]
    labels: list[Label]

    @cached_property
    def region_names(self) -> dict[str, str]:
        return {r.code: r.name for r in self.regions}

    @cached_property
    def domains_by_id(self) -> dict[int, Domain]:
        return {d.pk: d for d in self.domains}

    @cached_property
    def labels_by_id(self) -> dict[int, Label]:
        return {lab.pk: lab for lab in self.labels}


REFERENCE_KEY = "directory:reference"
REFERENCE_VERSION_KEY = "directory:reference:version"
REFERENCE_SECONDS = 300
# This process's copy of the reference and the version it was read at: while the cache names
# the same version, a page reads that short key instead of unpickling the whole reference.
_kept: tuple[str, Reference] | None = None


def reference() -> Reference:
    """Regions, départements, domains and labels (four small queries), kept in the cache for a
    few minutes under a version (each process keeps its copy while the version stands): every
    directory page needs them, and staff change the taxonomy rarely (the admin forgets them
    then, see forget_reference)."""
    global _kept
    use_cache = not getattr(settings, "TESTING", False) or getattr(
        settings, "DIRECTORY_FACET_CACHE", False
    )
    if use_cache:
        try:
            version = cache.get(REFERENCE_VERSION_KEY)
            if version is not None and _kept is not None and _kept[0] == version:
                return _kept[1]
            cached = cache.get(REFERENCE_KEY)
        except Exception:  # a cache outage must not break the directory
            cached = None
        if isinstance(cached, tuple):
            _kept = cached
            return cached[1]
    ref = Reference(
        regions=list(Region.objects.order_by("name")),
        departements=list(Departement.objects.order_by("code")),
        domains=list(Domain.objects.order_by("position", "name")),
        labels=list(Label.objects.order_by("position", "name")),
    )
    if use_cache:
        version = uuid.uuid4().hex
        with contextlib.suppress(Exception):
            cache.set_many(
                {REFERENCE_KEY: (version, ref), REFERENCE_VERSION_KEY: version}, REFERENCE_SECONDS
            )
            _kept = (version, ref)
    return ref


def forget_reference() -> None:
    """Called when staff change the domains or the labels."""
    with contextlib.suppress(Exception):
        cache.delete_many([REFERENCE_KEY, REFERENCE_VERSION_KEY])


@dataclass
class DirectoryPage:
    criteria: Criteria
    results: list[SMEProfile]
    facets: FacetCounts
    number: int
    per_page: int
    num_pages: int
    notices: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.facets.total

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def end_index(self) -> int:
        return min(self.total, self.number * self.per_page)


def parse_page(value, *, notices: list[str]) -> int:
    try:
        number = int(str(value or "1")[:12])
    except ValueError:
        notices.append(_("Le numéro de page n'a pas été compris : première page affichée."))
        return 1
    if number < 1:
        notices.append(_("Le numéro de page n'a pas été compris : première page affichée."))
        return 1
    return number


def directory_page(
    *, criteria: Criteria, page: int, per_page: int, ref: Reference
) -> DirectoryPage:
    """One page of results with its facet counts: three SQL queries whatever the page size."""
    notices: list[str] = []
    # With text and counts not cached yet, the counting statement also finds the page's ids.
    facets = facet_counts(criteria, window=((page - 1) * per_page, per_page))
    ids = facets.page_ids
    num_pages = max(1, -(-facets.total // per_page))
    if page > num_pages:
        notices.append(
            _("La page %(page)s n'existe pas : dernière page (%(last)s) affichée.")
            % {"page": page, "last": num_pages}
        )
        page = num_pages
        ids = None
    offset = (page - 1) * per_page
    if ids is None:
        # Which rows make the page: without text, an index-only scan of a covering index that
        # holds every filtered column; then those rows only.
        # With text, the narrow search documents, ranked (see search.py).
        if criteria.q:
            ids = text_page_ids(criteria, offset=offset, limit=per_page)
        else:
            ids = list(matches(criteria).values_list("id", flat=True)[offset : offset + per_page])
    rows = (
        SMEProfile.objects.filter(id__in=ids)
        .select_related("region", "departement")
        .defer("search_vector", "published_snapshot")
        .order_by()
    )
    position = {pk: i for i, pk in enumerate(ids)}
    results = sorted(rows, key=lambda p: position[p.pk])
    for profile in results:
        profile.domain_list = [
            ref.domains_by_id[i] for i in profile.domain_ids if i in ref.domains_by_id
        ]
        profile.label_list = [
            ref.labels_by_id[i] for i in profile.label_ids if i in ref.labels_by_id
        ]
    return DirectoryPage(
        criteria=criteria,
        results=results,
        facets=facets,
        number=page,
        per_page=per_page,
        num_pages=num_pages,
        notices=notices,
    )


def profile_history(profile: SMEProfile) -> list[dict]:
    """Who changed what and when, newest first, with the fields' labels (staff only)."""
    changes = []
    for change in ProfileChange.objects.filter(profile=profile).select_related("by"):
        rows = []
        if change.kind == ProfileChange.Kind.EDITED:
            for name, (before, after) in change.changes.items():
                try:
                    label = str(SMEProfile._meta.get_field(name).verbose_name)
                except Exception:  # a field removed since
                    label = name
                rows.append({"label": label, "before": before, "after": after})
        changes.append({"change": change, "rows": rows, "reason": change.changes.get("reason")})
    return changes


# --- identity evidence (programme staff) ------------------------------------------------------

# Addresses anyone can open: their domain says nothing about the company.
FREE_MAIL_DOMAINS = {
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.fr",
    "ymail.com",
    "orange.fr",
    "wanadoo.fr",
    "free.fr",
    "laposte.net",
    "sfr.fr",
    "neuf.fr",
    "bbox.fr",
    "aol.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "gmx.fr",
    "gmx.com",
    "proton.me",
    "protonmail.com",
    "pm.me",
    "tutanota.com",
    "yandex.com",
    "mail.com",
    "zoho.com",
}
FREE_MAIL_PREFIXES = ("outlook.", "hotmail.", "live.", "msn.", "yahoo.")


def is_free_mail(domain: str) -> bool:
    domain = domain.lower()
    return domain in FREE_MAIL_DOMAINS or domain.startswith(FREE_MAIL_PREFIXES)


def website_domain(url: str) -> str:
    host = (urlsplit(url if "//" in (url or "") else f"//{url or ''}").hostname or "").lower()
    return host.removeprefix("www.")


@dataclass
class EmailDomainHint:
    email: str
    domain: str
    site: str
    verdict: str  # "match", "mismatch", "free_mail" or "no_website"

    @property
    def message(self) -> str:
        if self.verdict == "match":
            return _("Le domaine de l'e-mail correspond au site web (indice favorable).")
        if self.verdict == "free_mail":
            return _(
                "Messagerie grand public : le domaine de l'e-mail ne prouve rien sur l'entreprise."
            )
        if self.verdict == "no_website":
            return _("Pas de site web dans le profil : rien à comparer.")
        return _("Le domaine de l'e-mail ne correspond pas au site web : à examiner.")


def email_domain_hint(email: str, website: str) -> EmailDomainHint:
    domain = email.rsplit("@", 1)[-1].lower()
    site = website_domain(website)
    if is_free_mail(domain):
        verdict = "free_mail"
    elif not site:
        verdict = "no_website"
    elif domain == site or domain.endswith("." + site) or site.endswith("." + domain):
        verdict = "match"
    else:
        verdict = "mismatch"
    return EmailDomainHint(email=email, domain=domain, site=site, verdict=verdict)


@dataclass
class Evidence:
    verified: bool
    documents: list[VerificationDocument]
    hints: list[EmailDomainHint]
    vouches: list[Vouch]


def verification_evidence(profile: SMEProfile) -> Evidence:
    """What staff weigh before verifying an SME: its documents, how its administrators' email
    domains compare with its website, and large accounts vouching for its contacts."""
    organisation = profile.organisation
    admins = (
        Membership.objects.filter(organisation=organisation, role="admin")
        .order_by("created_at", "pk")
        .values_list("user__email", flat=True)
    )
    return Evidence(
        verified=organisation.is_verified,
        documents=list(
            VerificationDocument.objects.filter(organisation=organisation).select_related(
                "uploaded_by"
            )
        ),
        hints=[email_domain_hint(email, profile.website) for email in admins],
        vouches=list(
            Vouch.objects.filter(organisation=organisation).select_related(
                "voucher", "contact", "by"
            )
        ),
    )


def current_document(organisation) -> VerificationDocument | None:
    return (
        VerificationDocument.objects.filter(organisation=organisation, deleted_at__isnull=True)
        .exclude(file="")
        .first()
    )


def get_profile_for_moderation(scope: ModerationScope, pk) -> SMEProfile:
    """A profile the person may moderate: any for programme staff, those of its editions for a
    federator; 404 otherwise."""
    if not scope.allowed:
        raise Http404
    queryset = scope.profiles(
        SMEProfile.objects.select_related("organisation", "region", "departement", "naf")
    )
    try:
        return queryset.get(pk=int(pk))
    except (TypeError, ValueError, SMEProfile.DoesNotExist) as exc:
        raise Http404 from exc


def get_document_for_staff(user, pk, scope: ModerationScope | None = None) -> VerificationDocument:
    """An identity document still held, for programme staff, or (with `scope`) for a federator
    when the SME belongs to one of its editions; 404 for anyone else."""
    if scope is None:
        allowed = user.is_authenticated and user.is_programme_staff
        documents = VerificationDocument.objects.all()
    else:
        allowed = scope.allowed
        documents = scope.profiles(
            VerificationDocument.objects.all(), prefix="organisation__sme_profile__"
        )
    if not allowed:
        raise Http404
    try:
        document = documents.get(pk=int(pk), deleted_at__isnull=True)
    except (TypeError, ValueError, VerificationDocument.DoesNotExist) as exc:
        raise Http404 from exc
    if not document.file:
        raise Http404
    return document


def get_arbitration_for_staff(user, pk) -> ArbitrationRequest:
    if not user.is_authenticated or not user.is_programme_staff:
        raise Http404
    try:
        return ArbitrationRequest.objects.select_related("organisation", "user", "decided_by").get(
            pk=int(pk)
        )
    except (TypeError, ValueError, ArbitrationRequest.DoesNotExist) as exc:
        raise Http404 from exc


def arbitration_queue() -> list[ArbitrationRequest]:
    return list(
        ArbitrationRequest.objects.filter(state=ArbitrationRequest.State.PENDING)
        .select_related("organisation", "user")
        .order_by("created_at", "id")
    )


def organisation_members(organisation) -> list:
    return list(
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("-role", "user__email")
    )


def get_unverified_sme_for_staff(user, pk):
    if not user.is_authenticated or not user.is_programme_staff:
        raise Http404
    try:
        return Organisation.objects.get(
            pk=int(pk), kind=Organisation.Kind.SME, verified_at__isnull=True
        )
    except (TypeError, ValueError, Organisation.DoesNotExist) as exc:
        raise Http404 from exc


def get_sme_for_staff(user, pk):
    if not user.is_authenticated or not user.is_programme_staff:
        raise Http404
    try:
        return Organisation.objects.get(pk=int(pk), kind=Organisation.Kind.SME)
    except (TypeError, ValueError, Organisation.DoesNotExist) as exc:
        raise Http404 from exc
