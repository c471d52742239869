"""The keyed pseudonymous person key: HMAC-SHA256 of the normalised 12-digit personnummer.

The key lives outside the warehouse (environment variable or a key file in the Jobbtorg home), so the
internal database alone cannot be joined back to people, and the same key gives the same person key run
after run (frozen tertials and follow-ups line up). The HMAC is computed in DuckDB SQL over the distinct
numbers, never in a Python loop; `tests/test_pseudonym.py` checks it against Python's `hmac`.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import duckdb

from jobbtorg_pipeline.settings import ENV_PSEUDONYM_KEY, Settings

_BLOCK = 64  # SHA-256 block size in bytes


class PseudonymKeyError(RuntimeError):
    pass


def load_key(settings: Settings, *, create: bool = True) -> bytes:
    """The key from JOBBTORG_PSEUDONYM_KEY (hex), else the key file, created on first use."""
    from_env = os.environ.get(ENV_PSEUDONYM_KEY)
    if from_env:
        return _parse_hex(from_env.strip(), f"${ENV_PSEUDONYM_KEY}")
    path = settings.key_file
    if _inside(path, settings.warehouse_dir):
        raise PseudonymKeyError(
            f"The pseudonym key file {path} lies inside the warehouse {settings.warehouse_dir}; "
            "keep it apart from the data (set JOBBTORG_PSEUDONYM_KEY_FILE or JOBBTORG_HOME elsewhere)."
        )
    if path.exists():
        return _parse_hex(path.read_text().strip(), str(path))
    if not create:
        raise PseudonymKeyError(f"No pseudonym key at {path} and none in ${ENV_PSEUDONYM_KEY}.")
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key.hex() + "\n")
    return key


def _parse_hex(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text)
    except ValueError as exc:
        raise PseudonymKeyError(f"The pseudonym key in {where} is not hexadecimal.") from exc
    if len(key) < 16:
        raise PseudonymKeyError(f"The pseudonym key in {where} is shorter than 16 bytes.")
    return key


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def register_person_key_macro(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    """Define `person_key(pnr12)` for this connection only: the key is a session variable, never stored."""
    if len(key) > _BLOCK:
        import hashlib

        key = hashlib.sha256(key).digest()
    padded = key.ljust(_BLOCK, b"\0")
    ipad = bytes(b ^ 0x36 for b in padded)
    opad = bytes(b ^ 0x5C for b in padded)
    con.execute("SET VARIABLE jobbtorg_hmac_ipad = ?::BLOB", [ipad])
    con.execute("SET VARIABLE jobbtorg_hmac_opad = ?::BLOB", [opad])
    # The first 128 bits of the HMAC as an unsigned 128-bit integer: joins fast, collisions negligible.
    con.execute(
        """
        CREATE OR REPLACE TEMP MACRO person_key(pnr) AS
            ('0x' || left(sha256(getvariable('jobbtorg_hmac_opad')
                || unhex(sha256(getvariable('jobbtorg_hmac_ipad') || encode(pnr)))), 32))::UHUGEINT
        """
    )
