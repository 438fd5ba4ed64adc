"""Writes sheets/locale_table.py from CLDR (Babel, a dev-only dependency).

Run ``.venv/bin/python -m tests.sheets.gen_locales > sheets/locale_table.py`` after a Babel
upgrade; tests/sheets/test_locales.py fails while the checked-in table differs from this.
"""

from __future__ import annotations

from babel import Locale, UnknownLocaleError, localedata
from babel.core import get_global


def numerals_of(identifier: str) -> tuple[str, str]:
    """(decimal mark, thousands separator) of a locale in Latin digits, as Sheets shows them."""
    symbols = Locale.parse(identifier).number_symbols["latn"]
    return symbols["decimal"], symbols["group"]


def identifiers() -> dict[str, str]:
    """Every CLDR locale, plus language_TERRITORY for each one with a script (Google's
    "zh_TW", "sr_RS", "uz_UZ" name CLDR's "zh_Hant_TW", "sr_Cyrl_RS", "uz_Latn_UZ") and for
    a bare language's likely territory ("no_NO": Norwegian in Norway); each with the CLDR
    locale whose numerals it takes."""
    names = {name: name for name in localedata.locale_identifiers()}
    likely = get_global("likely_subtags")
    for name in list(names):
        locale = Locale.parse(name)
        if locale.script and locale.territory:
            short = f"{locale.language}_{locale.territory}"
            if short not in names and _parses(short):
                names[short] = short
        elif not locale.territory and not locale.script and name in likely:
            territory = likely[name].split("_")[-1]
            names.setdefault(f"{name}_{territory}", name)
    return dict(sorted(names.items()))


def _parses(identifier: str) -> bool:
    try:
        Locale.parse(identifier)
    except (ValueError, UnknownLocaleError):
        return False
    return True


def render() -> str:
    lines = [
        '"""Every CLDR locale\'s decimal mark and thousands separator (generated: do not edit).',
        "",
        "Written by tests/sheets/gen_locales.py from Babel's CLDR data; checked against CLDR by",
        "tests/sheets/test_locales.py. Each value: the decimal mark, then the separator.",
        '"""',
        "",
        "NUMERALS: dict[str, str] = {",
    ]
    for name, source in identifiers().items():
        decimal, group = numerals_of(source)
        lines.append(f'    "{name}": "{repr(decimal + group)[1:-1]}",')  # ruff format's quotes
    lines.append("}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
