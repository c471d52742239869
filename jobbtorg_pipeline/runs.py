"""Runs left behind, and who holds what: the one place that clears a killed run's traces.

Used by `jobbtorg run` (before and while it runs) and by the daemon's sensor `dodade_korningar`:

- a run started by `jobbtorg run` whose process is gone (kill -9, out of memory, a reboot) is marked
  failed with the reason, which raises the normal alert, and its pool slots are freed; Dagster's run
  monitoring does not look at such runs (they have no run worker), so without this they stay STARTED
  and hold the daemon's run queue (one run at a time);
- pool slots still claimed by a run that has ended (its worker was killed in the middle of a step) are
  freed `run_monitoring.free_slots_after_run_end_seconds` after its end, as the daemon's monitoring
  does; `jobbtorg run` does it too, so it never waits for ever on a dead run's slot.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from jobbtorg_pipeline.resources import DUCKDB_POOL

STARTED_BY_TAG = "jobbtorg/started_by"
PID_TAG = "jobbtorg/pid"
HOST_TAG = "jobbtorg/host"
CLI = "cli"
IN_PROGRESS = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]
# when dagster.yaml does not set it, or sets 0 (both of ours set 30; without it Dagster frees nothing and
# a dead run's slot would be held for ever): `jobbtorg run` still frees such slots this long after the end
DEFAULT_FREE_SLOTS_AFTER = 30


def cli_tags() -> dict[str, str]:
    """The tags of a run started by `jobbtorg run` in this process: who, which process, on which host."""
    return {STARTED_BY_TAG: CLI, PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def _process_started(pid: int) -> float | None:
    """When process `pid` started (seconds since the epoch), from /proc on Linux; None if unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        boot = next(
            float(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
        return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError, StopIteration):
        return None


def process_gone(run: dg.DagsterRun, started: float | None = None) -> bool:
    """A run started by `jobbtorg run` on this machine whose process no longer exists (it was killed). With
    `started` (the run's creation time), a process with the same pid that started later (the pid was
    reused, as after a reboot) does not count as the run's."""
    pid, host = run.tags.get(PID_TAG), run.tags.get(HOST_TAG)
    if not pid or host != socket.gethostname():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, ValueError, OverflowError):
        return False
    since = _process_started(int(pid))
    return started is not None and since is not None and since > started + 2  # clock ticks are coarse


def dead_process_reason(run: dg.DagsterRun) -> str:
    return (
        f"the process of this run (jobbtorg run, pid {run.tags.get(PID_TAG)} on {run.tags.get(HOST_TAG)}) "
        "is gone: it was killed (kill -9, out of memory or a reboot) before the run ended"
    )


def fail_runs_of_dead_processes(instance: dg.DagsterInstance) -> list[dg.DagsterRun]:
    """Mark every unfinished `jobbtorg run` run of this machine whose process is gone as failed, with the
    reason (the run-failure sensor then raises the alert), and free the pool slots it held."""
    failed = []
    records = instance.get_run_records(
        filters=dg.RunsFilter(statuses=IN_PROGRESS, tags={STARTED_BY_TAG: CLI})
    )
    for record in records:
        run = record.dagster_run
        if not process_gone(run, record.create_timestamp.timestamp()):
            continue
        current = instance.get_run_by_id(run.run_id)  # another cleaner may have been first
        if current is None or current.status not in IN_PROGRESS:
            continue
        instance.report_run_failed(current, dead_process_reason(current))
        if instance.event_log_storage.supports_global_concurrency_limits:
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        failed.append(current)
    return failed


def free_slots_after(instance: dg.DagsterInstance) -> int:
    """Seconds after a run's end at which its leftover pool slots are freed (dagster.yaml's
    run_monitoring.free_slots_after_run_end_seconds)."""
    settings = instance.run_monitoring_settings or {}
    value = settings.get("free_slots_after_run_end_seconds")
    return int(value) if value else DEFAULT_FREE_SLOTS_AFTER


def free_slots_of_finished_runs(instance: dg.DagsterInstance, *, now: float | None = None) -> list[str]:
    """Free the pool slots still held by runs that ended at least `free_slots_after` seconds ago, or that
    are no longer in the run history; the ids of the runs whose slots were freed."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return []
    run_ids = storage.get_concurrency_run_ids()
    if not run_ids:
        return []
    now = time.time() if now is None else now
    after = free_slots_after(instance)
    records = {
        r.dagster_run.run_id: r for r in instance.get_run_records(dg.RunsFilter(run_ids=list(run_ids)))
    }
    freed = []
    for run_id in sorted(run_ids):
        record = records.get(run_id)
        if record is not None:
            if not record.dagster_run.is_finished:
                continue
            ended = record.end_time or record.update_timestamp.timestamp()
            if ended + after > now:
                continue
        storage.free_concurrency_slots_for_run(run_id)
        freed.append(run_id)
    return freed


def describe(run: dg.DagsterRun) -> str:
    """`run 1a2b… (STARTED, nightly schedule natt)`: a run as a person at a terminal needs to know it."""
    tags = run.tags
    if tags.get(STARTED_BY_TAG) == CLI:
        origin = f"jobbtorg run, pid {tags.get(PID_TAG)} on {tags.get(HOST_TAG)}"
    elif tags.get("dagster/schedule_name"):
        origin = f"schedule {tags['dagster/schedule_name']}"
    elif tags.get("dagster/sensor_name"):
        origin = f"sensor {tags['dagster/sensor_name']}"
    else:
        origin = "the Dagster UI"
    return f"run {run.run_id} ({run.status.value}, started by {origin})"


@dataclass(frozen=True)
class Holder:
    """A pool slot's holder: the run (None when it is no longer in the run history) and the step."""

    run_id: str
    run: dg.DagsterRun | None
    step_key: str

    def __str__(self) -> str:
        who = describe(self.run) if self.run else f"run {self.run_id} (not in the run history)"
        return f"{who}, step {self.step_key}"


def pool_holders(instance: dg.DagsterInstance, *, but: str | None = None) -> list[Holder]:
    """Who holds the slots of the DuckDB pool now (every run but `but`)."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return []
    info = storage.get_concurrency_info(DUCKDB_POOL)
    # a slot is held once claimed, and already promised once assigned to a queued step
    held = [(c.run_id, c.step_key) for c in info.claimed_slots]
    held += [(p.run_id, p.step_key) for p in info.pending_steps if p.assigned_timestamp is not None]
    found = list(dict.fromkeys((run_id, step) for run_id, step in held if run_id != but))
    return [Holder(run_id, instance.get_run_by_id(run_id), step) for run_id, step in found]


def waits_for_pool(instance: dg.DagsterInstance, run_id: str) -> bool:
    """Is a step of this run queued for a slot of the DuckDB pool (not yet given one)?"""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return False
    pending = storage.get_concurrency_info(DUCKDB_POOL).pending_steps
    return any(p.run_id == run_id and p.assigned_timestamp is None for p in pending)
