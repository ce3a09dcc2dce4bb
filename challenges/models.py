"""Open-innovation challenges (défis): a large account's buyer posts a need, programme staff
review it, SMEs of the matching domains and research organisations answer, the buyer shortlists
and awards. Answers are private to the buyer's account (and staff).

Research organisations (`Organisation.Kind.RESEARCH`) register here (`ResearchProfile`) and are
verified by programme staff before they may answer."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from directory.models import Domain
from directory.storage import private_storage

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024


class ChallengeQuerySet(models.QuerySet):
    def open_for_answers(self) -> "ChallengeQuerySet":
        return self.filter(state=Challenge.State.PUBLISHED, deadline__gte=timezone.localdate())

    def publicly_awarded(self) -> "ChallengeQuerySet":
        return self.filter(state=Challenge.State.AWARDED, public_naming=True)


class Challenge(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        REVIEW = "review", _("En relecture")
        PUBLISHED = "published", _("Publié")
        CLOSED = "closed", _("Clos")
        AWARDED = "awarded", _("Attribué")

    class Confidentiality(models.TextChoices):
        SHORTLISTED = "shortlisted", _("Montré aux seuls répondants retenus")
        NOBODY = "nobody", _("Montré à personne (gardé par l'acheteur)")

    buyer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="challenges",
        limit_choices_to={"kind": "large_account"},
        verbose_name=_("grand compte"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(_("titre"), max_length=200)
    context = models.TextField(_("contexte et besoin"), max_length=6000)
    domains = models.ManyToManyField(Domain, related_name="challenges", verbose_name=_("domaines"))
    deadline = models.DateField(_("date limite de réponse"))
    confidential_text = models.TextField(
        _("informations confidentielles"), blank=True, max_length=4000
    )
    confidentiality = models.CharField(
        _("qui voit les informations confidentielles"),
        max_length=12,
        choices=Confidentiality.choices,
        default=Confidentiality.SHORTLISTED,
    )
    public_naming = models.BooleanField(
        _("publier le défi attribué dans la liste publique des lauréats"), default=False
    )
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.DRAFT)
    review_reason = models.TextField(_("motif du renvoi"), blank=True, max_length=2000)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    awarded_at = models.DateTimeField(_("attribué le"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("défi")
        verbose_name_plural = _("défis")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["draft", "review", "published", "closed", "awarded"]),
                name="challenge_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(confidentiality__in=["shortlisted", "nobody"]),
                name="challenge_confidentiality_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "published_at"]),
            models.Index(fields=["buyer", "state"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state == self.State.PUBLISHED and self.deadline >= timezone.localdate()


class AnswerQuerySet(models.QuerySet):
    def retained(self) -> "AnswerQuerySet":
        """Shortlisted or awarded answers (what the Pacte effect counts)."""
        return self.filter(shortlisted_at__isnull=False).exclude(state=Answer.State.DECLINED)


class Answer(models.Model):
    """An SME's or a research organisation's answer to a published challenge."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Reçue")
        SHORTLISTED = "shortlisted", _("Retenue")
        DECLINED = "declined", _("Non retenue")
        AWARDED = "awarded", _("Lauréate")

    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="answers")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="challenge_answers"
    )
    # The respondent's SIREN at the time of answering (what the Pacte effect joins orders on).
    siren = models.CharField(_("SIREN"), max_length=9)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("votre réponse"), max_length=6000)
    document = models.FileField(
        _("document (PDF)"),
        storage=private_storage,
        upload_to="challenges/answers/%Y/",
        max_length=300,
        blank=True,
    )
    document_name = models.CharField(max_length=200, blank=True)
    state = models.CharField(
        _("état"), max_length=12, choices=State.choices, default=State.SUBMITTED
    )
    shortlisted_at = models.DateTimeField(_("retenue le"), null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("envoyée le"), auto_now_add=True)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("réponse à un défi")
        verbose_name_plural = _("réponses aux défis")
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "organisation"], name="answer_one_per_organisation"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["submitted", "shortlisted", "declined", "awarded"]),
                name="answer_state_valid",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "state"])]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.challenge}"


class ResearchProfile(models.Model):
    """What a research organisation says of itself when it registers."""

    class Kind(models.TextChoices):
        LABORATORY = "laboratory", _("Laboratoire de recherche")
        TRANSFER = "transfer", _("Société d'accélération du transfert de technologies")

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="research_profile"
    )
    kind = models.CharField(_("type d'organisme"), max_length=12, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    rejection_reason = models.TextField(_("motif du refus"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("organisme de recherche")
        verbose_name_plural = _("organismes de recherche")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["laboratory", "transfer"]), name="researchprofile_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class Digest(models.Model):
    """One weekly email to an organisation's administrators: at most one per organisation and
    week (the unique constraint makes concurrent runs send it once)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="challenge_digests"
    )
    week = models.DateField(_("semaine du"))  # the Monday
    challenges = models.ManyToManyField(Challenge, through="DigestEntry", related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-week", "organisation_id"]
        verbose_name = _("lettre hebdomadaire des défis")
        verbose_name_plural = _("lettres hebdomadaires des défis")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "week"], name="digest_once_a_week")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} @ {self.week}"


class DigestEntry(models.Model):
    """A challenge told to an organisation: never told twice."""

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="entries")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "challenge"], name="digestentry_once_per_challenge"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} ← {self.challenge_id}"
