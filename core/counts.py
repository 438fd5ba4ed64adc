"""Human-typed counts: "50,000", "50k", "1.2M", "5e4" → exact integers, and back."""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation, localcontext
from typing import Literal

from core.errors import InputError

MAX_COUNT = 10**15
# A count longer than this is a paste accident, not a number; refusing it early keeps the
# parser linear and the error message short.
MAX_COUNT_CHARS = 40
MAX_EXPONENT = 20
_EXACT_DIGITS = 2 * (MAX_COUNT_CHARS + MAX_EXPONENT)

DecimalMark = Literal[".", ","]
# "10.000" and "1.234.567": thousands grouped with dots (most of Europe) or a decimal fraction?
# Guessing either way gives a CTR off by 1000x, so without a locale these are refused.
_DOT_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+")
_COMMA_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+")

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


def parse_count(
    value: str | int | float, what: str = "count", decimal_mark: DecimalMark = "."
) -> int:
    """Parse a non-negative whole count typed or exported by a person.

    Args:
        value: the text ("50,000", "1.2M", "5e4") or a number read from a sheet.
        what: the name used in messages ("clicks", "impressions").
        decimal_mark: "," where the text comes from a decimal-comma locale (a German sheet),
            so "10.000" is ten thousand; with the default ".", "10.000" is ambiguous.

    Returns:
        The exact count.

    Raises:
        InputError: with a message naming ``what`` and the bad value.

    >>> parse_count("1.25k")
    1250
    """
    if isinstance(value, bool):
        raise InputError(f"{_cap(what)} must be a number, not {value}.")
    if isinstance(value, int):
        # Sheets hand most counts over as plain ints: skip Decimal on the common path.
        return value if 0 <= value <= MAX_COUNT else _checked(Decimal(value), what, str(value))
    if isinstance(value, float):
        return _parse_float(value, what)
    return _parse_text(value, what, decimal_mark)


def format_count(n: int) -> str:
    """Thousands separators, as people write counts.

    >>> format_count(50000)
    '50,000'
    """
    return f"{n:,}"


def _parse_float(value: float, what: str) -> int:
    if not math.isfinite(value):
        raise InputError(f"{_cap(what)} must be a number, not {value}.")
    if value.is_integer() and 0 <= value <= MAX_COUNT:
        return int(value)
    return _checked(Decimal(value), what, repr(value))


def _parse_text(text: str, what: str, decimal_mark: DecimalMark = ".") -> int:
    stripped = text.strip()
    if stripped.isdigit() and stripped.isascii() and len(stripped) <= 15:
        # Most exported counts are plain digits or "7,984": skip Decimal on a sync's hot path.
        return int(stripped)
    if decimal_mark == "." and "," in stripped and _COMMA_GROUPED.fullmatch(stripped):
        return _checked(Decimal(stripped.replace(",", "")), what, stripped)
    shown = _shown(text)
    if not stripped:
        raise InputError(f"{_cap(what)} is missing.")
    if len(stripped) > MAX_COUNT_CHARS:
        raise InputError(f"{_cap(what)} is too long to be a count ({len(stripped)} characters).")
    if not stripped.isascii():
        raise InputError(
            f"{_cap(what)} {shown} contains a character that is not a plain digit; "
            "type it with 0-9 only."
        )
    if stripped.startswith("-"):
        raise InputError(f"{_cap(what)} can't be negative: {shown}.")
    if stripped.lower().lstrip("+") in {"nan", "inf", "infinity"}:
        raise InputError(f"{_cap(what)} must be a number, not {shown}.")
    unsigned = stripped.lstrip("+")
    if decimal_mark == ",":
        unsigned = _from_decimal_comma(unsigned, what, shown)
    elif _DOT_GROUPED.fullmatch(unsigned):
        raise InputError(
            f"{_cap(what)} {shown} is ambiguous: a dot may group thousands (as in German) or "
            f"mark decimals. Write it without the dot ({unsigned.replace('.', '')}) or with a "
            "comma (" + unsigned.replace(".", ",") + ")."
        )
    return _checked(_decimal_of(unsigned, what, shown), what, shown)


def _from_decimal_comma(text: str, what: str, shown: str) -> str:
    """Decimal-comma text ("1.234.567", "1,5") in the dot-decimal form the regex reads."""
    if _COMMA_GROUPED.fullmatch(text):
        raise InputError(
            f"{_cap(what)} {shown} is ambiguous in this sheet's locale (a comma marks decimals "
            "here): write it without the comma."
        )
    if _DOT_GROUPED.fullmatch(text):
        return text.replace(".", "")
    return text.replace(",", ".") if "." not in text else text


def _decimal_of(text: str, what: str, shown: str) -> Decimal:
    match = _COUNT.fullmatch(text)
    if match is None or not (match["int"] or match["frac"]):
        raise InputError(f"{_cap(what)} {shown} is not a number like 50000, 50,000 or 50k.")
    if match["exp"] and match["suffix"]:
        raise InputError(f"{_cap(what)} {shown} mixes an exponent and a k/M/B suffix.")
    exponent = int(match["exp"] or 0)
    if abs(exponent) > MAX_EXPONENT:
        raise InputError(f"{_cap(what)} {shown} is far too large to be a count.")
    digits = (match["int"] or "0").replace(",", "").replace("_", "").replace(" ", "")
    # Enough precision that no 40-character input is ever rounded into a whole number.
    with localcontext(prec=_EXACT_DIGITS):
        try:
            number = Decimal(f"{digits}.{match['frac'] or '0'}").scaleb(exponent)
        except InvalidOperation:  # pragma: no cover - the regex admits only valid decimals
            raise InputError(f"{_cap(what)} {shown} is not a number.") from None
        return number * _SUFFIXES[(match["suffix"] or "").lower()]


def _checked(number: Decimal, what: str, shown: str) -> int:
    if number < 0:
        raise InputError(f"{_cap(what)} can't be negative: {shown}.")
    if number > MAX_COUNT:
        raise InputError(f"{_cap(what)} {shown} is larger than {MAX_COUNT:,}; check the number.")
    if number != number.to_integral_value():
        raise InputError(f"{_cap(what)} must be a whole number, not {shown}.")
    return int(number)


def _shown(text: str) -> str:
    """Quote user text for a message without echoing a whole paste back."""
    clipped = text.strip()
    return repr(clipped if len(clipped) <= 20 else clipped[:20] + "…")


def _cap(what: str) -> str:
    return what[:1].upper() + what[1:]
