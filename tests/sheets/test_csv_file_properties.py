"""Laws of CsvFile for any grid, however it was written: a no-op is a no-op, and a write changes
exactly the cells asked for while every other record keeps its bytes."""

from __future__ import annotations

import codecs
import csv
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheets import csvtext
from sheets.csvfile import CsvFile
from sheets.errors import CsvFileError

ENCODINGS = {  # name -> (codec, BOM)
    "utf-8": ("utf-8", b""),
    "utf-8 BOM": ("utf-8", codecs.BOM_UTF8),
    "utf-16-le BOM": ("utf-16-le", codecs.BOM_UTF16_LE),
    "utf-16-be BOM": ("utf-16-be", codecs.BOM_UTF16_BE),
    "cp1252": ("cp1252", b""),
}
TRICKY = ',;\t"\r\n '
WIDE = "aZ09.%-éü€«»’😀中"
NARROW = "aZ09.%-éü€«»’"  # all in Windows-1252


@dataclass
class Written:
    grid: list[list[str]]
    records: list[str]  # each record's text as written, line break included
    delimiter: str
    codec: str
    bom: bytes

    @property
    def data(self) -> bytes:
        return self.bom + "".join(self.records).encode(self.codec)


def needs_quotes(cell: str, delimiter: str) -> bool:
    return any(c in cell for c in (delimiter, '"', "\r", "\n"))


@st.composite
def written_csv(draw: st.DrawFn) -> Written:
    name = draw(st.sampled_from(sorted(ENCODINGS)))
    codec, bom = ENCODINGS[name]
    letters = TRICKY + (NARROW if codec == "cp1252" else WIDE)
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    cell = st.text(alphabet=letters, max_size=6)
    grid = draw(st.lists(st.lists(cell, max_size=5), max_size=12))
    records: list[str] = []
    for row in grid:
        fields = []
        for value in row:
            quoted = needs_quotes(value, delimiter) or draw(st.booleans())
            fields.append('"' + value.replace('"', '""') + '"' if quoted else value)
        if fields == [""]:
            fields = ['""']  # a lone empty field written bare is a blank line
        records.append(delimiter.join(fields) + draw(st.sampled_from(["\r\n", "\n", "\r"])))
    for i in range(len(records) - 1):
        # "\r" then a blank line "\n" is one CRLF: the format can't tell them apart.
        if records[i].endswith("\r") and records[i + 1].startswith("\n"):
            records[i] += "\n"
    if records and bool(grid[-1]) and draw(st.booleans()):
        records[-1] = records[-1].rstrip("\r\n")  # no final line break
    return Written(grid, records, delimiter, codec, bom)


def forced(written: Written) -> str | None:
    # Windows-1252 is only a guess when the bytes aren't UTF-8, and some (é«») are: no law there.
    return "cp1252" if written.codec == "cp1252" else None


Edits = dict[int, dict[int, str | None]]


@st.composite
def edits(draw: st.DrawFn, written: Written) -> Edits:
    if not written.grid:
        return {}
    letters = TRICKY + (NARROW if written.codec == "cp1252" else WIDE)
    value = st.none() | st.text(alphabet=letters, max_size=6)
    rows = st.integers(0, len(written.grid) - 1)
    return draw(st.dictionaries(rows, st.dictionaries(st.integers(0, 7), value), max_size=6))


def expected_grid(grid: list[list[str]], changes: Edits) -> list[list[str | None]]:
    result = [list(row) for row in grid]
    for index, fields in changes.items():
        row = result[index]
        for col, value in fields.items():
            if value:
                row += [""] * (col + 1 - len(row))
                row[col] = value
            elif col < len(row):
                row[col] = ""
    return [[cell or None for cell in row] for row in result]


def unchanged(grid: list[list[str]], changes: Edits) -> set[int]:
    before = [[cell or None for cell in row] for row in grid]
    after = expected_grid(grid, changes)
    return {i for i in range(len(grid)) if before[i] == after[i]}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_read_then_write_changes_exactly_the_cells_asked_for(data: st.DataObject) -> None:
    written = data.draw(written_csv())
    changes = data.draw(edits(written))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sheet.csv"
        path.write_bytes(written.data)
        sheet = CsvFile.read(path, encoding=forced(written), delimiter=written.delimiter)
        assert (sheet.encoding, sheet.bom) == (written.codec, written.bom)
        assert list(sheet.rows) == [[cell or None for cell in row] for row in written.grid]
        assert sheet.width == max(map(len, written.grid), default=0)
        assert sheet.write({}) is False
        assert sheet.render({}) == written.data

        keep = unchanged(written.grid, changes)
        assert sheet.write(changes) is (len(keep) < len(written.grid))
        after = CsvFile.read(path, encoding=forced(written), delimiter=written.delimiter)
        assert list(after.rows) == expected_grid(written.grid, changes)
        assert (after.encoding, after.bom) == (written.codec, written.bom)
        for index in keep:
            assert after.rows.raw(index) == written.records[index]
        assert after.render({}) == path.read_bytes()
        if len(keep) == len(written.grid):
            assert path.read_bytes() == written.data


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet='a,;"\r\n é', max_size=40), st.sampled_from([",", ";"]))
def test_any_text_is_refused_or_read_as_the_csv_module_reads_it(text: str, delimiter: str) -> None:
    """Quotes mid-field, text after a closing quote, stray line breaks: csv is the reference."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sheet.csv"
        path.write_bytes(text.encode())
        try:
            sheet = CsvFile.read(path, delimiter=delimiter)
        except CsvFileError as error:
            refused = str(error)
        else:
            refused = ""
    if refused:
        assert "never closed" in refused
        return
    reference = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    assert list(sheet.rows) == [[cell or None for cell in row] for row in reference]
    for index, row in enumerate(reference):
        raw = sheet.rows.raw(index).rstrip("\r\n")
        assert [csvtext.field_value(part) for part in csvtext.split_raw(raw, delimiter)] == row
    assert sheet.render({}) == text.encode()
