"""Values as buyers write them: "1.234,50 EUR", "(1 234,50 €)", "31 déc. 2026", Excel serials,
SIRENs stored as numbers or given as a SIRET.

Each parser takes one raw cell (text, number, date) and returns the value or raises CellError with
a code and parameters (see messages.py). The pipeline calls them once per *distinct* value of a
column (most columns repeat: dates, SIRENs, domains), so their cost is paid per distinct value.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from stdnum import luhn

from .messages import error_text


class CellError(ValueError):
    """A value that cannot be used: a code of messages.ERRORS and its parameters."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params

    def __str__(self) -> str:
        return error_text(self.code, self.params)


_SPACES = re.compile(r"[\s\u00a0\u202f\u2009'’]")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_CURRENCY = re.compile(r"(EUROS?|EUR|€)", re.IGNORECASE)
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
MAX_AMOUNT = Decimal("999999999999.99")
CENT = Decimal("0.01")


def parse_decimal(value: object) -> Decimal:
    """A number written the French or the English way, with a currency sign or word before or
    after, accounting parentheses for a negative; numeric cells pass through."""
    if isinstance(value, bool):
        raise CellError("not_a_number_type")
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    original = str(value or "").strip()
    text = _CURRENCY.sub("", _SPACES.sub("", original))
    if not text:
        raise CellError("required")
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text.endswith("-") and text[:-1].replace(",", "").replace(".", "").isdigit():
        negative, text = True, text[:-1]  # "1234,50-" (some ERPs)
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
        raise CellError("not_number", value=original[:40])
    try:
        number = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex already filters
        raise CellError("not_number", value=original[:40]) from exc
    return -number if negative else number


def parse_amount(value: object) -> Decimal:
    """An amount in euros excl. VAT: > 0, at most two decimals (numeric cells are rounded to cents)."""
    amount = parse_decimal(value)
    if isinstance(value, float):
        amount = amount.quantize(CENT)
    if amount < 0:
        raise CellError("amount_negative", value=str(value).strip()[:40])
    if amount == 0:
        raise CellError("amount_not_positive")
    if amount.as_tuple().exponent < -2:
        raise CellError("amount_decimals")
    if amount > MAX_AMOUNT:
        raise CellError("amount_too_large")
    return amount.quantize(CENT)


_MONTHS = {
    "janvier": 1,
    "janv": 1,
    "jan": 1,
    "january": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "feb": 2,
    "february": 2,
    "mars": 3,
    "mar": 3,
    "march": 3,
    "avril": 4,
    "avr": 4,
    "apr": 4,
    "april": 4,
    "mai": 5,
    "may": 5,
    "juin": 6,
    "jun": 6,
    "june": 6,
    "juillet": 7,
    "juil": 7,
    "jul": 7,
    "july": 7,
    "aout": 8,
    "aug": 8,
    "august": 8,
    "septembre": 9,
    "sept": 9,
    "sep": 9,
    "september": 9,
    "octobre": 10,
    "oct": 10,
    "october": 10,
    "novembre": 11,
    "nov": 11,
    "november": 11,
    "decembre": 12,
    "dec": 12,
    "december": 12,
}
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})$")
_YMD = re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})$")
_WORDS = re.compile(r"^(\d{1,2})(?:er)?\s+([a-z]+)\.?\s+(\d{4})$")
_FOLD = str.maketrans("éèêëàâäûüùôöîïç", "eeeeaaauuuooiic")


def _make_date(year: int, month: int, day: int) -> datetime.date:
    if year < 100:
        year += 2000
    return datetime.date(year, month, day)


def parse_date(value: object) -> datetime.date:
    """31/12/2026, 31.12.2026, 2026-12-31, 2026/12/31, "31 déc. 2026", a date cell or an Excel
    serial number (also written as text)."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:
            return _EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise CellError("not_date", value=str(value))
    text = str(value or "").strip()
    if not text:
        raise CellError("required")
    candidate = text
    if len(candidate) > 10 and candidate[10:11] in (" ", "T"):
        candidate = candidate[:10]  # "2026-03-15 00:00:00", "15/03/2026 00:00"
    try:
        if match := _DMY.match(candidate):
            day, month, year = (int(g) for g in match.groups())
            return _make_date(year, month, day)
        if match := _YMD.match(candidate):
            year, month, day = (int(g) for g in match.groups())
            return _make_date(year, month, day)
        folded = text.lower().translate(_FOLD)
        if match := _WORDS.match(folded):
            month = _MONTHS.get(match.group(2))
            if month:
                return _make_date(int(match.group(3)), month, int(match.group(1)))
        if text.isdigit() and 20000 <= int(text) <= 80000:  # an Excel serial written as text
            return _EXCEL_EPOCH + datetime.timedelta(days=int(text))
    except ValueError:
        pass
    raise CellError("not_date", value=text[:40])


_SIREN_JUNK = re.compile(r"[\s\u00a0\u202f.\-]")
_TRAILING_ZERO = re.compile(r"^\d{8,14}[.,]0+$")


def parse_siren(value: object) -> tuple[str, bool]:
    """(nine digits with a valid check digit, whether a SIRET was given). Numbers whose leading
    zeros were lost, spaces, dots and dashes are accepted; a SIRET gives its first nine digits."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value != int(value) or value < 0:
            raise CellError("not_siren", value=str(value)[:20])
        number = int(value)
        text = f"{number:09d}" if number < 10**9 else f"{number:014d}"
    else:
        raw = str(value or "").strip()
        if _TRAILING_ZERO.match(raw):
            raw = re.split(r"[.,]", raw)[0]  # "732829320.0": a number turned into text
        text = _SIREN_JUNK.sub("", raw)
        if text.isdigit() and len(text) in (8, 13):
            text = "0" + text  # leading zero lost on the way
    if not text:
        raise CellError("required")
    siret = False
    if len(text) == 14 and text.isdigit():
        siret, text = True, text[:9]
    if not (len(text) == 9 and text.isdigit()):
        raise CellError("not_siren", value=text[:20])
    if not luhn.is_valid(text):
        raise CellError("siren_key", value=text)
    return text, siret


def parse_delay(value: object) -> int | None:
    """An optional number of days between 0 and 3650."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = parse_decimal(value)
    if number != number.to_integral_value():
        raise CellError("delay_integer")
    if not 0 <= number <= 3650:
        raise CellError("delay_range")
    return int(number)
