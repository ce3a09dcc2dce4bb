"""The domain column: the portal's names, the account's own words (mappings), and suggestions.

A value is recognised when its folded form (lower case, no accents, no punctuation or stop words)
is the folded name, slug or English name of a campaign domain, or a word the account mapped before
(`DomainMapping`). Any other value is listed on the preview with a suggestion, the portal domain
that scores best on: the same words in another order, known synonyms (Dice coefficient on words),
and PostgreSQL's pg_trgm `similarity()` of the folded texts.
"""

from django.db import connection

from directory.models import Domain

from ..models import Declaration, DomainMapping
from .columns import normalise_header as fold

# Words buyers use, folded, → the word the portal's names use.
SYNONYMS = {
    "donnees": "data",
    "donnee": "data",
    "ia": "intelligence",
    "ai": "intelligence",
    "artificial": "intelligence",
    "artificielle": "intelligence",
    "ressources": "rh",
    "humaines": "rh",
    "hr": "rh",
    "payroll": "paie",
    "salaires": "paie",
    "securite": "cybersecurite",
    "cyber": "cybersecurite",
    "ssi": "cybersecurite",
    "hebergement": "cloud",
    "datacenter": "cloud",
    "saas": "cloud",
    "telecommunications": "telecoms",
    "telecom": "telecoms",
    "reseau": "reseaux",
    "network": "reseaux",
    "logiciel": "developpement",
    "logiciels": "developpement",
    "dev": "developpement",
    "applicatif": "developpement",
    "tma": "developpement",
    "ged": "documentaire",
    "documents": "documentaire",
    "document": "documentaire",
    "iot": "iot",
    "objets": "iot",
    "connectes": "iot",
    "infogere": "infogerance",
    "manages": "infogerance",
    "managed": "infogerance",
    "conseils": "conseil",
    "amoa": "conseil",
    "consulting": "conseil",
    "formations": "formation",
    "training": "formation",
    "factures": "facturation",
    "facture": "facturation",
    "einvoicing": "facturation",
    "dematerialisation": "facturation",
    "crm": "crm",
    "client": "crm",
    "clients": "crm",
    "gestion": "erp",
    "progiciel": "erp",
    "ecommerce": "commerce",
    "vente": "commerce",
    "collaboration": "collaboratifs",
    "collaboratif": "collaboratifs",
    "messagerie": "collaboratifs",
    "sante": "sante",
    "health": "sante",
    "industrie": "industrie",
    "industriel": "industrie",
    "responsable": "responsable",
    "green": "responsable",
    "integration": "integration",
    "integrateur": "integration",
}


def campaign_domains(declaration: Declaration) -> list[Domain]:
    """The campaign's domains (all active ones when the campaign lists none), in order."""
    domains = list(declaration.campaign.domains.order_by("position", "name"))
    return domains or list(Domain.objects.filter(is_active=True).order_by("position", "name"))


def known_words(declaration: Declaration) -> dict[str, int]:
    """Folded text → domain id: the domains' names, slugs and English names, then the account's
    own mappings (to a domain of the campaign)."""
    domains = campaign_domains(declaration)
    allowed = {d.pk for d in domains}
    lookup: dict[str, int] = {}
    for mapping in DomainMapping.objects.filter(
        organisation_id=declaration.organisation_id
    ).order_by("id"):
        if mapping.domain_id in allowed:
            lookup[mapping.source_text_folded] = mapping.domain_id
    for domain in domains:
        for text in (domain.name, domain.slug.replace("-", " "), domain.name_en):
            if text:
                lookup[fold(text)] = domain.pk
    return lookup


def _words(folded: str) -> set[str]:
    return {SYNONYMS.get(w, w) for w in folded.split()}


def _dice(a: set[str], b: set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def suggest(values: list[str], domains: list[Domain]) -> dict[str, int | None]:
    """Folded unknown value → the id of the closest domain (None when nothing is close)."""
    if not values or not domains:
        return {}
    names = {d.pk: [fold(d.name), fold(d.name_en or d.name)] for d in domains}
    trigram: dict[tuple[str, str], float] = {}
    texts = sorted({t for pair in names.values() for t in pair})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT u, d, similarity(u, d) FROM unnest(%s::text[]) AS u, unnest(%s::text[]) AS d",
            [values, texts],
        )
        for unknown, text, score in cursor.fetchall():
            trigram[(unknown, text)] = float(score)
    result: dict[str, int | None] = {}
    for value in values:
        words = _words(value)
        best, best_score = None, 0.0
        for pk, texts_of in names.items():
            score = 0.0
            for text in texts_of:
                if sorted(value.split()) == sorted(text.split()):
                    score = max(score, 1.0)
                score = max(score, _dice(words, _words(text)), trigram.get((value, text), 0.0))
            if score > best_score:
                best, best_score = pk, score
        result[value] = best if best_score >= 0.3 else None
    return result
