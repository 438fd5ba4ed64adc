"""Drive API v3 ``files.list`` and ``files.get`` for the fake Google: spreadsheets the service
account can see, with a ``modifiedTime`` every write and every test edit moves on the virtual
clock. ``q`` understands the clauses the change detector sends (and refuses any other)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

SPREADSHEET = "application/vnd.google-apps.spreadsheet"
MAX_PAGE = 1000
_CLAUSE = re.compile(r"(\w+)\s*(=|>=|>|<=|<)\s*('(?:[^'\\]|\\.)*'|true|false)")


@dataclass(frozen=True, slots=True)
class DriveFile:
    id: str
    name: str
    modified: float  # virtual seconds since the epoch
    modified_by: str  # the e-mail of whoever changed it last

    def resource(self) -> dict[str, Any]:
        return {
            "kind": "drive#file",
            "id": self.id,
            "name": self.name,
            "mimeType": SPREADSHEET,
            "modifiedTime": rfc3339(self.modified),
            "lastModifyingUser": {"kind": "drive#user", "emailAddress": self.modified_by},
        }


def rfc3339(seconds: float) -> str:
    """Drive's timestamps: UTC, milliseconds, a Z."""
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def list_files(files: list[DriveFile], query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
    """files.list: filtered by ``q``, ordered by (modifiedTime, id), paged by ``pageToken``."""
    try:
        keep = _predicate(query.get("q", [""])[-1])
    except ValueError as error:
        return 400, _invalid(f"Invalid Value: q ({error})")
    size = min(int(query.get("pageSize", ["100"])[-1]), MAX_PAGE)
    start = int(query.get("pageToken", ["0"])[-1])
    matching = sorted((f for f in files if keep(f)), key=lambda f: (f.modified, f.id))
    page = matching[start : start + size]
    answer: dict[str, Any] = {"kind": "drive#fileList", "files": [f.resource() for f in page]}
    if start + size < len(matching):
        answer["nextPageToken"] = str(start + size)
    return 200, answer


def _predicate(q: str) -> Any:
    tests: list[Any] = []  # predicates over a DriveFile
    for clause in filter(None, (part.strip() for part in re.split(r"\band\b", q))):
        match = _CLAUSE.fullmatch(clause)
        if match is None:
            raise ValueError(f"this fake does not understand {clause!r}")
        name, op, raw = match.groups()
        value = raw.strip("'")
        if name == "mimeType" and op == "=":
            tests.append(lambda f, v=value: v == SPREADSHEET)
        elif name == "trashed" and op == "=":
            tests.append(lambda f, v=value: v == "false")
        elif name == "modifiedTime" and op in (">", ">="):
            since = _parse(value)
            tests.append(lambda f, s=since, o=op: f.modified > s if o == ">" else f.modified >= s)
        else:
            raise ValueError(f"this fake does not understand {clause!r}")
    return lambda f: all(test(f) for test in tests)


def _parse(text: str) -> float:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise ValueError(f"{text!r} is not an RFC 3339 time") from None


def _invalid(message: str) -> dict[str, Any]:
    return {"error": {"code": 400, "message": message, "errors": [{"reason": "invalid"}]}}
