"""Find out a file's encoding (UTF-8 with or without BOM, or Windows-1252) and fingerprint it, in one pass.

The pass streams the file in blocks, so a multi-gigabyte payment file never sits in memory. The SHA-256
is the file's identity (frozen tertials record it; the payment sensor uses it to tell a re-delivery). The
same pass counts the file's physical lines and its blank lines, which row accounting reconciles with the
records the CSV reader made of them (a quoted line break joins lines into one record).
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

_BLOCK = 1 << 20
_BOM = codecs.BOM_UTF8
# A line end followed by an empty line (nothing, or a lone CR, before its own line end): one blank line.
_BLANK_AFTER = re.compile(rb"\n(?=\r?\n)")


class EncodingProblem(ValueError):
    """The file is in no encoding the contract allows."""


@dataclass(frozen=True)
class FileFingerprint:
    path: Path
    encoding: str  # "utf-8" or "cp1252"
    bom: bool
    size: int
    sha256: str
    lines: int = 0  # physical lines: line ends, plus a last line without one
    blank_lines: int = 0  # of those after the first, the empty ones (a lone CR counts as empty)
    lone_cr: int = 0  # carriage returns not followed by a line feed (DuckDB's reader cannot take them)


class LineCounter:
    """Counts physical lines and blank lines over a file fed block by block (C-speed counts per block).

    A blank line is found by the line end before it, so the last two bytes of a block wait for the next
    block before they are judged: a blank line split over two blocks is counted once.
    """

    def __init__(self) -> None:
        self.line_ends = 0
        self.blank = 0
        self.lone_cr = 0
        self._tail = b""
        self._last = b""

    def update(self, block: bytes) -> None:
        if not block:
            return
        self.line_ends += block.count(b"\n")
        # a CR is lone unless a LF follows it, also across the border between two blocks
        self.lone_cr += (
            block.count(b"\r") - block.count(b"\r\n") - (self._last == b"\r" and block[:1] == b"\n")
        )
        self._last = block[-1:]
        data = self._tail + block
        # blank lines whose line end lies in all but the last two bytes; those two wait for more
        self.blank += len(_BLANK_AFTER.findall(data)) - len(_BLANK_AFTER.findall(data[-2:]))
        self._tail = data[-2:]

    def result(self) -> tuple[int, int]:
        """(physical lines, blank lines after the first line)."""
        blank = self.blank + len(_BLANK_AFTER.findall(self._tail))
        if self._tail.endswith(b"\n\r"):  # a last line of a lone CR, without a line end
            blank += 1
        lines = self.line_ends + (1 if self._last not in (b"", b"\n") else 0)
        return lines, blank


def count_lines(path: Path) -> tuple[int, int]:
    """(physical lines, blank lines after the first) of a file, streamed."""
    counter = LineCounter()
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            counter.update(block)
    return counter.result()


def fingerprint(path: Path) -> FileFingerprint:
    """Encoding, BOM, size and SHA-256 of a file; Windows-1252 only when it is not valid UTF-8."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    counter = LineCounter()
    utf8_ok = True
    size = 0
    bom = False
    with path.open("rb") as handle:
        first = True
        while block := handle.read(_BLOCK):
            digest.update(block)
            counter.update(block)
            size += len(block)
            if first:
                _check_not_wide(path, block)
                bom = block.startswith(_BOM)
                first = False
            if utf8_ok:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    utf8_ok = False
        if utf8_ok:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8_ok = False
    lines, blank = counter.result()
    if utf8_ok:
        return FileFingerprint(path, "utf-8", bom, size, digest.hexdigest(), lines, blank, counter.lone_cr)
    _check_cp1252(path)
    return FileFingerprint(path, "cp1252", False, size, digest.hexdigest(), lines, blank, counter.lone_cr)


_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _check_not_wide(path: Path, first: bytes) -> None:
    """UTF-16 and UTF-32 (a spreadsheet's "Unicode text") are said to be what they are: no other reason
    (a missing header, a bad byte) would tell the supplier what to change."""
    for bom, name in _WIDE_BOMS:
        if first.startswith(bom):
            raise EncodingProblem(
                f"{path.name} is encoded as {name} (it starts with a {name} byte order mark), which is not a "
                "supported encoding. Ask for a new delivery in UTF-8 (or Windows-1252)."
            )
    if b"\x00" in first:
        raise EncodingProblem(
            f"{path.name} holds NUL bytes (the first at offset {first.index(0)}): it looks like UTF-16 or "
            "UTF-32 without a byte order mark, not a supported encoding. Ask for a new delivery in UTF-8 "
            "(or Windows-1252)."
        )


def _check_cp1252(path: Path) -> None:
    decoder = codecs.getincrementaldecoder("cp1252")()
    offset = 0
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                raise EncodingProblem(
                    f"{path.name}: byte 0x{block[exc.start]:02x} at offset {offset + exc.start} is neither "
                    "UTF-8 nor Windows-1252; the file cannot be read. Ask for a new delivery."
                ) from exc
            offset += len(block)


# A lone CR is written into the reader's copy as these two characters around its line number: the
# reader takes the row, and the loader quarantines it with that line (sources/files.py).
CR_MARK, CR_MARK_END = "\ue000", "\ue001"
_LONE_CR = re.compile("\r(?!\n)")


def transcode_to_utf8(source: Path, encoding: str, target: Path) -> Path:
    """Write a UTF-8 copy of a file for DuckDB's CSV reader, which knows UTF-8, not Windows-1252, and
    fails on a lone CR ("state machine reached an invalid state", no line). In the copy a lone CR is
    marked with its line number (`CR_MARK 12 CR_MARK_END`), and a CR that ends the file is dropped (it
    ends the last line); nothing else changes."""
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    with source.open("rb") as src, target.open("w", encoding="utf-8", newline="") as dst:
        pending = ""  # a CR at the end of a block: judged with the next one
        while block := src.read(_BLOCK):
            text = pending + decoder.decode(block)
            pending = "\r" if text.endswith("\r") else ""
            text = text[:-1] if pending else text
            dst.write(_mark_lone_cr(text, line))
            line += text.count("\n")
        dst.write(_mark_lone_cr(decoder.decode(b"", final=True), line))  # a pending last CR is dropped
    return target


def _mark_lone_cr(text: str, line: int) -> str:
    if "\r" not in text:
        return text
    out, done = [], 0
    for found in _LONE_CR.finditer(text):
        line += text.count("\n", done, found.start())
        out.append(text[done : found.start()] + f"{CR_MARK}{line}{CR_MARK_END}")
        done = found.end()
    out.append(text[done:])
    return "".join(out)


def read_header(path: Path, encoding: str) -> list[str] | None:
    """The header's column names (trimmed, lower case), or None for an empty file."""
    with path.open("rb") as handle:
        raw = handle.readline(1 << 16)
    if not raw.strip(b"\r\n\t \xef\xbb\xbf"):
        return None
    text = raw.decode(encoding, errors="replace").lstrip("\ufeff").rstrip("\r\n")
    return [name.strip().strip('"').strip().lower() for name in text.split(";")]
