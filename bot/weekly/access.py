"""Can the bot summarise a sheet? Checked before a watch is stored, with a fix when it can't:
the sheet opens, the tab exists, it has a campaign table, and its first summary renders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.weekly.commands import SheetInfo
from bot.weekly.source import gather, render_report
from core.errors import CtrError, InputError
from core.watching import WATCH_EXAMPLE
from sheets.api import (
    GoogleSheet,
    ResilientHTTPClient,
    SheetAccessError,
    SheetLayoutError,
    SheetRef,
    find_layout,
    parse_sheet_ref,
)

# The spreadsheet's name and its tabs: one small metadata read.
_TABS = "properties.title,sheets.properties(sheetId,title)"


@dataclass(frozen=True)
class GoogleSheetAccess:
    client: ResilientHTTPClient
    service_account: str

    def check(self, url: str, week: date, *, today: date, timezone: str) -> SheetInfo:
        """Open the sheet as its summaries will (the tab, the table) and render the summary
        of ``week`` (the first one due) without sending it; raise CtrError with the fix."""
        key, gid = sheet_ref(url)
        try:
            meta = dict(self.client.fetch_sheet_metadata(key, params={"fields": _TABS}))
            tab = _tab(meta, gid)
            backend = GoogleSheet(self.client, key, gid=tab)
            grid, evidence = backend.read()
        except SheetAccessError as error:
            raise CtrError(
                f"I can't open that sheet ({error}). Share it with {self.service_account} "
                "as an Editor, then run the command again."
            ) from None
        try:
            layout = find_layout(grid, evidence=evidence)
            inputs = gather(grid, layout, today=today, snapshots=[])
            name = str(meta.get("properties", {}).get("title") or key)
            render_report(inputs, week, title=name, url=url, timezone=timezone)
        except SheetLayoutError as error:
            # Only what was found: the rest of the sync's message is about its CLI options.
            found = str(error).split(". ", 1)[0].rstrip(".")
            raise CtrError(
                f"That tab has no campaign table I can summarise ({found}). Add a header row "
                "with Impressions and Clicks (and a Date column for daily rows), then run "
                "the command again."
            ) from None
        return SheetInfo(key=key, title=name, tab=tab)

    def open(self, url: str) -> GoogleSheet:
        key, gid = sheet_ref(url)
        return GoogleSheet(self.client, key, gid=gid)


def sheet_ref(url: str) -> tuple[str, int | None]:
    """(spreadsheet key, gid) of a watch's URL; anything else is refused with a watch example
    (the sync's own message would suggest `ctr-sheets sync`, which /ctr doesn't have)."""
    try:
        ref: SheetRef = parse_sheet_ref(url)
    except InputError:
        ref = SheetRef()
    if ref.key is None:
        raise InputError("Watch a Google Sheets link.", example=WATCH_EXAMPLE)
    return ref.key, ref.gid


def _tab(meta: dict[str, Any], gid: int | None) -> int:
    """The gid the watch reads: the URL's, or the first tab's (so a URL without #gid and one
    with the first tab's gid are the same watch)."""
    tabs = [int(sheet["properties"]["sheetId"]) for sheet in meta.get("sheets", [])]
    if gid is None and tabs:
        return tabs[0]
    if gid in tabs:
        return gid
    raise CtrError(
        f"That spreadsheet has no tab with gid={gid} (a deleted tab?): copy the link "
        "from the tab you want, then run the command again."
    )
