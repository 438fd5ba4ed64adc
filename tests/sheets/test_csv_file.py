"""CsvFile on real files: only the fields asked for change, and the file stays what it is."""

from __future__ import annotations

import codecs
import contextlib
import csv
import doctest
import io
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from sheets import csvencoding, csvtext
from sheets.csvfile import ByColumn, Changes, CsvFile
from sheets.errors import CsvChangedError, CsvFileError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "campaigns.csv"
NOBODY = 65534


def csv_at(folder: Path, data: bytes, name: str = "sheet.csv") -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def rewritten(path: Path, changes: Changes, **read: Any) -> bytes:
    assert CsvFile.read(path, **read).write(changes)
    return path.read_bytes()


def one_line_error(error: pytest.ExceptionInfo[CsvFileError], *words: str) -> None:
    message = str(error.value)
    assert "\n" not in message
    assert "Traceback" not in message
    for word in words:
        assert word in message


@contextlib.contextmanager
def as_nobody() -> Iterator[None]:
    """Act as an ordinary user for a moment: root passes every permission check."""
    os.setegid(NOBODY)
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder an ordinary user can reach (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="ctr-csv-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


# --- reading ---------------------------------------------------------------------------------


def test_rows_are_the_records_with_empty_cells_as_none(tmp_path: Path) -> None:
    path = csv_at(tmp_path, b'a,,"b ""q"""\r\n\r\n"line\nbreak",x\n5" tall,"a"b')
    sheet = CsvFile.read(path)
    assert list(sheet.rows) == [["a", None, 'b "q"'], [], ["line\nbreak", "x"], ['5" tall', "ab"]]
    assert sheet.width == 3
    assert len(sheet.rows) == 4
    assert sheet.rows[-1] == ['5" tall', "ab"]
    assert sheet.rows[1:3] == [[], ["line\nbreak", "x"]]
    with pytest.raises(IndexError):
        sheet.rows[4]


def test_rows_agree_with_the_csv_module_on_the_example(tmp_path: Path) -> None:
    sheet = CsvFile.read(EXAMPLE)
    with EXAMPLE.open(newline="", encoding="utf-8-sig") as stream:
        expected = [[cell or None for cell in row] for row in csv.reader(stream)]
    assert list(sheet.rows) == expected
    assert [sheet.rows[i] for i in range(len(expected))] == expected
    assert sheet.width == max(map(len, expected))


def test_many_records_are_parsed_block_by_block_in_any_order(tmp_path: Path) -> None:
    lines = [f'{i},"{i:,}","x\r\ny"' if i % 3 else f"{i},,z" for i in range(5000)]
    path = csv_at(tmp_path, ("\r\n".join(lines) + "\r\n").encode())
    sheet = CsvFile.read(path)
    expected = list(csv.reader(io.StringIO("\r\n".join(lines), newline="")))
    assert len(sheet.rows) == 5000
    for i in (4999, 0, 1023, 1024, 2500, 3):
        assert sheet.rows[i] == [cell or None for cell in expected[i]]


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("Date;Impressions;Clicks\n2026-10-26;7984;359,5\n", ";"),
        ("Date\tImpressions\tClicks\n2026-10-26\t7,984\t359\n", "\t"),
        ('Weekly report, Q3\nDate,Note\n2026-10-26,"call; Ann"\n', ","),
        ('"a;b;c",d\n"e;f",g\n', ","),
        ("", ","),
    ],
)
def test_delimiter_is_what_the_lines_clearly_use_outside_quotes(
    tmp_path: Path, text: str, delimiter: str
) -> None:
    assert CsvFile.read(csv_at(tmp_path, text.encode())).delimiter == delimiter


def test_delimiter_can_be_forced(tmp_path: Path) -> None:
    path = csv_at(tmp_path, b"a;b,c\n")
    assert CsvFile.read(path, delimiter=";").rows[0] == ["a", "b,c"]


