"""Where `ctr-sheets sync` may write a CSV, replayed on real files, folders, FIFOs, device nodes,
sockets, locks and full disks.

The rule: the sync writes only to a regular file or to a new path in an existing folder. Every
other target (a folder, a FIFO, a device, a socket) is refused in one line with nothing changed;
so is a file another program holds a lock on, and a read-only file unless the person says so.
A full disk leaves the original whole.
"""

from __future__ import annotations

import fcntl
import os
import socket
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheets.cli import EXIT_OK, EXIT_USAGE
from tests.sheets.cli_runs import ROOT, one_line, run

CONTENT = b"Campaign,Impressions,Clicks\r\nSearch,1000,10\r\n"
SYNCED = b"Campaign,Impressions,Clicks,CTR,CTR status\r\nSearch,1000,10,0.01,\r\n"


pytestmark = pytest.mark.usefixtures("private_state")


@pytest.fixture
def sheet(tmp_path: Path) -> Path:
    path = tmp_path / "sheet.csv"
    path.write_bytes(CONTENT)
    return path


def null_device(path: Path) -> Path:
    """A character device node like /dev/null, made in a temporary folder (we run as root)."""
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    return path


def kind(path: Path) -> str:
    mode = os.lstat(path).st_mode
    for test, name in (
        (stat.S_ISLNK, "link"),
        (stat.S_ISREG, "file"),
        (stat.S_ISDIR, "folder"),
        (stat.S_ISFIFO, "fifo"),
        (stat.S_ISCHR, "device"),
        (stat.S_ISSOCK, "socket"),
    ):
        if test(mode):
            return name
    return "other"


