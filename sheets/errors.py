"""Errors of the Sheets sync, each with a message for the person running it."""

from __future__ import annotations

from core.errors import CtrError


class SheetLayoutError(CtrError):
    """The sheet's headers don't say where impressions and clicks are."""


class SheetsApiError(CtrError):
    """Google's API refused or kept failing; the message says which call and why."""

    exit_code = 3  # ctr-sheets' documented code for Google failures (docs/sheets.md)


class SheetsServerError(SheetsApiError):
    """Google kept failing on its side (429 or 5xx after every retry): nothing to fix here."""


class SheetsRequestRefused(SheetsApiError):
    """Google refused a request as invalid (400): nothing of its batch was applied."""


class SheetAccessError(SheetsApiError):
    """The sheet can't be opened with our credentials (not shared, wrong link)."""


class SheetChangedError(CtrError):
    """The sheet changed between our read and our write: nothing was written; read again."""


class CsvFileError(CtrError):
    """A CSV file can't be read or written; the message names the file and what to do."""


class CsvChangedError(CsvFileError, SheetChangedError):
    """The CSV file changed after it was read: nothing was written; read it again and retry."""
