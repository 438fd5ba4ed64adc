"""What tests/sheets/test_csv_targets.py leaves to this file: a program appending to the CSV
while it is synced, every codec Python knows given as --encoding, progress on a long file, and
--worksheet given with a CSV file. Every case runs on real files and real processes.
"""

from __future__ import annotations

import codecs
import encodings.aliases
import fcntl
import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheets import csvtarget
from sheets.backends import CsvSheet
from sheets.cli import EXIT_OK, EXIT_USAGE
from sheets.csvfile import CsvFile
from sheets.errors import CsvFileError
from sheets.sync import sync
from tests.sheets.cli_runs import ROOT, one_line, run

CONTENT = b"Campaign,Impressions,Clicks\nSearch,1000,10\nSocial,2000,30\n"
SYNCED = (
    b"Campaign,Impressions,Clicks,CTR,CTR status\nSearch,1000,10,0.01,\nSocial,2000,30,0.015,\n"
)
LATE = b"Late,3000,60\n"


pytestmark = pytest.mark.usefixtures("private_state")


@pytest.fixture
def sheet(tmp_path: Path) -> Path:
    path = tmp_path / "sheet.csv"
    path.write_bytes(CONTENT)
    return path


# --- a program appending while the file is synced ---------------------------------------------

APPENDER = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND)  # a logger's file, open between lines
print("open", flush=True)
sys.stdin.readline()  # the test says when the next line comes
fcntl.flock(fd, fcntl.LOCK_EX)
os.write(fd, b"Late,3000,60\\n")
fcntl.flock(fd, fcntl.LOCK_UN)
print("appended", flush=True)
"""


class Appender:
    """Another program with the file open to append, as loggers and exporters keep it."""

    def __init__(self, path: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", APPENDER, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._line() == "open"  # synchronised: the file is open before the sync

    def _line(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def append(self) -> None:
        """Its next line, under its lock; returns once written."""
        assert self.process.stdin is not None
        self.process.stdin.write("go\n")
        self.process.stdin.flush()
        assert self._line() == "appended"
        assert self.process.wait(timeout=60) == 0


@pytest.fixture
def appender() -> Iterator[Callable[[Path], Appender]]:
    started: list[Appender] = []

    def start(path: Path) -> Appender:
        started.append(Appender(path))
        return started[-1]

    yield start
    for child in started:
        child.process.kill()
        child.process.wait()


@pytest.mark.parametrize("role", ["input", "output"])
def test_a_program_with_the_file_open_to_append_never_loses_a_line(
    sheet: Path, tmp_path: Path, appender: Callable[[Path], Appender], role: str
) -> None:
    target = sheet if role == "input" else tmp_path / "out.csv"
    if role == "output":
        target.write_bytes(b"yesterday\n")
    writer = appender(target)
    inode = target.stat().st_ino
    args = ["sync", str(sheet)] + (["--output", str(target)] if role == "output" else [])
    assert run(args) == EXIT_OK
    writer.append()
    # Rewritten in place, not renamed over: its line lands in the file people see, after ours.
    assert target.stat().st_ino == inode
    assert target.read_bytes() == SYNCED + LATE
    assert not list(tmp_path.glob(".*ctr-sync-pending*"))


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    role=st.sampled_from(["input", "output"]),
    hard_link=st.booleans(),
    appending=st.booleans(),
    lines=st.integers(min_value=1, max_value=3),
)
def test_no_line_a_writer_appends_is_ever_lost(
    tmp_path_factory: pytest.TempPathFactory,
    role: str,
    hard_link: bool,
    appending: bool,
    lines: int,
) -> None:
    """Whatever the file (input or --output, hard-linked or not), a program that had it open
    to append before the sync finds its later lines in the file people see, after ours."""
    folder = tmp_path_factory.mktemp("append")
    source = folder / "sheet.csv"
    source.write_bytes(CONTENT)
    target = source if role == "input" else folder / "out.csv"
    if role == "output":
        target.write_bytes(b"yesterday\n")
    if hard_link:
        os.link(target, folder / "other-name.csv")
    writer = target.open("ab") if appending else None  # held open, as a logger holds it
    try:
        args = ["sync", str(source)] + (["--output", str(target)] if role == "output" else [])
        assert run(args) == EXIT_OK
        if writer is not None:
            for _ in range(lines):
                writer.write(LATE)
                writer.flush()
    finally:
        if writer is not None:
            writer.close()
    expected = SYNCED + (LATE * lines if appending else b"")
    assert target.read_bytes() == expected
    if hard_link:
        assert (folder / "other-name.csv").read_bytes() == expected
    assert not list(folder.glob(".*.tmp"))
    assert not list(folder.glob(".*ctr-sync-pending*"))


def test_a_file_nobody_else_has_open_is_still_replaced_in_one_step(sheet: Path) -> None:
    inode = sheet.stat().st_ino
    assert run(["sync", str(sheet)]) == EXIT_OK
    assert sheet.read_bytes() == SYNCED
    assert sheet.stat().st_ino != inode  # a rename: a crash leaves the old file or the new


def test_open_for_writing_elsewhere_sees_writers_not_readers(sheet: Path) -> None:
    assert not csvtarget.open_for_writing_elsewhere(sheet)
    with sheet.open("rb"):
        assert not csvtarget.open_for_writing_elsewhere(sheet)
    with sheet.open("ab"):
        assert csvtarget.open_for_writing_elsewhere(sheet)
    assert csvtarget.open_for_writing_elsewhere(sheet.with_name("missing.csv"))  # unknown


HOLDER = """
import fcntl, sys
with open(sys.argv[1], "ab") as stream:
    fcntl.flock(stream, fcntl.LOCK_EX)  # a writer mid-line: the file is in use
    print("held", flush=True)
    sys.stdin.readline()
