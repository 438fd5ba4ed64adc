"""The CSV sync against a person editing the file: a stateful property test (issue #15).

Rules are a person's actions on a CSV file: typing counts, text, formula-like text and
look-alikes of the tool's own statuses anywhere (its columns included); inserting, deleting,
moving and sorting rows and columns; adding a second table beside or below; changing the
--locale; running the real sync (sheets.sync over the CSV backend). After every sync:

- every cell a person set is unchanged (unless it holds exactly what the tool writes there,
  in a column the tool owns: then nobody can tell it from the tool's, by design);
- nothing is written outside the tool's two columns, and a refused sync writes nothing;
- every good row (plain whole counts, 0 <= clicks <= impressions > 0) has its right CTR,
  or its row is listed with a reason;
- a second sync writes nothing.

`make test` runs a small fixed budget; `make fuzz` (CTR_FUZZ_EXAMPLES=10000) the long run.
"""

from __future__ import annotations

import csv
import io
import math
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule

from core.errors import CtrError
from sheets.csv_sheet import CsvSheet
from sheets.ownership import Kind
from sheets.sync import SyncResult, sync

EXAMPLES = int(os.environ.get("CTR_FUZZ_EXAMPLES", "100"))  # make fuzz: 10,000
MAX_ROWS, MAX_COLS = 12, 8

Grid = list[list[str]]

COUNTS = st.integers(0, 10**6).map(str)
TEXTS = st.sampled_from(
    [
        "1,234",
        "10.000",
        "12.500",
        "12’500",
        "-",
        "—",
        "n/a",
        "-5",
        "3000.0000000000005",
        "=B2/C2",
        "=SUM(B:B)",
        "approved",
        "Clicks look low, check the tracking.",
        "Impressions?",
        "CTR is great.",
        "Clicks is missing.",
        "Clicks (5) can't exceed impressions (1).",
        "0.004",
        "0.40",
        "12.5",
        "CTR",
        "CTR status",
        "Impressions",
        "Clicks",
        "Impressions %",
    ]
)
# A person's notes that begin or end like the tool's statuses, but aren't any of them.
LOOKALIKES = st.sampled_from(
    [
        "Clicks look low, check the tracking.",
        "Impressions?",
        "CTR is great.",
        "Clicks: see the note.",
        "Impressions from the old export.",
        "Clicks is missing. Ask Ann.",
        "Clicks (5) can't exceed impressions (1)",
        "0.40",
        "12.5",
    ]
)
VALUES = st.one_of(COUNTS, TEXTS, LOOKALIKES, st.just(""))
LOCALES = st.sampled_from([None, "de_DE", "de_CH", "en_US", "fr_FR", "es_MX", "pt_BR"])


def render(grid: Grid) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(grid)
    return out.getvalue()


def parse(text: str) -> Grid:
    return [list(row) for row in csv.reader(io.StringIO(text))]


def cell(grid: Grid, row: int, col: int) -> str:
    return grid[row][col] if row < len(grid) and col < len(grid[row]) else ""


# The texts among the person's that are exactly what the tool writes (so nobody can tell
# them apart): kept by hand here, not computed by the code under test.
TOOLS_OWN_STATUSES = {"Clicks is missing.", "Clicks (5) can't exceed impressions (1)."}


def _tools_own(kind: Kind, text: str) -> bool:
    if kind is Kind.STATUS:
        return text in TOOLS_OWN_STATUSES
    try:
        number = float(text)
    except ValueError:
        return False
    return 0 <= number <= 1 and f"{number:.12g}" == text  # a CTR as a CSV holds it


