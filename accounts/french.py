"""French elision and contractions in generated sentences.

A translated sentence that puts a name after "de" reads "de Énergies de France" or "de les
distributeurs"; French writes "d'Énergies de France", "des distributeurs". `elide` fixes the
sentence once it is formatted, in French only (other languages are returned as they are), so
that the translated message keeps its plain placeholders.
"""

import re

from django.utils.translation import get_language

# "de" or "que" before a vowel (an "h" may be aspirated, a "y" a consonant: left alone).
_ELISION = re.compile(r"(?<![-\w])([Dd]e|[Qq]ue) (?=[AEIOUÀÂÉÈÊËÎÏÔÙÛŒaeiouàâéèêëîïôùûœ])")
_CONTRACTIONS = [
    (re.compile(r"\b([Dd])e les\b"), r"\1es"),
    (re.compile(r"\b([Dd])e le\b"), r"\1u"),
    (re.compile(r"\bà les\b"), "aux"),
    (re.compile(r"\bà le\b"), "au"),
]


def elide_french(text: str) -> str:
    """`text` with French elisions and contractions applied, whatever the active language."""
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return _ELISION.sub(lambda m: m.group(1)[0] + "'", text)


def elide(text: str) -> str:
    """`elide_french(text)` when the active language is French, `text` otherwise."""
    if (get_language() or "fr").startswith("fr"):
        return elide_french(text)
    return text


def de(value: str) -> str:
    """ "de " + value in French, elided or contracted: "d'Énergies", "des distributeurs"."""
    return elide_french(f"de {value}")
