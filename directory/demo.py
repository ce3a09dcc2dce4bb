"""Demo data of this app for `manage.py seed_demo` (idempotent): about 60 published SMEs across
regions and domains, and the profiles of the two demo SMEs of accounts.demo (Cyberbase published,
Nuagique waiting for review)."""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation

from .bench_data import Generator, siren_for
from .models import Departement, Domain, Label, NafCode, SMEProfile
from .search import bump_version
from .services import snapshot, sync_denormalised

DEMO_COUNT = 60
DEMO_SIREN_BASE = 81_000_000
# Demo profiles were published long ago, so that they are registered SMEs for the previous
# year's (closed) campaign too: a profile counts from its publication on (procurement.figures).
PUBLISHED_AGO = datetime.timedelta(days=2 * 365)

OWN_PROFILES = {
    # SIREN: (state, département, domains, labels, description, keywords)
    "732829320": (
        SMEProfile.State.PUBLISHED,
        "35",
        ["cybersecurite", "infogerance"],
        ["jei", "french-tech"],
        "Cyberbase édite une plateforme de supervision de la sécurité (SOC managé) pour les "
        "collectivités et les PME industrielles, hébergée en France.",
        "SOC, SIEM, audit de sécurité, réponse à incident",
    ),
    "443061841": (
        SMEProfile.State.PENDING,
        "31",
        ["cloud-hebergement", "green-it"],
        ["secnumcloud"],
        "Nuagique propose un cloud souverain sobre en énergie, avec des centres de données "
        "en Occitanie refroidis sans climatisation.",
        "cloud souverain, hébergement, Kubernetes, sauvegarde",
    ),
}


def _profile_for(org: Organisation, state: str, dept_code: str, domains, labels, desc, keywords):
    dept = Departement.objects.get(code=dept_code)
    profile, created = SMEProfile.objects.get_or_create(
        organisation=org,
        defaults={
            "siren": org.siren,
            "name": org.name,
            "legal_form": "SAS",
            "website": f"https://www.{org.name.lower()}.example.fr",
            "founded_year": 2016,
            "departement": dept,
            "region_id": dept.region_id,
            "naf": NafCode.objects.filter(code="58.29C").first(),
            "headcount_band": "11",
            "revenue_band": "0_5_2m",
            "description": desc,
            "keywords": keywords,
            "contact_email": f"contact@{org.name.lower()}.example.fr",
            "state": state,
            "submitted_at": timezone.now(),
            "published_at": (
                timezone.now() - PUBLISHED_AGO if state == SMEProfile.State.PUBLISHED else None
            ),
        },
    )
    if created:
        profile.domains.set(Domain.objects.filter(slug__in=domains))
        profile.labels.set(Label.objects.filter(slug__in=labels))
        sync_denormalised(profile)
        if state == SMEProfile.State.PUBLISHED:
            profile.refresh_from_db()
            SMEProfile.objects.filter(pk=profile.pk).update(published_snapshot=snapshot(profile))
    return profile


@transaction.atomic
def seed() -> None:
    for siren, (state, dept, domains, labels, desc, keywords) in OWN_PROFILES.items():
        org = Organisation.objects.filter(siren=siren).first()
        if org is not None:
            _profile_for(org, state, dept, domains, labels, desc, keywords)
    generator = Generator(seed=60)
    now = timezone.now()
    for n in range(DEMO_COUNT):
        siren = siren_for(n, base=DEMO_SIREN_BASE)
        data = generator.profile(n)
        if SMEProfile.objects.filter(siren=siren).exists():
            continue
        org, _ = Organisation.objects.get_or_create(
            siren=siren,
            defaults={"kind": Organisation.Kind.SME, "name": data["name"], "verified_at": now},
        )
        if hasattr(org, "sme_profile"):
            continue
        domain_ids = data.pop("domain_ids")
        label_ids = data.pop("label_ids")
        data.pop("domain_names")
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
