"""Where sheets live: Google Sheets or a local CSV file, behind one small port (sheets.port)."""

from __future__ import annotations

from sheets.csv_sheet import CsvSheet
from sheets.google_sheet import MARKER_KEY, GoogleSheet
from sheets.port import Grid, SheetBackend, SheetRead

__all__ = ["MARKER_KEY", "CsvSheet", "GoogleSheet", "Grid", "SheetBackend", "SheetRead"]
