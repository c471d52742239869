"""Find out a file's encoding (UTF-8 with or without BOM, or Windows-1252) and fingerprint it, in one pass.

The pass streams the file in blocks, so a multi-gigabyte payment file never sits in memory. The SHA-256
is the file's identity (frozen tertials record it; the payment sensor uses it to tell a re-delivery).
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import Path

_BLOCK = 1 << 20
_BOM = codecs.BOM_UTF8


class EncodingProblem(ValueError):
    """The file is in no encoding the contract allows."""


@dataclass(frozen=True)
class FileFingerprint:
    path: Path
    encoding: str  # "utf-8" or "cp1252"
    bom: bool
    size: int
    sha256: str


def fingerprint(path: Path) -> FileFingerprint:
    """Encoding, BOM, size and SHA-256 of a file; Windows-1252 only when it is not valid UTF-8."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8_ok = True
    size = 0
    bom = False
    with path.open("rb") as handle:
        first = True
        while block := handle.read(_BLOCK):
            digest.update(block)
            size += len(block)
            if first:
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
    if utf8_ok:
        return FileFingerprint(path, "utf-8", bom, size, digest.hexdigest())
    _check_cp1252(path)
    return FileFingerprint(path, "cp1252", False, size, digest.hexdigest())


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


def transcode_to_utf8(source: Path, encoding: str, target: Path) -> Path:
    """Write a UTF-8 copy of a file (DuckDB's CSV reader knows UTF-8, not Windows-1252)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    with source.open("rb") as src, target.open("w", encoding="utf-8", newline="") as dst:
        while block := src.read(_BLOCK):
            dst.write(decoder.decode(block))
        dst.write(decoder.decode(b"", final=True))
    return target


def read_header(path: Path, encoding: str) -> list[str] | None:
    """The header's column names (trimmed, lower case), or None for an empty file."""
    with path.open("rb") as handle:
        raw = handle.readline(1 << 16)
    if not raw.strip(b"\r\n\t \xef\xbb\xbf"):
        return None
    text = raw.decode(encoding, errors="replace").lstrip("\ufeff").rstrip("\r\n")
    return [name.strip().strip('"').strip().lower() for name in text.split(";")]
