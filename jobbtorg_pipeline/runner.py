"""Run every asset once as a Dagster run recorded in the instance, and say plainly how it went.

Before it starts, a run waits, saying for what at least every REPORT_EVERY seconds: for another
`jobbtorg run` on the same warehouse (an OS lock) and for a run in progress on the instance (from the
daemon, the UI or another machine's CLI), the rule the run queue applies to theirs. While it waits it
clears what killed runs left behind (runs.py). SIGTERM or SIGINT stop it cleanly at any point of the
wait, and while it runs (Dagster then fails the step that was running).

The DuckDB pool is held per run (dagster.yaml's `concurrency.pools.granularity: run`): no step waits
for a slot, so nothing inside the run waits, frees or is interrupted but Dagster's own steps.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

import dagster as dg

from jobbtorg_pipeline import oslock, runs
from jobbtorg_pipeline.failures import problems
from jobbtorg_pipeline.instance import InstanceError, ensure_dagster_home, open_instance
from jobbtorg_pipeline.settings import Settings
from jobbtorg_pipeline.warehouse import ensure_folder, kept_open

REPORT_EVERY = 30.0  # seconds: how often a waiting `jobbtorg run` says what it still waits for
POLL = 2.0  # seconds between looks while waiting


@dataclass
class RunOutcome:
    success: bool
    run_id: str
    problems: list[str] = field(default_factory=list)


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGINT reached `jobbtorg run` before its run started (while it ran, Dagster holds them
    and fails the step it was in)."""

    def __init__(self, signum: int, waiting_for: str = "") -> None:
        super().__init__(signum)
        self.signum = signum
        self.waiting_for = waiting_for

    @property
    def signal_name(self) -> str:
        return signal.Signals(self.signum).name


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """SIGTERM and SIGINT raise Stopped in the main thread (Dagster replaces these handlers while it runs
    steps and restores them afterwards)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, _frame: object) -> None:
        raise Stopped(signum)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


class Reporter:
    """Says what a run waits for: at once, then again every `every` seconds while it is the same."""

    def __init__(self, every: float = REPORT_EVERY, write: Callable[[str], None] | None = None) -> None:
        self.every = every
        self.write = write or (lambda line: print(f"jobbtorg: {line}", file=sys.stderr, flush=True))
        self._since: dict[str, float] = {}
        self._said: dict[str, float] = {}
        self.current = ""

    def __call__(self, key: str, message: str) -> None:
        self.current = message
        now = time.monotonic()
        since = self._since.setdefault(key, now)
        if key not in self._said or now - self._said[key] >= self.every:
            self._said[key] = now
            self.write(f"waiting {message} ({now - since:.0f} s so far)")


@contextlib.contextmanager
def warehouse_lock(settings: Settings, report: Reporter | None = None, poll: float = 1.0) -> Iterator[None]:
    """One `jobbtorg run` at a time on a warehouse, across processes: an OS lock held from the check for
    other runs to the end of this one (without it, two runs started together both see nothing running).
    The holder writes its pid into the lock file, so a waiting run can say whom it waits for."""
    report = report or Reporter()
    ensure_folder(settings.warehouse_dir)  # a clear message when a file is in the way
    settings.internal_dir.mkdir(exist_ok=True)

    def waiting(holder: str) -> None:
        holder = holder or "a process that has not yet said which"
        report(f"lock {holder}", f"for another jobbtorg run on this warehouse to finish ({holder})")

    me = (
        f"jobbtorg run, pid {os.getpid()} on {socket.gethostname()}, "
        f"since {datetime.now().astimezone().isoformat(timespec='seconds')}"
    )
    with oslock.hold(settings.internal_dir / "korning.lock", holder=me, waiting=waiting, poll=poll):
        yield


def wait_for_other_runs(
    instance: dg.DagsterInstance, report: Reporter | None = None, *, poll: float = POLL
) -> None:
    """Let what is in progress on this instance finish first: runs write the same warehouse.

    Runs from the UI and the daemon queue behind this one by the instance's run queue; this is the same
    courtesy the other way. A run left behind by a killed `jobbtorg run` is marked failed, not waited for.
    """
    report = report or Reporter()
    while True:
        runs.fail_runs_of_dead_processes(instance)
        active = instance.get_runs(filters=dg.RunsFilter(statuses=runs.IN_PROGRESS))
        if not active:
            return
        run = active[-1]  # the oldest
        report(run.run_id, f"for {runs.describe(run)} to finish")
        time.sleep(poll)


def check_pool_per_run(instance: dg.DagsterInstance) -> None:
    """The instance must hold the DuckDB pool per run, as the packaged dagster.yaml does: held per step,
    the slot of a step killed with its run stays claimed, and every later step would wait for it."""
    granularity = instance.get_concurrency_config().pool_config.pool_granularity
    if granularity is None or granularity.value != "run":
        raise InstanceError(
            f"The Dagster instance in {instance.root_directory} holds pools step by step: its dagster.yaml "
            "lacks `granularity: run` under `concurrency: pools:`. Add it, or write the packaged file again "
            "with `jobbtorg init-home --force` (`--force --postgres` for production). Nothing was run."
        )


def describe_failures(result: dg.ExecuteInProcessResult) -> list[str]:
    found = [str(p) for p in problems(result.all_events)]
    if found:
        found.append("the steps after it were not run; the full log is in the Dagster UI")
    return found


def run_all(
    settings: Settings,
    *,
    instance: dg.DagsterInstance | None = None,
    select: str | None = None,
    report: Reporter | None = None,
) -> RunOutcome:
    """Every asset once (or those `select` names, in Dagster's selection syntax), in this process;
    progress lines on stderr, the full log in the instance."""
    from jobbtorg_pipeline.definitions import ALL_ASSETS_JOB, build_definitions

    defs = build_definitions(settings)
    job = defs.resolve_job_def(ALL_ASSETS_JOB)
    keys = selected_keys(defs, select) if select else None
    report = report or Reporter()
    with stop_on_signals():
        try:
            with warehouse_lock(settings, report):
                return _execute(settings, job, keys, instance, report)
        except Stopped as stopped:
            stopped.waiting_for = report.current
            raise


def selected_keys(defs: dg.Definitions, select: str) -> list[dg.AssetKey]:
    """The assets `select` names (Dagster's selection syntax); ValueError, in words, when it names none."""
    with warnings.catch_warnings():  # the selection parser warns that a parameter is in beta
        warnings.simplefilter("ignore")
        try:
            # a step that writes a mart writes its breakdown too (one SQL model): selected together
            selection = dg.AssetSelection.from_string(select).required_multi_asset_neighbors()
            keys = sorted(selection.resolve(defs.resolve_asset_graph()))
        except dg.DagsterError as exc:  # Dagster's own words, without its traceback
            raise ValueError(f"--select {select!r} cannot be used: {exc}") from exc
    if not keys:
        raise ValueError(f"--select {select!r} matches no asset")
    return keys


def _execute(
    settings: Settings,
    job: dg.JobDefinition,
    keys: list[dg.AssetKey] | None,
    instance: dg.DagsterInstance | None,
    report: Reporter,
) -> RunOutcome:
    owned = instance is None
    if instance is None:
        instance = open_instance(ensure_dagster_home(settings))
    try:
        check_pool_per_run(instance)
        wait_for_other_runs(instance, report)
        report.current = ""
        run_id = str(uuid.uuid4())  # chosen before the run, so that a stop can end it
        try:
            with kept_open(settings):  # the internal file opened once for the run, not once a step
                result = job.execute_in_process(
                    instance=instance,
                    raise_on_error=False,
                    run_config={"loggers": {"progress": {}}},
                    tags=runs.cli_tags(),
                    asset_selection=keys,
                    run_id=run_id,
                )
        except KeyboardInterrupt:
            _record_stop(instance, run_id, report.current)
            raise
    finally:
        if owned:
            instance.dispose()
    return RunOutcome(result.success, result.run_id, [] if result.success else describe_failures(result))


def _record_stop(instance: dg.DagsterInstance, run_id: str, waiting_for: str) -> None:
    """A run stopped by a signal must not stay in progress: mark it cancelled."""
    with contextlib.suppress(Exception):
        run = instance.get_run_by_id(run_id)
        if run is not None and run.status in (*runs.IN_PROGRESS, dg.DagsterRunStatus.NOT_STARTED):
            reason = "jobbtorg run was stopped (SIGTERM or SIGINT)"
            instance.report_run_canceled(
                run, reason + (f" while waiting {waiting_for}" if waiting_for else "")
            )