# --- bytes kept ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"a,b\r\n1,2\r\n",
        b"a,b\n1,2\n",
        b"a,b\r1,2\r",
        b"a,b\r\n1,2\n3,4\r5,6",
        b'"a",b\n"1",  2 \n\n\n"x\r\ny",z\n',
        b"",
        b"\n",
        b"\xef\xbb\xbfa,b\r\n1,2\r\n",
    ],
)
def test_a_no_op_writes_nothing_and_a_copy_is_identical(tmp_path: Path, data: bytes) -> None:
    path = csv_at(tmp_path, data)
    before = path.stat()
    sheet = CsvFile.read(path)
    assert sheet.write({}) is False
    assert path.read_bytes() == data
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert sheet.render({}) == data
    assert sheet.write({}, output=tmp_path / "copy.csv") is True
    assert (tmp_path / "copy.csv").read_bytes() == data


def test_only_the_changed_record_changes_and_keeps_its_line_break(tmp_path: Path) -> None:
    data = b'Name,"Imp",Clicks\r\n"A",1,2\n\n"multi\r\nline",3,4\rB,5,6'
    path = csv_at(tmp_path, data)
    assert rewritten(path, {1: {3: "0.5"}, 4: {4: "x"}}) == (
        b'Name,"Imp",Clicks\r\n"A",1,2,0.5\n\n"multi\r\nline",3,4\rB,5,6,,x'
    )


def test_a_changed_field_keeps_its_neighbours_raw_text(tmp_path: Path) -> None:
    path = csv_at(tmp_path, b'"a", b ,"c,d",old,"e"\r\n')
    assert rewritten(path, {0: {3: "new"}}) == b'"a", b ,"c,d",new,"e"\r\n'


def test_setting_a_field_to_its_own_value_keeps_its_quotes(tmp_path: Path) -> None:
    path = csv_at(tmp_path, b'"a","b"\n')
    sheet = CsvFile.read(path)
    assert sheet.write({0: {0: "a", 5: None}}) is False
    assert path.read_bytes() == b'"a","b"\n'


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("0.045", b"0.045"),
        ("3,5", b'"3,5"'),
        ('say "hi"', b'"say ""hi"""'),
        ("two\nlines", b'"two\nlines"'),
        (" padded", b'" padded"'),
        ("tail\t", b'"tail\t"'),
        (None, b""),
        ("", b""),
    ],
)
def test_new_text_is_quoted_only_when_it_needs_it(
    tmp_path: Path, value: str | None, written: bytes
) -> None:
    path = csv_at(tmp_path, b"a,b,c\n")
    assert rewritten(path, {0: {1: value}}) == b"a," + written + b",c\n"


def test_new_fields_are_padded_to_their_place(tmp_path: Path) -> None:
    path = csv_at(tmp_path, b"a\n\nb,c")
    assert rewritten(path, {0: {3: "x"}, 1: {1: "y"}, 2: {2: "z"}}) == b"a,,,x\n,y\nb,c,z"


def test_emptying_a_field_a_record_lacks_adds_nothing(tmp_path: Path) -> None:
    path = csv_at(tmp_path, b"a,b\nc\n")
    sheet = CsvFile.read(path)
    assert sheet.write({1: {1: None, 4: ""}}) is False
    assert path.read_bytes() == b"a,b\nc\n"


def test_emptying_the_only_field_keeps_the_record_a_field(tmp_path: Path) -> None:
    path = csv_at(tmp_path, b"x\r\ny\r\n")
    assert rewritten(path, {0: {0: None}}) == b'""\r\ny\r\n'
    assert list(CsvFile.read(path).rows) == [[None], ["y"]]


def test_changes_can_be_given_column_by_column(tmp_path: Path) -> None:
    path = csv_at(tmp_path, b"a,b\r\n1,2\r\n3,4\r\n")
    changes = ByColumn({2: {0: "CTR", 2: "0.5"}, 3: {0: "CTR status", 1: "no clicks"}})
    assert list(changes) == [0, 1, 2]
    assert changes[0] == {2: "CTR", 3: "CTR status"}
    assert 5 not in changes
    assert rewritten(path, changes) == b"a,b,CTR,CTR status\r\n1,2,,no clicks\r\n3,4,0.5\r\n"


