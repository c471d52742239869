"""What a delivery is, in names, sizes and modification times: the one description that the sensor
`ny_leverans` watches and that each run records of what it read, so that the sensor can tell a delivery a
successful run has already read (whoever started it) from a new one.
"""

from __future__ import annotations

import time
from pathlib import Path

from jobbtorg_pipeline.settings import DEFAULTS, Settings
from jobbtorg_pipeline.sources.contract import settling
from jobbtorg_pipeline.sources.files import CASE_SYSTEM_DIR, PAYMENTS_DIR, SourceError, find_snapshot


def payment_fingerprints(source_dir: Path) -> dict[str, list[int]]:
    """Every payment file's `[size, mtime_ns]` by name: cheap, however large the files."""
    folder = source_dir / PAYMENTS_DIR
    if not folder.is_dir():
        return {}
    found = {}
    for path in sorted(folder.glob("*.csv")):
        stat = path.stat()
        found[path.name] = [stat.st_size, stat.st_mtime_ns]
    return found


def source_state(
    source_dir: Path, *, settle_seconds: float = DEFAULTS["settle_seconds"], now: float | None = None
):
    """What the source holds now, and what is still changing.

    Returns the state (the newest complete snapshot and every payment file's size and mtime) and the
    files changed less than `settle_seconds` ago, under the case system's folder or among the payment
    files: deliveries still being written.
    """
    now = time.time() if now is None else now
    try:
        snapshot = find_snapshot(source_dir).path.name
    except SourceError:
        snapshot = None
    payments = payment_fingerprints(source_dir)
    pending = [
        f"{PAYMENTS_DIR}/{name}"
        for name, (_, mtime_ns) in payments.items()
        if settling(mtime_ns / 1e9, settle_seconds, now)
    ]
    cases = source_dir / CASE_SYSTEM_DIR
    if cases.is_dir():
        for path in sorted(cases.glob("*/*")):
            if path.is_file() and settling(path.stat().st_mtime, settle_seconds, now):
                pending.append(f"{CASE_SYSTEM_DIR}/{path.parent.name}/{path.name}")
    return {"snapshot": snapshot, "payments": payments}, pending


LEVERANS = "leverans"  # the metadata key under which a raw asset records the delivery it read


def read_record(settings: Settings, **read: object) -> dict[str, object]:
    """What a run read, as recorded on its raw assets (the file connector only): compared with
    `source_state` by the sensor. Payment fingerprints are taken before the files are read, so a file
    changed while the run read it never looks read."""
    return {"source": str(settings.source_dir), **read}


def changes(before: dict[str, object], now: dict[str, object]) -> list[str]:
    """What is new since `before`, in words, for the run's tags and the log."""
    found = []
    if now["snapshot"] != before.get("snapshot"):
        found.append(f"snapshot {now['snapshot']}")
    old_payments = before.get("payments") or {}
    for name, fingerprint in now["payments"].items():  # type: ignore[union-attr]
        if name not in old_payments:
            found.append(f"new {name}")
        elif old_payments[name] != fingerprint:  # type: ignore[index]
            found.append(f"re-delivered {name}")
    return found
