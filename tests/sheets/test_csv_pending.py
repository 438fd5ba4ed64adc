"""A CSV rewritten in place (hard links, a read-only folder, someone else's file) survives a
process killed half-way: the complete new content waits under a name the next run looks for.

The kills are real: the CLI runs in a child process that stops itself (SIGSTOP, from an audit
hook installed by a sitecustomize on its path, not by our code) when it opens the target for
the in-place rewrite; the test sees the stop with waitpid, gives the child a file-size limit
below the new content and lets it go on, so the rewrite fails (EFBIG) or the child dies of
SIGXFSZ half-way through the target, exactly where a power cut or an OOM kill would leave it.
"""

from __future__ import annotations

import hashlib
import os
import resource
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sheets.cli import EXIT_OK, EXIT_USAGE
from tests.sheets.cli_runs import ROOT, one_line, run
from tests.sheets.test_csv_safety import AS_A_PERSON, without_root_powers

HEADER = b"Campaign,Impressions,Clicks\n"
LIMIT = 40_000  # bytes the child may write into a file once stopped: a third of the target

STOPPER = """
import os, signal, sys

def _stop_at_the_rewrite(event, args):
    # io.open's audit event: the CLI opens the target read-write only to rewrite it in place.
    if event == "open" and isinstance(args[0], (str, os.PathLike)) and "+" in str(args[1]):
        if os.path.realpath(args[0]) == os.environ["STOP_AT"]:
            if os.environ.get("DIE_ON_XFSZ"):
                signal.signal(signal.SIGXFSZ, signal.SIG_DFL)  # Python ignores it by default
            os.kill(os.getpid(), signal.SIGSTOP)

sys.addaudithook(_stop_at_the_rewrite)
"""


@pytest.fixture(autouse=True)
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The per-user folder where a read-only folder's pending copies go, private to the test."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path / "state" / "ctr-bundle" / "pending"


def campaigns(rows: int) -> bytes:
    return HEADER + b"".join(b"Campaign %d,%d,%d\n" % (i, 1000 + i, i % 97) for i in range(rows))


def synced(content: bytes, tmp_path: Path) -> bytes:
    """What a sync writes for ``content``, found by syncing a plain copy elsewhere."""
    folder = tmp_path / "reference"
    folder.mkdir(exist_ok=True)
    copy = folder / "copy.csv"
    copy.write_bytes(content)
    assert run(["sync", str(copy)]) == EXIT_OK
    return copy.read_bytes()


def beside(target: Path) -> Path:
    return target.with_name(f".{target.name}.ctr-sync-pending")


def kept(target: Path, state: Path) -> Path:
    digest = hashlib.sha256(os.fsencode(os.path.realpath(target))).hexdigest()[:16]
    return state / f"{target.name}.{digest}.ctr-sync-pending"


def note(pending: Path) -> Path:
    return pending.with_name(f"{pending.name}.target")


def files(folder: Path) -> set[str]:
    """The names in ``folder`` but the tests' own (the state folder, the reference copy)."""
    names = {path.name for path in folder.iterdir()} if folder.exists() else set()
    return names - {"state", "reference"}


def read_only_folder(tmp_path: Path, content: bytes) -> Path:
    folder = tmp_path / "ro"
    folder.mkdir()
    target = folder / "sheet.csv"
    target.write_bytes(content)
    folder.chmod(0o555)
    return target


# Normal in-place runs: they work as before and leave nothing behind.


def test_a_hard_linked_file_leaves_no_pending_file(tmp_path: Path, state: Path) -> None:
    target, other = tmp_path / "sheet.csv", tmp_path / "other-name.csv"
    target.write_bytes(campaigns(3))
    os.link(target, other)
    assert run(["sync", str(target)]) == EXIT_OK
    assert other.read_bytes() == target.read_bytes() == synced(campaigns(3), tmp_path)
    assert files(tmp_path) == {"sheet.csv", "other-name.csv"}
    assert files(state) == set()


def test_a_read_only_folder_leaves_no_pending_file(tmp_path: Path, state: Path) -> None:
    target = read_only_folder(tmp_path, campaigns(3))
    result = without_root_powers(["sync", str(target)], tmp_path)
    assert result.returncode == EXIT_OK, result.stderr
    assert target.read_bytes() == synced(campaigns(3), tmp_path)
    assert files(target.parent) == {"sheet.csv"}
    assert files(state) == set()


