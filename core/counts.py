"""Human-typed counts: "50,000", "50k", "1.2M", "5e4" → exact integers, and back."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext

from core import reasons
from core.errors import InputError

MAX_COUNT = 10**15
# A count longer than this is a paste accident, not a number; refusing it early keeps the
# parser linear and the error message short.
MAX_COUNT_CHARS = 40
MAX_EXPONENT = 20
_EXACT_DIGITS = 2 * (MAX_COUNT_CHARS + MAX_EXPONENT)


@dataclass(frozen=True, slots=True)
class Numerals:
    """How a locale writes numbers: its decimal mark and its thousands separator."""

    decimal: str
    group: str


# How `ctr` and a CSV file without --locale read numbers: 1,234.5 (an English spreadsheet).
POINT = Numerals(".", ",")
# A locale nobody knows: a dot or a comma could be either, so neither groups thousands.
UNKNOWN = Numerals("", "")
# "10.000" and "1.234.567": thousands grouped with dots (most of Europe) or a decimal fraction?
# Guessing either way gives a count off by 1000x, so only a locale that groups with that very
# mark reads them as thousands; anywhere else they are refused as ambiguous.
_DOT_GROUPED = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+")
_COMMA_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+")
_GROUPED = {".": re.compile(r"\d{1,3}(?:\.\d{3})+"), ",": re.compile(r"\d{1,3}(?:,\d{3})+")}
# A sheet's numeric value within this relative distance of a whole number is that number:
# =0.1*3*10000 shows 3,000 but holds 3000.0000000000005 (binary floating point).
WHOLE_TOLERANCE = 1e-9

_SUFFIXES = {"": 1, "k": 10**3, "m": 10**6, "b": 10**9}
# Groups of exactly three digits after the first, so "1,5" (a European decimal comma) is an
# error rather than silently meaning fifteen.
_COUNT = re.compile(
    r"""
    (?P<int>\d{1,3}(?:(?P<sep>[,_ ])\d{3})(?:(?P=sep)\d{3})*|\d+)?
    (?:\.(?P<frac>\d+))?
    (?:e(?P<exp>[+-]?\d+))?
    (?P<suffix>[kmb])?
    """,
    re.VERBOSE | re.IGNORECASE,
)


def parse_count(value: str | int | float, what: str = "count", numerals: Numerals = POINT) -> int:
    """Parse a non-negative whole count typed or exported by a person.

    Args:
        value: the text ("50,000", "1.2M", "5e4") or a number read from a sheet.
        what: the name used in messages ("clicks", "impressions").
        numerals: how the text's locale writes numbers: with a German sheet's, "10.000" is
            ten thousand; with the default (English) or an unknown locale's it is ambiguous.

    Returns:
        The exact count.

    Raises:
        InputError: with a message naming ``what`` and the bad value.

    >>> parse_count("1.25k")
    1250
    """
    if isinstance(value, bool):
        raise InputError(reasons.NOT_A_NUMBER(what=what, value=value))
    if isinstance(value, int):
        # Sheets hand most counts over as plain ints: skip Decimal on the common path.
        return value if 0 <= value <= MAX_COUNT else _checked(Decimal(value), what, value)
    if isinstance(value, float):
        return _parse_float(value, what)
    return _parse_text(value, what, numerals)


def format_count(n: int) -> str:
    """Thousands separators, as people write counts.

    >>> format_count(50000)
    '50,000'
    """
    return f"{n:,}"


def _parse_float(value: float, what: str) -> int:
    """A sheet's numeric value: whole, or within WHOLE_TOLERANCE of whole (formula noise).

    >>> _parse_float(0.1 * 3 * 10000, "impressions")
    3000
    """
    if not math.isfinite(value):
        raise InputError(reasons.NOT_A_NUMBER(what=what, value=value))
    nearest = round(value)
    if abs(value - nearest) <= WHOLE_TOLERANCE * max(1.0, abs(value)):
        value = float(nearest)
    if value.is_integer() and 0 <= value <= MAX_COUNT:
        return int(value)
    return _checked(Decimal(value), what, value)


def _parse_text(text: str, what: str, numerals: Numerals = POINT) -> int:
    stripped = text.strip()
    if stripped.isdigit() and stripped.isascii() and len(stripped) <= 15:
        # Most exported counts are plain digits or "7,984": skip Decimal on a sync's hot path.
        return int(stripped)
    grouped = _GROUPED.get(numerals.group)
    if grouped is not None and grouped.fullmatch(stripped):
        # "7,984" in an English sheet, "7.984" in a German one: the other common export form.
        count = int(stripped.replace(numerals.group, ""))
        return count if count <= MAX_COUNT else _checked(Decimal(count), what, text)
    if not stripped:
        raise InputError(reasons.MISSING(what=what))
    if len(stripped) > MAX_COUNT_CHARS:
        raise InputError(reasons.TOO_LONG(what=what, chars=len(stripped)))
    if not any(char.isdigit() for char in stripped):
        # "-", "–", "n/a", "?": a placeholder for a number nobody typed, never a negative one.
        raise InputError(reasons.NO_DIGITS(what=what, shown=text))
    unsigned = _ungrouped(stripped, what, numerals, text)
    if not unsigned.isascii():
        raise InputError(reasons.NOT_PLAIN_DIGITS(what=what, shown=text))
    if unsigned.lower().lstrip("+-") in {"nan", "inf", "infinity"}:
        raise InputError(reasons.NOT_A_NUMBER(what=what, value=text))
    if unsigned.startswith("-"):
        # Negative only if what follows the sign is a count; "-5x" is simply not a number.
        _decimal_of(unsigned[1:], what, text)
        raise InputError(reasons.NEGATIVE(what=what, value=text))
    return _checked(_decimal_of(unsigned.lstrip("+"), what, text), what, text)


def _ungrouped(text: str, what: str, numerals: Numerals, shown: str) -> str:
    """``text`` without the locale's thousands separators, its decimal mark made a dot.

    A dot- or comma-grouped count is read as thousands only where the locale groups with
    that mark; anywhere else it is refused as ambiguous rather than guessed.
    """
    if _DOT_GROUPED.fullmatch(text):
        if numerals.group == ".":
            return text.replace(".", "")
        grouped = text.lstrip("+-").replace(".", ",")
        digits = grouped.replace(",", "")
        raise InputError(
            reasons.DOT_AMBIGUOUS(what=what, shown=shown, digits=digits, grouped=grouped)
        )
    if _COMMA_GROUPED.fullmatch(text):
        if numerals.group == ",":
            return text.replace(",", "")
        if numerals.decimal == ",":
            raise InputError(reasons.COMMA_AMBIGUOUS_HERE(what=what, shown=shown))
        digits = text.lstrip("+-").replace(",", "")
        raise InputError(reasons.COMMA_AMBIGUOUS(what=what, shown=shown, digits=digits))
    group = numerals.group
    if group and group not in ".," and group in text:  # 10’000 (de_CH), 10 000 (fr_FR)
        mark = re.escape(numerals.decimal or ".")
        if re.fullmatch(rf"[+-]?\d{{1,3}}(?:{re.escape(group)}\d{{3}})+(?:{mark}\d+)?", text):
            text = text.replace(group, "")
    # What is left may use only the locale's own marks: "12.0" in French is neither.
    if numerals.decimal == ",":
        if "." in text:
            raise InputError(reasons.NOT_A_COUNT(what=what, shown=shown))
        return text.replace(",", ".")
    if ("." in text and numerals.decimal != ".") or ("," in text and numerals.group != ","):
        raise InputError(reasons.NOT_A_COUNT(what=what, shown=shown))
    return text


def _decimal_of(text: str, what: str, shown: str) -> Decimal:
    match = _COUNT.fullmatch(text)
    if match is None or not (match["int"] or match["frac"]):
        raise InputError(reasons.NOT_A_COUNT(what=what, shown=shown))
    if match["exp"] and match["suffix"]:
        raise InputError(reasons.EXPONENT_AND_SUFFIX(what=what, shown=shown))
    exponent = int(match["exp"] or 0)
    if abs(exponent) > MAX_EXPONENT:
        raise InputError(reasons.FAR_TOO_LARGE(what=what, shown=shown))
    digits = (match["int"] or "0").replace(",", "").replace("_", "").replace(" ", "")
    # Enough precision that no 40-character input is ever rounded into a whole number.
    with localcontext(prec=_EXACT_DIGITS):
        try:
            number = Decimal(f"{digits}.{match['frac'] or '0'}").scaleb(exponent)
        except InvalidOperation:  # pragma: no cover - the regex admits only valid decimals
            raise InputError(reasons.NOT_A_COUNT(what=what, shown=shown)) from None
        return number * _SUFFIXES[(match["suffix"] or "").lower()]


def _checked(number: Decimal, what: str, value: str | int | float) -> int:
    """``value`` (the text or number given, for the message) as a count, or why not."""
    if number < 0:
        raise InputError(reasons.NEGATIVE(what=what, value=value))
    if number > MAX_COUNT:
        raise InputError(reasons.TOO_LARGE(what=what, value=value, limit=MAX_COUNT))
    if number != number.to_integral_value():
        raise InputError(reasons.NOT_WHOLE(what=what, value=value))
    return int(number)
