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

import dagster as dg

from jobbtorg_pipeline.resources import JobbtorgResource
from jobbtorg_pipeline.settings import DEFAULTS, Settings
from jobbtorg_pipeline.sources.leverans import LEVERANS, changes, read_record, source_state

SETTLE_SECONDS = DEFAULTS["settle_seconds"]  # the default of JOBBTORG_SETTLE_SECONDS


RAW_KEYS = {"snapshot": ["raw", "inskrivningar"], "payments": ["raw", "utbetalningar"]}
FINISHED_WELL = dg.DagsterRunStatus.SUCCESS


def last_read(
    instance: dg.DagsterInstance | None, settings: Settings
) -> tuple[dict[str, object], str] | None:
    """The delivery the latest runs read from this source folder, and which runs: or None.

    Each raw asset's latest materialisation records what it read (the snapshot; the payment files with
    their sizes and times). It counts when its run succeeded (the demo's, `jobbtorg run`'s, one from the
    UI or this sensor alike) or is still going (its outcome is awaited, not duplicated); a failed or
    blocked run's delivery stays new.
    """
    if instance is None:
        return None
    state: dict[str, object] = {}
    runs: dict[str, dg.DagsterRun] = {}
    for part, key in RAW_KEYS.items():
        event = instance.get_latest_materialization_event(dg.AssetKey(key))
        if event is None or event.asset_materialization is None:
            return None
        recorded = event.asset_materialization.metadata.get(LEVERANS)
        if not isinstance(recorded, dg.JsonMetadataValue) or not isinstance(recorded.data, dict):
            return None
        if recorded.data.get("source") != read_record(settings)["source"] or part not in recorded.data:
            return None
        run = instance.get_run_by_id(event.run_id)
        if run is None or not (run.status == FINISHED_WELL or not run.is_finished):
            return None
        state[part] = recorded.data[part]
        runs[run.run_id] = run
    who = ", ".join(
        f"{run.run_id[:8]} ({'succeeded' if run.status == FINISHED_WELL else 'still running'})"
        for _, run in sorted(runs.items())
    )
    return state, who


def _instance(context: dg.SensorEvaluationContext) -> dg.DagsterInstance | None:
    try:
        return context.instance
    except dg.DagsterInvariantViolationError:  # a test context built without an instance
        return None


def new_extract_sensor(job_name: str, settings: Settings) -> dg.SensorDefinition:
    @dg.sensor(
        name="ny_leverans",
        job_name=job_name,
        minimum_interval_seconds=settings.sensor_interval,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Starts one run when a new complete snapshot and/or new or re-delivered payment files "
        "have arrived in the source folder and nothing there has changed for JOBBTORG_SETTLE_SECONDS (the "
        "file connector only; PostgreSQL is read by the nightly run). A delivery that a successful run has "
        "already read, whoever started it (the demo, `jobbtorg run`, the UI), is not new.",
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
        read = last_read(_instance(context), settings)
        if read:  # new only what neither this sensor's runs nor the latest successful run has read
            not_requested = {what.split()[-1] for what in new}  # a snapshot's or a file's name
            new = [what for what in changes(read[0], state) if what.split()[-1] in not_requested]
            if not new:
                if "still running" not in read[1]:
                    context.update_cursor(canonical)  # seen: the next tick says "no new delivery" at once
                return dg.SkipReason(
                    f"the delivery in {settings.source_dir} was already read by run {read[1]}"
                )
        context.update_cursor(canonical)
        context.log.info(f"new delivery: {'; '.join(new)}")
        return dg.RunRequest(
            run_key=hashlib.sha256(canonical.encode()).hexdigest()[:20],
            tags={"jobbtorg/trigger": "ny leverans", "jobbtorg/leverans": "; ".join(new)[:200]},
        )

    return ny_leverans
