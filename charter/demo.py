"""Demo data of the charter (idempotent): the members' charter in two versions (the second one
in force, with a renewal deadline), the providers' charter, a signed member (Banque Hexagone, with
its contacts and targets for the closed year), a member « à renouveler » (Énergies de France), an
unsigned member (Transports Métropole), Cyberbase signed up to the providers' charter, and one
dispute in each state on Banque Hexagone's submitted declaration of the open campaign."""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from directory.reference import PROVIDERS_CHARTER_LABEL
from directory.services import set_granted_label
from procurement.models import Campaign, Declaration, Dispute, OrderLine

from .models import CharterVersion, Commitment, Contacts, Signature, Targets

BANK_SIREN = "552120222"
ENERGY_SIREN = "552081317"
UNSIGNED_SIREN = "552100000"
CYBERBASE_SIREN = "732829320"

MEMBERS_BODY = """## Préambule

Les signataires s'engagent à ouvrir leurs achats informatiques aux **PME innovantes** et à rendre
compte, chaque année, de ce qu'ils leur ont acheté.

## Principes

- Traiter les PME avec équité dans les consultations ;
- payer dans les délais légaux ;
- nommer un correspondant PME et un médiateur interne.

En savoir plus : [le programme](https://www.economie.gouv.fr/mediateur-des-entreprises).
"""

MEMBERS_COMMITMENTS = [
    "Ouvrir nos consultations informatiques aux PME innovantes.",
    "Déclarer chaque année nos commandes passées aux PME.",
    "Payer nos fournisseurs PME dans un délai de 60 jours au plus.",
    "Nommer un correspondant PME et un médiateur interne.",
]
PROVIDERS_BODY = """## Charte qualité des PME prestataires

Les PME signataires s'engagent sur la **qualité** de leurs prestations et la transparence de
leurs offres.
"""
PROVIDERS_COMMITMENTS = [
    "Décrire nos offres et nos références avec exactitude.",
    "Répondre aux réclamations de nos clients sous 15 jours.",
]


def _version(kind, number, title, body, commitments, published_at, deadline=None):
    version, created = CharterVersion.objects.get_or_create(
        kind=kind,
        number=number,
        defaults={
            "title": title,
            "body": body,
            "published_at": published_at,
            "renewal_deadline": deadline,
        },
    )
    if created:
        for position, text in enumerate(commitments, 1):
            Commitment.objects.create(version=version, position=position, text=text)
    return version


def _sign(organisation, version, by, name, role, when):
    Signature.objects.get_or_create(
        organisation=organisation,
        version=version,
        defaults={
            "signed_by": by,
            "signer_name": name,
            "signer_role": role,
            "signed_at": when,
            "commitment_ids": list(version.commitments.values_list("pk", flat=True)),
        },
    )


