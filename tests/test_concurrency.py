"""A run launched as the daemon and the UI launch them, and a `jobbtorg run`, at the same time on one
warehouse and one instance: both must succeed, without a DuckDB lock error, their steps using the
internal file one at a time.

How the daemon's run is made: the test does not start `dagster-daemon` (its start, code location load,
sensor tick and queue take most of two minutes on a shared machine, and test_daemon.py already covers
that path end to end). It does exactly what the daemon's run queue does once a run's turn comes: it loads
the code location from workspace.yaml in a gRPC code server and calls `instance.launch_run`, so
Dagster's DefaultRunLauncher starts a separate run worker process (`dagster api execute_run`), as for
every run from the daemon or the UI. And it launches it while the `jobbtorg run` is in the middle of its
steps, bypassing the run queue (which would otherwise hold it back until the CLI's run ends): the hardest
case, where only the internal file's OS lock keeps the two processes' steps apart (the DuckDB pool is
held per run, by the run queue, which this launch bypasses).
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from jobbtorg_pipeline.failures import run_problems
from jobbtorg_pipeline.instance import instance_yaml
from tests.conftest import cli_env
from tests.support.processes import lines_of, next_line

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
CLI = (sys.executable, "-m", "jobbtorg_pipeline.cli")

LAUNCHER = r"""
import sys, time
import dagster as dg
from dagster._core.definitions.selector import JobSubsetSelector
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import WorkspaceFileTarget

instance = dg.DagsterInstance.get()
with WorkspaceProcessContext(instance, WorkspaceFileTarget(paths=[sys.argv[1]])) as process:
    workspace = process.create_request_context()
    location = workspace.get_code_location("jobbtorg")
    [repo] = location.get_repositories().values()
    selector = JobSubsetSelector(location_name=location.name, repository_name=repo.name,
                                 job_name="jobbtorg_alla", op_selection=None)
    job = location.get_job(selector)
    plan = location.get_execution_plan(job, {}, step_keys_to_execute=None, known_state=None,
                                       instance=instance).execution_plan_snapshot
    print("READY", flush=True)
    sys.stdin.readline()  # the test says when
    run = instance.create_run(
        job_name=job.name, run_id=None, run_config={}, resolved_op_selection=None,
        step_keys_to_execute=plan.step_keys_to_execute, op_selection=None, status=None,
        root_run_id=None, parent_run_id=None, tags={**job.tags, "jobbtorg/trigger": "ny leverans"},
        job_snapshot=job.job_snapshot, execution_plan_snapshot=plan,
        parent_job_snapshot=job.parent_job_snapshot, remote_job_origin=job.get_remote_origin(),
        job_code_origin=job.get_python_origin(), asset_selection=None, asset_check_selection=None,
        asset_graph=repo.asset_graph,
    )
    instance.launch_run(run.run_id, workspace)  # the daemon's run queue does just this
    print("LAUNCHED", run.run_id, flush=True)
    while not instance.get_run_by_id(run.run_id).is_finished:  # the code server watches its worker
        time.sleep(1)
    print("FINISHED", instance.get_run_by_id(run.run_id).status.value, flush=True)