def test_someone_elses_file_leaves_no_pending_file(tmp_path: Path, state: Path) -> None:
    target = tmp_path / "theirs.csv"
    target.write_bytes(campaigns(3))
    target.chmod(0o666)
    os.chown(target, 1234, 2345)  # we may write it, but not give a new file its owner
    result = without_root_powers(["sync", str(target)], tmp_path)
    assert result.returncode == EXIT_OK, result.stderr
    assert (target.stat().st_uid, target.stat().st_gid) == (1234, 2345)
    assert target.read_bytes() == synced(campaigns(3), tmp_path)
    assert files(tmp_path) == {"theirs.csv"}
    assert files(state) == set()


# The aftermath of a kill mid-copy: a half-written file and the pending one.


def half_written(target: Path, tmp_path: Path) -> tuple[bytes, bytes]:
    old = campaigns(3000)
    new = synced(old, tmp_path)
    half = new[:LIMIT] + old[LIMIT:]
    target.write_bytes(half)
    return half, new


@pytest.mark.parametrize(
    "options", [[], ["--dry-run"], ["--output", "out.csv"]], ids=["sync", "dry-run", "output"]
)
def test_an_interrupted_rewrite_is_refused_until_a_person_decides(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str]
) -> None:
    target = tmp_path / "sheet.csv"
    half, new = half_written(target, tmp_path)
    beside(target).write_bytes(new)
    capsys.readouterr()  # the reference sync's summary
    args = [arg.replace("out.csv", str(tmp_path / "out.csv")) for arg in options]
    assert run(["sync", str(target), *args]) == EXIT_USAGE
    captured = capsys.readouterr()
    error = one_line(captured.err)
    assert f"{target}: a previous sync was interrupted while rewriting it in place" in error
    assert str(beside(target)) in error
    assert f"cp {shlex.quote(str(beside(target)))} {shlex.quote(str(target))}" in error
    assert captured.out == ""
    assert target.read_bytes() == half
    assert beside(target).read_bytes() == new
    assert not (tmp_path / "out.csv").exists()


