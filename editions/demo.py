"""Demo data of this app for `manage.py seed_demo` (idempotent): two editions run by the
federators of accounts.demo, a territorial one (the Lyon metropolis, département 69, with a few
SMEs of its own so that its figures show) and a sectoral one (software and IT services), several
demo large accounts in both, and one pending join request."""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts import demo as accounts_demo
from accounts.models import Organisation, User
from directory.bench_data import Generator, siren_for
from directory.models import Departement, Domain, NafCode, SMEProfile
from directory.search import bump_version
from directory.services import snapshot, sync_denormalised

from .models import Convention, Edition, EditionAccount

LYON_SLUG = "metropole-de-lyon"
NUMERIQUE_SLUG = "numerique"
# The generated demo SMEs sit where the bench generator puts them (few near Lyon): the
# metropolis's edition gets SMEs of its own.
LYON_SME_COUNT = 8
LYON_SME_SIREN_BASE = 81_500_000
LYON_DEPARTEMENTS = ["69", "69", "69", "69", "69", "69", "38", "42"]
PUBLISHED_AGO = datetime.timedelta(days=2 * 365)

EDITIONS = [
    {
        "slug": LYON_SLUG,
        "name": "Pacte PME Métropole de Lyon",
        "kind": Edition.Kind.TERRITORIAL,
        "description": (
            "La Métropole de Lyon et la CCI Lyon Métropole font vivre le Pacte PME sur le "
            "territoire du Rhône : achats locaux et responsables, rencontres entre grands "
            "comptes et PME innovantes de la métropole."
        ),
        "departements": ["69"],
        "federator": "federateur@cci-lyon.example.org",
        "fee_eur": "15000.00",
        "admission_rules": (
            "Grands comptes disposant d'au moins un site dans le Rhône, signataires de la "
            "charte du programme."
        ),
        "accounts": [
            "Banque Hexagone",
            "Énergies de France",
            "Compagnie Ferroviaire de l'Est",
            "Constructions Alpines",
            "Groupe Hôtelier Méditerranée",
        ],
        "requests": [],
    },
    {
        "slug": NUMERIQUE_SLUG,
        "name": "Pacte PME Numérique",
        "kind": Edition.Kind.SECTORAL,
        "description": (
            "L'édition du logiciel et des services informatiques, avec le club des DSI et la "
            "fédération du numérique : les achats de logiciels, de cloud et de services "
            "auprès des éditeurs et ESN de moins de 250 salariés."
        ),
        "domains": [
            "developpement",
            "erp",
            "crm",
            "cloud-hebergement",
            "infogerance",
            "integration",
        ],
        "naf_codes": ["58.29C", "62.01Z", "62.02A"],
        "federator": "federateur@numerique.example.org",
        "fee_eur": "8000.00",
        "admission_rules": "Grands comptes membres du club des DSI partenaire.",
        "accounts": [
            "Banque Hexagone",
            "Télécom Horizon",
            "Université Numérique de Bourgogne",
            "Assurances du Littoral",
        ],
        # A join request waiting for the federator's answer.
        "requests": [("Énergies de France", "achats@energies.example.org")],
    },
]


def _lyon_smes() -> None:
    generator = Generator(seed=69)
    now = timezone.now()
    for n, code in enumerate(LYON_DEPARTEMENTS[:LYON_SME_COUNT]):
        siren = siren_for(n, base=LYON_SME_SIREN_BASE)
        data = generator.profile(n)
        if SMEProfile.objects.filter(siren=siren).exists():
            continue
        departement = Departement.objects.get(code=code)
        org, _ = Organisation.objects.get_or_create(
            siren=siren,
            defaults={"kind": Organisation.Kind.SME, "name": data["name"], "verified_at": now},
        )
        domain_ids = data.pop("domain_ids")
        label_ids = data.pop("label_ids")
        data.pop("domain_names")
        data["departement_id"] = departement.code
        data["region_id"] = departement.region_id
        profile = SMEProfile.objects.create(
            organisation=org,
            siren=siren,
            state=SMEProfile.State.PUBLISHED,
            submitted_at=now - PUBLISHED_AGO,
            published_at=now - PUBLISHED_AGO,
            **data,
        )
        profile.domains.set(domain_ids)
        profile.labels.set(label_ids)
        sync_denormalised(profile)
        profile.refresh_from_db()
        SMEProfile.objects.filter(pk=profile.pk).update(published_snapshot=snapshot(profile))
    transaction.on_commit(bump_version)


def seed() -> None:
    _lyon_smes()
    today = timezone.localdate()
    started = today.replace(year=today.year - 1, month=1, day=1)
    staff = User.objects.filter(email=accounts_demo.STAFF_EMAIL).first()
    for spec in EDITIONS:
        edition, created = Edition.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "name": spec["name"],
                "kind": spec["kind"],
                "description": spec["description"],
                "starts_on": started,
                "status": Edition.Status.ACTIVE,
            },
        )
        if created:
            edition.departements.set(
                Departement.objects.filter(code__in=spec.get("departements", []))
            )
            edition.domains.set(Domain.objects.filter(slug__in=spec.get("domains", [])))
            edition.naf_codes.set(NafCode.objects.filter(code__in=spec.get("naf_codes", [])))
        federator = (
            Organisation.objects.federators()
            .filter(memberships__user__email=spec["federator"])
            .first()
        )
        if federator is not None:
            Convention.objects.get_or_create(
                edition=edition,
                federator=federator,
                defaults={
                    "starts_on": started,
                    "fee_eur": spec["fee_eur"],
                    "admission_rules": spec["admission_rules"],
                },
            )
        for name in spec["accounts"]:
            account = Organisation.objects.large_accounts().filter(name=name).first()
            if account is not None:
                EditionAccount.objects.get_or_create(
                    edition=edition,
                    organisation=account,
                    defaults={
                        "state": EditionAccount.State.MEMBER,
                        "decided_by": staff,
                        "decided_at": timezone.now(),
                    },
                )
        for name, email in spec["requests"]:
            account = Organisation.objects.large_accounts().filter(name=name).first()
            if account is not None:
                EditionAccount.objects.get_or_create(
                    edition=edition,
                    organisation=account,
                    defaults={
                        "state": EditionAccount.State.REQUESTED,
                        "requested_by": User.objects.filter(email=email).first(),
                        "message": (
                            "Nous achetons beaucoup de logiciels métier auprès d'éditeurs "
                            "français et souhaitons rejoindre l'édition Numérique."
                        ),
                    },
                )