@pytest.mark.parametrize("make", ["fifo", "device", "socket", "folder"])
def test_output_to_anything_but_a_file_is_refused_and_left_as_it_was(
    sheet: Path, tmp_path: Path, make: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out.csv"
    with special(target, make):
        before = os.lstat(target)
        assert run(["sync", str(sheet), "--output", str(target)]) == EXIT_USAGE
        after = os.lstat(target)
        assert (after.st_ino, after.st_mode, kind(target)) == (before.st_ino, before.st_mode, make)
    assert "out.csv" in one_line(capsys.readouterr().err)
    assert sheet.read_bytes() == CONTENT


def test_output_through_a_link_to_a_device_is_refused(
    sheet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    device = null_device(tmp_path / "null")
    link = tmp_path / "out.csv"
    link.symlink_to(device)
    assert run(["sync", str(sheet), "--output", str(link)]) == EXIT_USAGE
    assert kind(device) == "device"
    assert kind(link) == "link"
    assert "not a regular file" in one_line(capsys.readouterr().err)


@pytest.mark.parametrize("make", ["fifo", "device", "socket"])
def test_syncing_anything_but_a_file_in_place_is_refused(
    tmp_path: Path, make: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "odd.csv"
    with special(target, make):
        assert run(["sync", str(target)]) == EXIT_USAGE
        assert kind(target) == make
    one_line(capsys.readouterr().err)


def test_output_naming_a_folder_with_a_slash_writes_no_file(
    sheet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(["sync", str(sheet), "--output", "out/"]) == EXIT_USAGE
    assert not (tmp_path / "out").exists()
    assert "out/" in one_line(capsys.readouterr().err)


def test_a_file_name_is_taken_exactly_as_given(
    sheet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["sync", f"{sheet} "]) == EXIT_USAGE
    assert sheet.read_bytes() == CONTENT  # "sheet.csv " is another name, which doesn't exist
    assert "no such file" in one_line(capsys.readouterr().err)


@pytest.mark.parametrize("encoding", ["base64", "zlib", "rot13", "hex", "no-such-codec"])
def test_only_text_encodings_are_accepted(
    sheet: Path, encoding: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["sync", str(sheet), "--encoding", encoding]) == EXIT_USAGE
    assert "encoding" in one_line(capsys.readouterr().err)
    assert sheet.read_bytes() == CONTENT


def test_a_read_only_file_is_refused_unless_asked(
    sheet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet.chmod(0o444)
    inode = sheet.stat().st_ino
    assert run(["sync", str(sheet)]) == EXIT_USAGE
    assert "read-only" in one_line(capsys.readouterr().err)
    assert (sheet.read_bytes(), sheet.stat().st_ino) == (CONTENT, inode)
    assert run(["sync", str(sheet), "--write-read-only"]) == EXIT_OK
    assert sheet.read_bytes() == SYNCED
    assert stat.S_IMODE(sheet.stat().st_mode) == 0o444


def test_a_read_only_output_file_is_refused_too(
    sheet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.csv"
    out.write_bytes(b"keep me\n")
    out.chmod(0o444)
    assert run(["sync", str(sheet), "--output", str(out)]) == EXIT_USAGE
    assert out.read_bytes() == b"keep me\n"
    one_line(capsys.readouterr().err)


class Holder:
    """Another program holding an exclusive flock on a file, appending to it on request."""

    SCRIPT = textwrap.dedent(
        """
        import fcntl, sys
        with open(sys.argv[1], "ab") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            print("locked", flush=True)
            for line in sys.stdin:
                f.write(line.encode()); f.flush()
                print("wrote", flush=True)
        """
    )

    def __init__(self, path: Path) -> None:
        self.child = subprocess.Popen(
            [sys.executable, "-c", self.SCRIPT, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.child.stdout is not None
        assert self.child.stdin is not None
        assert self.child.stdout.readline() == "locked\n"  # synchronised: the lock is held

    def append(self, line: str) -> None:
        assert self.child.stdin is not None
        assert self.child.stdout is not None
        self.child.stdin.write(line)
        self.child.stdin.flush()
        assert self.child.stdout.readline() == "wrote\n"

    def close(self) -> None:
        assert self.child.stdin is not None
        self.child.stdin.close()
        assert self.child.wait(timeout=60) == 0


def test_a_file_another_program_holds_is_refused_and_its_lines_kept(
    sheet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    holder = Holder(sheet)
    try:
        holder.append("Display,2000,20\r\n")
        assert run(["sync", str(sheet)]) == EXIT_USAGE
        assert "in use by another program" in one_line(capsys.readouterr().err)
        holder.append("Video,3000,30\r\n")
    finally:
        holder.close()
    assert sheet.read_bytes() == CONTENT + b"Display,2000,20\r\nVideo,3000,30\r\n"
    assert run(["sync", str(sheet)]) == EXIT_OK  # released: the next run goes ahead
    assert sheet.read_bytes().endswith(b"Video,3000,30,0.01,\r\n")


def test_an_output_file_another_program_holds_is_refused(
    sheet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.csv"
    out.write_bytes(b"")
    holder = Holder(out)
    try:
        assert run(["sync", str(sheet), "--output", str(out)]) == EXIT_USAGE
        holder.append("still mine\n")
    finally:
        holder.close()
    assert out.read_bytes() == b"still mine\n"
    assert "in use by another program" in one_line(capsys.readouterr().err)


def test_the_sync_holds_the_file_while_it_works(sheet: Path) -> None:
    # One sync of a file at a time: a second one (or any program asking for the lock) waits
    # or is refused while the first holds it. Seen from outside: the lock is taken.
    from sheets.backends import CsvSheet

    backend = CsvSheet(sheet)
    try:
        backend.read()
        with sheet.open("rb") as other, pytest.raises(BlockingIOError):
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        backend.close()
    with sheet.open("rb") as other:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released


# -- a full disk, for real: a small tmpfs in a private mount namespace ------------------------

FULL_DISK = textwrap.dedent(
    """
    set -eu
    mount -t tmpfs -o size={size} tmpfs "$1"
    cp "$2" "$1/sheet.csv"
    {link}
    # Fill the disk so that only {free} bytes are left.
    avail=$(( $(stat -f -c '%a*%S' "$1") ))
    fill=$(( avail - {free} ))
    [ "$fill" -gt 0 ] && head -c "$fill" /dev/zero > "$1/filler" || true
    set +e
    "$3" -m sheets.cli sync "$1/sheet.csv" 2> "$1/err"
    echo "rc=$?"
    cat "$1/err"
    cmp -s "$1/sheet.csv" "$2" && echo "same" || echo "changed"
    ls -a "$1"
    """
)


def full_disk(tmp_path: Path, rows: int, free: int, hard_link: bool) -> list[str]:
    original = tmp_path / "original.csv"
    body = b"".join(f"Campaign {i},{1000 + i},{i % 97}\r\n".encode() for i in range(rows))
    original.write_bytes(b"Campaign,Impressions,Clicks\r\n" + body)
    mount = tmp_path / "disk"
    mount.mkdir()
    size = (len(original.read_bytes()) * 3 // 4096 + 8) * 4096
    script = FULL_DISK.format(
        size=size,
        free=free,
        link='ln "$1/sheet.csv" "$1/other-name.csv"' if hard_link else "",
    )
    env = {**os.environ, "XDG_STATE_HOME": str(mount / "state"), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", script, "sh", str(mount), str(original), sys.executable],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def _unshare_works() -> bool:
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, check=False, timeout=30)
    return probe.returncode == 0


needs_mounts = pytest.mark.skipif(
    os.geteuid() != 0 or not _unshare_works(),
    reason="mounting a small tmpfs needs root and a private mount namespace",
)


@needs_mounts
@pytest.mark.parametrize("hard_link", [False, True], ids=["atomic", "in-place"])
def test_a_full_disk_is_one_line_and_leaves_the_file_whole(tmp_path: Path, hard_link: bool) -> None:
    lines = full_disk(tmp_path, rows=3000, free=4096, hard_link=hard_link)
    rc, err, same = lines[0], lines[1], lines[2]
    assert rc == "rc=2", lines
    assert "No space left on device" in err
    assert "Traceback" not in err
    assert same == "same"
    leftovers = [name for name in lines[3:] if name.endswith((".tmp", "pending"))]
    assert leftovers == []


@needs_mounts
def test_an_in_place_rewrite_reserves_its_space_before_touching_the_file(tmp_path: Path) -> None:
    # Room for the pending copy of the new content, not for the file's growth as well: the
    # rewrite must stop before the file is cut short, not half-way through it.
    rows = 3000
    grown = len(
        b"".join(f"Campaign {i},{1000 + i},{i % 97},0.0000\r\n".encode() for i in range(rows))
    )
    lines = full_disk(tmp_path, rows=rows, free=grown + 8192, hard_link=True)
    rc, err, same = lines[0], lines[1], lines[2]
    assert rc == "rc=2", lines
    assert "No space left on device" in err
    assert same == "same"


# -- the rule over every kind of target, generated ---------------------------------------------

KINDS = ["new", "new-in-new-folder", "file", "read-only", "folder", "slash", "fifo", "device"]
KINDS += ["socket", "link-to-file", "link-to-device", "dangling-link"]


def make_target(folder: Path, what: str) -> str:  # noqa: PLR0911 (one return a kind)
    """A target of kind ``what`` in ``folder``; returns the --output argument naming it."""
    target = folder / "out.csv"
    if what == "new":
        return str(target)
    if what == "new-in-new-folder":
        return str(folder / "sub" / "out.csv")
    if what in ("file", "read-only", "link-to-file"):
        real = folder / "real.csv" if what == "link-to-file" else target
        real.write_bytes(b"old content\n")
        if what == "read-only":
            real.chmod(0o444)
        if what == "link-to-file":
            target.symlink_to(real)
        return str(target)
    if what == "slash":
        return str(folder / "out") + "/"
    if what == "link-to-device":
        target.symlink_to(null_device(folder / "null"))
        return str(target)
    if what == "dangling-link":
        target.symlink_to(folder / "nowhere" / "x.csv")
        return str(target)
    make_special(target, what)
    return str(target)


def make_special(target: Path, what: str) -> None:
    if what == "fifo":
        os.mkfifo(target)
    elif what == "device":
        null_device(target)
    elif what == "socket":
        bound = socket.socket(socket.AF_UNIX)
        bound.bind(str(target))
        bound.close()  # the socket file stays
    elif what == "folder":
        target.mkdir()
    else:
        raise AssertionError(what)


class special:
    """A FIFO, device node, socket or folder at ``target`` for the length of a ``with``."""

    def __init__(self, target: Path, what: str) -> None:
        self.target, self.what = target, what

    def __enter__(self) -> Path:
        make_special(self.target, self.what)
        return self.target

    def __exit__(self, *exc: object) -> None:
        if self.target.is_dir() and not self.target.is_symlink():
            self.target.rmdir()
        else:
            self.target.unlink()


def snapshot(folder: Path) -> dict[str, tuple[str, int, int, bytes | None]]:
    """Every entry under ``folder``: its kind, inode, mode and, for files, bytes."""
    seen = {}
    for path in sorted(folder.rglob("*")):
        info = os.lstat(path)
        data = path.read_bytes() if stat.S_ISREG(info.st_mode) else None
        seen[str(path.relative_to(folder))] = (kind(path), info.st_ino, info.st_mode, data)
    return seen


# A link is followed (it stays a link), to a file or to a new path, as `cp` does.
WRITTEN = {"new", "new-in-new-folder", "file", "link-to-file", "dangling-link"}


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    what=st.sampled_from(KINDS),
    read_only_ok=st.booleans(),
    dry_run=st.booleans(),
)
def test_a_target_is_written_as_a_regular_file_or_refused_with_nothing_changed(
    tmp_path_factory: pytest.TempPathFactory, what: str, read_only_ok: bool, dry_run: bool
) -> None:
    folder = tmp_path_factory.mktemp("target")
    source = folder / "in.csv"
    source.write_bytes(CONTENT)
    output = make_target(folder, what)
    before = snapshot(folder)
    args = ["sync", str(source), "--output", output]
    args += ["--write-read-only"] if read_only_ok else []
    args += ["--dry-run"] if dry_run else []
    code = run(args)
    after = snapshot(folder)
    if dry_run:
        assert (code, after) == (EXIT_OK, before)
        return
    if what in WRITTEN or (what == "read-only" and read_only_ok):
        assert code == EXIT_OK
        written = Path(os.path.realpath(output))
        assert written.read_bytes() == SYNCED
        assert kind(written) == "file"
        changed = {name for name in after if after[name] != before.get(name)}
        relative = written.relative_to(folder)
        # The file written, and the folders created for it: nothing else.
        assert changed <= {str(relative), *(str(parent) for parent in relative.parents)}
        assert set(before) <= set(after)
    else:
        assert code == EXIT_USAGE
        assert after == before


def test_a_bad_google_setting_does_not_stop_a_csv_sync(
    sheet: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SHEETS_QUOTA_PER_MINUTE", "lots")
    assert run(["sync", str(sheet)]) == EXIT_OK
    assert sheet.read_bytes() == SYNCED
    assert run(["sync", str(sheet), "1AbCdEfGhIjKlMnOpQrStUvWxYz"]) == EXIT_USAGE
    assert "SHEETS_QUOTA_PER_MINUTE" in one_line(capsys.readouterr().err)
