"""Sheets tests share the suite-wide Google fixtures (tests/fakes/google_fixtures.py)."""

from __future__ import annotations

from tests.fakes.google_fixtures import (
    CLIENT_EMAIL,
    HEADER,
    KEY,
    Sleeps,
    campaign_sheet,
)

__all__ = ["CLIENT_EMAIL", "HEADER", "KEY", "Sleeps", "campaign_sheet"]
