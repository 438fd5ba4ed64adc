"""Can the bot read a sheet? Checked before a watch is stored, with a fix when it can't."""

from __future__ import annotations

from dataclasses import dataclass

from bot.weekly.commands import SheetInfo
from core.errors import CtrError, InputError
from sheets.backends import GoogleSheet
from sheets.client import ResilientHTTPClient
from sheets.errors import SheetAccessError
from sheets.refs import parse_sheet_ref


@dataclass(frozen=True)
class GoogleSheetAccess:
    client: ResilientHTTPClient
    service_account: str

    def check(self, url: str) -> SheetInfo:
        ref = parse_sheet_ref(url)
        if ref.key is None:
            raise InputError(
                "Watch a Google Sheets link, not a file.",
                example="watch https://docs.google.com/spreadsheets/d/…",
            )
        try:
            title = GoogleSheet(self.client, ref.key, gid=ref.gid).describe()
        except SheetAccessError as error:
            raise CtrError(
                f"I can't open that sheet ({error}). Share it with {self.service_account} "
                "as an Editor, then run the command again."
            ) from None
        return SheetInfo(key=ref.key, title=title)

    def open(self, url: str) -> GoogleSheet:
        ref = parse_sheet_ref(url)
        if ref.key is None:
            raise InputError("Watch a Google Sheets link, not a file.")
        return GoogleSheet(self.client, ref.key, gid=ref.gid)
