"""How a spreadsheet's locale writes numbers, from the full locale (de_CH is not de_DE).

The language alone is not enough: Swiss German (de_CH) and Mexican Spanish (es_MX) write
decimals with a point while German and Spanish use a comma, so a table keyed by language read
"12.500" a thousand times too big there. The table (sheets/locale_table.py) holds every CLDR
locale, a superset of the ones Google Sheets offers in File > Settings, generated from and
tested against CLDR. A locale it doesn't know is never guessed: its dots and commas group
nothing (Google), or the option is refused (a CSV's --locale).
"""

from __future__ import annotations

import re

from core.counts import POINT, UNKNOWN, Numerals
from core.errors import InputError
from sheets.locale_table import NUMERALS

_SHAPE = re.compile(r"([A-Za-z]{2,3})(?:[_-]([A-Za-z]{4}))?(?:[_-]([A-Za-z]{2}|\d{3}))?")


def canonical(locale: str) -> str | None:
    """Google's and people's spellings ("de-ch", "DE_CH") as the table's key ("de_CH").

    >>> canonical("de-ch"), canonical("zh_hant_tw"), canonical("12")
    ('de_CH', 'zh_Hant_TW', None)
    """
    match = _SHAPE.fullmatch(locale.strip())
    if match is None:
        return None
    language, script, territory = match.groups()
    parts = [language.lower(), script.capitalize() if script else None]
    parts.append(territory.upper() if territory else None)
    return "_".join(part for part in parts if part)


def numerals(locale: str | None) -> Numerals:
    """A sheet's numerals from its locale; UNKNOWN (nothing grouped) for one not in the table.

    >>> numerals("de_DE").group, numerals("de_CH").decimal, numerals("xx_YY") == UNKNOWN
    ('.', '.', True)
    """
    key = canonical(locale or "")
    symbols = NUMERALS.get(key) if key else None
    if symbols is None:
        return UNKNOWN
    return Numerals(decimal=symbols[0], group=symbols[1:])


def csv_numerals(locale: str | None) -> Numerals:
    """A CSV file's numerals: English ones without --locale; an unknown --locale is refused.

    Raises:
        InputError: naming the locale and how locales are written.
    """
    if locale is None:
        return POINT
    key = canonical(locale)
    if key is None or key not in NUMERALS:
        raise InputError(
            f"--locale {locale!r} is not a locale this tool knows; write it as language_COUNTRY "
            "as Google Sheets does, e.g. de_DE, de_CH, fr_CA, pt_BR, en_IN.",
            example="sync export.csv --locale de_DE",
        )
    return numerals(key)
