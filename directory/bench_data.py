"""Realistic directory data at scale: `manage.py seed_bench --smes N` (COPY, a few seconds per
10,000 profiles). Also the vocabulary the demo seeder draws from."""

import datetime
import random
import sys
import time
import unicodedata

from django.db import connection, transaction
from django.utils import timezone
from stdnum import luhn

from accounts.french import de

from .models import Departement, Domain, Label, NafCode, SMEProfile
from .search import build_facet_index, bump_version

# Inhabitants (millions, 2023) with a weight for the density of software firms (Paris region).
REGION_WEIGHTS = {
    "11": 12.3 * 2.2,
    "84": 8.1,
    "75": 6.1,
    "76": 6.1,
    "32": 6.0,
    "44": 5.6,
    "93": 5.1,
    "52": 3.9,
    "53": 3.4,
    "28": 3.3,
    "27": 2.8,
    "24": 2.6,
    "94": 0.35,
    "01": 0.38,
    "02": 0.35,
    "03": 0.29,
    "04": 0.87,
    "06": 0.31,
}
# Where most firms of a region sit (the main city's département), else uniform.
MAIN_DEPARTEMENT = {
    "11": "75",
    "84": "69",
    "75": "33",
    "76": "31",
    "32": "59",
    "44": "67",
    "93": "13",
    "52": "44",
    "53": "35",
    "28": "76",
    "27": "21",
    "24": "45",
}

NAME_STARTS = [
    "Cyber",
    "Data",
    "Nuage",
    "Logi",
    "Info",
    "Numé",
    "Soft",
    "Net",
    "Alti",
    "Azur",
    "Breizh",
    "Occi",
    "Alpha",
    "Quanti",
    "Kali",
    "Sécu",
    "Factu",
    "Paie",
    "Géo",
    "Opti",
    "Smart",
    "Vigi",
    "Astra",
    "Hexa",
    "Néo",
    "Klee",
    "Lumi",
    "Moza",
    "Ondi",
    "Pixa",
    "Rhéa",
    "Sylva",
    "Tera",
    "Ubi",
    "Vella",
    "Wiki",
    "Xéna",
    "Zéphyr",
    "Arva",
    "Bleu",
    "Cèdre",
    "Delta",
    "Écho",
    "Flux",
    "Givre",
]
NAME_ENDS = [
    "lab",
    "sys",
    "soft",
    "ware",
    "tech",
    "data",
    "ia",
    "net",
    "cloud",
    "line",
    "ops",
    "core",
    "sense",
    "flow",
    "logic",
    "gram",
    "nova",
    "vision",
    "metrics",
    "stack",
    "link",
    "box",
    "hub",
    "média",
    "matique",
    "com",
    "ix",
    "eo",
]
NAME_SUFFIXES = [
    "",
    "",
    "",
    " Solutions",
    " Technologies",
    " Conseil",
    " Systèmes",
    " France",
    " Innovation",
    " Services",
    " Labs",
    " Software",
    " Numérique",
]

