"""/healthz learns of Google's state from the client itself: a failure on Google's side or no
answer marks it failing with the reason; the next answer clears it; a sheet we may not open
(a person's sharing) is not Google failing."""

from __future__ import annotations

import pytest

from sheets import metrics
from sheets.backends import GoogleSheet
from sheets.client import MAX_TRIES, ResilientHTTPClient
from sheets.errors import SheetAccessError, SheetsServerError
from tests.fakes.google_api import FakeGoogle
from tests.fakes.google_fixtures import KEY, campaign_sheet


@pytest.fixture(autouse=True)
def fresh() -> None:
    metrics.GOOGLE.ok("Sheets")
    metrics.GOOGLE.ok("Drive")


def test_a_server_failure_degrades_and_the_next_answer_recovers(
    client: ResilientHTTPClient, google: FakeGoogle
) -> None:
    google.spreadsheets[KEY] = [campaign_sheet([["2026-11-16", "A", 100, 1, 1.0]])]
    google.faults.extend([(503, {"Retry-After": "0"})] * MAX_TRIES)
    with pytest.raises(SheetsServerError):
        GoogleSheet(client, KEY).read()
    reason = metrics.GOOGLE.reason()
    assert reason is not None
    assert reason.startswith("Sheets: Google Sheets API")
    assert "503" in reason
    GoogleSheet(client, KEY).read()
    assert metrics.GOOGLE.reason() is None


def test_a_sheet_not_shared_is_not_google_failing(client: ResilientHTTPClient) -> None:
    with pytest.raises(SheetAccessError):
        GoogleSheet(client, "1NotShared_abcdefghijkl").read()
    assert metrics.GOOGLE.reason() is None
