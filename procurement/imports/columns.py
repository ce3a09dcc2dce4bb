"""The columns of an import file and how their headers are recognised."""

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the header written in the templates
    required: bool
    synonyms: tuple[str, ...]
    example: str


COLUMNS: tuple[Column, ...] = (
    Column(
        "siren",
        _("SIREN"),
        True,
        (
            "siren",
            "n siren",
            "no siren",
            "numero siren",
            "siren pme",
            "siren fournisseur",
            "code siren",
            "siret",
            "n siret",
            "siret fournisseur",
        ),
        "732829320",
    ),
    Column(
        "sme_name",
        _("Raison sociale"),
        True,
        (
            "raison sociale",
            "raison sociale pme",
            "nom",
            "nom pme",
            "pme",
            "fournisseur",
            "nom fournisseur",
            "entreprise",
            "company name",
            "name",
        ),
        "Cyberbase",
    ),
    Column(
        "amount",
        _("Montant HT (€)"),
        True,
        (
            "montant",
            "montant ht",
            "montant ht eur",
            "montant ht euros",
            "montant hors taxes",
            "montant euros ht",
            "montant eur ht",
            "amount",
            "amount excl vat",
        ),
        "12 500,00",
    ),
    Column(
        "order_date",
        _("Date de commande"),
        True,
        ("date", "date commande", "date bon commande", "date bc", "order date"),
        "15/03/{year}",
    ),
    Column(
        "domain",
        _("Domaine"),
        True,
        (
            "domaine",
            "domaine activite",
            "categorie",
            "categorie achat",
            "famille achat",
            "domain",
        ),
        "Cybersécurité",
    ),
    Column(
        "reference",
        _("Référence"),
        False,
        (
            "reference",
            "ref",
            "reference acheteur",
            "numero commande",
            "n commande",
            "no commande",
            "bon commande",
            "reference commande",
        ),
        "BC-2026-0042",
    ),
    Column(
        "payment_delay_days",
        _("Délai de paiement (jours)"),
        False,
        (
            "delai paiement",
            "delai paiement jours",
            "delai paiement moyen",
            "delai paiement moyen jours",
            "delai",
            "payment delay",
            "payment delay days",
        ),
        "45",
    ),
    # The account's buying site, by SIRET (spaces allowed) or exact name (procurement.sites).
    # Key "buying_site", not "site": a bare "Site" header (often the supplier's) stays ignored.
    Column(
        "buying_site",
        _("Site acheteur"),
        False,
        (
            "site acheteur",
            "site achat",
            "siret site",
            "siret site acheteur",
            "siret acheteur",
            "etablissement acheteur",
            "buying site",
            "buyer site",
        ),
        "",
    ),
)

_STOPWORDS = {"de", "du", "la", "le", "l", "d", "des", "en", "et", "the", "of", "a", "and"}


def normalise_header(text: object) -> str:
    """Lower case, accents and punctuation removed, French stop words dropped: "Délai de paiement (jours)" → "delai paiement jours"."""
    value = unicodedata.normalize("NFKD", str(text or ""))
    value = "".join(c for c in value if not unicodedata.combining(c)).lower()
    words = re.sub(r"[^a-z0-9]+", " ", value).split()
    return " ".join(w for w in words if w not in _STOPWORDS)


HEADER_LOOKUP: dict[str, str] = {}
for _column in COLUMNS:
    HEADER_LOOKUP[normalise_header(_column.label)] = _column.key
    HEADER_LOOKUP[normalise_header(_column.key.replace("_", " "))] = _column.key
    for _synonym in _column.synonyms:
        HEADER_LOOKUP[normalise_header(_synonym)] = _column.key

COLUMN_BY_KEY = {c.key: c for c in COLUMNS}


def match_headers(headers: list[object]) -> tuple[dict[str, int], dict[str, str], list[str]]:
    """(column key → index, column key → header as written, missing required labels)."""
    positions: dict[str, int] = {}
    written: dict[str, str] = {}
    for index, header in enumerate(headers):
        key = HEADER_LOOKUP.get(normalise_header(header))
        if key and key not in positions:
            positions[key] = index
            written[key] = str(header).strip()
    missing = [str(c.label) for c in COLUMNS if c.required and c.key not in positions]
    return positions, written, missing
