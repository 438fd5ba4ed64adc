"""Which spreadsheets changed: Drive's files.list filtered on modifiedTime, read-only metadata.

One call (a page of up to 1,000 files) tells which of thousands of watched sheets need a read,
on Drive's own quota rather than the Sheets API's. A service account sees the files shared
with it (and, with supportsAllDrives, those in shared drives it is a member of).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sheets.client import GOOGLE_APIS_URL, ResilientHTTPClient

FILES_URL = GOOGLE_APIS_URL + "/drive/v3/files"
SPREADSHEET = "application/vnd.google-apps.spreadsheet"
PAGE_SIZE = 1000  # Drive's largest page
_FIELDS = "id,modifiedTime,lastModifyingUser(emailAddress)"


@dataclass(frozen=True, slots=True)
class Version:
    """A spreadsheet as Drive last saw it change: when, and by whom."""

    key: str
    modified: str  # Drive's modifiedTime (RFC 3339, UTC): compared as an opaque version
    by: str  # the e-mail of whoever changed it last ("" when Drive doesn't say)


@dataclass(frozen=True)
class DriveChanges:
    client: ResilientHTTPClient

    def changed_since(self, since: datetime) -> Iterator[Version]:
        """Spreadsheets we can see modified after ``since`` (oldest first), page by page."""
        query = (
            f"mimeType = '{SPREADSHEET}' and modifiedTime > '{rfc3339(since)}' and trashed = false"
        )
        token: str | None = None
        while True:
            params: dict[str, Any] = {
                "q": query,
                "fields": f"nextPageToken,files({_FIELDS})",
                "pageSize": PAGE_SIZE,
                "orderBy": "modifiedTime",
                "supportsAllDrives": "true",
                "includeItemsFromAllDrives": "true",
            }
            if token:
                params["pageToken"] = token
            page = self.client.request("get", FILES_URL, params=params).json()
            yield from (_version(entry) for entry in page.get("files", []))
            token = page.get("nextPageToken")
            if not token:
                return

    def version(self, key: str) -> Version:
        """One spreadsheet's current version (files.get)."""
        params = {"fields": _FIELDS, "supportsAllDrives": "true"}
        return _version(self.client.request("get", f"{FILES_URL}/{key}", params=params).json())


def rfc3339(moment: datetime) -> str:
    """Drive's time format.

    >>> rfc3339(datetime(2026, 11, 16, 9, 30, tzinfo=UTC))
    '2026-11-16T09:30:00.000Z'
    """
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


def _version(entry: dict[str, Any]) -> Version:
    by = (entry.get("lastModifyingUser") or {}).get("emailAddress", "")
    return Version(entry["id"], entry["modifiedTime"], by)
