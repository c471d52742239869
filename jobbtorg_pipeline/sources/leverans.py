"""What the source folder delivers (docs/source-files.md): the newest complete snapshot of the case system
and one delivery per payment month, found by their names; and what a delivery is in names, sizes and
modification times, the one description that the sensor `ny_leverans` watches and that each run records
of what it read, so that the sensor can tell a delivery a successful run has already read (whoever
started it) from a new one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from jobbtorg_pipeline.settings import DEFAULTS, Settings
from jobbtorg_pipeline.sources.contract import (
    CASE_SYSTEM_DIR,
    PAYMENT_FILE_RULE,
    PAYMENTS_DIR,
    SNAPSHOT_FILES,
    SNAPSHOT_FOLDER,
    SUCCESS_MARKER,
    payment_file,
    settling,
)

UNKNOWN_NAME = "okänt filnamn"


class SourceError(RuntimeError):
    """There is no extract to read (no source folder, no complete snapshot): the run stops at once.

    A file that is there but cannot be read is not an error here: it is recorded with its problem in
    `raw.filer`, and the blocking check `filer_lasbara` stops the run with that reason.
    """


@dataclass(frozen=True)
class Snapshot:
    path: Path
    uttagsdatum: date
    skipped: tuple[tuple[str, str], ...] = ()  # (folder, why it was not used)
    previous: Path | None = None  # the complete snapshot before it: the truncation check's baseline
    unknown: tuple[str, ...] = ()  # files in the snapshot folder that are not extract files: not read


@dataclass(frozen=True)
class PaymentDelivery:
    path: Path
    manad: str  # YYYY-MM, the payment month the file delivers
    superseded: tuple[Path, ...] = ()  # earlier deliveries of the same month, replaced by this one


def find_snapshot(source_dir: Path) -> Snapshot:
    """The newest snapshot folder holding `_SUCCESS`; its name is the uttagsdatum."""
    root = source_dir / CASE_SYSTEM_DIR
    if not root.is_dir():
        raise SourceError(
            f"No case-system folder at {root}. Point JOBBTORG_SOURCE (or --source) at a source laid out "
            "as in docs/source-files.md, or make one with `jobbtorg generate --out DIR`."
        )
    complete: list[tuple[date, Path]] = []
    skipped: list[tuple[str, str]] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        when = _parse_date(folder.name) if SNAPSHOT_FOLDER.match(folder.name) else None
        if when is None:
            skipped.append((folder.name, "namnet är inte ett datum YYYY-MM-DD"))
        elif not (folder / SUCCESS_MARKER).exists():
            skipped.append((folder.name, "ofullständig: saknar _SUCCESS"))
        else:
            complete.append((when, folder))
    if not complete:
        raise SourceError(f"No complete snapshot (a folder with {SUCCESS_MARKER}) under {root}.")
    complete.sort()
    uttagsdatum, path = complete[-1]
    previous = complete[-2][1] if len(complete) > 1 else None
    unknown = tuple(
        f"{CASE_SYSTEM_DIR}/{path.name}/{p.name}"
        for p in sorted(path.iterdir())
        if p.name not in SNAPSHOT_FILES
    )
    return Snapshot(path, uttagsdatum, tuple(skipped), previous, unknown)


@dataclass(frozen=True)
class UnderDelivery:
    """A payment file changed so recently that it may still be being copied: not read this time."""

    path: Path
    manad: str
    age: float  # seconds since it last changed


def payment_deliveries(
    source_dir: Path, *, settle_seconds: float = 0, now: float | None = None
) -> tuple[list[PaymentDelivery], list[tuple[str, str]], list[UnderDelivery]]:
    """One delivery per payment month; a re-delivered month replaces the earlier delivery as a whole.

    Which names are deliveries is the rule in `sources/contract.py` (`payment_file`): a re-delivery
    overwrites the month's file or arrives beside it numbered (`utbetalningar_2019-09_2.csv`); the highest
    number wins and the others are recorded as replaced, not read. Any other name (a copy with another
    suffix, another case, a folder) is an unknown file: listed, never read.

    A file changed less than `settle_seconds` ago may be half copied: it is left out (returned as under
    delivery) and the month's newest settled delivery, if any, is read instead; the next run reads it.
    """
    root = source_dir / PAYMENTS_DIR
    if not root.is_dir():
        return [], [], []  # no payments delivered yet: the payment-based marts say so by their coverage
    now = time.time() if now is None else now
    by_month: dict[str, list[tuple[int, Path]]] = {}
    skipped: list[tuple[str, str]] = []
    unsettled: list[UnderDelivery] = []
    for path in sorted(root.iterdir()):
        delivery = payment_file(path.name) if path.is_file() else None
        if delivery is None:
            skipped.append((path.name, f"{UNKNOWN_NAME}: en leverans heter {PAYMENT_FILE_RULE}"))
            continue
        month, number = delivery
        mtime = path.stat().st_mtime
        if settling(mtime, settle_seconds, now):
            unsettled.append(UnderDelivery(path, month, max(now - mtime, 0.0)))
            continue
        by_month.setdefault(month, []).append((number, path))
    deliveries = []
    for month in sorted(by_month):
        ranked = [p for _, p in sorted(by_month[month])]
        deliveries.append(PaymentDelivery(path=ranked[-1], manad=month, superseded=tuple(ranked[:-1])))
    return deliveries, skipped, unsettled


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


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
