"""Values as written in French spreadsheets: "1 234,50 €", "31/12/2026", Excel serial dates, SIRENs."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from stdnum.fr import siren as siren_number


class CellError(ValueError):
    """A value that cannot be used; its message is shown to the user."""


_SPACES = re.compile(r"[\s\u00a0\u202f\u2009'’]")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
MAX_AMOUNT = Decimal("999999999999.99")


def parse_decimal(value: object) -> Decimal:
    """A number written the French or the English way; numeric cells pass through."""
    if isinstance(value, bool):
        raise CellError(_("nombre attendu"))
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = _SPACES.sub("", str(value or "")).replace("€", "").upper().removesuffix("EUR")
    if not text:
        raise CellError(_("valeur manquante"))
    if "," in text and "." in text:
        # The last separator is the decimal one: "1.234,50" or "1,234.50".
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".") if text.count(",") == 1 else text.replace(",", "")
    elif text.count(".") > 1:
        text = text.replace(".", "")
    if not _NUMBER.match(text):
        raise CellError(_("« %(value)s » n'est pas un nombre") % {"value": str(value).strip()})
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex already filters
        raise CellError(_("nombre illisible")) from exc


def parse_amount(value: object) -> Decimal:
    """An amount in euros excl. VAT: > 0, at most two decimals (numeric cells are rounded to cents)."""
    amount = parse_decimal(value)
    if isinstance(value, float):
        amount = amount.quantize(Decimal("0.01"))
    if amount <= 0:
        raise CellError(_("le montant doit être strictement positif"))
    if amount.as_tuple().exponent < -2:
        raise CellError(_("au plus deux décimales"))
    if amount > MAX_AMOUNT:
        raise CellError(_("montant trop élevé"))
    return amount.quantize(Decimal("0.01"))


_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%Y/%m/%d")


def parse_date(value: object) -> datetime.date:
    """31/12/2026, 2026-12-31, a date cell or an Excel serial number."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:
            return _EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise CellError(_("date illisible"))
    text = str(value or "").strip()
    if not text:
        raise CellError(_("valeur manquante"))
    if len(text) > 10 and text[4] == "-" and text[10] in " T":
        text = text[:10]  # "2026-03-15 00:00:00"
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError(_("« %(value)s » n'est pas une date (attendu : JJ/MM/AAAA)") % {"value": text})


def parse_siren(value: object) -> str:
    """Nine digits with a valid check digit; spaces are ignored."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = f"{int(value):09d}"
    else:
        text = _SPACES.sub("", str(value or "")).replace(".", "")
    if not text:
        raise CellError(_("valeur manquante"))
    if len(text) == 14 and text.isdigit():
        raise CellError(_("c'est un SIRET (14 chiffres) : indiquez le SIREN (9 premiers chiffres)"))
    if not (len(text) == 9 and text.isdigit()):
        raise CellError(_("« %(value)s » n'est pas un SIREN (9 chiffres)") % {"value": text[:20]})
    if not siren_number.is_valid(text):
        raise CellError(_("SIREN %(value)s invalide (clé de contrôle)") % {"value": text})
    return text


def parse_delay(value: object) -> int | None:
    """An optional number of days between 0 and 3650."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = parse_decimal(value)
    if number != number.to_integral_value():
        raise CellError(_("nombre entier de jours attendu"))
    if not 0 <= number <= 3650:
        raise CellError(_("entre 0 et 3650 jours"))
    return int(number)