def test_a_pending_copy_in_the_state_folder_is_found_too(
    tmp_path: Path, state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "ro" / "sheet.csv"
    target.parent.mkdir()
    half, new = half_written(target, tmp_path)
    state.mkdir(parents=True)
    kept(target, state).write_bytes(new)
    link = tmp_path / "link.csv"
    link.symlink_to(target)  # the pending copy belongs to the file, whatever name it is given
    assert run(["sync", str(link)]) == EXIT_USAGE
    error = one_line(capsys.readouterr().err)
    assert f"{link}: a previous sync was interrupted" in error
    assert str(kept(target, state)) in error
    assert target.read_bytes() == half
    assert kept(target, state).read_bytes() == new


def test_a_batch_goes_on_with_the_other_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target, good = tmp_path / "sheet.csv", tmp_path / "good.csv"
    half, new = half_written(target, tmp_path)
    beside(target).write_bytes(new)
    good.write_bytes(campaigns(2))
    assert run(["sync", str(target), str(good)]) == EXIT_USAGE
    assert good.read_bytes() == synced(campaigns(2), tmp_path)
    error = one_line(capsys.readouterr().err)
    assert "sheet.csv: a previous sync was interrupted" in error
    assert target.read_bytes() == half
    assert beside(target).read_bytes() == new


def test_an_output_file_with_a_pending_copy_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, out = tmp_path / "source.csv", tmp_path / "out.csv"
    source.write_bytes(campaigns(2))
    half, new = half_written(out, tmp_path)
    beside(out).write_bytes(new)
    assert run(["sync", str(source), "--output", str(out)]) == EXIT_USAGE
    assert f"{out}: a previous sync was interrupted" in one_line(capsys.readouterr().err)
    assert out.read_bytes() == half
    assert beside(out).read_bytes() == new


# Real failures and real kills half-way through the in-place rewrite.


def stopped_at_the_rewrite(
    args: list[str], target: Path, tmp_path: Path, *, die: bool, as_a_person: bool
) -> subprocess.CompletedProcess[str]:
    """Run the CLI until it opens ``target`` to rewrite it, then cap its file size and go on."""
    hook = tmp_path / "stopper"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(STOPPER)
    env = {
        **os.environ,
        "PYTHONPATH": f"{hook}{os.pathsep}{ROOT}",
        "PYTHONDONTWRITEBYTECODE": "1",  # after the cap, only the target may hit it
        "STOP_AT": os.path.realpath(target),
        "DIE_ON_XFSZ": "1" if die else "",
    }
    command = [sys.executable, "-m", "sheets.cli", *args]
    if as_a_person:
        command = [*AS_A_PERSON, *command]
    child = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    _, status = os.waitpid(child.pid, os.WUNTRACED)  # the stop is observed, not guessed
    assert child.stderr is not None
    assert os.WIFSTOPPED(status), f"never reached the rewrite: {child.stderr.read()}"
    resource.prlimit(child.pid, resource.RLIMIT_FSIZE, (LIMIT, LIMIT))
    os.kill(child.pid, signal.SIGCONT)
    out, err = child.communicate(timeout=120)
    return subprocess.CompletedProcess(command, child.returncode, out, err)


@pytest.mark.parametrize("ending", ["write-fails", "killed"])
@pytest.mark.parametrize("why", ["hard-link", "read-only-folder"])
def test_a_rewrite_stopped_by_a_full_disk_leaves_the_file_whole_and_the_content_kept(
    tmp_path: Path, state: Path, why: str, ending: str
) -> None:
    old = campaigns(3000)
    new = synced(old, tmp_path)
    if why == "hard-link":
        target = tmp_path / "sheet.csv"
        target.write_bytes(old)
        os.link(target, tmp_path / "other-name.csv")
        pending = beside(target)
    else:
        target = read_only_folder(tmp_path, old)
        pending = kept(target, state)
    result = stopped_at_the_rewrite(
        ["sync", str(target)],
        target,
        tmp_path,
        die=ending == "killed",
        as_a_person=why != "hard-link",
    )
    # The rewrite reserves the file's new size before touching it, so the size cap stops it
    # there: the file is whole. A write that fails says so and drops the copy it no longer
    # needs; a kill leaves the whole new content waiting under its pending name.
    assert target.read_bytes() == old
    if ending == "write-fails":
        assert result.returncode == EXIT_USAGE, result.stderr
        assert "(File too large): it was left as it was" in one_line(result.stderr)
        assert not pending.exists()
        done = without_root_powers(["sync", str(target)], tmp_path)
        assert done.returncode == EXIT_OK, done.stderr
        assert target.read_bytes() == new
        return
    assert result.returncode == -signal.SIGXFSZ, result.stderr
    half = target.read_bytes()
    assert pending.read_bytes() == new  # ...and the whole new content, where it says
    if why == "read-only-folder":  # a hash names no file: a note beside it does
        assert note(pending).read_text() == f"{target}\n"

    again = without_root_powers(["sync", str(target)], tmp_path)
    assert again.returncode == EXIT_USAGE
    assert "a previous sync was interrupted" in one_line(again.stderr)
    assert target.read_bytes() == half
    assert pending.read_bytes() == new

    # What the message says to do, done: the file is whole and the next sync has nothing to do.
    shutil.copyfile(pending, target)
    pending.unlink()
    done = without_root_powers(["sync", str(target)], tmp_path)
    assert done.returncode == EXIT_OK, done.stderr
    assert "already up to date" in done.stdout
    assert target.read_bytes() == new


def test_without_a_usable_state_folder_the_copy_waits_in_var_tmp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unusable = tmp_path / "not-a-folder"
    unusable.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(unusable))  # or a home the user can't write
    fallback = Path("/var/tmp") / f"ctr-bundle-{os.geteuid()}" / "pending"
    ours = not fallback.parent.exists()
    old = campaigns(3000)
    new = synced(old, tmp_path)
    target = read_only_folder(tmp_path, old)
    pending = kept(target, fallback)
    try:
        result = stopped_at_the_rewrite(
            ["sync", str(target)], target, tmp_path, die=True, as_a_person=True
        )
        assert result.returncode == -signal.SIGXFSZ, result.stderr
        assert pending.read_bytes() == new
        assert note(pending).read_text() == f"{target}\n"
        assert oct(fallback.parent.stat().st_mode & 0o777) == oct(0o700)
        again = without_root_powers(["sync", str(target)], tmp_path)
        assert again.returncode == EXIT_USAGE
        assert str(pending) in one_line(again.stderr)
        assert target.read_bytes() == old  # reserved first: the cap stopped it before writing
    finally:
        pending.unlink(missing_ok=True)
        note(pending).unlink(missing_ok=True)
        if ours:
            shutil.rmtree(fallback.parent, ignore_errors=True)
