"""What a person passes as SHEET: a Google Sheets URL (its #gid picks the tab), a key, a .csv."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from core.errors import InputError

_URL = re.compile(r"https://docs\.google\.com/spreadsheets/d/([A-Za-z0-9_-]{10,})")
_GID = re.compile(r"[#&?]gid=(\d+)")
_KEY = re.compile(r"[A-Za-z0-9_-]{20,}")


@dataclass(frozen=True, slots=True)
class SheetRef:
    key: str | None = None
    gid: int | None = None
    path: Path | None = None


def parse_sheet_ref(text: str) -> SheetRef:
    """Classify SHEET.

    >>> parse_sheet_ref("https://docs.google.com/spreadsheets/d/1AbCdEfGhIjKlMnOp/edit#gid=42")
    SheetRef(key='1AbCdEfGhIjKlMnOp', gid=42, path=None)
    """
    if text.strip().lower().endswith(".csv"):
        return SheetRef(path=Path(text))  # exactly as given: "report.csv " is another file
    text = text.strip()
    url = _URL.match(text)
    if url:
        gid = _GID.search(text)
        return SheetRef(key=url[1], gid=int(gid[1]) if gid else None)
    if _KEY.fullmatch(text):
        return SheetRef(key=text)
    raise InputError(
        f"{text[:60]!r} is not a Google Sheets URL, a spreadsheet key or a .csv file.",
        example="sync https://docs.google.com/spreadsheets/d/KEY/edit#gid=0",
    )