"""


@pytest.mark.parametrize("options", [["--dry-run"], ["--output", "out.csv"]])
def test_a_file_only_read_is_in_use_while_another_program_writes_it(
    sheet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str]
) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(sheet)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"
        args = [str(tmp_path / a) if a == "out.csv" else a for a in options]
        assert run(["sync", str(sheet), *args]) == EXIT_USAGE
        assert "in use by another program" in one_line(capsys.readouterr().err)
        assert not (tmp_path / "out.csv").exists()
    finally:
        holder.communicate("done\n", timeout=60)
    assert run(["sync", str(sheet), *args]) == EXIT_OK  # released: reading goes ahead


def test_readers_share_a_file(sheet: Path, tmp_path: Path) -> None:
    reading = CsvSheet(sheet)
    reading.read_only = True  # a dry run under way
    reading.read()
    try:
        assert run(["sync", str(sheet), "--dry-run"]) == EXIT_OK
        assert run(["sync", str(sheet), "--output", str(tmp_path / "out.csv")]) == EXIT_OK
    finally:
        reading.close()


def test_a_sheet_nobody_closes_does_not_keep_its_file_locked(sheet: Path) -> None:
    # As `ctr-bot demo` and `summary` use it: a backend synced or read, then dropped. On a
    # file the sync doesn't replace (here: already up to date), the process's next read
    # found its own forgotten lock: "in use by another program".
    sheet.write_bytes(SYNCED)
    for _ in range(3):
        assert sync(CsvSheet(sheet)).writes == 0
    backend = CsvSheet(sheet)
    backend.read()
    del backend  # dropped without close()
    with sheet.open("rb") as other:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # nobody holds it any more


# --- every codec: text read back byte for byte, or one line -----------------------------------

# Codecs with rules of their own, then every name and alias Python knows.
UNUSUAL = [
    "undefined",
    "idna",
    "punycode",
    "unicode_escape",
    "raw_unicode_escape",
    "utf-7",
    "utf-32",
    "rot13",
    "base64",
    "mbcs",
    "no-such-codec",
    "",
    "utf\x008",
]
KNOWN = sorted({*encodings.aliases.aliases, *encodings.aliases.aliases.values()})


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    codec=st.one_of(st.sampled_from(UNUSUAL), st.sampled_from(KNOWN)),
    data=st.one_of(
        st.binary(max_size=40),
        st.text(max_size=20).map(lambda text: f"Impressions,Clicks\n{text},1\n".encode()),
    ),
)
def test_any_encoding_reads_text_back_byte_for_byte_or_is_one_line(
    tmp_path_factory: pytest.TempPathFactory, codec: str, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("codec") / "sheet.csv"
    path.write_bytes(data)
    outcome = read_or_refuse(path, codec)
    if isinstance(outcome, str):
        assert "\n" not in outcome  # refused in one line
        return
    assert outcome.render({}) == data  # what is read is what would be written back
    codecs.lookup(outcome.encoding)  # and it is a codec
    assert "".encode(outcome.encoding) == b""  # ...of text


def read_or_refuse(path: Path, codec: str) -> CsvFile | str:
    try:
        return CsvFile.read(path, encoding=codec)
    except CsvFileError as error:
        return str(error)


@pytest.mark.parametrize("codec", ["undefined", "idna", "punycode"])
def test_codecs_with_rules_of_their_own_are_one_line_not_an_internal_error(
    sheet: Path, capsys: pytest.CaptureFixture[str], codec: str
) -> None:
    sheet.write_bytes(b"Impressions,Clicks\n\xc3\xa9\xff,1\n")
    assert run(["sync", str(sheet), "--encoding", codec]) == EXIT_USAGE
    error = one_line(capsys.readouterr().err)
    assert "internal error" not in error
    assert sheet.read_bytes() == b"Impressions,Clicks\n\xc3\xa9\xff,1\n"


# --- progress on a long file, and clean output elsewhere --------------------------------------


class Bars:
    """Records the bars a meter is asked for: (what, total, unit, advanced, closed)."""

    def __init__(self) -> None:
        self.seen: list[list[object]] = []

    def __call__(self, what: str, total: int, unit: str) -> Bars:
        self.seen.append([what, total, unit, 0, False])
        return self

    def update(self, n: int) -> None:
        self.seen[-1][3] = int(str(self.seen[-1][3])) + n

    def close(self) -> None:
        self.seen[-1][4] = True


def test_a_long_file_shows_each_phase_to_its_end(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    rows = b"".join(b"C%d,%d,%d\n" % (i, 1000 + i, i % 97) for i in range(80_000))
    path.write_bytes(b"Campaign,Impressions,Clicks\n" + rows)
    bars = Bars()
    backend = CsvSheet(path, meter=bars)
    try:
        sync(backend)
    finally:
        backend.close()
    written = path.stat().st_size
    assert [(what, unit) for what, _, unit, _, _ in bars.seen] == [
        ("reading", "B"),
        ("checking rows", "row"),
        ("writing", "B"),
    ]
    reading, checking, writing = bars.seen
    assert reading[1] == reading[3] == len(rows) + 28  # the whole file, read
    assert checking[1] == checking[3] == 80_001  # every row, checked
    assert writing[3] == written  # every byte, written
    assert all(bar[4] for bar in bars.seen)  # and every bar closed


def test_a_small_file_shows_no_progress(sheet: Path) -> None:
    bars = Bars()
    backend = CsvSheet(sheet, meter=bars)
    try:
        sync(backend)
    finally:
        backend.close()
    assert bars.seen == []


def test_progress_goes_to_a_terminal_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "long.csv"
    rows = b"".join(b"C%d,%d,%d\n" % (i, 1000 + i, i % 97) for i in range(80_000))
    path.write_bytes(b"Campaign,Impressions,Clicks\n" + rows)
    assert run(["sync", str(path)]) == EXIT_OK  # stderr is not a terminal here
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.count("\n") == 1


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_a_long_file_gets_bars_on_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sheets import cli

    meter = None
    with monkeypatch.context() as patched:
        patched.setattr(sys, "stderr", Terminal())
        meter = cli._meter(1)
        assert cli._meter(2) is None  # several sheets: the per-sheet bar is enough
    assert meter is not None
    bar = meter("reading", 100, "B")
    bar.update(100)
    bar.close()


# --- read-only files: refused when there is something to write ------------------------------


def test_a_read_only_file_already_up_to_date_is_simply_up_to_date(
    sheet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet.write_bytes(SYNCED)
    sheet.chmod(0o444)
    assert run(["sync", str(sheet)]) == EXIT_OK
    assert "already up to date" in capsys.readouterr().out
    sheet.chmod(0o644)
    sheet.write_bytes(SYNCED + b"Video,4000,40\n")
    sheet.chmod(0o444)
    assert run(["sync", str(sheet)]) == EXIT_USAGE  # now there is something to write
    assert "is read-only" in one_line(capsys.readouterr().err)
    assert sheet.read_bytes() == SYNCED + b"Video,4000,40\n"


def test_a_name_with_spaces_is_named_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(["sync", "report.csv "]) == EXIT_USAGE
    error = one_line(capsys.readouterr().err)
    assert error.startswith(
        "ctr-sheets: 'report.csv ' (spaces at an end are part of the name): no such file"
    )


# --- --output onto the input, or onto the command's own output -------------------------------


@pytest.mark.parametrize("spelled", ["same", "dot", "link"])
def test_output_onto_the_input_says_so(
    sheet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], spelled: str
) -> None:
    out = {"same": str(sheet), "dot": f"{tmp_path}/./sheet.csv", "link": str(tmp_path / "l.csv")}
    if spelled == "link":
        (tmp_path / "l.csv").symlink_to(sheet)
    assert run(["sync", str(sheet), "--output", out[spelled]]) == EXIT_USAGE
    error = one_line(capsys.readouterr().err)
    assert "is the input file itself" in error  # not "in use by another program" (ourselves)
    assert sheet.read_bytes() == CONTENT


def test_output_onto_where_the_command_prints_is_refused(sheet: Path, tmp_path: Path) -> None:
    # `ctr-sheets sync in.csv --output /dev/stdout > out.csv`: the summary would be printed
    # into the CSV just written. And /dev/stdout on a pipe is a FIFO, named as such.
    out = tmp_path / "out.csv"
    with out.open("wb") as stdout:
        result = subprocess.run(
            [sys.executable, "-m", "sheets.cli", "sync", str(sheet), "--output", "/dev/stdout"],
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            check=False,
            timeout=120,
        )
    assert result.returncode == EXIT_USAGE
    assert "where this command's own output goes" in one_line(result.stderr)
    assert out.read_bytes() == b""
    piped = subprocess.run(
        [sys.executable, "-m", "sheets.cli", "sync", str(sheet), "--output", "/dev/stdout"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
        timeout=120,
    )
    assert piped.returncode == EXIT_USAGE
    assert "is a FIFO (named pipe), not a regular file" in one_line(piped.stderr)
    assert sheet.read_bytes() == CONTENT


# --- options that don't fit a CSV file --------------------------------------------------------


def test_worksheet_with_a_csv_file_is_a_usage_mistake(
    sheet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["sync", str(sheet), "--worksheet", "Nope"]) == EXIT_USAGE
    assert "--worksheet is for Google sheets" in one_line(capsys.readouterr().err)
    assert sheet.read_bytes() == CONTENT


def test_the_appender_test_is_not_fooled_by_os_caches(sheet: Path) -> None:
    # The lease probe answers for this very file: another file's writer doesn't count.
    other = sheet.with_name("other.csv")
    other.write_bytes(b"")
    with other.open("ab"):
        assert not csvtarget.open_for_writing_elsewhere(sheet)
    os.unlink(other)