def seed() -> None:
    bank = Organisation.objects.filter(siren=BANK_SIREN).first()
    energy = Organisation.objects.filter(siren=ENERGY_SIREN).first()
    if bank is None or energy is None:
        return  # accounts.demo did not run
    now = timezone.now()
    two_years_ago = now - datetime.timedelta(days=730)
    buyer = User.objects.filter(email="buyer@example.org").first()
    energy_admin = User.objects.filter(email="achats@energies.example.org").first()
    with transaction.atomic():
        v1 = _version(
            CharterVersion.Kind.MEMBERS,
            1,
            "Charte Pacte PME",
            MEMBERS_BODY,
            MEMBERS_COMMITMENTS[:3],
            two_years_ago,
        )
        v2 = _version(
            CharterVersion.Kind.MEMBERS,
            2,
            "Charte Pacte PME",
            MEMBERS_BODY,
            MEMBERS_COMMITMENTS,
            now - datetime.timedelta(days=20),
            deadline=timezone.localdate() + datetime.timedelta(days=90),
        )
        providers = _version(
            CharterVersion.Kind.PROVIDERS,
            1,
            "Charte qualité des PME prestataires",
            PROVIDERS_BODY,
            PROVIDERS_COMMITMENTS,
            two_years_ago,
        )
        _sign(bank, v1, buyer, "Bérénice Achard", "Directrice des achats", two_years_ago)
        _sign(bank, v2, buyer, "Bérénice Achard", "Directrice des achats", now)
        _sign(energy, v1, energy_admin, "Claire Fontaine", "Acheteuse IT", two_years_ago)
        for organisation in (bank, energy):
            if organisation.charter_signed_on is None:
                organisation.charter_signed_on = timezone.localdate(two_years_ago)
                organisation.save(update_fields=["charter_signed_on"])
        Organisation.objects.get_or_create(
            siren=UNSIGNED_SIREN,
            defaults={
                "kind": Organisation.Kind.LARGE_ACCOUNT,
                "name": "Transports Métropole",
                "sector": "Transport",
                "joined_on": timezone.localdate(),
            },
        )
        Contacts.objects.get_or_create(
            organisation=bank,
            defaults={
                "correspondent_name": "Paul Lemoine",
                "correspondent_email": "correspondant-pme@banque-hexagone.example.org",
                "mediator_name": "Mona Vidal",
                "mediator_email": "mediation@banque-hexagone.example.org",
            },
        )
        cyberbase = Organisation.objects.filter(siren=CYBERBASE_SIREN).first()
        sme_admin = User.objects.filter(email="sme@example.org").first()
        if cyberbase is not None and cyberbase.is_verified:
            _sign(cyberbase, providers, sme_admin, "Sophie Marchand", "Présidente", now)
            set_granted_label(siren=CYBERBASE_SIREN, slug=PROVIDERS_CHARTER_LABEL, granted=True)
        closed = Campaign.objects.filter(
            year=timezone.localdate().year - 1, state=Campaign.State.CLOSED
        ).first()
        if closed is not None and buyer is not None:
            Targets.objects.get_or_create(
                organisation=bank,
                campaign=closed,
                defaults={
                    "sme_share": 2,
                    "registered_share": 50,
                    "median_payment_delay": 30,
                    "paid_within_60_share": 90,
                    "smes_met": 20,
                    "actions": [
                        "Un lot réservé aux PME dans chaque appel d'offres informatique.",
                        "Une journée de rencontre avec les PME de la cybersécurité.",
                    ],
                    "updated_by": buyer,
                },
            )
        _disputes(bank, now)


DISPUTES = [
    # state, SME comment, account's answer, its comment, resolution
    (Dispute.State.OPEN, "Cette commande n'est pas de nous.", "", "", ""),
    (
        Dispute.State.ANSWERED,
        "Le montant est de 8 000 €, pas 12 000 €.",
        Dispute.Answer.STAND,
        "Le bon de commande signé porte bien 12 000 € HT.",
        "",
    ),
    (
        Dispute.State.ESCALATED,
        "Commande annulée en avril.",
        Dispute.Answer.STAND,
        "L'annulation n'a pas été confirmée par écrit.",
        "",
    ),
    (
        Dispute.State.RESOLVED,
        "Date de commande erronée.",
        Dispute.Answer.CORRECT,
        "Vous avez raison : nous corrigerons la date.",
        "",
    ),
]


def _disputes(bank, now) -> None:
    declaration = Declaration.objects.filter(
        organisation=bank,
        state=Declaration.State.SUBMITTED,
        campaign__state=Campaign.State.OPEN,
    ).first()
    if declaration is None or Dispute.objects.filter(line__declaration=declaration).exists():
        return
    lines = list(declaration.lines.order_by("id")[: len(DISPUTES)])
    day = datetime.timedelta(days=1)
    for line, (state, comment, answer, answer_comment, _resolution) in zip(
        lines, DISPUTES, strict=False
    ):
        OrderLine.objects.filter(pk=line.pk).update(
            sme_status=OrderLine.SMEStatus.DISPUTED, sme_comment=comment, sme_responded_at=now
        )
        Dispute.objects.create(
            line=line,
            state=state,
            opened_at=now - 10 * day,
            answer=answer,
            answer_comment=answer_comment,
            answered_at=now - 7 * day if answer else None,
            escalated_at=now - 5 * day if state == Dispute.State.ESCALATED else None,
            resolved_at=now - 4 * day if state == Dispute.State.RESOLVED else None,
        )
