"""What changes a challenge, an answer or a research organisation. Each function checks the
transition, writes in one transaction and queues its emails in it (accounts.mail outbox)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import mail
from accounts.models import Membership, Organisation, Role, User
from audit import services as audit
from directory.models import SMEProfile

from .models import MAX_DOCUMENT_BYTES, Answer, Challenge, Digest, DigestEntry, ResearchProfile


class TransitionError(ValidationError):
    pass


CHALLENGE_TRANSITIONS = {
    Challenge.State.DRAFT: {Challenge.State.REVIEW},
    Challenge.State.REVIEW: {Challenge.State.PUBLISHED, Challenge.State.DRAFT},
    Challenge.State.PUBLISHED: {Challenge.State.CLOSED, Challenge.State.AWARDED},
    Challenge.State.CLOSED: {Challenge.State.AWARDED},
    Challenge.State.AWARDED: set(),
}
ANSWER_TRANSITIONS = {
    Answer.State.SUBMITTED: {Answer.State.SHORTLISTED, Answer.State.DECLINED},
    Answer.State.SHORTLISTED: {Answer.State.AWARDED, Answer.State.DECLINED},
    Answer.State.DECLINED: {Answer.State.SHORTLISTED},
    Answer.State.AWARDED: set(),
}


def _check(transitions: dict, current: str, target: str) -> None:
    if target not in transitions.get(current, set()):
        raise TransitionError(
            _("Cette action n'est pas possible dans l'état actuel."), code="transition"
        )


def _admin_emails(organisation: Organisation | int) -> list[str]:
    return list(
        Membership.objects.filter(organisation=organisation, role=Role.ADMIN).values_list(
            "user__email", flat=True
        )
    )


def _staff_emails() -> list[str]:
    return list(
        User.objects.filter(is_programme_staff=True, is_active=True).values_list("email", flat=True)
    )


def _url(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _buyer_emails(challenge: Challenge) -> list[str]:
    emails = _admin_emails(challenge.buyer)
    if challenge.created_by_id and challenge.created_by.is_active:
        emails.append(challenge.created_by.email)
    return emails


# --- challenges ------------------------------------------------------------------------------------


def save_challenge(
    *, challenge: Challenge | None, buyer: Organisation, by: User, data: dict
) -> Challenge:
    """Create a draft, or change a draft (a challenge under review or published is not edited)."""
    if not buyer.is_large_account:
        raise ValidationError(_("Seul un grand compte publie des défis."), code="kind")
    with transaction.atomic():
        if challenge is None:
            challenge = Challenge(buyer=buyer, created_by=by)
        elif challenge.state != Challenge.State.DRAFT:
            raise TransitionError(_("Seul un brouillon se modifie."), code="transition")
        for field in (
            "title",
            "context",
            "deadline",
            "confidential_text",
            "confidentiality",
            "public_naming",
        ):
            setattr(challenge, field, data[field])
        challenge.save()
        challenge.domains.set(data["domains"])
    return challenge


def submit_challenge(*, challenge: Challenge, by: User) -> Challenge:
    with transaction.atomic():
        challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
        _check(CHALLENGE_TRANSITIONS, challenge.state, Challenge.State.REVIEW)
        if challenge.deadline < timezone.localdate():
            raise ValidationError(
                _("La date limite est passée : changez-la avant de soumettre."), code="deadline"
            )
        challenge.state = Challenge.State.REVIEW
        challenge.submitted_at = timezone.now()
        challenge.save(update_fields=["state", "submitted_at", "updated_at"])
        mail.send_later(
            to=_staff_emails(),
            subject=_("Défi à relire : %(title)s") % {"title": challenge.title},
            body=_("%(buyer)s soumet un défi à relire : %(url)s")
            % {"buyer": challenge.buyer.name, "url": _url("challenges:staff_review", challenge.pk)},
        )
    return challenge


def approve_challenge(*, challenge: Challenge, by: User) -> Challenge:
    """Staff publish the challenge: SMEs of its domains hear of it in their weekly digest."""
    with transaction.atomic():
        challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
        _check(CHALLENGE_TRANSITIONS, challenge.state, Challenge.State.PUBLISHED)
        challenge.state = Challenge.State.PUBLISHED
        challenge.published_at = timezone.now()
        challenge.reviewed_by = by
        challenge.review_reason = ""
        challenge.save(
            update_fields=["state", "published_at", "reviewed_by", "review_reason", "updated_at"]
        )
        audit.record(
            actor=by,
            action="challenge.publish",
            target=challenge,
            organisation_id=challenge.buyer_id,
            changes={"state": (Challenge.State.REVIEW, Challenge.State.PUBLISHED)},
        )
        mail.send_later(
            to=_buyer_emails(challenge),
            subject=_("Votre défi est publié : %(title)s") % {"title": challenge.title},
            body=_(
                "L'équipe du programme a publié votre défi. Les PME des domaines choisis et les "
                "organismes de recherche peuvent y répondre jusqu'au %(deadline)s.\n\n%(url)s"
            )
            % {
                "deadline": challenge.deadline.strftime("%d/%m/%Y"),
                "url": _url("challenges:detail", challenge.pk),
            },
        )
    return challenge


def send_back_challenge(*, challenge: Challenge, by: User, reason: str) -> Challenge:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Dites au grand compte ce qu'il faut changer."), code="reason")
    with transaction.atomic():
        challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
        _check(CHALLENGE_TRANSITIONS, challenge.state, Challenge.State.DRAFT)
        challenge.state = Challenge.State.DRAFT
        challenge.review_reason = reason
        challenge.reviewed_by = by
        challenge.save(update_fields=["state", "review_reason", "reviewed_by", "updated_at"])
        audit.record(
            actor=by,
            action="challenge.send_back",
            target=challenge,
            organisation_id=challenge.buyer_id,
            changes={"state": (Challenge.State.REVIEW, Challenge.State.DRAFT)},
            reason=reason,
        )
        mail.send_later(
            to=_buyer_emails(challenge),
            subject=_("Votre défi est à reprendre : %(title)s") % {"title": challenge.title},
            body=_("L'équipe du programme vous renvoie votre défi :\n\n%(reason)s\n\n%(url)s")
            % {"reason": reason, "url": _url("challenges:detail", challenge.pk)},
        )
    return challenge


def close_challenge(*, challenge: Challenge, by: User) -> Challenge:
    with transaction.atomic():
        challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
        _check(CHALLENGE_TRANSITIONS, challenge.state, Challenge.State.CLOSED)
        challenge.state = Challenge.State.CLOSED
        challenge.closed_at = timezone.now()
        challenge.save(update_fields=["state", "closed_at", "updated_at"])
    return challenge


# --- answers -------------------------------------------------------------------------------------


def can_answer(organisation: Organisation | None) -> bool:
    """Verified SMEs and verified research organisations answer challenges."""
    return bool(
        organisation is not None
        and (organisation.is_sme or organisation.is_research)
        and organisation.is_verified
    )


def check_pdf(upload) -> None:
    """A PDF of 5 MB at most: the size, then the first bytes (%PDF-), whatever its name says."""
    if upload is None or not upload.size:
        raise ValidationError(_("Le fichier est vide."), code="empty")
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _("Le fichier dépasse 5 Mo : envoyez un PDF plus léger."), code="too_large"
        )
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        raise ValidationError(_("Seuls les fichiers PDF sont acceptés."), code="not_pdf")


def submit_answer(
    *, challenge: Challenge, organisation: Organisation, by: User, text: str, upload=None
) -> Answer:
    if not can_answer(organisation):
        raise ValidationError(
            _("Seules les PME et les organismes de recherche vérifiés répondent aux défis."),
            code="kind",
        )
    if not (text or "").strip():
        raise ValidationError(_("Écrivez votre réponse."), code="empty")
    if upload is not None:
        check_pdf(upload)
    try:
        with transaction.atomic():
            challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
            if not challenge.is_open:
                raise ValidationError(_("Ce défi ne reçoit plus de réponses."), code="closed")
            answer = Answer(
                challenge=challenge,
                organisation=organisation,
                siren=organisation.siren,
                author=by,
                text=text.strip(),
            )
            if upload is not None:
                name = (upload.name or "document.pdf").replace("\\", "/").rsplit("/", 1)[-1]
                answer.document_name = name[:200] or "document.pdf"
                answer.document.save("reponse.pdf", upload, save=False)
            answer.save()
            mail.send_later(
                to=_buyer_emails(challenge),
                subject=_("Nouvelle réponse à votre défi : %(title)s") % {"title": challenge.title},
                body=_("%(who)s a répondu à votre défi.\n\n%(url)s")
                % {"who": organisation.name, "url": _url("challenges:detail", challenge.pk)},
            )
    except IntegrityError:
        raise ValidationError(
            _("Votre organisation a déjà répondu à ce défi."), code="duplicate"
        ) from None
    return answer


ANSWER_MESSAGES = {
    Answer.State.SHORTLISTED: gettext_lazy("Votre réponse est retenue : %(title)s"),
    Answer.State.DECLINED: gettext_lazy("Votre réponse n'est pas retenue : %(title)s"),
    Answer.State.AWARDED: gettext_lazy("Votre réponse est lauréate : %(title)s"),
}


def decide_answer(*, answer: Answer, by: User, state: str) -> Answer:
    """The buyer shortlists, declines or awards an answer. Awarding makes the challenge awarded."""
    if state not in ANSWER_MESSAGES:
        raise TransitionError(_("Décision inconnue."), code="transition")
    with transaction.atomic():
        challenge = Challenge.objects.select_for_update().get(pk=answer.challenge_id)
        answer = Answer.objects.select_for_update().get(pk=answer.pk)
        if challenge.state not in (
            Challenge.State.PUBLISHED,
            Challenge.State.CLOSED,
            Challenge.State.AWARDED,
        ):
            raise TransitionError(_("Ce défi n'est pas publié."), code="transition")
        _check(ANSWER_TRANSITIONS, answer.state, state)
        now = timezone.now()
        answer.state = state
        answer.decided_at = now
        if state == Answer.State.SHORTLISTED and answer.shortlisted_at is None:
            answer.shortlisted_at = now
        answer.save(update_fields=["state", "decided_at", "shortlisted_at"])
        if state == Answer.State.AWARDED and challenge.state != Challenge.State.AWARDED:
            challenge.state = Challenge.State.AWARDED
            challenge.awarded_at = now
            challenge.save(update_fields=["state", "awarded_at", "updated_at"])
        recipients = _admin_emails(answer.organisation)
        if answer.author_id and answer.author.is_active:
            recipients.append(answer.author.email)
        mail.send_later(
            to=recipients,
            subject=str(ANSWER_MESSAGES[state]) % {"title": challenge.title},
            body=_("%(buyer)s a examiné votre réponse au défi « %(title)s ».\n\n%(url)s")
            % {
                "buyer": challenge.buyer.name,
                "title": challenge.title,
                "url": _url("challenges:detail", challenge.pk),
            },
        )
    return answer


# --- research organisations ------------------------------------------------------------------------


def register_research(*, user: User, name: str, siren: str, kind: str) -> Organisation:
    """A laboratory or technology-transfer company registers; staff verify it before it answers."""
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(
                kind=Organisation.Kind.RESEARCH, name=name.strip(), siren=siren
            )
            Membership.objects.create(user=user, organisation=organisation, role=Role.ADMIN)
            ResearchProfile.objects.create(organisation=organisation, kind=kind, created_by=user)
            mail.send_later(
                to=_staff_emails(),
                subject=_("Organisme de recherche à vérifier : %(name)s") % {"name": name},
                body=_("%(name)s (SIREN %(siren)s) s'est inscrit : %(url)s")
                % {"name": name, "siren": siren, "url": _url("challenges:staff_research")},
            )
    except IntegrityError:
        raise ValidationError(
            _("Ce SIREN est déjà inscrit au programme."), code="siren_taken"
        ) from None
    return organisation


def verify_research(*, organisation: Organisation, by: User) -> Organisation:
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if not organisation.is_research or organisation.verified_at is not None:
            raise TransitionError(_("Cet organisme est déjà vérifié."), code="transition")
        organisation.verified_at = timezone.now()
        organisation.verified_by = by
        organisation.save(update_fields=["verified_at", "verified_by"])
        audit.record(
            actor=by,
            action="research.verify",
            target=organisation,
            organisation_id=organisation.pk,
            changes={"verified_at": (None, organisation.verified_at)},
        )
        mail.send_later(
            to=_admin_emails(organisation),
            subject=_("Votre organisme est vérifié"),
            body=_("Vous pouvez répondre aux défis des grands comptes : %(url)s")
            % {"url": _url("challenges:list")},
        )
    return organisation


# --- weekly digest -------------------------------------------------------------------------------


def _week_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _untold(week: datetime.date) -> dict[int, list[Challenge]]:
    """Organisation id → the open challenges it was never told of, for the verified SMEs with a
    published profile in one of each challenge's domains and the verified research
    organisations; organisations that already had this week's digest are left out. One query per
    open challenge (there are few), none per organisation."""
    done_this_week = Digest.objects.filter(week=week).values("organisation_id")
    research = list(
        Organisation.objects.verified()
        .filter(kind=Organisation.Kind.RESEARCH)
        .exclude(pk__in=done_this_week)
        .values_list("pk", flat=True)
    )
    untold: dict[int, list[Challenge]] = {}
    challenges = (
        Challenge.objects.open_for_answers()
        .select_related("buyer")
        .prefetch_related("domains")
        .order_by("published_at", "pk")
    )
    for challenge in challenges:
        told = DigestEntry.objects.filter(challenge=challenge).values("organisation_id")
        smes = (
            SMEProfile.objects.published()
            .filter(domain_ids__overlap=[d.pk for d in challenge.domains.all()])
            .filter(organisation__in=Organisation.objects.verified())
            .exclude(organisation_id__in=told)
            .exclude(organisation_id__in=done_this_week)
            .values_list("organisation_id", flat=True)
        )
        told_research = set(
            DigestEntry.objects.filter(
                challenge=challenge, organisation_id__in=research
            ).values_list("organisation_id", flat=True)
        )
        for organisation_id in [*smes, *(pk for pk in research if pk not in told_research)]:
            untold.setdefault(organisation_id, []).append(challenge)
    return untold


def send_digests(*, today: datetime.date | None = None) -> int:
    """Each SME (of the challenges' domains) and research organisation gets, at most once a week,
    the open challenges published since its last digest. Returns how many digests were sent.

    Safe to run twice, or twice at once: a digest is one row per organisation and week (unique),
    inserted in the transaction that records its entries (unique per organisation and challenge)
    and queues its email, so a concurrent run waits on that row, then fails to insert it and
    skips the organisation; a challenge told once is never told again."""
    week = _week_of(today or timezone.localdate())
    sent = 0
    for organisation_id, challenges in sorted(_untold(week).items()):
        try:
            with transaction.atomic():
                digest = Digest.objects.create(organisation_id=organisation_id, week=week)
                DigestEntry.objects.bulk_create(
                    DigestEntry(digest=digest, organisation_id=organisation_id, challenge=c)
                    for c in challenges
                )
                lines = "\n".join(
                    f"- {c.title} ({c.buyer.name}, {c.deadline.strftime('%d/%m/%Y')}) : "
                    f"{_url('challenges:detail', c.pk)}"
                    for c in challenges
                )
                mail.send_later(
                    to=_admin_emails(organisation_id),
                    subject=_("Les nouveaux défis des grands comptes"),
                    body=_("Nouveaux défis publiés pour vous :\n\n%(lines)s") % {"lines": lines},
                )
        except IntegrityError:  # another run sent this week's digest (or one of its challenges)
            continue
        sent += 1
    return sent