def test_semicolon_file_gets_semicolon_fields(tmp_path: Path) -> None:
    path = csv_at(tmp_path, b"Date;Impressions;Clicks\n2026-10-26;7984;359\n")
    assert rewritten(path, {0: {3: "CTR"}, 1: {3: "4,5 %"}}) == (
        b"Date;Impressions;Clicks;CTR\n2026-10-26;7984;359;4,5 %\n"
    )


def test_a_change_to_a_missing_record_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    path = csv_at(tmp_path, b"a\n")
    with pytest.raises(IndexError):
        CsvFile.read(path).write({0: {1: "x"}, 5: {0: "y"}})
    assert path.read_bytes() == b"a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.csv"]  # no temporary file left


# --- encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codec", "bom", "encoding"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", codecs.BOM_UTF8, "utf-8"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16-le"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16-be"),
        ("cp1252", b"", "cp1252"),
    ],
)
def test_encoding_and_bom_are_detected_and_written_back(
    tmp_path: Path, codec: str, bom: bytes, encoding: str
) -> None:
    text = 'Kampagne,Impressionen,Klicks\r\nCafé « été » – €,"1,000",5\r\n'
    path = csv_at(tmp_path, bom + text.encode(codec))
    sheet = CsvFile.read(path)
    assert (sheet.encoding, sheet.bom) == (encoding, bom)
    assert sheet.rows[1] == ["Café « été » – €", "1,000", "5"]
    expected = text.replace("Klicks\r\n", "Klicks,CTR\r\n").replace("5\r\n", "5,0.5 ‰\r\n")
    assert rewritten(path, {0: {3: "CTR"}, 1: {3: "0.5 ‰"}}) == bom + expected.encode(codec)


def test_a_forced_encoding_wins_over_the_guess(tmp_path: Path) -> None:
    data = "a,Ž\n".encode("iso8859-2")  # valid Windows-1252 too, but not what was meant
    sheet = CsvFile.read(csv_at(tmp_path, data), encoding="latin2")
    assert sheet.rows[0] == ["a", "Ž"]
    assert sheet.render({0: {2: "ő"}}) == "a,Ž,ő\n".encode("iso8859-2")


def test_forced_utf16_reads_the_byte_order_from_the_bom(tmp_path: Path) -> None:
    path = csv_at(tmp_path, codecs.BOM_UTF16_BE + "a,b\n".encode("utf-16-be"))
    sheet = CsvFile.read(path, encoding="utf-16")
    assert (sheet.encoding, sheet.rows[0]) == ("utf-16-be", ["a", "b"])


def test_characters_windows_1252_lacks_are_replaced_not_fatal(tmp_path: Path) -> None:
    path = csv_at(tmp_path, "Café,x\n".encode("cp1252"))
    assert rewritten(path, {0: {2: "≥ 5 → ok ✓ 😀 ő"}}) == "Café,x,>= 5 -> ok v ? o\n".encode(
        "cp1252"
    )


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"a,b\n\x81\x8d,c\n", ["not UTF-8 or Windows-1252", "line 2", "--encoding"]),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ["binary"]),
        ("a,b\n".encode("utf-16-le"), ["binary"]),  # UTF-16 without its BOM
        (b'a,b\n1,"2\n3,4\n5,6\n', ["quote opened on line 2", "never closed"]),
        (b'a,"b"\r\nc,d\r"e""', ["line 3"]),
    ],
)
def test_unusable_text_is_one_line_naming_the_file(
    tmp_path: Path, data: bytes, words: list[str]
) -> None:
    path = csv_at(tmp_path, data)
    with pytest.raises(CsvFileError) as error:
        CsvFile.read(path)
    one_line_error(error, str(path), *words)


