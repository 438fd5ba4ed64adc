"""Which encoding a CSV file is in, and text it can hold, so its bytes can be written back."""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass

from sheets.errors import CsvFileError

BOMS = {
    "utf-8": codecs.BOM_UTF8,
    "utf-16-le": codecs.BOM_UTF16_LE,
    "utf-16-be": codecs.BOM_UTF16_BE,
}
# Codecs whose strict decode then encode gives back the same bytes: the promise of this module.
ROUND_TRIP = {"utf-8", "utf-16-le", "utf-16-be", "cp1252"}
# Common typography that Windows-1252 lacks, and what a person would type instead.
PLAIN = {"≥": ">=", "≤": "<=", "−": "-", "→": "->", "‑": "-", "✓": "v", "×": "x"}


@dataclass(frozen=True, slots=True)
class Decoded:
    """A file's text, the codec of its body and the byte-order mark it started with."""

    text: str
    encoding: str
    bom: bytes = b""


def decode(data: bytes, name: str, encoding: str | None = None) -> Decoded:
    """The text of a CSV file: BOM first, then UTF-8, then Windows-1252 (Excel's default).

    Args:
        data: the file's bytes.
        name: the file as the person knows it, for messages.
        encoding: a codec to use instead of guessing (e.g. from ``--encoding``).
    """
    if encoding is not None:
        codec, bom = _forced(data, name, encoding)
    else:
        codec, bom = _sniffed(data, name)
    body = memoryview(data)[len(bom) :]
    try:
        text = str(body, codec)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, len(bom) + error.start) + 1
        raise CsvFileError(
            f"{name} is not {codec if encoding else 'UTF-8 or Windows-1252'} text (bad byte on "
            f"line {line}): save it as CSV UTF-8 "
            "or pass its encoding with --encoding."
        ) from None
    except (UnicodeError, ValueError):  # codecs with rules of their own: idna, punycode...
        raise CsvFileError(
            f"{name} is not {codec} text: save it as CSV UTF-8 or pass its encoding with "
            "--encoding."
        ) from None
    if "\x00" in text:
        raise _binary(name)
    if codec not in ROUND_TRIP and not _round_trips(text, codec, body):
        raise CsvFileError(
            f"{name} can't be written back byte for byte in {codec}: save it as CSV UTF-8."
        )
    return Decoded(text, codec, bom)


def _sniffed(data: bytes, name: str) -> tuple[str, bytes]:
    for codec, bom in BOMS.items():
        if data.startswith(bom):
            return codec, bom
    if b"\x00" in data:  # no text encoding but UTF-16/32 has NUL bytes
        raise _binary(name)
    try:
        str(data, "utf-8")
    except UnicodeDecodeError:
        return "cp1252", b""
    return "utf-8", b""


def _forced(data: bytes, name: str, encoding: str) -> tuple[str, bytes]:
    try:
        codec = codecs.lookup(encoding).name
    except (LookupError, ValueError):  # ValueError: a NUL in the name
        raise CsvFileError(
            f"{name}: unknown encoding {encoding!r} (try utf-8, utf-16 or cp1252)."
        ) from None
    try:  # str.encode refuses codecs that aren't text encodings (base64, zlib, rot13...)
        "csv".encode(codec)
    except (LookupError, UnicodeError):  # UnicodeError: "undefined", which encodes nothing
        raise CsvFileError(
            f"{name}: {encoding!r} is not a text encoding (try utf-8, utf-16 or cp1252)."
        ) from None
    if codec == "utf-8-sig":
        codec = "utf-8"
    if codec == "utf-16":  # the byte-order mark says which; Windows writes little-endian
        codec = "utf-16-be" if data.startswith(codecs.BOM_UTF16_BE) else "utf-16-le"
    bom = BOMS.get(codec, b"")
    return codec, bom if bom and data.startswith(bom) else b""


def _round_trips(text: str, codec: str, body: memoryview) -> bool:
    """Whether ``text`` written in ``codec`` gives back ``body`` (False if it can't be)."""
    try:
        return text.encode(codec) == body
    except (UnicodeError, ValueError):
        return False


def _binary(name: str) -> CsvFileError:
    return CsvFileError(f"{name} looks like a binary file, not CSV text: export it as CSV first.")


def encodable(value: str, codec: str) -> str:
    """``value`` with each character the codec can't write replaced by a plain look-alike or ?.

    >>> encodable("≥ 1 000 → café ✓ 😀", "cp1252")
    '>= 1 000 -> café v ?'
    """
    if value.isascii():
        return value
    try:
        value.encode(codec)
    except UnicodeEncodeError:
        return "".join(_plain(char, codec) for char in value)
    return value


def _plain(char: str, codec: str) -> str:
    stripped = "".join(
        c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
    )
    for candidate in (char, PLAIN.get(char, ""), stripped):
        if candidate:
            try:
                candidate.encode(codec)
            except UnicodeEncodeError:
                continue
            return candidate
    return "?"
