"""The fake Google holds clients to Google's quotas and shows Drive's modifiedTime, on a virtual
clock: what the quota scheduler and the change detector are tested against."""

from __future__ import annotations

from typing import Any

import pytest

from sheets.backends import GoogleSheet
from sheets.client import ResilientHTTPClient
from sheets.errors import SheetsApiError
from sheets.sync import sync
from tests.fakes.google_api import PERSON, FakeGoogle
from tests.fakes.google_quota import Kind
from tests.sheets.conftest import CLIENT_EMAIL, KEY, Sleeps, campaign_sheet

SPREADSHEET = "application/vnd.google-apps.spreadsheet"


def read(client: ResilientHTTPClient, key: str = KEY) -> None:
    client.fetch_sheet_metadata(key, params={"fields": "sheets.properties"})


def files(client: ResilientHTTPClient, google: FakeGoogle, **params: Any) -> dict[str, Any]:
    answer: dict[str, Any] = client.request(
        "get", google.base_url + "drive/v3/files", params=params
    ).json()
    return answer


def test_the_sixty_first_read_in_a_minute_is_refused_until_the_minute_has_passed(
    client: ResilientHTTPClient, google: FakeGoogle, sleeps: Sleeps
) -> None:
    google.spreadsheets[KEY] = [campaign_sheet([])]
    for _ in range(60):
        read(client)
    with pytest.raises(SheetsApiError, match="429"):
        read(client)  # every retry lands in the same virtual minute
    assert sleeps == [32.0] * 4  # Retry-After 60 (the oldest read leaves then), capped
    assert google.quota.refused == {(CLIENT_EMAIL, Kind.READ): 5}
    google.clock.advance(30)
    with pytest.raises(SheetsApiError, match="429"):
        read(client)
    google.clock.advance(30)
    read(client)
    assert google.quota.accepted[(CLIENT_EMAIL, Kind.READ)] == 61


def test_a_client_that_sleeps_in_virtual_time_gets_through(
    client: ResilientHTTPClient, google: FakeGoogle
) -> None:
    google.spreadsheets[KEY] = [campaign_sheet([])]
    client.sleep = google.clock.sleep
    started = google.clock()
    for _ in range(61):
        read(client)
    assert google.clock() - started == 60.0  # waited out the Retry-After, and no more


def test_writes_have_their_own_quota_and_the_project_its_own(
    client: ResilientHTTPClient, google: FakeGoogle
) -> None:
    google.spreadsheets[KEY] = [campaign_sheet([["2026-11-16", "A", 1000, 10, 1.0]])]
    for _ in range(60):
        read(client)
    client.batch_update(KEY, {"requests": []})  # a write still goes through
    assert google.quota.accepted[(CLIENT_EMAIL, Kind.WRITE)] == 1
    google.clock.advance(60)
    google.quota.limits.read_per_project = 2
    read(client)
    read(client)
    with pytest.raises(SheetsApiError, match="429"):
        read(client)


def test_drive_lists_spreadsheets_changed_since_a_time_in_pages(
    client: ResilientHTTPClient, google: FakeGoogle
) -> None:
    for index in range(3):
        google.spreadsheets[f"sheet-{index}"] = [campaign_sheet([])]
        google.clock.advance(10)
    since = google.modified_time("sheet-0")
    google.spreadsheets["hidden"] = [campaign_sheet([])]
    google.unshared.add("hidden")
    query = f"mimeType = '{SPREADSHEET}' and modifiedTime > '{since}' and trashed = false"
    first = files(client, google, q=query, pageSize=1)
    assert [f["id"] for f in first["files"]] == ["sheet-1"]
    second = files(client, google, q=query, pageSize=1, pageToken=first["nextPageToken"])
    assert [f["id"] for f in second["files"]] == ["sheet-2"]
    assert "nextPageToken" not in second
    assert second["files"][0]["lastModifyingUser"]["emailAddress"] == PERSON


def test_a_write_moves_modified_time_and_names_the_service_account(
    client: ResilientHTTPClient, google: FakeGoogle
) -> None:
    google.spreadsheets[KEY] = [campaign_sheet([["2026-11-16", "A", 1000, 10, 1.0]])]
    before = google.modified_time(KEY)
    google.clock.advance(90)
    sync(GoogleSheet(client, KEY))
    (entry,) = files(client, google, q=f"modifiedTime > '{before}'")["files"]
    assert entry["id"] == KEY
    assert entry["modifiedTime"] == "2026-11-16T00:01:30.000Z"
    assert entry["lastModifyingUser"]["emailAddress"] == CLIENT_EMAIL
    assert len(google.drive_calls()) == 1


def test_a_query_the_fake_does_not_understand_is_refused(
    client: ResilientHTTPClient, google: FakeGoogle
) -> None:
    with pytest.raises(SheetsApiError, match="400"):
        files(client, google, q="name contains 'CTR'")