def _plain(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() else None


class PersonEditsACsv(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="ctr-fuzz-"))
        self.path = self.folder / "campaigns.csv"
        self.grid: Grid = [["Campaign", "Impressions", "Clicks"], ["a", "1000", "10"]]
        self.person = [[True] * 3, [True] * 3]  # which cells a person set
        self.locale: str | None = None
        self.synced: SyncResult | None = None
        self._save()

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    # --- the person's actions -------------------------------------------------------------

    def _save(self) -> None:
        self.path.write_text(render(self.grid), encoding="utf-8")

    def _fit(self, row: int, col: int) -> None:
        while len(self.grid) <= row:
            self.grid.append([])
            self.person.append([])
        for grid_row, flags in ((self.grid[row], self.person[row]),):
            grid_row.extend([""] * (col + 1 - len(grid_row)))
            flags.extend([False] * (col + 1 - len(flags)))

    @rule(row=st.integers(0, MAX_ROWS - 1), col=st.integers(0, MAX_COLS - 1), value=VALUES)
    def type_a_cell(self, row: int, col: int, value: str) -> None:
        self._fit(row, col)
        self.grid[row][col] = value
        self.person[row][col] = bool(value.strip())
        self._save()

    @precondition(lambda self: self.synced is not None)
    @rule(
        row=st.integers(0, MAX_ROWS - 1), status=st.booleans(), value=st.one_of(LOOKALIKES, VALUES)
    )
    def type_in_the_tools_columns(self, row: int, status: bool, value: str) -> None:
        """Where a person's words are most at risk: the columns the last sync wrote."""
        assert self.synced is not None
        layout = self.synced.layout
        self.type_a_cell(row, layout.status if status else layout.ctr, value)

    @rule(row=st.integers(1, MAX_ROWS - 1), impressions=COUNTS, clicks=COUNTS)
    def type_a_campaign(self, row: int, impressions: str, clicks: str) -> None:
        self._fit(row, 2)
        self.grid[row][:3] = [f"c{row}", impressions, clicks]
        self.person[row][:3] = [True, True, True]
        self._save()

    @precondition(lambda self: len(self.grid) < MAX_ROWS)
    @rule(at=st.integers(0, MAX_ROWS - 1))
    def insert_a_row(self, at: int) -> None:
        at = min(at, len(self.grid))
        self.grid.insert(at, [])
        self.person.insert(at, [])
        self._save()

    @precondition(lambda self: len(self.grid) > 1)
    @rule(at=st.integers(0, MAX_ROWS - 1))
    def delete_a_row(self, at: int) -> None:
        at %= len(self.grid)
        del self.grid[at], self.person[at]
        self._save()

    @precondition(lambda self: len(self.grid) > 1)
    @rule(source=st.integers(0, MAX_ROWS - 1), to=st.integers(0, MAX_ROWS - 1))
    def move_a_row(self, source: int, to: int) -> None:
        source, to = source % len(self.grid), to % len(self.grid)
        self.grid.insert(to, self.grid.pop(source))
        self.person.insert(to, self.person.pop(source))
        self._save()

    @precondition(lambda self: len(self.grid) > 2)
    @rule(col=st.integers(0, MAX_COLS - 1), reverse=st.booleans())
    def sort_the_rows_below_the_first(self, col: int, reverse: bool) -> None:
        order = sorted(
            range(1, len(self.grid)), key=lambda r: cell(self.grid, r, col), reverse=reverse
        )
        self.grid[1:] = [self.grid[r] for r in order]
        self.person[1:] = [self.person[r] for r in order]
        self._save()

    @rule(at=st.integers(0, MAX_COLS - 1))
    def insert_a_column(self, at: int) -> None:
        for row, flags in zip(self.grid, self.person, strict=True):
            if at <= len(row):
                row.insert(at, "")
                flags.insert(at, False)
        self._save()

    @rule(at=st.integers(0, MAX_COLS - 1))
    def delete_a_column(self, at: int) -> None:
        for row, flags in zip(self.grid, self.person, strict=True):
            if at < len(row):
                del row[at], flags[at]
        self._save()

    @rule(source=st.integers(0, MAX_COLS - 1), to=st.integers(0, MAX_COLS - 1))
    def move_a_column(self, source: int, to: int) -> None:
        width = max(len(row) for row in self.grid)
        if source >= width:
            return
        for row, flags in zip(self.grid, self.person, strict=True):
            row.extend([""] * (width - len(row)))
            flags.extend([False] * (width - len(flags)))
            row.insert(min(to, width - 1), row.pop(source))
            flags.insert(min(to, width - 1), flags.pop(source))
        self._save()

    @rule(
        top=st.integers(0, MAX_ROWS - 1),
        left=st.integers(0, MAX_COLS - 2),
        rows=st.integers(1, 3),
        names=st.sampled_from([("Impressions", "Clicks"), ("Total impressions", "Total clicks")]),
    )
    def add_a_second_table(self, top: int, left: int, rows: int, names: tuple[str, str]) -> None:
        block = [list(names), *(["5000", "50"] for _ in range(rows))]
        for offset, values in enumerate(block):
            self._fit(top + offset, left + 1)
            self.grid[top + offset][left : left + 2] = values
            self.person[top + offset][left : left + 2] = [True, True]
        self._save()

    @rule(locale=LOCALES)
    def change_the_locale(self, locale: str | None) -> None:
        self.locale = locale

    # --- the sync and what must hold after it ------------------------------------------------

    @rule()
    def run_a_sync(self) -> None:
        before_bytes = self.path.read_bytes()
        before = parse(before_bytes.decode("utf-8"))
        try:
            result = self._sync()
        except CtrError as error:
            event(f"refused: {str(error).split(':')[0][:40]}")
            assert self.path.read_bytes() == before_bytes, "a refused sync wrote"
            self.synced = None
            return
        event("synced: wrote" if result.plan.changes else "synced: no-op")
        after = parse(self.path.read_text(encoding="utf-8"))
        owned = {result.layout.ctr: Kind.CTR, result.layout.status: Kind.STATUS}
        self._check_people_kept(before, after, owned)
        self._check_rows(result, after)
        again_bytes = self.path.read_bytes()
        again = self._sync()
        assert again.writes == 0, "a second sync wrote"
        assert self.path.read_bytes() == again_bytes
        self._adopt(after, owned)
        self.synced = result

    def _sync(self) -> SyncResult:
        """One sync as the CLI runs it: the file is locked until the backend is closed."""
        backend = CsvSheet(self.path, locale=self.locale)
        try:
            return sync(backend)
        finally:
            backend.close()

    def _check_people_kept(self, before: Grid, after: Grid, owned: dict[int, Kind]) -> None:
        assert len(after) == len(before), "rows were added or removed"
        for r, row in enumerate(after):
            width = max(len(row), len(before[r]))
            for c in range(width):
                old, new = cell(before, r, c), cell(after, r, c)
                if c not in owned:
                    assert new == old, f"wrote outside its columns at {r},{c}: {old!r} → {new!r}"
                elif self._by_person(r, c) and not _tools_own(owned[c], old):
                    assert new == old, f"overwrote a person's {old!r} at {r},{c}"

    def _by_person(self, row: int, col: int) -> bool:
        return row < len(self.person) and col < len(self.person[row]) and self.person[row][col]

    def _check_rows(self, result: SyncResult, after: Grid) -> None:
        layout = result.layout
        flagged = {flag.row for flag in result.plan.flagged}
        for r in range(layout.header_row + 1, len(after)):
            impressions = _plain(cell(after, r, layout.impressions))
            clicks = _plain(cell(after, r, layout.clicks))
            if impressions is None or clicks is None or not 0 <= clicks <= impressions > 0:
                continue
            if r + 1 in flagged:
                continue
            written = cell(after, r, layout.ctr)
            assert written, f"good row {r + 1} has no CTR and no reason"
            assert math.isclose(float(written), clicks / impressions, rel_tol=1e-11)

    def _adopt(self, after: Grid, owned: dict[int, Kind]) -> None:
        """The file as the sync left it becomes the model; the tool's writes aren't people's."""
        for r, row in enumerate(after):
            self._fit(r, max(len(row) - 1, 0))
            for c, value in enumerate(row):
                if value != cell(self.grid, r, c):
                    assert c in owned
                    self.grid[r][c] = value
                    self.person[r][c] = False


PersonEditsACsv.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestPersonEditsACsv = pytest.mark.fuzz(PersonEditsACsv.TestCase)
