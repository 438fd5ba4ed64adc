"""The locale table is CLDR's, covers every locale Google Sheets offers, and never misreads."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from core.counts import POINT, UNKNOWN, parse_count
from core.errors import InputError
from sheets.locales import csv_numerals, numerals
from tests.sheets.gen_locales import identifiers, render

TABLE = Path(__file__).resolve().parents[2] / "sheets" / "locale_table.py"
# Google Sheets' File > Settings locales, as properties.locale spells them (a sample across
# every region; the table holds all of CLDR, a superset).
SHEETS_LOCALES = (  # noqa: SIM905 - a list of codes reads better as words
    "ar_EG de_AT de_CH de_DE en_AU en_CA en_GB en_IE en_IN en_NZ en_PH en_US en_ZA es_419 "
    "es_AR es_CL es_CO es_ES es_MX es_PE es_US fi_FI fil_PH fr_BE fr_CA fr_CH fr_FR hi_IN "
    "hu_HU id_ID it_CH it_IT ja_JP ko_KR nl_BE nl_NL no_NO nb_NO pl_PL pt_BR pt_PT ro_RO "
    "ru_RU sv_SE th_TH tr_TR uk_UA vi_VN zh_CN zh_HK zh_TW cs_CZ da_DK el_GR he_IL ms_MY"
).split()


def test_the_table_is_cldrs() -> None:
    assert TABLE.read_text(encoding="utf-8") == render(), (
        "regenerate: .venv/bin/python -m tests.sheets.gen_locales > sheets/locale_table.py"
    )


@pytest.mark.parametrize("locale", SHEETS_LOCALES)
def test_every_sheets_locale_is_known(locale: str) -> None:
    assert numerals(locale) != UNKNOWN


@pytest.mark.parametrize(
    ("locale", "decimal", "group"),
    [
        ("de_CH", ".", "’"),
        ("es_MX", ".", ","),
        ("en_IN", ".", ","),
        ("fr_CA", ",", "\u00a0"),
        ("pt_BR", ",", "."),
        ("de_DE", ",", "."),
        ("es_ES", ",", "."),
        ("de-ch", ".", "’"),
    ],
)
def test_the_full_locale_decides(locale: str, decimal: str, group: str) -> None:
    assert (numerals(locale).decimal, numerals(locale).group) == (decimal, group)


def test_an_unknown_csv_locale_is_refused_in_one_line() -> None:
    assert csv_numerals(None) == POINT
    with pytest.raises(InputError, match="'xx_YY' is not a locale") as caught:
        csv_numerals("xx_YY")
    assert "\n" not in str(caught.value)


@settings(max_examples=400, deadline=None)
@given(
    locale=st.sampled_from(sorted(identifiers().items())),
    count=st.integers(0, 10**12),
    half=st.booleans(),
)
def test_a_count_as_its_locale_writes_it_is_read_right_or_refused(
    locale: tuple[str, str], count: int, half: bool
) -> None:
    """Whatever CLDR writes for a locale, the sync reads that number or refuses: a decimal
    is never taken for thousands (12.500 in de_CH), nor thousands for a decimal."""
    value = count + 0.5 if half else count
    name, cldr = locale  # the table's name ("no_NO") and the CLDR locale it takes ("no")
    text = format_decimal(value, locale=cldr, numbering_system="latn", group_separator=True)
    try:
        got = parse_count(text, "impressions", numerals(name))
    except InputError:
        return
    assert not half, (text, got)
    assert got == count, (text, got)
