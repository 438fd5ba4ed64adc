"""What people lost in CSV files, each case replayed on real files through `ctr-sheets sync`."""

from __future__ import annotations

import csv
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from sheets.backends import CsvSheet
from sheets.cli import EXIT_FLAGGED, EXIT_OK, EXIT_USAGE
from sheets.errors import SheetChangedError
from sheets.headers import find_layout
from sheets.plan import plan
from sheets.sync import sync
from tests.sheets.cli_runs import ROOT, one_line, run

pytestmark = pytest.mark.usefixtures("private_state")


@pytest.fixture
def sheet(tmp_path: Path) -> Path:
    path = tmp_path / "sheet.csv"
    path.write_bytes(b"Campaign,Impressions,Clicks\r\nSearch,1000,10\r\n")
    return path


def test_mode_and_owner_are_kept(sheet: Path) -> None:
    sheet.chmod(0o664)
    os.chown(sheet, 1234, 2345)
    assert run(["sync", str(sheet)]) == EXIT_OK
    info = sheet.stat()
    assert stat.S_IMODE(info.st_mode) == 0o664
    assert (info.st_uid, info.st_gid) == (1234, 2345)
    assert sheet.read_bytes().endswith(b"Search,1000,10,0.01,\r\n")


def test_a_symlinked_csv_updates_its_target_and_stays_a_link(sheet: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.csv"
    link.symlink_to(sheet)
    assert run(["sync", str(link)]) == EXIT_OK
    assert link.is_symlink()
    assert b"0.01" in sheet.read_bytes()


def test_hard_links_all_see_the_change(sheet: Path, tmp_path: Path) -> None:
    other = tmp_path / "other-name.csv"
    os.link(sheet, other)
    assert run(["sync", str(sheet)]) == EXIT_OK
    assert other.read_bytes() == sheet.read_bytes()
    assert b"0.01" in other.read_bytes()
    assert sheet.stat().st_ino == other.stat().st_ino


def test_untouched_bytes_stay_byte_identical(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    head = '\ufeff"Campaign";"Impressions";"Clicks"\r\n'.encode()
    body = (
        b'"Spring\r\nsale";"1,000";10\r\n'  # a quoted line break, quoted count
        b"\r\n"  # a blank line
        b"Plain;2000;30"  # no final newline
    )
    path.write_bytes(head + body)
    assert run(["sync", str(path)]) == EXIT_OK
    lines = path.read_bytes().split(b"\r\n")
    assert path.read_bytes().startswith(b'\xef\xbb\xbf"Campaign";"Impressions";"Clicks";CTR;')
    assert lines[1] == b'"Spring'
    assert lines[2] == b'sale";"1,000";10;0.01;'
    assert lines[3] == b""
    assert lines[4] == b"Plain;2000;30;0.015;"


def test_windows_1252_and_utf16_files_keep_their_encoding(tmp_path: Path) -> None:
    cp = tmp_path / "excel.csv"
    cp.write_bytes("Campagne,Impressions,Clicks\r\nÉté – soldes,1000,10\r\n".encode("cp1252"))
    assert run(["sync", str(cp)]) == EXIT_OK
    assert cp.read_bytes().decode("cp1252").splitlines()[1] == "Été – soldes,1000,10,0.01,"
    wide = tmp_path / "wide.csv"
    wide.write_bytes("Campaign\tImpressions\tClicks\r\nÉté\t1000\t10\r\n".encode("utf-16"))
    assert run(["sync", str(wide)]) == EXIT_OK
    text = wide.read_bytes()
    assert text.startswith(b"\xff\xfe")
    assert text.decode("utf-16").splitlines()[1] == "Été\t1000\t10\t0.01\t"


def test_dot_grouped_counts_are_flagged_not_guessed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "eu.csv"
    path.write_text("Impressions,Clicks\n10.000,5000\n")
    assert run(["sync", str(path)]) == EXIT_FLAGGED
    assert "ambiguous" in capsys.readouterr().out
    row = next(iter(csv.reader(path.read_text().splitlines()[1:])))
    assert row[:3] == ["10.000", "5000", ""]
    assert row[3].startswith("Impressions '10.000' is ambiguous")
    assert run(["sync", str(path), "--locale", "de_DE"]) == EXIT_OK
    assert path.read_text().splitlines()[1] == "10.000,5000,0.5,"  # the stale reason cleared


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'Impressions,Clicks\n1000,"10\n2000,20\n', "quote opened on line 2"),
        (b"Impressions,Clicks\n\x00\x01\x02\xff\xfe\x00", "binary"),
        (b"Impressions,Clicks\n" + b"9" * 2_000_000 + b",1\n", "a cell may hold"),
    ],
)
def test_malformed_files_are_one_line_exit_2_and_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    assert run(["sync", str(path)]) == EXIT_USAGE
    assert message in one_line(capsys.readouterr().err)
    assert path.read_bytes() == content


def test_a_folder_named_like_a_csv_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "dir.csv").mkdir()
    assert run(["sync", str(tmp_path / "dir.csv")]) == EXIT_USAGE
    one_line(capsys.readouterr().err)