def test_a_field_over_a_million_characters_is_refused(tmp_path: Path) -> None:
    path = csv_at(tmp_path, b"a,b\n1," + b"x" * 1_000_001 + b"\n")
    with pytest.raises(CsvFileError) as error:
        CsvFile.read(path)
    one_line_error(error, str(path), "line 2", "1.0 million characters")


def test_a_long_field_under_the_limit_is_read_beyond_the_csv_modules_limit(
    tmp_path: Path,
) -> None:
    path = csv_at(tmp_path, b'a,"' + b"y" * 200_000 + b'"\n')
    sheet = CsvFile.read(path)
    assert sheet.width == 2
    assert sheet.rows[0] == ["a", "y" * 200_000]


@pytest.mark.parametrize(
    ("encoding", "words"),
    [("klingon", ["unknown encoding 'klingon'"]), ("ascii", ["not ascii text", "line 1"])],
)
def test_a_bad_forced_encoding_is_one_line(tmp_path: Path, encoding: str, words: list[str]) -> None:
    path = csv_at(tmp_path, "é\n".encode())
    with pytest.raises(CsvFileError) as error:
        CsvFile.read(path, encoding=encoding)
    one_line_error(error, str(path), *words)


# --- files that can't be read ----------------------------------------------------------------


def test_missing_file_folder_and_device_are_one_line(tmp_path: Path) -> None:
    for path, words in [
        (tmp_path / "nope.csv", ["no such file"]),
        (tmp_path, ["is a folder"]),
        (Path("/dev/null"), ["not a regular file"]),
    ]:
        with pytest.raises(CsvFileError) as error:
            CsvFile.read(path)
        one_line_error(error, str(path), *words)


def test_an_unreadable_file_is_one_line(open_folder: Path) -> None:
    path = csv_at(open_folder, b"a,b\n")
    path.chmod(0o200)
    with as_nobody(), pytest.raises(CsvFileError) as error:
        CsvFile.read(path)
    one_line_error(error, str(path), "permission denied")


# --- the file stays what it is ---------------------------------------------------------------


def test_mode_and_owner_are_kept(tmp_path: Path) -> None:
    path = csv_at(tmp_path, b"a,b\n")
    os.chown(path, 1234, 5678)
    path.chmod(0o664)
    rewritten(path, {0: {2: "c"}})
    info = path.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (1234, 5678, 0o664)
    assert path.read_bytes() == b"a,b,c\n"
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.csv"]


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = csv_at(tmp_path / "real", b"a,b\n")
    link = tmp_path / "link.csv"
    link.symlink_to(Path("real") / "sheet.csv")
    rewritten(link, {0: {2: "c"}})
    assert link.is_symlink()
    assert target.read_bytes() == b"a,b,c\n"


def test_hard_links_all_see_the_change(tmp_path: Path) -> None:
    path = csv_at(tmp_path, b"a,b\n")
    other = tmp_path / "other.csv"
    os.link(path, other)
    inode = path.stat().st_ino
    rewritten(path, {0: {2: "c"}})
    assert other.read_bytes() == path.read_bytes() == b"a,b,c\n"
    assert path.stat().st_ino == other.stat().st_ino == inode
    assert path.stat().st_nlink == 2


def test_a_read_only_folder_rewrites_a_writable_file_in_place(open_folder: Path) -> None:
    folder = open_folder / "shared"
    folder.mkdir(mode=0o755)
    path = csv_at(folder, b"a,b\r\n")
    os.chown(path, NOBODY, NOBODY)
    with as_nobody():
        assert CsvFile.read(path).write({0: {2: "c"}})
    assert path.read_bytes() == b"a,b,c\r\n"
    assert [p.name for p in folder.iterdir()] == ["sheet.csv"]


