"""Start a run when a new extract arrives: a new complete snapshot folder, or a new or re-delivered
payment file.

The sensor looks only at names, sizes and modification times (cheap, however large the files), and only
at complete snapshots (`_SUCCESS`) and at payment files that have not changed for a while (a file still
being copied is not a delivery yet). The run key is derived from that state, so the same delivery never
starts two runs, even if the cursor were lost.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import dagster as dg

from jobbtorg_pipeline.resources import JobbtorgResource
from jobbtorg_pipeline.settings import Settings
from jobbtorg_pipeline.sources.files import PAYMENTS_DIR, SourceError, find_snapshot

SETTLE_SECONDS = 30  # a payment file unchanged this long is taken to be delivered in full


def source_state(source_dir: Path, *, now: float | None = None) -> dict[str, object]:
    """What the source holds now: the newest complete snapshot and the settled payment files."""
    now = time.time() if now is None else now
    try:
        snapshot = find_snapshot(source_dir).path.name
    except SourceError:
        snapshot = None
    payments: dict[str, list[int]] = {}
    folder = source_dir / PAYMENTS_DIR
    if folder.is_dir():
        for path in sorted(folder.glob("*.csv")):
            stat = path.stat()
            if now - stat.st_mtime >= SETTLE_SECONDS:
                payments[path.name] = [stat.st_size, stat.st_mtime_ns]
    return {"snapshot": snapshot, "payments": payments}


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


def new_extract_sensor(job_name: str, settings: Settings) -> dg.SensorDefinition:
    @dg.sensor(
        name="ny_leverans",
        job_name=job_name,
        minimum_interval_seconds=settings.sensor_interval,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Starts a run when a new complete snapshot or a new or re-delivered payment file "
        "appears in the source folder (the file connector only; PostgreSQL is read by the nightly run).",
    )
    def ny_leverans(context: dg.SensorEvaluationContext, jobbtorg: JobbtorgResource):
        settings = jobbtorg.settings
        if settings.source_kind != "files":
            return dg.SkipReason("the case system is read from PostgreSQL; the nightly schedule pulls it")
        state = source_state(settings.source_dir)
        if state["snapshot"] is None:
            return dg.SkipReason(f"no complete snapshot in {settings.source_dir} yet")
        before = json.loads(context.cursor) if context.cursor else {}
        new = changes(before, state)
        if not new:
            return dg.SkipReason("no new delivery")
        canonical = json.dumps(state, sort_keys=True)
        context.update_cursor(canonical)
        context.log.info(f"new delivery: {'; '.join(new)}")
        return dg.RunRequest(
            run_key=hashlib.sha256(canonical.encode()).hexdigest()[:20],
            tags={"jobbtorg/trigger": "ny leverans", "jobbtorg/leverans": "; ".join(new)[:200]},
        )

    return ny_leverans