"""


def _start_launcher(env: dict[str, str]) -> subprocess.Popen[str]:
    """The LAUNCHER script in its own process group: it says READY, launches on a line, says FINISHED."""
    return subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, str(ROOT / "workspace.yaml")],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _until(lines: queue.Queue[str | None], predicate, within: float, what: str, seen: list[str]) -> str:
    line = next_line(lines, predicate, within, seen)
    if line is None:
        raise AssertionError(f"no {what} within {within} s:\n" + "".join(seen[-40:]))
    return line


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def _step_intervals(instance: dg.DagsterInstance, run_id: str) -> dict[str, tuple[float, float]]:
    started: dict[str, float] = {}
    intervals = {}
    kinds = {
        dg.DagsterEventType.STEP_START,
        dg.DagsterEventType.STEP_SUCCESS,
        dg.DagsterEventType.STEP_FAILURE,
    }
    for record in instance.all_logs(run_id, of_type=kinds):
        event = record.dagster_event
        if event.event_type == dg.DagsterEventType.STEP_START:
            started[event.step_key] = record.timestamp
        else:
            intervals[event.step_key] = (started[event.step_key], record.timestamp)
    return intervals


ATTEMPTS = 3


def test_a_launched_run_and_a_jobbtorg_run_at_once_both_succeed_one_step_at_a_time(
    tmp_path, small_generated_source
):
    """Whether the two runs overlap depends on how fast the launched run's worker starts on a busy
    machine; an attempt where they did not proves nothing, so the race is run again (at most
    ATTEMPTS times). Every attempt must keep the steps apart and let both runs succeed."""
    interleaved = []
    for attempt in range(ATTEMPTS):
        interleaved.append(_race(tmp_path / f"forsok-{attempt}", small_generated_source))
        if interleaved[-1]:
            break
    assert any(interleaved), f"in {ATTEMPTS} attempts the two runs' steps never took turns"


def _race(tmp_path: Path, source: Path) -> bool:
    """One attempt: both runs succeed, no two steps ever run at once and no lock error appears; returns
    whether the runs overlapped and their steps took turns (the case the test is for)."""
    warehouse = tmp_path / "warehouse"
    env = cli_env(tmp_path, JOBBTORG_SOURCE=str(source), JOBBTORG_WAREHOUSE=str(warehouse))
    home = Path(env["DAGSTER_HOME"])
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text(instance_yaml("sqlite"))
    dg.DagsterInstance.from_config(str(home)).dispose()  # the instance exists, as in production

    launcher = _start_launcher(env)
    cli = None
    launched_lines, cli_lines = lines_of(launcher.stdout), None
    seen_launcher: list[str] = []
    seen_cli: list[str] = []
    try:
        _until(launched_lines, lambda line: line.startswith("READY"), 120, "code location", seen_launcher)
        cli = subprocess.Popen(
            [*CLI, "run"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        cli_lines = lines_of(cli.stderr)
        _until(cli_lines, lambda line: " > " in line, 120, "first step of jobbtorg run", seen_cli)
        launcher.stdin.write("go\n")
        launcher.stdin.flush()
        launched = _until(
            launched_lines, lambda line: line.startswith("LAUNCHED"), 60, "launch", seen_launcher
        )
        launched_id = launched.split()[1]
        _until(cli_lines, lambda line: "jobbtorg: run " in line, 240, "end of jobbtorg run", seen_cli)
        assert cli.wait(timeout=60) == 0, "".join(seen_cli[-30:])
        finished = _until(
            launched_lines, lambda line: line.startswith("FINISHED"), 240, "launched run", seen_launcher
        )
        assert finished.split()[1] == "SUCCESS", "".join(seen_launcher[-30:])
    finally:
        for process in (cli, launcher):
            if process is not None:
                _stop(process)
    cli_err = "".join(seen_cli)
    assert "lock" not in cli_err.lower(), cli_err[-3000:]
    assert "Traceback" not in cli_err

    with dg.DagsterInstance.from_config(str(home)) as instance:
        records = {r.dagster_run.run_id: r for r in instance.get_run_records()}
        assert len(records) == 2
        [cli_id] = [run_id for run_id in records if run_id != launched_id]
        assert records[cli_id].dagster_run.tags.get("jobbtorg/started_by") == "cli"
        assert {r.dagster_run.status for r in records.values()} == {dg.DagsterRunStatus.SUCCESS}
        # did they overlap (the launched run started before the CLI's run ended)? Either way no two steps
        # may use the internal file at the same moment: its OS lock keeps them apart, and a step that found
        # it held waited and said so in its run's log
        overlapped = records[launched_id].start_time < records[cli_id].end_time
        steps = [
            (start, end, run_id, key)
            for run_id in (cli_id, launched_id)
            for key, (start, end) in _step_intervals(instance, run_id).items()
        ]
        # each run ran every step of the whole pipeline (the launched run's plan names them)
        plan = instance.get_execution_plan_snapshot(
            records[launched_id].dagster_run.execution_plan_snapshot_id
        )
        every_step = set(plan.step_keys_to_execute)
        assert len(every_step) > 30
        for run_id in (cli_id, launched_id):
            assert set(_step_intervals(instance, run_id)) == every_step
        steps.sort()
        waited = {
            (run_id, r.step_key)
            for run_id in records
            for r in instance.all_logs(run_id)
            if r.user_message.startswith("waited ") and "for the internal database" in r.user_message
        }
        order = [run_id for _, _, run_id, _ in steps]
        switches = sum(a != b for a, b in pairwise(order))  # the runs' steps took turns
        messages = [
            r.dagster_event.message or "" if r.dagster_event else r.user_message
            for run_id in records
            for r in instance.all_logs(run_id)
        ]
    assert [m for m in messages if "Could not set lock" in m or "Conflicting lock" in m] == []
    with duckdb.connect(str(warehouse / "jobbtorg.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.unika_individer").fetchone()[0] > 0
    took_turns = overlapped and switches >= 2
    if took_turns:  # steps of both runs ran in between each other: the lock must have made one wait
        assert waited, "the two runs' steps took turns, and none waited for the internal database"
    return took_turns


def test_a_launched_run_killed_in_a_step_is_failed_with_its_step_and_holds_up_no_later_run(
    tmp_path, small_generated_source
):
    """kill -9 of a daemon or UI run's worker in the middle of a step (the OOM killer): Dagster's code
    server marks the run failed, the run's problem names the step and the signal, and the pool, held per
    run, is left with no slot claimed, so the next `jobbtorg run` succeeds without waiting."""
    warehouse = tmp_path / "warehouse"
    env = cli_env(tmp_path, JOBBTORG_SOURCE=str(small_generated_source), JOBBTORG_WAREHOUSE=str(warehouse))
    home = Path(env["DAGSTER_HOME"])
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text(instance_yaml("sqlite"))
    instance = dg.DagsterInstance.from_config(str(home))

    launcher = _start_launcher(env)
    seen: list[str] = []
    try:
        lines = lines_of(launcher.stdout)
        _until(lines, lambda line: line.startswith("READY"), 120, "code location", seen)
        launcher.stdin.write("go\n")
        launcher.stdin.flush()
        run_id = _until(lines, lambda line: line.startswith("LAUNCHED"), 60, "launch", seen).split()[1]

        deadline = time.monotonic() + 120
        step = None
        while step is None and time.monotonic() < deadline:  # a check that takes seconds has started
            for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_START):
                if record.dagster_event.step_key.startswith("just_raw_"):
                    step = record.dagster_event
            time.sleep(0.2)
        assert step is not None, "".join(seen)
        os.kill(step.pid, signal.SIGKILL)
        finished = _until(lines, lambda line: line.startswith("FINISHED"), 60, "the run's end", seen)
        assert finished.split()[1] == "FAILURE"
    finally:
        _stop(launcher)
    pool = instance.event_log_storage.get_concurrency_info("jobbtorg_duckdb")
    assert (pool.claimed_slots, pool.pending_steps) == ([], [])

    done = subprocess.run([*CLI, "run"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "waiting" not in done.stderr

    [problem] = run_problems(instance, run_id)
    instance.dispose()
    assert (problem.kind, problem.where) == ("step", step.step_key)
    assert "was terminated by signal 9 (SIGKILL)" in problem.reason
