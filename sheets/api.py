"""What the bot may use of `sheets`: the one module it imports (a lint contract enforces it).

The Slack bot reads and syncs the same sheets as `ctr-sheets`, so it needs a slice of this
package: open a sheet (Google or CSV) from its reference, read its table, sync it, list what
changed in Drive, share the quota, and the errors all of those raise. Everything else here
(how cells are written, CSV encodings, Google request batching) is the package's own and may
change without the bot noticing. `lint-imports` (the contract in pyproject.toml) fails when
bot/ imports any other `sheets` module.

The pure table logic (headers, the row plan) is re-exported rather than moved to `core/`: it
is built on this package's ownership rules and its own error types, which would have to move
with it, and the bot only reads through it.
"""

from __future__ import annotations

from sheets import metrics  # counters, and Google's state for /healthz
from sheets.backends import CsvSheet, GoogleSheet, SheetBackend
from sheets.changes import DriveChanges, Version
from sheets.client import ResilientHTTPClient, make_client
from sheets.errors import SheetAccessError, SheetLayoutError, SheetsApiError
from sheets.failures import auth_failure, network_reason, read_key, unreachable
from sheets.headers import Cell, Layout, find_layout, normalise  # pure: the table
from sheets.plan import row_counts  # pure: a row's counts
from sheets.quota import (
    URGENT_RESERVE,
    WINDOW,
    Bucket,
    Kind,
    Ledger,
    Priority,
    QuotaScheduler,
    Usage,
    urgent,
)
from sheets.refs import SheetRef, parse_sheet_ref
from sheets.settings import SheetsSettings
from sheets.sync import sync

__all__ = [
    "URGENT_RESERVE",
    "WINDOW",
    "Bucket",
    "Cell",
    "CsvSheet",
    "DriveChanges",
    "GoogleSheet",
    "Kind",
    "Layout",
    "Ledger",
    "Priority",
    "QuotaScheduler",
    "ResilientHTTPClient",
    "SheetAccessError",
    "SheetBackend",
    "SheetLayoutError",
    "SheetRef",
    "SheetsApiError",
    "SheetsSettings",
    "Usage",
    "Version",
    "auth_failure",
    "find_layout",
    "make_client",
    "metrics",
    "network_reason",
    "normalise",
    "parse_sheet_ref",
    "read_key",
    "row_counts",
    "sync",
    "unreachable",
    "urgent",
]