# Root without the capabilities that bypass permissions, as a person runs the CLI.
AS_A_PERSON = [
    "setpriv",
    "--bounding-set=-all",
    "--inh-caps=-all",
    "--securebits=+noroot,+noroot_locked",
    "--",
]


def without_root_powers(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The CLI run as root without the capabilities that bypass permissions (as a person runs
    it), so an unreadable file or a read-only folder is what it is for everybody else."""
    return subprocess.run(
        [*AS_A_PERSON, sys.executable, "-m", "sheets.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
        timeout=120,
    )


def test_an_unreadable_file_is_one_line(tmp_path: Path) -> None:
    locked = tmp_path / "locked.csv"
    locked.write_text("Impressions,Clicks\n1000,10\n")
    locked.chmod(0o000)
    result = without_root_powers(["sync", str(locked)], tmp_path)
    assert result.returncode == EXIT_USAGE
    assert "locked.csv" in one_line(result.stderr)


def test_a_read_only_folder_rewrites_the_file_in_place_or_says_why(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    inside = folder / "sheet.csv"
    inside.write_text("Impressions,Clicks\n1000,10\n")
    folder.chmod(0o555)
    result = without_root_powers(["sync", str(inside)], tmp_path)
    assert result.returncode == EXIT_OK, result.stderr
    assert inside.read_text().splitlines()[1] == "1000,10,0.01,"
    other = folder / "read-only.csv"
    folder.chmod(0o755)
    other.write_text("Impressions,Clicks\n1000,10\n")
    other.chmod(0o444)
    folder.chmod(0o555)
    result = without_root_powers(["sync", str(other)], tmp_path)
    assert result.returncode == EXIT_USAGE
    assert "read-only.csv" in one_line(result.stderr)
    assert other.read_text() == "Impressions,Clicks\n1000,10\n"


def test_output_into_a_missing_folder_is_created(
    sheet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out" / "deeper" / "result.csv"
    before = sheet.read_bytes()
    assert run(["sync", str(sheet), "--output", str(out)]) == EXIT_OK
    assert f"written to {out}" in capsys.readouterr().out
    assert sheet.read_bytes() == before
    assert (
        out.read_bytes()
        == b"Campaign,Impressions,Clicks,CTR,CTR status\r\nSearch,1000,10,0.01,\r\n"
    )


@pytest.mark.parametrize("target", ["same", "folder", "link"])
def test_output_onto_the_input_or_a_folder_is_refused(
    sheet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    out = {"same": sheet, "folder": tmp_path, "link": tmp_path / "alias.csv"}[target]
    if target == "link":
        out.symlink_to(sheet)
    before = sheet.read_bytes()
    assert run(["sync", str(sheet), "--output", str(out)]) == EXIT_USAGE
    one_line(capsys.readouterr().err)
    assert sheet.read_bytes() == before


def test_dry_run_with_output_writes_nothing(sheet: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    out.write_text("a person's file\n")
    assert run(["sync", str(sheet), "--dry-run", "--output", str(out)]) == EXIT_OK
    assert out.read_text() == "a person's file\n"


def test_a_failed_sync_leaves_output_as_it_was(tmp_path: Path) -> None:
    source = tmp_path / "no-header.csv"
    source.write_text("Spend,Reach\n1,2\n")
    out = tmp_path / "out.csv"
    out.write_text("yesterday's result\n")
    assert run(["sync", str(source), "--output", str(out)]) == EXIT_USAGE
    assert out.read_text() == "yesterday's result\n"


def test_output_is_refused_for_a_google_sheet(capsys: pytest.CaptureFixture[str]) -> None:
    key = "1TestSpreadsheetKey_abcdefghij"
    assert run(["sync", key, "--output", "x.csv"]) == EXIT_USAGE
    assert "--output" in one_line(capsys.readouterr().err)


def test_a_batch_goes_on_after_a_bad_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good_a, bad, good_c = (tmp_path / n for n in ("a.csv", "bad.csv", "c.csv"))
    good_a.write_text("Impressions,Clicks\n1000,10\n")
    bad.write_bytes(b"\x00\x00binary\xff")
    good_c.write_text("Impressions,Clicks\n2000,30\n")
    assert run(["sync", str(good_a), str(bad), str(good_c)]) == EXIT_USAGE
    assert good_c.read_text().splitlines()[1] == "2000,30,0.015,"
    err = capsys.readouterr().err
    assert "bad.csv" in err
    assert "Traceback" not in err


def test_a_row_appended_between_read_and_write_is_kept(sheet: Path) -> None:
    backend = CsvSheet(sheet)
    grid, evidence = backend.read()
    first = plan(grid, find_layout(grid, evidence=evidence), evidence)
    with sheet.open("ab") as stream:  # another program appends a row meanwhile
        stream.write(b"Social,2000,30\r\n")
    with pytest.raises(SheetChangedError):
        backend.write(first)
    assert sheet.read_bytes().endswith(b"Search,1000,10\r\nSocial,2000,30\r\n")
    result = sync(backend)  # the next read sees the row and syncs it
    assert sheet.read_bytes().splitlines()[-1] == b"Social,2000,30,0.015,"
    assert result.plan.computed == 2
