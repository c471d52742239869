"""Start a run when a new extract arrives: a new complete snapshot folder, or a new or re-delivered
payment file.

The sensor looks only at names, sizes and modification times (cheap, however large the files). A
delivery counts once it is whole: a snapshot once it has `_SUCCESS`, and every file once nothing in the
source folder has changed for `JOBBTORG_SETTLE_SECONDS` (a file still being copied is not a delivery
yet). While anything is still changing the sensor waits, so a snapshot and the payment files delivered
with it start one run together. The run key is derived from the settled state, so the same delivery
never starts two runs, even if the cursor were lost.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import dagster as dg

from jobbtorg_pipeline.resources import JobbtorgResource
from jobbtorg_pipeline.settings import DEFAULT_SETTLE_SECONDS, Settings
from jobbtorg_pipeline.sources.files import CASE_SYSTEM_DIR, PAYMENTS_DIR, SourceError, find_snapshot

SETTLE_SECONDS = DEFAULT_SETTLE_SECONDS  # the default of JOBBTORG_SETTLE_SECONDS


def source_state(source_dir: Path, *, settle_seconds: float = SETTLE_SECONDS, now: float | None = None):
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
    payments: dict[str, list[int]] = {}
    pending: list[str] = []
    folder = source_dir / PAYMENTS_DIR
    if folder.is_dir():
        for path in sorted(folder.glob("*.csv")):
            stat = path.stat()
            payments[path.name] = [stat.st_size, stat.st_mtime_ns]
            if now - stat.st_mtime < settle_seconds:
                pending.append(f"{PAYMENTS_DIR}/{path.name}")
    cases = source_dir / CASE_SYSTEM_DIR
    if cases.is_dir():
        for path in sorted(cases.glob("*/*")):
            if path.is_file() and now - path.stat().st_mtime < settle_seconds:
                pending.append(f"{CASE_SYSTEM_DIR}/{path.parent.name}/{path.name}")
    return {"snapshot": snapshot, "payments": payments}, pending


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
        description="Starts one run when a new complete snapshot and/or new or re-delivered payment files "
        "have arrived in the source folder and nothing there has changed for JOBBTORG_SETTLE_SECONDS (the "
        "file connector only; PostgreSQL is read by the nightly run).",
    )
    def ny_leverans(context: dg.SensorEvaluationContext, jobbtorg: JobbtorgResource):
        settings = jobbtorg.settings
        if settings.source_kind != "files":
            return dg.SkipReason("the case system is read from PostgreSQL; the nightly schedule pulls it")
        state, pending = source_state(settings.source_dir, settle_seconds=settings.settle_seconds)
        if pending:
            shown = ", ".join(pending[:5]) + (f" and {len(pending) - 5} more" if len(pending) > 5 else "")
            return dg.SkipReason(
                f"waiting for a delivery to settle (unchanged for {settings.settle_seconds} s): {shown}"
            )
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