# Vocabulary by domain slug: words for descriptions and keywords.
VOCABULARY = {
    "cybersecurite": [
        "sécurité",
        "SOC",
        "pentest",
        "audit de sécurité",
        "SIEM",
        "chiffrement",
        "gestion des identités",
        "réponse à incident",
        "conformité NIS2",
    ],
    "cloud-hebergement": [
        "hébergement",
        "cloud souverain",
        "Kubernetes",
        "infrastructure",
        "sauvegarde",
        "centre de données",
        "stockage objet",
    ],
    "data-ia": [
        "intelligence artificielle",
        "données",
        "apprentissage automatique",
        "tableaux de bord",
        "vision par ordinateur",
        "analyse prédictive",
        "IA générative",
    ],
    "erp": [
        "ERP",
        "gestion commerciale",
        "comptabilité",
        "gestion de production",
        "logiciel de gestion",
    ],
    "crm": ["CRM", "relation client", "centre de contacts", "marketing automation", "fidélisation"],
    "e-commerce": [
        "e-commerce",
        "boutique en ligne",
        "marketplace",
        "paiement en ligne",
        "logistique",
    ],
    "rh-paie": [
        "paie",
        "ressources humaines",
        "SIRH",
        "gestion des temps",
        "recrutement",
        "formation",
    ],
    "collaboratif": [
        "travail collaboratif",
        "messagerie",
        "visioconférence",
        "intranet",
        "agenda partagé",
    ],
    "iot": ["objets connectés", "capteurs", "télémétrie", "maintenance prédictive", "LoRaWAN"],
    "telecom": ["réseaux", "téléphonie", "fibre", "5G", "SD-WAN", "opérateur"],
    "integration": ["intégration", "interopérabilité", "API", "migration", "urbanisation du SI"],
    "infogerance": [
        "infogérance",
        "supervision",
        "support utilisateurs",
        "maintenance",
        "services managés",
    ],
    "conseil": [
        "conseil",
        "transformation numérique",
        "schéma directeur",
        "assistance à maîtrise d'ouvrage",
    ],
    "formation": ["formation", "e-learning", "certification", "parcours de compétences", "tutorat"],
    "facturation-electronique": [
        "facturation électronique",
        "dématérialisation",
        "plateforme agréée",
        "Factur-X",
        "Chorus Pro",
    ],
    "developpement": [
        "développement sur mesure",
        "applications mobiles",
        "logiciel",
        "application web",
        "méthodes agiles",
    ],
    "gestion-documentaire": [
        "GED",
        "archivage électronique",
        "signature électronique",
        "numérisation",
    ],
    "sante-numerique": [
        "santé",
        "télémédecine",
        "dossier patient",
        "HDS",
        "établissements de santé",
    ],
    "industrie-4-0": ["industrie", "jumeau numérique", "MES", "robotique", "usine connectée"],
    "green-it": [
        "numérique responsable",
        "sobriété",
        "éco-conception",
        "bilan carbone",
        "reconditionnement",
    ],
}
CLIENTS = [
    "les collectivités",
    "les établissements publics",
    "les grands comptes",
    "les PME",
    "les banques et assureurs",
    "les industriels",
    "les hôpitaux",
    "les distributeurs",
    "les opérateurs d'importance vitale",
    "les éditeurs de logiciels",
]
# {de_w1} is "de w1" elided or contracted ("d'apprentissage automatique", "des distributeurs").
SENTENCES = [
    "{name} conçoit et édite des solutions {de_w1} pour {client}.",
    "Nous accompagnons {client} dans leurs projets {de_w1} et {de_w2}.",
    "Notre plateforme {de_w1} est hébergée en France et conçue pour {client}.",
    "Spécialiste {de_w1}, {name} propose aussi des services {de_w2}.",
    "Éditeur de logiciels depuis {year}, nous développons des outils {de_w1}.",
    "Nos équipes interviennent en {w2} auprès {de_client}.",
    "Notre offre couvre {w1}, {w2} et l'accompagnement au changement.",
]
RARE_WORDS = ["hyperspectral", "quantique", "cryptographie post-quantique", "blockchain agricole"]
IT_NAF = [
    "58.21Z",
    "58.29A",
    "58.29B",
    "58.29C",
    "62.01Z",
    "62.02A",
    "62.02B",
    "62.03Z",
    "62.09Z",
    "63.11Z",
    "63.12Z",
    "70.22Z",
    "85.59A",
]
HEADCOUNT_WEIGHTS = {
    "00": 6,
    "01": 14,
    "02": 16,
    "03": 14,
    "11": 18,
    "12": 16,
    "21": 9,
    "22": 5,
    "31": 2,
}
REVENUE_BY_HEADCOUNT = {
    "00": "lt_0_5m",
    "01": "lt_0_5m",
    "02": "lt_0_5m",
    "03": "0_5_2m",
    "11": "0_5_2m",
    "12": "2_10m",
    "21": "2_10m",
    "22": "10_50m",
    "31": "10_50m",
}
LEGAL_WEIGHTS = {"SAS": 55, "SASU": 15, "SARL": 18, "EURL": 5, "SA": 3, "SCOP": 3, "other": 1}


def _sentence(template: str, *, name: str, w1: str, w2: str, client: str, year: int) -> str:
    return template.format(
        name=name,
        w1=w1,
        w2=w2,
        client=client,
        de_w1=de(w1),
        de_w2=de(w2),
        de_client=de(client),
        year=year,
    )


