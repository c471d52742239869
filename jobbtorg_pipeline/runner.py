"""Run every asset once as a Dagster run recorded in the instance, and say plainly how it went."""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import sys
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

import dagster as dg

from jobbtorg_pipeline.failures import problems
from jobbtorg_pipeline.instance import ensure_dagster_home
from jobbtorg_pipeline.settings import Settings


@dataclass
class RunOutcome:
    success: bool
    run_id: str
    problems: list[str] = field(default_factory=list)


PID_TAG = "jobbtorg/pid"
HOST_TAG = "jobbtorg/host"
IN_PROGRESS = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]


def _process_gone(run: dg.DagsterRun) -> bool:
    """A run started by `jobbtorg run` on this machine whose process no longer exists (it was killed)."""
    pid, host = run.tags.get(PID_TAG), run.tags.get(HOST_TAG)
    if not pid or host != socket.gethostname():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def wait_for_other_runs(instance: dg.DagsterInstance, job_name: str, *, poll: float = 5.0) -> None:
    """Let a run in progress on this instance finish first: runs write the same warehouse.

    Runs from the UI and the daemon queue behind this one by the instance's run queue; this is the same
    courtesy the other way. A run left behind by a killed `jobbtorg run` is marked failed, not waited for.
    """
    announced = set()
    while True:
        active = []
        for run in instance.get_runs(filters=dg.RunsFilter(job_name=job_name, statuses=IN_PROGRESS)):
            if _process_gone(run):
                instance.report_run_failed(run, "the process of this run is gone (it was killed)")
                # and the pool slots it held, or every later step would wait for them for ever
                instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
            else:
                active.append(run)
        if not active:
            return
        for run in active:
            if run.run_id not in announced:
                print(
                    f"jobbtorg: waiting for run {run.run_id} ({run.status.value}) to finish", file=sys.stderr
                )
                announced.add(run.run_id)
        time.sleep(poll)


def describe_failures(result: dg.ExecuteInProcessResult) -> list[str]:
    found = [str(p) for p in problems(result.all_events)]
    if found:
        found.append("the steps after it were not run; the full log is in the Dagster UI")
    return found


def run_all(
    settings: Settings, *, instance: dg.DagsterInstance | None = None, select: str | None = None
) -> RunOutcome:
    """Every asset once (or those `select` names, in Dagster's selection syntax), in this process;
    progress lines on stderr, the full log in the instance."""
    from jobbtorg_pipeline.definitions import ALL_ASSETS_JOB, build_definitions

    defs = build_definitions(settings)
    job = defs.resolve_job_def(ALL_ASSETS_JOB)
    keys = None
    if select:
        with warnings.catch_warnings():  # the selection parser warns that a parameter is in beta
            warnings.simplefilter("ignore")
            keys = sorted(dg.AssetSelection.from_string(select).resolve(defs.resolve_asset_graph()))
        if not keys:
            raise ValueError(f"--select {select!r} matches no asset")
    with warehouse_lock(settings):
        return _execute(settings, job, keys, instance)


@contextlib.contextmanager
def warehouse_lock(settings: Settings) -> Iterator[None]:
    """One `jobbtorg run` at a time on a warehouse, across processes: an OS lock held from the check for
    other runs to the end of this one (without it, two runs started together both see nothing running)."""
    settings.internal_dir.mkdir(parents=True, exist_ok=True)
    with (settings.internal_dir / "korning.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("jobbtorg: waiting for another jobbtorg run on this warehouse to finish", file=sys.stderr)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _execute(
    settings: Settings,
    job: dg.JobDefinition,
    keys: list[dg.AssetKey] | None,
    instance: dg.DagsterInstance | None,
) -> RunOutcome:
    owned = instance is None
    if instance is None:
        ensure_dagster_home(settings)
        instance = dg.DagsterInstance.get()
    try:
        wait_for_other_runs(instance, job.name)
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"progress": {}}},
            tags={"jobbtorg/started_by": "cli", PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()},
            asset_selection=keys,
        )
    finally:
        if owned:
            instance.dispose()
    return RunOutcome(result.success, result.run_id, [] if result.success else describe_failures(result))
