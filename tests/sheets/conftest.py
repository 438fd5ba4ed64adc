"""Sheets tests share the suite-wide Google fixtures (tests/fakes/google_fixtures.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.google_fixtures import (
    CLIENT_EMAIL,
    HEADER,
    KEY,
    Sleeps,
    campaign_sheet,
)

__all__ = ["CLIENT_EMAIL", "HEADER", "KEY", "Sleeps", "campaign_sheet"]


@pytest.fixture
def private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Copies kept while a CSV is rewritten in place go here, not in ~/.local."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
