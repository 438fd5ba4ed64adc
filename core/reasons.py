"""Why a count has no CTR: message templates that both write a reason and recognise one.

A sheet's status column may only be written where the tool can prove the text there is its
own. The proof is exact: a text is the tool's only if it is a whole rendering of one of these
templates, each field in the very format the template writes it (a count as ``50,000``, a
person's text as its quoted, clipped ``repr``...). Because the same objects render and
recognise, a new reason can't be written without being recognisable, and nothing that is
merely shaped like a reason ("Clicks look low, check the tracking.") is ever taken for one.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from string import Formatter

QUANTITIES = ("clicks", "impressions", "count")
SHOWN_CHARS = 20  # a person's text is quoted up to this many characters, then "…"


@dataclass(frozen=True, slots=True)
class Field:
    """One kind of value in a message: how it is written, and how to read it back.

    A field's text is accepted only if writing what was read gives the same text back.
    """

    pattern: str
    render: Callable[[object], str]
    parse: Callable[[str], object]

    def read(self, text: str) -> tuple[bool, object]:
        """(True, value) if ``text`` is exactly how this field writes ``value``."""
        try:
            value = self.parse(text)
            return self.render(value) == text, value
        except (ValueError, KeyError, SyntaxError, TypeError, MemoryError, RecursionError):
            return False, None

    def recognises(self, text: str) -> bool:
        return self.read(text)[0]


def shown(text: str) -> str:
    """A person's text quoted for a message, clipped so a paste isn't echoed whole.

    >>> shown("  lots ")
    "'lots'"
    """
    clipped = text.strip()
    return repr(clipped if len(clipped) <= SHOWN_CHARS else clipped[:SHOWN_CHARS] + "…")


def _quoted(text: str) -> str:
    value = ast.literal_eval(text)
    if not isinstance(value, str):
        raise ValueError(text)
    return value


def _as_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(value)
    return value


def _as_str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def _quantity(value: object) -> str:
    if value not in QUANTITIES:
        raise ValueError(value)
    return _as_str(value)


def _as_float(value: object) -> float:
    if not isinstance(value, float):
        raise TypeError(value)
    return value


def _non_finite(value: object) -> float:
    if math.isfinite(_as_float(value)):
        raise ValueError(value)
    return _as_float(value)


def _as_bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(value)
    return value


WHAT = Field("Clicks|Impressions|Count", lambda v: _quantity(v).capitalize(), str.lower)
# Only the escapes repr() writes, so reading one back never meets an invalid escape.
_ESCAPE = r"\\(?:[\\'\"nrt]|x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8})"
QUOTED = Field(
    rf"'(?:[^'\\\n]|{_ESCAPE})*'|\"(?:[^\"\\\n]|{_ESCAPE})*\"",
    lambda v: shown(_as_str(v)),
    _quoted,
)
COUNT = Field(
    r"-?\d{1,3}(?:,\d{3})*", lambda v: f"{_as_int(v):,}", lambda t: int(t.replace(",", ""))
)
INTEGER = Field(r"-?\d+", lambda v: str(_as_int(v)), int)
FLOAT = Field(r"-?(?:inf|nan|[\d.]+(?:e[+-]\d+)?)", lambda v: repr(_as_float(v)), float)
NAN_OR_INF = Field(r"-?(?:inf|nan)", lambda v: str(_non_finite(v)), float)
BOOL = Field("True|False", lambda v: str(_as_bool(v)), lambda t: {"True": True, "False": False}[t])
DIGITS = Field(r"\d+", _as_str, str)
GROUPED = Field(r"\d{1,3}(?:,\d{3})+", _as_str, str)


LETTERS = Field(r"[A-Z]{1,3}", _as_str, str)  # a column as a person sees it: "A", "AB"


def choice(*words: str) -> Field:
    """A field that is one of a few fixed words."""

    def render(value: object) -> str:
        if value not in words:
            raise ValueError(value)
        return _as_str(value)

    return Field("|".join(re.escape(word) for word in words), render, str)


def one_of(*fields: Field) -> Field:
    """A field written in any of ``fields``' formats (e.g. a number or a person's text)."""
    pattern = "|".join(f"(?:{field.pattern})" for field in fields)

    def parse(text: str) -> object:
        for field in fields:
            if re.fullmatch(field.pattern, text) and field.recognises(text):
                return field.parse(text)
        raise ValueError(text)

    def render(value: object) -> str:
        for field in fields:
            try:
                return field.render(value)
            except (TypeError, ValueError):
                continue
        raise TypeError(value)

    return Field(pattern, render, parse)


class Template:
    """A message with typed fields, e.g. ``Template("{what} is missing.", what=WHAT)``."""

    def __init__(self, text: str, **fields: Field) -> None:
        names = [name for _, name, _, _ in Formatter().parse(text) if name]
        if sorted(set(names)) != sorted(fields):
            raise ValueError(f"fields {sorted(fields)} don't match {text!r}")  # pragma: no cover
        self.text, self.fields = text, fields
        parts, literals = [], []
        for literal, name, _, _ in Formatter().parse(text):
            parts.append(re.escape(literal))
            literals.append(literal)
            if name:
                parts.append(f"(?P<{name}>{fields[name].pattern})")
        self._regex = re.compile("".join(parts), re.DOTALL)
        # Cheap first checks: most texts differ from most templates at one end or the other.
        self._prefix = literals[0]
        self._suffix = literals[-1] if len(literals) > 1 or not names else ""

    def __call__(self, **values: object) -> str:
        """The message for ``values``, each field written in its own format."""
        return self.text.format(**{name: f.render(values[name]) for name, f in self.fields.items()})

    def parse(self, text: str) -> dict[str, object] | None:
        """The values ``text`` was written from, if it is exactly a message of this template
        (every field in its own format); None otherwise."""
        if not (text.startswith(self._prefix) and text.endswith(self._suffix)):
            return None
        match = self._regex.fullmatch(text)
        if match is None:
            return None
        values = {}
        for name, field in self.fields.items():
            exact, values[name] = field.read(match[name])
            if not exact:
                return None
        return values

    def recognises(self, text: str) -> bool:
        """Is ``text`` exactly a message of this template?"""
        return self.parse(text) is not None

    def __repr__(self) -> str:
        return f"Template({self.text!r})"


# The reasons a count, or a row's counts, have no CTR. Append here; never edit one in place:
# a sheet may hold a reason written by an earlier version, and only a template recognises it.
MISSING = Template("{what} is missing.", what=WHAT)
NOT_A_NUMBER = Template(
    "{what} must be a number, not {value}.", what=WHAT, value=one_of(BOOL, NAN_OR_INF, QUOTED)
)
NO_DIGITS = Template(
    "{what} {shown} is not a number: type the count with digits, e.g. 0 or 1200.",
    what=WHAT,
    shown=QUOTED,
)
TOO_LONG = Template(
    "{what} is too long to be a count ({chars} characters).", what=WHAT, chars=INTEGER
)
NOT_PLAIN_DIGITS = Template(
    "{what} {shown} contains a character that is not a plain digit; type it with 0-9 only.",
    what=WHAT,
    shown=QUOTED,
)
NEGATIVE = Template(
    "{what} can't be negative: {value}.", what=WHAT, value=one_of(QUOTED, COUNT, INTEGER, FLOAT)
)
DOT_AMBIGUOUS = Template(
    "{what} {shown} is ambiguous: a dot may group thousands (as in German) or mark decimals. "
    "Write it without the dot ({digits}) or with a comma ({grouped}).",
    what=WHAT,
    shown=QUOTED,
    digits=DIGITS,
    grouped=GROUPED,
)
COMMA_AMBIGUOUS_HERE = Template(
    "{what} {shown} is ambiguous in this sheet's locale (a comma marks decimals here): "
    "write it without the comma.",
    what=WHAT,
    shown=QUOTED,
)
COMMA_AMBIGUOUS = Template(
    "{what} {shown} is ambiguous: a comma may group thousands or mark decimals, and this "
    "sheet's locale doesn't say which. Write it without the comma ({digits}).",
    what=WHAT,
    shown=QUOTED,
    digits=DIGITS,
)
NOT_A_COUNT = Template(
    "{what} {shown} is not a number like 50000, 50,000 or 50k.", what=WHAT, shown=QUOTED
)
EXPONENT_AND_SUFFIX = Template(
    "{what} {shown} mixes an exponent and a k/M/B suffix.", what=WHAT, shown=QUOTED
)
FAR_TOO_LARGE = Template("{what} {shown} is far too large to be a count.", what=WHAT, shown=QUOTED)
TOO_LARGE = Template(
    "{what} {value} is larger than {limit}; check the number.",
    what=WHAT,
    value=one_of(QUOTED, INTEGER, FLOAT),
    limit=COUNT,
)
NOT_WHOLE = Template(
    "{what} must be a whole number, not {value}.", what=WHAT, value=one_of(QUOTED, FLOAT, INTEGER)
)
UNDEFINED = Template("CTR is undefined with 0 impressions: the ad was never shown.")
CLICKS_EXCEED = Template(
    "Clicks ({clicks}) can't exceed impressions ({impressions}).", clicks=COUNT, impressions=COUNT
)

COUNT_REASONS = (
    MISSING,
    NOT_A_NUMBER,
    NO_DIGITS,
    TOO_LONG,
    NOT_PLAIN_DIGITS,
    NEGATIVE,
    DOT_AMBIGUOUS,
    COMMA_AMBIGUOUS_HERE,
    COMMA_AMBIGUOUS,
    NOT_A_COUNT,
    EXPONENT_AND_SUFFIX,
    FAR_TOO_LARGE,
    TOO_LARGE,
    NOT_WHOLE,
    UNDEFINED,
    CLICKS_EXCEED,
)


def is_reason(text: str, templates: tuple[Template, ...] = COUNT_REASONS) -> bool:
    """Is ``text`` exactly one of the reasons the templates write?

    >>> is_reason("Clicks (500) can't exceed impressions (100).")
    True
    >>> is_reason("Clicks look low, check the tracking.")
    False
    """
    return any(template.recognises(text) for template in templates)
