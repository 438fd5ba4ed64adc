"""Which locales write decimals with a comma (so their dots group thousands)."""

from __future__ import annotations

from core.counts import DecimalMark

# Language codes whose locales write 1.234,5: dots there group thousands.
DECIMAL_COMMA_LANGUAGES = frozenset(
    (  # noqa: SIM905 - a word list reads better as words than as 47 quoted lines
        "af az be bg bs ca cs da de el es et eu fi fo fr gl hr hu hy id is it ka kk ky lt lv mk "
        "mn nb nl nn no pl pt ro ru sk sl sq sr sv tr uk uz vi"
    ).split()
)


def decimal_mark(locale: str | None) -> DecimalMark:
    """The decimal mark of a locale such as Google's "de_DE" (or "de-DE", "de").

    >>> decimal_mark("de_DE"), decimal_mark("en_GB"), decimal_mark(None)
    (',', '.', '.')
    """
    language = (locale or "").replace("-", "_").split("_")[0].lower()
    return "," if language in DECIMAL_COMMA_LANGUAGES else "."
