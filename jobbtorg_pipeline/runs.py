"""Runs left behind by a killed `jobbtorg run`: the one place that clears them, and says who runs what.

Used by `jobbtorg run` (before it runs) and by the daemon's sensor `dodade_korningar`: a run started by
`jobbtorg run` whose process is gone (kill -9, out of memory, a reboot) is marked failed with the reason,
which raises the normal alert. Dagster's run monitoring does not look at such runs (they have no run
worker), so without this they would stay STARTED and hold the daemon's run queue (one run at a time).
The DuckDB pool is held per run (dagster.yaml), so a killed run leaves no pool slot behind.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import dagster as dg

STARTED_BY_TAG = "jobbtorg/started_by"
PID_TAG = "jobbtorg/pid"
HOST_TAG = "jobbtorg/host"
CLI = "cli"
IN_PROGRESS = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]


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
    reason (the run-failure sensor then raises the alert)."""
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
        failed.append(current)
    return failed


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
