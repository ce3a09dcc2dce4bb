"""Demo data of this app for `manage.py seed_demo` (idempotent).

An open campaign for the current year (Banque Hexagone submitted, Énergies de France in draft)
and a closed campaign for the previous year with both declarations submitted.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from directory.models import Domain

from .models import Campaign, Declaration, OrderLine

BANK_SIREN = "552120222"  # Banque Hexagone (accounts.demo)
ENERGY_SIREN = "552081317"  # Énergies de France
# SIREN, name: Cyberbase and Nuagique have profiles in the directory's demo; the others are
# SMEs not registered (yet) — their lines link by themselves when they register.
SMES = [
    ("732829320", "Cyberbase"),
    ("443061841", "Nuagique"),
    ("384756290", "Logiciels du Rhône"),
    ("412345672", "Data Atlantique"),
    ("518293748", "Sécurité Numérique Occitane"),
]
DOMAINS = ["cybersecurite", "cloud-hebergement", "data-ia", "erp", "developpement"]


def _valid(siren: str) -> str:
    from stdnum import luhn
    from stdnum.fr import siren as siren_number

    return siren if siren_number.is_valid(siren) else siren[:8] + luhn.calc_check_digit(siren[:8])


def _campaign(year: int, state: str) -> Campaign:
    campaign, created = Campaign.objects.get_or_create(
        year=year,
        defaults={
            "opens_on": datetime.date(year, 1, 15),
            "closes_on": datetime.date(year + 1, 3, 31),
            "state": state,
            "methodology_version": f"{year}.1",
            "methodology": (
                "Achats informatiques externes HT de l'année civile ; une ligne par bon de "
                "commande passé à une PME (moins de 250 salariés)."
            ),
        },
    )
    if created:
        campaign.domains.set(Domain.objects.filter(is_active=True))
    return campaign


def _declaration(campaign, organisation, *, submitted: bool, scale: int, by) -> None:
    declaration, created = Declaration.objects.get_or_create(
        campaign=campaign,
        organisation=organisation,
        defaults={"it_purchases_total": Decimal(4_000_000 * scale)},
    )
    if not created:
        return
    domains = list(Domain.objects.filter(slug__in=DOMAINS)) or list(Domain.objects.all()[:5])
    lines = []
    for index in range(12):
        siren, name = SMES[index % len(SMES)]
        lines.append(
            OrderLine(
                declaration=declaration,
                sme_profile_id=_valid(siren),
                sme_name=name,
                amount=Decimal(8_000 + 3_750 * index) * scale,
                order_date=datetime.date(campaign.year, 1 + index % 12, 5 + index),
                domain=domains[index % len(domains)],
                reference=f"BC-{campaign.year}-{index + 1:04d}",
                payment_delay_days=30 + (index * 7) % 45,
            )
        )
    OrderLine.objects.bulk_create(lines)
    if submitted:
        declaration.state = Declaration.State.SUBMITTED
        declaration.submitted_at = timezone.now()
        declaration.submitted_by = by
        declaration.save()


def seed() -> None:
    bank = Organisation.objects.filter(siren=BANK_SIREN).first()
    energy = Organisation.objects.filter(siren=ENERGY_SIREN).first()
    if bank is None or energy is None:
        return  # accounts.demo did not run
    buyer = User.objects.filter(email="buyer@example.org").first()
    energy_admin = User.objects.filter(email="achats@energies.example.org").first()
    year = timezone.localdate().year
    with transaction.atomic():
        current = _campaign(year, Campaign.State.OPEN)
        previous = _campaign(year - 1, Campaign.State.CLOSED)
        _declaration(previous, bank, submitted=True, scale=1, by=buyer)
        _declaration(previous, energy, submitted=True, scale=2, by=energy_admin)
        _declaration(current, bank, submitted=True, scale=1, by=buyer)
        _declaration(current, energy, submitted=False, scale=2, by=energy_admin)