def test_a_read_only_folder_and_file_is_one_line(open_folder: Path) -> None:
    folder = open_folder / "shared"
    folder.mkdir(mode=0o755)
    path = csv_at(folder, b"a,b\n")
    path.chmod(0o644)
    with as_nobody():
        sheet = CsvFile.read(path)
        with pytest.raises(CsvFileError) as error:
            sheet.write({0: {2: "c"}})
    one_line_error(error, str(path), "can't be written", "--output")
    assert path.read_bytes() == b"a,b\n"


def test_a_row_appended_after_the_read_is_never_lost(tmp_path: Path) -> None:
    path = csv_at(tmp_path, b"a,b\n1,2\n")
    sheet = CsvFile.read(path)
    with path.open("ab") as stream:
        stream.write(b"3,4\n")
    with pytest.raises(CsvChangedError) as error:
        sheet.write({0: {2: "c"}})
    one_line_error(error, str(path), "run the sync again")
    assert path.read_bytes() == b"a,b\n1,2\n3,4\n"
    assert rewritten(path, {0: {2: "c"}}) == b"a,b,c\n1,2\n3,4\n"


def test_a_same_size_edit_with_the_old_mtime_is_noticed(tmp_path: Path) -> None:
    path = csv_at(tmp_path, b"a,b\n1,2\n")
    before = path.stat()
    sheet = CsvFile.read(path)
    path.write_bytes(b"a,b\n1,9\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    with pytest.raises(CsvChangedError):
        sheet.write({0: {2: "c"}})
    assert path.read_bytes() == b"a,b\n1,9\n"


def test_a_change_to_a_hard_linked_file_after_the_read_is_noticed(tmp_path: Path) -> None:
    path = csv_at(tmp_path, b"a,b\n")
    os.link(path, tmp_path / "other.csv")
    sheet = CsvFile.read(path)
    (tmp_path / "other.csv").write_bytes(b"a,b\nnew,row\n")
    with pytest.raises(CsvChangedError):
        sheet.write({0: {2: "c"}})
    assert path.read_bytes() == b"a,b\nnew,row\n"


def test_a_file_deleted_after_the_read_is_not_brought_back(tmp_path: Path) -> None:
    path = csv_at(tmp_path, b"a,b\n")
    sheet = CsvFile.read(path)
    path.unlink()
    with pytest.raises(CsvChangedError):
        sheet.write({0: {2: "c"}})
    assert list(tmp_path.iterdir()) == []


# --- --output --------------------------------------------------------------------------------


def test_output_goes_to_a_new_folder_and_leaves_the_input_alone(tmp_path: Path) -> None:
    path = csv_at(tmp_path, b"a,b\r\n")
    out = tmp_path / "new" / "deeper" / "out.csv"
    assert CsvFile.read(path).write({0: {2: "c"}}, output=out)
    assert out.read_bytes() == b"a,b,c\r\n"
    assert path.read_bytes() == b"a,b\r\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~_umask()


def test_output_replaces_an_existing_file_keeping_its_mode(tmp_path: Path) -> None:
    path = csv_at(tmp_path, b"a\n")
    out = csv_at(tmp_path, b"old\n", "out.csv")
    out.chmod(0o640)
    assert CsvFile.read(path).write({0: {1: "b"}}, output=out)
    assert out.read_bytes() == b"a,b\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "sheet.csv"]


def test_output_onto_the_input_or_a_folder_is_refused(tmp_path: Path) -> None:
    path = csv_at(tmp_path, b"a\n")
    (tmp_path / "link.csv").symlink_to(path)
    os.link(path, tmp_path / "hard.csv")
    sheet = CsvFile.read(path)
    for out, words in [
        (path, ["is the input file"]),
        (tmp_path / "link.csv", ["is the input file"]),
        (tmp_path / "hard.csv", ["is the input file"]),
        (tmp_path, ["is a folder"]),
    ]:
        with pytest.raises(CsvFileError) as error:
            sheet.write({0: {1: "b"}}, output=out)
        one_line_error(error, str(out), *words)
    assert path.read_bytes() == b"a\n"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("module", [csvencoding, csvtext])
def test_the_examples_in_docstrings_hold(module: ModuleType) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
