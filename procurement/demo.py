"""Demo data of this app for `manage.py seed_demo` (idempotent).

An open campaign for the current year (Banque Hexagone submitted, Énergies de France in draft,
a few other members submitted or in draft, the others not started), and two closed campaigns
before it in which all 14 members submitted: the previous year's programme report shows real
figures (every region, domain and size band bought from by several members, none dominant, so
that disclosure control hides few cells) and its change from the year before.

Every member has buying sites (its head office at La Défense, establishments in Paris, the Rhône
and Ille-et-Vilaine, and one or two where the SMEs it buys from are), with SIRETs valid for its SIREN; most lines name a site
(one line in seven does not, "site unknown"), the site of the SME's département when the member
has one there, and each closed-year declaration has a line from its Rhône establishment to an SME
of the Rhône (the Lyon edition's territory): the local-purchasing share shows real values on the
figures page and in the programme, member and edition reports.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.demo import MEMBERS, declarant_email, siren_with_key
from accounts.models import Organisation, User
from directory.demo import DEMO_SIREN_BASE, OWN_PROFILES
from directory.models import Departement, Domain, SMEProfile

from .models import Campaign, Declaration, OrderLine, Site

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


def _siret(siren: str, number: int) -> str:
    from stdnum import luhn

    body = f"{siren}{number:04d}"
    return body + luhn.calc_check_digit(body)


def _sites(organisation: Organisation, index: int) -> list[Site]:
    """The member's buying sites (created once): head office in the Hauts-de-Seine, Paris, the
    Rhône, Ille-et-Vilaine, and the départements of two SMEs it buys from in the closed years."""
    pool = _registered_pool()
    # Head office at La Défense; Paris, Lyon, Rennes (where Cyberbase is).
    codes = ["92", "75", "69", "35"]
    for offset in (0, 2):
        if pool:
            code = pool[(index * STRIDE + offset) % len(pool)].departement_id
            if code and code not in codes:
                codes.append(code)
    sites = []
    for number, code in enumerate(codes, start=1):
        departement = Departement.objects.filter(code=code).first()
        if departement is None:
            continue
        name = "Siège (La Défense)" if number == 1 else f"Établissement {departement.name}"
        site, _created = Site.objects.get_or_create(
            organisation=organisation,
            siret=_siret(organisation.siren, number * 10),
            defaults={"name": name, "departement": departement},
        )
        sites.append(site)
    return sites


def _site_for(
    line_number: int, departement: str | None, sites: list[Site], *, unknown_every: int = 7
) -> Site | None:
    """The line's buying site: none for one line in seven (`unknown_every`); the head office
    for one in four; else the site in the SME's département when there is one, otherwise the
    sites in turn."""
    if not sites or line_number % unknown_every == unknown_every - 1:
        return None
    if line_number % 4 == 1:
        return sites[0]
    by_departement = {site.departement_id: site for site in sites}
    return by_departement.get(departement) or sites[line_number % len(sites)]


def _declaration(campaign, organisation, *, submitted: bool, scale: int, by) -> None:
    declaration, created = Declaration.objects.get_or_create(
        campaign=campaign,
        organisation=organisation,
        # About the SME share of the closed years (the lines below add up to ~340 k€ × scale).
        defaults={"it_purchases_total": Decimal(2_300_000 * scale)},
    )
    if not created:
        return
    domains = list(Domain.objects.filter(slug__in=DOMAINS)) or list(Domain.objects.all()[:5])
    sites = list(Site.objects.filter(organisation=organisation).order_by("siret"))
    places = dict(
        SMEProfile.objects.filter(siren__in=[_valid(s) for s, _n in SMES]).values_list(
            "siren", "departement_id"
        )
    )
    lines = []
    for index in range(12):
        siren, name = SMES[index % len(SMES)]
        lines.append(
            OrderLine(
                declaration=declaration,
                site=_site_for(index, places.get(_valid(siren)), sites),
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


# What each member of the closed years buys from SMEs (SME share of its IT purchases, in %).
SHARES = [18, 12, 9, 22, 6, 15, 11, 8, 25, 14, 7, 19, 10, 13]
PROGRAMME_DOMAINS = [
    "cybersecurite",
    "cloud-hebergement",
    "data-ia",
    "erp",
    "developpement",
    "rh-paie",
    "infogerance",
    "conseil",
]
LINES_PER_MEMBER = 12
STRIDE = 5  # member m buys from the registered SMEs m*5, m*5+1, ... (mod their number)


def _registered_pool() -> list[SMEProfile]:
    """The published demo SMEs the members buy from: two per region of the demo (five in
    Île-de-France, where most SMEs are), in a fixed order."""
    profiles = SMEProfile.objects.filter(
        state=SMEProfile.State.PUBLISHED, organisation__verified_at__isnull=False
    ).filter(siren__in=[*OWN_PROFILES, *_demo_sirens()])
    by_region: dict[str, list[SMEProfile]] = {}
    for profile in profiles.order_by("siren"):
        by_region.setdefault(profile.region_id, []).append(profile)
    pool = []
    for region in sorted(by_region):
        pool += by_region[region][: 5 if region == "11" else 2]
    return pool


def _rhone_smes() -> list[SMEProfile]:
    """Published, verified demo SMEs of the Rhône (69), in a fixed order."""
    return list(
        SMEProfile.objects.filter(
            state=SMEProfile.State.PUBLISHED,
            organisation__verified_at__isnull=False,
            departement_id="69",
        ).order_by("siren")[:6]
    )


def _demo_sirens() -> list[str]:
    from directory.bench_data import siren_for
    from directory.demo import DEMO_COUNT

    return [siren_for(n, base=DEMO_SIREN_BASE) for n in range(DEMO_COUNT)]


def _programme_declaration(
    campaign, organisation, *, index: int, growth: Decimal, by, unknown_site_every: int = 7
) -> None:
    """A submitted declaration of a closed year: registered and unregistered SMEs, every domain."""
    if Declaration.objects.filter(campaign=campaign, organisation=organisation).exists():
        return
    pool = _registered_pool()
    domains = list(Domain.objects.filter(slug__in=PROGRAMME_DOMAINS).order_by("position"))
    if not pool or not domains:
        return
    scale = Decimal(1 + index % 3) * growth
    sites = _sites(organisation, index)
    places = {profile.siren: profile.departement_id for profile in pool}
    unregistered = [s for s in SMES if s[0] != "732829320"]
    choices = [
        (profile.siren, profile.name)
        for profile in (pool[(index * STRIDE + j) % len(pool)] for j in range(LINES_PER_MEMBER))
    ]
    choices += [unregistered[(index + k) % len(unregistered)] for k in range(2)]
    # The Rhône establishment buys from an SME of the Rhône (the Lyon edition's territory).
    rhone = _rhone_smes()
    if rhone:
        profile = rhone[index % len(rhone)]
        choices.append((profile.siren, profile.name))
        places[profile.siren] = profile.departement_id
    lines = []
    for j, (siren, name) in enumerate(choices):
        amount = Decimal(6_000 + 1_750 * ((j * 7 + index * 3) % 11)) * scale
        lines.append(
            OrderLine(
                sme_profile_id=_valid(siren),
                sme_name=name,
                site=_site_for(
                    j, places.get(_valid(siren)), sites, unknown_every=unknown_site_every
                ),
                amount=amount.quantize(Decimal("1")),
                order_date=datetime.date(campaign.year, 1 + (j + index) % 12, 3 + j),
                domain=domains[(index + j) % len(domains)],
                reference=f"BC-{campaign.year}-{index + 1:02d}{j + 1:03d}",
                payment_delay_days=20 + (index * 11 + j * 7) % 60,
            )
        )
    total = sum(line.amount for line in lines)
    declaration = Declaration.objects.create(
        campaign=campaign,
        organisation=organisation,
        it_purchases_total=(total * 100 / SHARES[index % len(SHARES)]).quantize(Decimal("1000")),
        state=Declaration.State.SUBMITTED,
        submitted_at=timezone.make_aware(datetime.datetime(campaign.year + 1, 3, 10 + index % 15)),
        submitted_by=by,
    )
    for line in lines:
        line.declaration = declaration
    OrderLine.objects.bulk_create(lines)


def seed() -> None:
    bank = Organisation.objects.filter(siren=BANK_SIREN).first()
    energy = Organisation.objects.filter(siren=ENERGY_SIREN).first()
    if bank is None or energy is None:
        return  # accounts.demo did not run
    buyer = User.objects.filter(email="buyer@example.org").first()
    energy_admin = User.objects.filter(email="achats@energies.example.org").first()
    year = timezone.localdate().year
    members = [(bank, buyer), (energy, energy_admin)]
    for name, first_digits, _sector, _naming in MEMBERS:
        organisation = Organisation.objects.filter(siren=siren_with_key(first_digits)).first()
        if organisation is not None:
            members.append((organisation, User.objects.filter(email=declarant_email(name)).first()))
    with transaction.atomic():
        current = _campaign(year, Campaign.State.OPEN)
        previous = _campaign(year - 1, Campaign.State.CLOSED)
        before = _campaign(year - 2, Campaign.State.CLOSED)
        for index, (organisation, by) in enumerate(members):
            # The year before: each member bought a little less from SMEs, some much less.
            growth = Decimal("0.70") + Decimal(index % 5) / 20
            # ... and named the buying site of fewer lines (one in four without a site).
            _programme_declaration(
                before, organisation, index=index, growth=growth, by=by, unknown_site_every=4
            )
            _programme_declaration(previous, organisation, index=index, growth=Decimal(1), by=by)
        _declaration(current, bank, submitted=True, scale=1, by=buyer)
        _declaration(current, energy, submitted=False, scale=2, by=energy_admin)
        # The open year in every state: a few members submitted, a few in draft, others not yet.
        for index, (organisation, by) in enumerate(members[2:8]):
            _declaration(
                current, organisation, submitted=index % 2 == 0, scale=1 + index % 3, by=by
            )
