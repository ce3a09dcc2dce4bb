"""Demo data of the challenges (idempotent): a verified research laboratory, Banque Hexagone's
published challenge with three answers (Cyberbase shortlisted, another SME and the laboratory
received), and Énergies de France's awarded challenge, shown on the public list of laureates."""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.demo import demo_user, join, siren_with_key
from accounts.models import Organisation, Role
from directory.models import Domain, SMEProfile

from .models import Answer, Challenge, ResearchProfile

BANK_SIREN = "552120222"  # Banque Hexagone (accounts.demo)
ENERGY_SIREN = "552081317"  # Énergies de France
CYBERBASE_SIREN = "732829320"
RESEARCH_EMAIL = "labo@recherche.example.org"
RESEARCH_NAME = "Institut Lumière Données"


def _research() -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(
        siren=siren_with_key("19690001"),
        defaults={
            "kind": Organisation.Kind.RESEARCH,
            "name": RESEARCH_NAME,
            "verified_at": timezone.now(),
        },
    )
    ResearchProfile.objects.get_or_create(
        organisation=organisation, defaults={"kind": ResearchProfile.Kind.LABORATORY}
    )
    join(demo_user(RESEARCH_EMAIL, first_name="Léa", last_name="Moreau"), organisation, Role.ADMIN)
    return organisation


def _challenge(buyer, title, *, domains, state, days_ago, **fields) -> Challenge:
    now = timezone.now()
    published = now - datetime.timedelta(days=days_ago)
    challenge, created = Challenge.objects.get_or_create(
        buyer=buyer,
        title=title,
        defaults={
            "created_by": buyer.memberships.filter(role=Role.ADMIN).first().user,
            "state": state,
            "submitted_at": published - datetime.timedelta(days=2),
            "published_at": published,
            **fields,
        },
    )
    if created:
        challenge.domains.set(Domain.objects.filter(slug__in=domains))
    return challenge


def _answer(challenge, organisation, text, *, state, days_ago) -> None:
    when = timezone.now() - datetime.timedelta(days=days_ago)
    answer, created = Answer.objects.get_or_create(
        challenge=challenge,
        organisation=organisation,
        defaults={
            "siren": organisation.siren,
            "author": organisation.memberships.order_by("pk").first().user
            if organisation.memberships.exists()
            else None,
            "text": text,
            "state": state,
            "shortlisted_at": when if state != Answer.State.SUBMITTED else None,
            "decided_at": when if state != Answer.State.SUBMITTED else None,
        },
    )
    if created:
        Answer.objects.filter(pk=answer.pk).update(created_at=when - datetime.timedelta(days=3))


@transaction.atomic
def seed() -> None:
    bank = Organisation.objects.filter(siren=BANK_SIREN).first()
    energy = Organisation.objects.filter(siren=ENERGY_SIREN).first()
    cyberbase = Organisation.objects.filter(siren=CYBERBASE_SIREN).first()
    if bank is None or energy is None or cyberbase is None:
        return
    research = _research()
    data_smes = list(
        Organisation.objects.filter(
            sme_profile__state=SMEProfile.State.PUBLISHED, sme_profile__domains__slug="data-ia"
        )
        .exclude(siren=CYBERBASE_SIREN)
        .order_by("siren")[:2]
    )
    today = timezone.localdate()

    fraud = _challenge(
        bank,
        "Détecter les documents falsifiés à l'ouverture de compte",
        domains=["cybersecurite", "data-ia"],
        state=Challenge.State.PUBLISHED,
        days_ago=12,
        context=(
            "Nos conseillers reçoivent chaque mois des milliers de justificatifs (pièces "
            "d'identité, avis d'imposition, bulletins de salaire). Nous cherchons une solution "
            "qui signale en quelques secondes ceux qui ont été retouchés, intégrable à notre "
            "parcours d'ouverture de compte en ligne et en agence."
        ),
        deadline=today + datetime.timedelta(days=30),
        confidential_text=(
            "Volume : 1,2 million de documents par an ; pilote prévu dans 40 agences de l'Ouest."
        ),
        confidentiality=Challenge.Confidentiality.SHORTLISTED,
        public_naming=True,
    )
    _answer(
        fraud,
        cyberbase,
        "Notre SOC analyse déjà les pièces jointes de nos clients ; un module d'analyse "
        "d'images détecte les retouches (métadonnées, compression, polices).",
        state=Answer.State.SHORTLISTED,
        days_ago=4,
    )
    _answer(
        fraud,
        research,
        "Notre équipe publie sur la détection de falsifications d'images et propose un "
        "projet de recherche partenariale de 18 mois.",
        state=Answer.State.SUBMITTED,
        days_ago=6,
    )
    if data_smes:
        _answer(
            fraud,
            data_smes[0],
            "Modèle d'apprentissage entraîné sur des justificatifs français, en production "
            "chez deux assureurs.",
            state=Answer.State.SUBMITTED,
            days_ago=5,
        )

    forecast = _challenge(
        energy,
        "Prévoir la consommation des postes sources à J+1",
        domains=["data-ia"],
        state=Challenge.State.AWARDED,
        days_ago=160,
        context=(
            "Nous voulons prévoir heure par heure la consommation de 300 postes sources pour le "
            "lendemain, météo comprise, avec une erreur moyenne inférieure à 3 %."
        ),
        deadline=today - datetime.timedelta(days=120),
        confidential_text="Les données de comptage restent dans notre cloud privé.",
        confidentiality=Challenge.Confidentiality.NOBODY,
        public_naming=True,
        awarded_at=timezone.now() - datetime.timedelta(days=90),
        closed_at=timezone.now() - datetime.timedelta(days=110),
    )
    winner = data_smes[1] if len(data_smes) > 1 else cyberbase
    _answer(
        forecast,
        winner,
        "Prévision par apprentissage sur l'historique de comptage et les prévisions "
        "météorologiques, recalée chaque heure.",
        state=Answer.State.AWARDED,
        days_ago=100,
    )
    _answer(
        forecast,
        research,
        "Méthodes de prévision probabiliste ; une thèse CIFRE est envisageable.",
        state=Answer.State.DECLINED,
        days_ago=100,
    )
