"""Reference data shipped with the project: regions, départements, NAF codes, domains, labels.

Loaded by a data migration and reused by the demo and benchmark seeders.
"""

import json
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

DOMAINS = [
    # slug, French name, English name
    ("cybersecurite", "Cybersécurité", "Cybersecurity"),
    ("cloud-hebergement", "Cloud et hébergement", "Cloud and hosting"),
    ("data-ia", "Data et intelligence artificielle", "Data and AI"),
    ("erp", "ERP et gestion", "ERP"),
    ("crm", "CRM et relation client", "CRM"),
    ("e-commerce", "E-commerce", "E-commerce"),
    ("rh-paie", "RH et paie", "HR and payroll"),
    ("collaboratif", "Outils collaboratifs", "Collaboration"),
    ("iot", "Objets connectés (IoT)", "IoT"),
    ("telecom", "Télécoms et réseaux", "Telecom and networks"),
    ("integration", "Intégration de systèmes", "Systems integration"),
    ("infogerance", "Infogérance et services managés", "Managed services"),
    ("conseil", "Conseil en systèmes d'information", "IT consulting"),
    ("formation", "Formation numérique", "Digital training"),
    ("facturation-electronique", "Facturation électronique", "E-invoicing"),
    ("developpement", "Développement logiciel sur mesure", "Custom software development"),
    ("gestion-documentaire", "Gestion documentaire et GED", "Document management"),
    ("sante-numerique", "Santé numérique", "Digital health"),
    ("industrie-4-0", "Industrie 4.0", "Industry 4.0"),
    ("green-it", "Numérique responsable", "Green IT"),
]

# Labels the programme grants (never ticked by an SME on its profile): the charter app grants this
# one to the verified SMEs that signed the providers' quality charter. Created by a charter
# migration; shown as a badge and filtered on like any label.
PROVIDERS_CHARTER_LABEL = "charte-prestataires"
GRANTED_LABELS = (PROVIDERS_CHARTER_LABEL,)

LABELS = [
    ("jei", "Jeune entreprise innovante (JEI)", "Young innovative company (JEI)"),
    ("french-tech", "French Tech", "French Tech"),
    ("bpifrance-excellence", "Bpifrance Excellence", "Bpifrance Excellence"),
    ("cir-cii", "CIR / CII", "Research / innovation tax credit (CIR/CII)"),
    ("i-nov", "Lauréat i-Nov", "i-Nov award winner"),
    ("french-tech-2030", "French Tech 2030", "French Tech 2030"),
    ("secnumcloud", "SecNumCloud", "SecNumCloud"),
]


def _load(name: str):
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def regions() -> list[dict]:
    """The 18 regions (13 metropolitan, 5 overseas)."""
    return [r for r in _load("regions.json") if r["zone"] in ("metro", "drom")]


def departements() -> list[dict]:
    """The 101 départements."""
    return [d for d in _load("departements.json") if d["zone"] in ("metro", "drom")]


def naf_codes() -> list[dict]:
    return _load("naf-codes.json")


def load(apps) -> None:
    """Insert the reference rows that are missing (used by migration 0002 and by the tests)."""
    Region = apps.get_model("directory", "Region")
    Departement = apps.get_model("directory", "Departement")
    NafCode = apps.get_model("directory", "NafCode")
    Domain = apps.get_model("directory", "Domain")
    Label = apps.get_model("directory", "Label")

    Region.objects.bulk_create(
        [Region(code=r["code"], name=r["nom"], overseas=r["zone"] == "drom") for r in regions()],
        ignore_conflicts=True,
    )
    Departement.objects.bulk_create(
        [Departement(code=d["code"], name=d["nom"], region_id=d["region"]) for d in departements()],
        ignore_conflicts=True,
    )
    NafCode.objects.bulk_create(
        [
            NafCode(code=n["id"], label=n["label"][:300], nomenclature="naf_rev2")
            for n in naf_codes()
        ],
        ignore_conflicts=True,
    )
    Domain.objects.bulk_create(
        [
            Domain(slug=slug, name=name, name_en=name_en, position=i)
            for i, (slug, name, name_en) in enumerate(DOMAINS, 1)
        ],
        ignore_conflicts=True,
    )
    Label.objects.bulk_create(
        [
            Label(slug=slug, name=name, name_en=name_en, position=i)
            for i, (slug, name, name_en) in enumerate(LABELS, 1)
        ],
        ignore_conflicts=True,
    )
