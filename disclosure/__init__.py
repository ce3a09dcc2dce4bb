"""Statistical disclosure control for published tables (pure Python: no Django, none of our apps).

The bottom of the import order: reports (and directory, should it publish member figures) use it.
See `disclosure.suppression` for the rules.
"""

from .suppression import (
    DOMINANCE,
    THRESHOLD,
    Cell,
    Constraint,
    Reason,
    Suppression,
    determined,
    primary_reason,
    suppress,
)

__all__ = [
    "DOMINANCE",
    "THRESHOLD",
    "Cell",
    "Constraint",
    "Reason",
    "Suppression",
    "determined",
    "primary_reason",
    "suppress",
]
