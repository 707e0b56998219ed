"""What the bytes of a payload are, found before reading them: streamed scans, never the whole
file in memory.

A payload here is anything with the attributes :class:`Readable` names (a
:class:`~tasks.sources.base.Payload`, or :class:`Bytes` for bytes in memory).
"""

from __future__ import annotations

import codecs
import io
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

CHUNK = 16 * 2**20  # bytes per chunk of the pre-read scans and the transcoding
DELIMITERS = (",", ";", "\t")


class Readable(Protocol):
    """The parts of a payload the readers use."""

    data: bytes | None  # the bytes, or None for a file on disk (``path``)
    path: str | None
    size_bytes: int

    def open(self) -> BinaryIO: ...


@dataclass(frozen=True)
class Bytes:
    """Bytes in memory as a :class:`Readable` payload."""

    data: bytes = field(repr=False)
    path: None = None

    @property
    def size_bytes(self) -> int:
        return len(self.data)

    def open(self) -> BinaryIO:
        return io.BytesIO(self.data)


@dataclass(frozen=True)
class Scan:
    """What one streamed pass over the bytes found."""

    blank_only: bool  # nothing but whitespace
    nul: bool  # has NUL bytes (binary data, UTF-16 text)
    blank_lines: bool  # a blank line before more content (not only at the end)


def head(payload: Readable, size: int = CHUNK) -> bytes:
    """The first ``size`` bytes."""
    with payload.open() as fh:
        return fh.read(size)


def scan(payload: Readable) -> Scan:
    """Whitespace only, NUL bytes and blank lines, in one streamed pass over the bytes. Blank
    lines at the very end shift no row number: they do not count."""
    blank_only, nul, blank_lines, pending = True, False, False, False
    prev = b"\n"  # the file's start counts as a line start: a leading blank line is one
    with payload.open() as fh:
        while chunk := fh.read(CHUNK):
            if blank_only and chunk.strip():
                blank_only = False
            nul = nul or b"\x00" in chunk
            if not blank_lines:
                if pending and chunk.strip():
                    blank_lines = True
                joined = prev + chunk
                found = [i for i in (joined.find(b"\n\n"), joined.find(b"\n\r\n")) if i >= 0]
                if found:
                    if joined[min(found) :].strip():
                        blank_lines = True
                    else:
                        pending = True
            prev = chunk[-2:]
            if nul and blank_lines and not blank_only:
                break
    return Scan(blank_only, nul, blank_lines)


def is_utf8(payload: Readable) -> bool:
    """Whether the whole payload decodes as UTF-8 (streamed)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with payload.open() as fh:
            while chunk := fh.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def decode_head(data: bytes) -> str:
    """The first bytes as text: UTF-8 (BOM removed; a character cut at the end dropped), else
    Windows-1251."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3:  # a character cut by the chunk boundary
            return data[: exc.start].decode("utf-8")
        return data.decode("cp1251")


def is_workbook(filename: str, data: bytes) -> bool:
    """An XLSX workbook: by its name, or by the zip signature its bytes start with."""
    return filename.lower().endswith(".xlsx") or data[:2] == b"PK"


def looks_like_markup(text: str) -> bool:
    """The first non-blank line starts as HTML, XML or JSON does (an error page saved as CSV)."""
    first = next((line for line in io.StringIO(text) if line.strip()), "")
    return first.lstrip().startswith(("<", "{", "["))


def delimiter(text: str) -> str:
    """The delimiter of a CSV text: whichever of ``,`` ``;`` tab its first line holds most
    (``,`` on a tie)."""
    header_line = text.partition("\n")[0]
    return max(DELIMITERS, key=header_line.count)