class Generator:
    """Deterministic generator of plausible SME profiles (random.Random with a seed)."""

    def __init__(self, *, seed: int = 2026):
        self.rng = random.Random(seed)
        self.regions = list(REGION_WEIGHTS)
        self.region_weights = list(REGION_WEIGHTS.values())
        departements = {}
        for code, region in Departement.objects.values_list("code", "region_id"):
            departements.setdefault(region, []).append(code)
        self.departements = departements
        self.domains = list(Domain.objects.order_by("position").values_list("id", "slug", "name"))
        self.labels = list(Label.objects.order_by("position").values_list("id", "slug"))
        self.naf = dict(
            NafCode.objects.filter(code__in=IT_NAF, nomenclature="naf_rev2").values_list(
                "code", "id"
            )
        )
        self.headcounts = list(HEADCOUNT_WEIGHTS)
        self.headcount_weights = list(HEADCOUNT_WEIGHTS.values())
        self.legal_forms = list(LEGAL_WEIGHTS)
        self.legal_weights = list(LEGAL_WEIGHTS.values())
        # A few domains are far more common than others.
        self.domain_weights = [max(1, 12 - i // 2) for i in range(len(self.domains))]

    def name(self) -> str:
        rng = self.rng
        return rng.choice(NAME_STARTS) + rng.choice(NAME_ENDS) + rng.choice(NAME_SUFFIXES)

    def profile(self, n: int) -> dict:
        rng = self.rng
        name = self.name()
        region = rng.choices(self.regions, self.region_weights)[0]
        depts = self.departements[region]
        main = MAIN_DEPARTEMENT.get(region)
        dept = main if main and rng.random() < 0.45 else rng.choice(depts)
        k = rng.choices([1, 2, 3], [50, 35, 15])[0]
        chosen = []
        while len(chosen) < k:
            d = rng.choices(self.domains, self.domain_weights)[0]
            if d not in chosen:
                chosen.append(d)
        words = [w for _id, slug, _name in chosen for w in VOCABULARY.get(slug, [])]
        year = rng.randint(1990, 2025) if rng.random() < 0.9 else rng.randint(2000, 2025)
        client = rng.choice(CLIENTS)
        sentences = rng.sample(SENTENCES, rng.randint(2, 4))
        description = " ".join(
            _sentence(
                s, name=name, w1=rng.choice(words), w2=rng.choice(words), client=client, year=year
            )
            for s in sentences
        )
        if n % 10_000 == 7:
            description += f" Recherche appliquée en {rng.choice(RARE_WORDS)}."
        keywords = ", ".join(dict.fromkeys(rng.sample(words, min(len(words), rng.randint(2, 5)))))
        labels = []
        if rng.random() < 0.35:
            labels = sorted(
                {lab_id for lab_id, _slug in rng.sample(self.labels, rng.choice([1, 1, 2]))}
            )
        headcount = rng.choices(self.headcounts, self.headcount_weights)[0]
        # Host names stay ASCII: "Cèdrecom" is www.cedrecom.example.fr.
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        slug = "".join(c for c in ascii_name.lower() if c.isalnum())[:20] or "pme"
        return {
            "name": name,
            "legal_form": rng.choices(self.legal_forms, self.legal_weights)[0],
            "website": f"https://www.{slug}.example.fr",
            "founded_year": year,
            "departement_id": dept,
            "region_id": region,
            "naf_id": self.naf.get(rng.choice(IT_NAF)),
            "headcount_band": headcount,
            "revenue_band": REVENUE_BY_HEADCOUNT[headcount] if rng.random() < 0.85 else "",
            "description": description[:2000],
            "keywords": keywords[:500],
            "contact_email": f"contact@{slug}.example.fr",
            "domain_ids": sorted(d[0] for d in chosen),
            "domain_names": " ".join(d[2] for d in sorted(chosen)),
            "label_ids": labels,
        }


def siren_for(n: int, *, base: int = 30_000_000) -> str:
    body = f"{base + n:08d}"
    return body + luhn.calc_check_digit(body)


def _pg_array(values) -> str:
    return "{" + ",".join(str(v) for v in values) + "}"


# Indexes rebuilt after the load, cheaper than maintaining them row by row.
BULK_INDEXES = (
    "smeprofile_search_gin",
    "smeprofile_name_folded_trgm",
    "smeprofile_domain_ids_gin",
    "smeprofile_label_ids_gin",
)


def seed_smes(*, count: int, batch: int = 10_000) -> None:
    """Create `count` published SME profiles with their organisations (COPY, by batches)."""
    started = time.perf_counter()
    generator = Generator()
    existing = set(SMEProfile.objects.values_list("siren", flat=True))
    from accounts.models import Organisation

    existing |= set(Organisation.objects.values_list("siren", flat=True))
    indexes = [i for i in SMEProfile._meta.indexes if i.name in BULK_INDEXES]
    now = timezone.now()
    with transaction.atomic():
        with connection.schema_editor() as editor:
            for index in indexes:
                editor.remove_index(SMEProfile, index)
        made, n = 0, 0
        while made < count:
            size = min(batch, count - made)
            sirens, profiles = [], []
            while len(sirens) < size:
                siren = siren_for(n)
                n += 1
                if siren in existing:
                    continue
                sirens.append(siren)
                profiles.append(generator.profile(n))
            _copy_batch(sirens, profiles, now)
            made += size
            print(f"  {made} SME profiles ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check the foreign keys now
        with connection.schema_editor() as editor:
            for index in indexes:
                editor.add_index(SMEProfile, index)
    with connection.cursor() as cursor:
        # VACUUM sets the visibility map, so that facet counts are index-only scans.
        cursor.execute("VACUUM ANALYZE directory_smeprofile")
        cursor.execute("ANALYZE accounts_organisation")
        cursor.execute("ANALYZE directory_smeprofile_domains")
        cursor.execute("VACUUM ANALYZE directory_searchdocument")  # filled by the trigger
    # The directory changed: new version, and its facet index built here rather than by a worker
    # (the seed command runs without one), as the task enqueued by bump_version would.
    bump_version(rebuild=False)
    build_facet_index()


def _copy_batch(sirens: list[str], profiles: list[dict], now) -> None:
    with connection.cursor() as cursor:
        with cursor.copy(
            "COPY accounts_organisation "
            "(kind, name, siren, sector, public_naming, created_at, verified_at) FROM STDIN"
        ) as copy:
            for siren, p in zip(sirens, profiles, strict=True):
                copy.write_row(("sme", p["name"], siren, "", False, now, now))
        cursor.execute(
            "SELECT siren, id FROM accounts_organisation WHERE siren = ANY(%s)", [sirens]
        )
        org_ids = dict(cursor.fetchall())
        columns = (
            "organisation_id, siren, name, legal_form, website, founded_year, departement_id, "
            "region_id, naf_id, headcount_band, revenue_band, description, keywords, "
            "contact_email, domain_names, domain_ids, label_ids, state, rejection_reason, "
            "submitted_at, published_at, created_at, updated_at"
        )
        with cursor.copy(f"COPY directory_smeprofile ({columns}) FROM STDIN") as copy:
            for siren, p in zip(sirens, profiles, strict=True):
                copy.write_row(
                    (
                        org_ids[siren],
                        siren,
                        p["name"],
                        p["legal_form"],
                        p["website"],
                        p["founded_year"],
                        p["departement_id"],
                        p["region_id"],
                        p["naf_id"],
                        p["headcount_band"],
                        p["revenue_band"],
                        p["description"],
                        p["keywords"],
                        p["contact_email"],
                        p["domain_names"],
                        _pg_array(p["domain_ids"]),
                        _pg_array(p["label_ids"]),
                        "published",
                        "",
                        now,
                        # Published years ago: registered SMEs for every benchmark campaign (a
                        # profile counts from its publication on, see procurement.figures).
                        now - datetime.timedelta(days=5 * 365),
                        now,
                        now,
                    )
                )
        cursor.execute("SELECT siren, id FROM directory_smeprofile WHERE siren = ANY(%s)", [sirens])
        profile_ids = dict(cursor.fetchall())
        with cursor.copy(
            "COPY directory_smeprofile_domains (smeprofile_id, domain_id) FROM STDIN"
        ) as copy:
            for siren, p in zip(sirens, profiles, strict=True):
                for domain_id in p["domain_ids"]:
                    copy.write_row((profile_ids[siren], domain_id))
        with cursor.copy(
            "COPY directory_smeprofile_labels (smeprofile_id, label_id) FROM STDIN"
        ) as copy:
            for siren, p in zip(sirens, profiles, strict=True):
                for label_id in p["label_ids"]:
                    copy.write_row((profile_ids[siren], label_id))
