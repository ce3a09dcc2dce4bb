"""Which SME profiles the moderation pages show to the person asking.

Programme staff see every profile (and may narrow the queue to one edition). A federator's
members moderate and verify the SMEs of the editions it runs (their territory or sector), and see
nothing else. The editions app sits above directory, so directory cannot import it:
`EditionsConfig.ready()` registers a provider here, which gives for a request None (programme
staff: every profile) or the editions the person runs (none: nothing), plus the editions
programme staff may pick from. Each edition comes as (slug, name, function giving its Q on
SMEProfile). Without the editions app installed, only programme staff moderate, unfiltered."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

EditionRow = tuple[str, str, Callable[[], Q]]
# provider(request) -> (every profile?, editions to choose from)
ScopeProvider = Callable[[HttpRequest], tuple[bool, list[EditionRow]]]
_provider: ScopeProvider | None = None

NOTHING = Q(pk__in=[])


def register(provider: ScopeProvider) -> None:
    global _provider
    _provider = provider


@dataclass(frozen=True)
class Edition:
    slug: str
    name: str
    q_factory: Callable[[], Q]

    def q(self) -> Q:
        return self.q_factory()


@dataclass(frozen=True)
class ModerationScope:
    """`everything` for programme staff; `editions` the ones the person may pick (a federator's:
    all it may see); `selected` the one chosen with ?edition=<slug> (or a federator's only one)."""

    everything: bool = False
    editions: tuple[Edition, ...] = field(default_factory=tuple)
    selected: Edition | None = None

    @property
    def allowed(self) -> bool:
        return self.everything or bool(self.editions)

    @property
    def selected_slug(self) -> str:
        return self.selected.slug if self.selected is not None else ""

    @property
    def is_federator(self) -> bool:
        return not self.everything

    def q(self) -> Q | None:
        """None: every profile; else those of the selected edition, or of all the person's."""
        if self.selected is not None:
            return self.selected.q()
        if self.everything:
            return None
        condition = NOTHING
        for edition in self.editions:
            condition |= edition.q()
        return condition

    def profiles(self, queryset: QuerySet, prefix: str = "") -> QuerySet:
        """Filter SME profiles, or with `prefix` ("sme_profile__" etc.) another model, through a
        subquery on the profiles in scope."""
        condition = self.q()
        if condition is None:
            return queryset
        if not prefix:
            return queryset.filter(condition)
        from .models import SMEProfile

        return queryset.filter(**{f"{prefix}in": SMEProfile.objects.filter(condition)})

    def editions_of(self, profile) -> list[str]:
        """Names of the editions in scope holding this profile, named in the audit: none for
        programme staff (they act for the whole programme)."""
        if self.everything:
            return []
        from .models import SMEProfile

        candidates = [self.selected] if self.selected is not None else list(self.editions)
        return [
            edition.name
            for edition in candidates
            if SMEProfile.objects.filter(edition.q(), pk=profile.pk).exists()
        ]


def moderation_scope(request: HttpRequest, slug: str | None = None) -> ModerationScope:
    """The scope of the moderation pages for this request; `slug` (?edition=) narrows it to one
    edition, 404 when the person may not see it."""
    if not request.user.is_authenticated:
        return ModerationScope()
    if _provider is None:
        if slug:
            raise Http404
        return ModerationScope(everything=bool(request.user.is_programme_staff))
    everything, rows = _provider(request)
    editions = tuple(Edition(slug=s, name=n, q_factory=f) for s, n, f in rows)
    if not everything and not editions:
        return ModerationScope()  # runs no edition: refused (403), whatever the slug
    selected = None
    if slug:
        selected = next((e for e in editions if e.slug == str(slug)), None)
        if selected is None:
            raise Http404
    elif not everything and len(editions) == 1:
        selected = editions[0]
    return ModerationScope(everything=everything, editions=editions, selected=selected)
