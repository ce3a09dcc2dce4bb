"""Demo data of the skills sponsorship (idempotent): Cyberbase's sales need met by Banque
Hexagone's volunteers (done, with both feedbacks), another SME's finance need met by Énergies de
France (running), and an open need and offer for staff to match."""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, Role
from directory.models import SMEProfile

from .models import Category, Mission, Need, Offer

BANK_SIREN = "552120222"  # Banque Hexagone (accounts.demo)
ENERGY_SIREN = "552081317"  # Énergies de France
CYBERBASE_SIREN = "732829320"


def _admin(organisation):
    membership = organisation.memberships.filter(role=Role.ADMIN).order_by("pk").first()
    return membership.user if membership else None


def _need(sme, title, category, days, description) -> Need:
    need, _ = Need.objects.get_or_create(
        sme=sme,
        title=title,
        defaults={
            "category": category,
            "estimated_days": days,
            "description": description,
            "created_by": _admin(sme),
        },
    )
    return need


def _offer(account, category, days, description) -> Offer:
    today = timezone.localdate()
    offer, _ = Offer.objects.get_or_create(
        account=account,
        category=category,
        defaults={
            "days": days,
            "starts_on": today - datetime.timedelta(days=120),
            "ends_on": today + datetime.timedelta(days=240),
            "description": description,
            "created_by": _admin(account),
        },
    )
    return offer


def _mission(need, offer, days, *, state, agreed_days_ago, **fields) -> Mission:
    agreed = timezone.now() - datetime.timedelta(days=agreed_days_ago)
    mission, _ = Mission.objects.get_or_create(
        need=need,
        offer=offer,
        defaults={
            "account": offer.account,
            "sme": need.sme,
            "sme_siren": need.sme.siren,
            "days": days,
            "state": state,
            "sme_accepted_at": agreed - datetime.timedelta(days=1),
            "account_accepted_at": agreed,
            "agreed_at": agreed,
            "started_at": agreed + datetime.timedelta(days=7),
            **fields,
        },
    )
    Need.objects.filter(pk=need.pk, state=Need.State.OPEN).update(state=Need.State.MATCHED)
    return mission


@transaction.atomic
def seed() -> None:
    bank = Organisation.objects.filter(siren=BANK_SIREN).first()
    energy = Organisation.objects.filter(siren=ENERGY_SIREN).first()
    cyberbase = Organisation.objects.filter(siren=CYBERBASE_SIREN).first()
    other = (
        Organisation.objects.filter(sme_profile__state=SMEProfile.State.PUBLISHED)
        .exclude(siren=CYBERBASE_SIREN)
        .order_by("siren")
        .first()
    )
    if None in (bank, energy, cyberbase, other):
        return
    sales_need = _need(
        cyberbase,
        "Structurer notre prospection des grands comptes",
        Category.SALES,
        5,
        "Nous vendons surtout aux collectivités ; nous voulons une méthode pour répondre aux "
        "consultations des grands groupes et présenter notre offre à leurs directions achats.",
    )
    bank_offer = _offer(
        bank,
        Category.SALES,
        20,
        "Deux acheteurs informatiques et une responsable grands comptes, une journée par semaine.",
    )
    _mission(
        sales_need,
        bank_offer,
        5,
        state=Mission.State.DONE,
        agreed_days_ago=150,
        done_at=timezone.now() - datetime.timedelta(days=100),
        sme_feedback="Nous savons désormais lire un cahier des charges de grand compte et "
        "y répondre en deux semaines au lieu de six.",
        account_feedback="Des échanges utiles pour nos acheteurs aussi : ils connaissent "
        "mieux les contraintes d'une PME.",
    )
    finance_need = _need(
        other,
        "Préparer notre première levée de fonds",
        Category.FINANCE,
        3,
        "Construire le plan de financement et préparer les rencontres avec les investisseurs.",
    )
    energy_offer = _offer(
        energy,
        Category.FINANCE,
        10,
        "Une contrôleuse de gestion et un analyste financier volontaires.",
    )
    _mission(finance_need, energy_offer, 3, state=Mission.State.RUNNING, agreed_days_ago=20)
    # Left for staff to match on /pilotage/mecenat/.
    _need(
        cyberbase,
        "Relire nos conditions générales de vente",
        Category.LEGAL,
        2,
        "Nos CGV datent de notre création ; nous voulons les adapter aux marchés privés.",
    )
    _offer(bank, Category.LEGAL, 6, "Un juriste contrats informatiques, deux jours par mois.")
