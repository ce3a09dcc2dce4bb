"""French number formats for figures: "1 234 567 €", "12,5 %", "+3,4 pt".

One formatting for every surface that shows a figure (the account's figures page and exports in
procurement, the PDF reports and their XLSX annexes in reports), so that a figure reads the same
everywhere.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

NNBSP = "\u202f"  # narrow no-break space: thousands separator
NBSP = "\u00a0"  # no-break space: before € and %
MISSING = "–"


def _group(digits: str) -> str:
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return NNBSP.join(groups)


def number(value, decimals: int = 0) -> str:
    """12345.678 -> "12 345,7" (decimals=1), with a minus sign where negative."""
    if value is None:
        return MISSING
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "−" if rounded < 0 else ""
    integer, _dot, fraction = f"{abs(rounded):f}".partition(".")
    text = _group(integer)
    if decimals:
        text += "," + fraction
    return sign + text


def euros(value) -> str:
    """Whole euros: "1 234 567 €"."""
    if value is None:
        return MISSING
    return f"{number(value)}{NBSP}€"


def percent(value, decimals: int = 1) -> str:
    """ "12,5 %" """
    if value is None:
        return MISSING
    return f"{number(value, decimals)}{NBSP}%"


def days(value) -> str:
    if value is None:
        return MISSING
    return f"{number(value, 1 if Decimal(str(value)) % 1 else 0)}{NBSP}{_('jours')}"


def change_ratio(current, previous) -> str:
    """Relative change in %: "+12,5 %" (none when the previous value is missing or zero)."""
    if current is None or not previous:
        return MISSING
    change = (Decimal(str(current)) - Decimal(str(previous))) * 100 / Decimal(str(previous))
    text = percent(change)
    return text if change < 0 else "+" + text


def change_points(current, previous) -> str:
    """Change of a percentage, in points: "+1,2 pt"."""
    if current is None or previous is None:
        return MISSING
    change = Decimal(str(current)) - Decimal(str(previous))
    text = f"{number(change, 1)}{NBSP}{_('pt')}"
    return text if change < 0 else "+" + text


def change_count(current, previous, unit: str = "") -> str:
    if current is None or previous is None:
        return MISSING
    change = Decimal(str(current)) - Decimal(str(previous))
    text = number(change, 1 if change % 1 else 0) + (f"{NBSP}{unit}" if unit else "")
    return text if change < 0 else "+" + text


def change_days(current, previous) -> str:
    """Change of a delay: "+2,5 j"."""
    return change_count(current, previous, _("j"))
