"""Who sees which challenge and answer, and what the Pacte effect reads.

- programme staff: everything;
- a large account: its own challenges (any state) and the answers to them;
- an SME or a research organisation: published challenges (and those it answered), its own answers;
- a federator: the published, closed and awarded challenges of the large accounts of the editions
  it runs (read only, without their answers or confidential text);
- anyone else: nothing. Another organisation's ids answer 404."""

import datetime
from typing import NamedTuple

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404, HttpRequest

from accounts.models import Organisation
from editions.models import EditionAccount
from editions.selectors import editions_run_by

from .models import Answer, Challenge, ResearchProfile

VISIBLE_STATES = (Challenge.State.PUBLISHED, Challenge.State.CLOSED, Challenge.State.AWARDED)


def _organisation(request: HttpRequest) -> Organisation | None:
    return getattr(request, "organisation", None) or None


def challenges_for(request: HttpRequest) -> QuerySet[Challenge]:
    user = request.user
    if not user.is_authenticated:
        return Challenge.objects.none()
    if user.is_programme_staff:
        return Challenge.objects.all()
    organisation = _organisation(request)
    if organisation is None:
        return Challenge.objects.none()
    if organisation.is_large_account:
        return Challenge.objects.filter(buyer=organisation)
    if organisation.is_federator:
        return Challenge.objects.filter(
            state__in=VISIBLE_STATES, buyer_id__in=edition_account_ids(organisation)
        )
    if organisation.is_sme or organisation.is_research:
        return Challenge.objects.filter(
            Q(state=Challenge.State.PUBLISHED)
            | Q(state__in=VISIBLE_STATES, answers__organisation=organisation)
        ).distinct()
    return Challenge.objects.none()


def edition_account_ids(federator: Organisation) -> QuerySet:
    """Ids of the large accounts of the editions the federator runs (usable inside a query)."""
    return EditionAccount.objects.filter(
        edition__in=editions_run_by(federator), state=EditionAccount.State.MEMBER
    ).values("organisation_id")


def get_challenge_for_user(request: HttpRequest, pk) -> Challenge:
    try:
        return challenges_for(request).select_related("buyer").get(pk=int(pk))
    except (Challenge.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def answers_for(request: HttpRequest) -> QuerySet[Answer]:
    user = request.user
    if not user.is_authenticated:
        return Answer.objects.none()
    if user.is_programme_staff:
        return Answer.objects.all()
    organisation = _organisation(request)
    if organisation is None:
        return Answer.objects.none()
    if organisation.is_large_account:
        return Answer.objects.filter(challenge__buyer=organisation)
    if organisation.is_sme or organisation.is_research:
        return Answer.objects.filter(organisation=organisation)
    return Answer.objects.none()


def get_answer_for_user(request: HttpRequest, pk) -> Answer:
    try:
        return answers_for(request).select_related("challenge", "organisation").get(pk=int(pk))
    except (Answer.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def is_buyer(request: HttpRequest, challenge: Challenge) -> bool:
    organisation = _organisation(request)
    return organisation is not None and organisation.pk == challenge.buyer_id


def own_answer(request: HttpRequest, challenge: Challenge) -> Answer | None:
    organisation = _organisation(request)
    if organisation is None:
        return None
    return Answer.objects.filter(challenge=challenge, organisation=organisation).first()


def shows_confidential(request: HttpRequest, challenge: Challenge, answer: Answer | None) -> bool:
    """The buyer and staff always; a respondent once retained, if the buyer chose so."""
    if not challenge.confidential_text:
        return False
    if request.user.is_programme_staff or is_buyer(request, challenge):
        return True
    return bool(
        challenge.confidentiality == Challenge.Confidentiality.SHORTLISTED
        and answer is not None
        and answer.state in (Answer.State.SHORTLISTED, Answer.State.AWARDED)
    )


def list_for(request: HttpRequest) -> QuerySet[Challenge]:
    return (
        challenges_for(request)
        .select_related("buyer")
        .annotate(answer_count=Count("answers", distinct=True))
        .order_by("-published_at", "-created_at", "-pk")
    )


def answers_of_challenge(challenge: Challenge) -> QuerySet[Answer]:
    return challenge.answers.select_related("organisation", "author").order_by("created_at", "pk")


def publicly_awarded() -> QuerySet[Challenge]:
    """Awarded challenges whose buyer agreed to be shown, with their laureates."""
    return (
        Challenge.objects.publicly_awarded()
        .select_related("buyer")
        .prefetch_related("domains")
        .annotate(
            laureates=Count("answers", filter=Q(answers__state=Answer.State.AWARDED)),
        )
        .order_by("-awarded_at", "-pk")
    )


def laureate_names(challenge_ids) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    rows = (
        Answer.objects.filter(challenge_id__in=challenge_ids, state=Answer.State.AWARDED)
        .order_by("organisation__name")
        .values_list("challenge_id", "organisation__name")
    )
    for challenge_id, name in rows:
        names.setdefault(challenge_id, []).append(name)
    return names


def review_queue() -> QuerySet[Challenge]:
    return (
        Challenge.objects.filter(state=Challenge.State.REVIEW)
        .select_related("buyer")
        .order_by("submitted_at", "pk")
    )


def research_to_verify() -> QuerySet[ResearchProfile]:
    return ResearchProfile.objects.filter(organisation__verified_at__isnull=True).select_related(
        "organisation", "created_by"
    )


# --- the Pacte effect ----------------------------------------------------------------------------


class RetainedAnswer(NamedTuple):
    """An SME retained by a large account: joined later to the orders that account declares.
    The first four fields are the contact; the last two group contacts per challenge."""

    date: datetime.date  # the day the answer was shortlisted
    account_id: int  # the large account (the challenge's buyer)
    siren: str  # the SME's SIREN
    answer_id: int
    challenge_id: int
    title: str  # the challenge's


def retained_sme_answers(
    *,
    since: datetime.date | None = None,
    account_ids=None,
    siren: str | None = None,
) -> list[RetainedAnswer]:
    """Every shortlisted or awarded answer by an SME as (date shortlisted, large account
    organisation id, SME SIREN, answer id, challenge id, challenge title), oldest first; declined
    answers (even if shortlisted before) and research organisations' answers are left out.
    Optionally only since a date, for some large accounts, or for one SIREN."""
    rows = Answer.objects.retained().filter(organisation__kind=Organisation.Kind.SME)
    if since is not None:
        rows = rows.filter(shortlisted_at__date__gte=since)
    if account_ids is not None:
        rows = rows.filter(challenge__buyer_id__in=account_ids)
    if siren is not None:
        rows = rows.filter(siren=siren)
    rows = rows.annotate(day=TruncDate("shortlisted_at")).order_by("shortlisted_at", "pk")
    return [
        RetainedAnswer(*row)
        for row in rows.values_list(
            "day", "challenge__buyer_id", "siren", "pk", "challenge_id", "challenge__title"
        )
    ]
