"""Runs left behind and runs that wait: the pool held per run, a killed `jobbtorg run` still STARTED,
what a waiting `jobbtorg run` says and how it stops, why a killed run failed, and an instance whose
PostgreSQL does not answer.

Why: each of these once made every later run wait for ever, silently, or left the data engineers an
alert that said nothing ("the run ended FAILURE").
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.events import EngineEventData
from dagster._core.execution.plan.objects import StepSuccessData
from dagster._core.instance.config import dagster_instance_config
from dagster._utils import get_run_crash_explanation

from jobbtorg_pipeline import runner, runs
from jobbtorg_pipeline.definitions import build_definitions
from jobbtorg_pipeline.failures import Problem, problems, run_problems
from jobbtorg_pipeline.instance import InstanceError, instance_yaml
from jobbtorg_pipeline.resources import DUCKDB_POOL, JobbtorgResource
from jobbtorg_pipeline.settings import Settings
from tests.conftest import cli_env
from tests.support.pipeline import settings_for

CLI = (sys.executable, "-m", "jobbtorg_pipeline.cli")
STEP = "staging__inskrivningar"


def _home(where: Path, text: str | None = None) -> Path:
    """A Dagster home with the packaged SQLite dagster.yaml (or `text`)."""
    home = where / "dagster"
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text(text or instance_yaml("sqlite"))
    return home


def _instance(home: Path) -> dg.DagsterInstance:
    return dg.DagsterInstance.from_config(str(home))


def _event(kind: dg.DagsterEventType, job_name: str = "jobbtorg_alla", **fields) -> dg.DagsterEvent:
    """An event as Dagster records it (with the data its type requires)."""
    data = {
        dg.DagsterEventType.STEP_SUCCESS: StepSuccessData(duration_ms=1.0),
        dg.DagsterEventType.ENGINE_EVENT: EngineEventData(),
    }.get(kind)
    return dg.DagsterEvent(event_type_value=kind.value, job_name=job_name, event_specific_data=data, **fields)


def _report(instance: dg.DagsterInstance, run: dg.DagsterRun, kind: dg.DagsterEventType, **fields) -> None:
    instance.report_dagster_event(_event(kind, run.job_name, **fields), run_id=run.run_id)


def _started_run(instance: dg.DagsterInstance, tags: dict[str, str] | None = None) -> dg.DagsterRun:
    """A run as the daemon, the UI or `jobbtorg run` leaves it once started (status STARTED)."""
    run = instance.add_run(
        dg.DagsterRun(
            job_name="jobbtorg_alla",
            run_id=str(uuid.uuid4()),
            status=dg.DagsterRunStatus.NOT_STARTED,
            tags=tags or {},
        )
    )
    _report(instance, run, dg.DagsterEventType.RUN_START)
    run = instance.get_run_by_id(run.run_id)
    assert run.status == dg.DagsterRunStatus.STARTED
    return run


def _dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    return done.pid


def _cli_tags(pid: int, host: str | None = None) -> dict[str, str]:
    return {
        runs.STARTED_BY_TAG: runs.CLI,
        runs.PID_TAG: str(pid),
        runs.HOST_TAG: host or socket.gethostname(),
    }


# --- 1. the pool held per run ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_both_instance_configurations_hold_the_pool_per_run(tmp_path, kind):
    """One run at a time, the DuckDB pool held per run (no step claims a slot a killed step could keep),
    and run monitoring on: both dagster.yaml, where Dagster's schema reads them."""
    (tmp_path / "dagster.yaml").write_text(instance_yaml(kind))
    config, _ = dagster_instance_config(str(tmp_path))  # validated against Dagster's schema
    assert config["concurrency"]["runs"]["max_concurrent_runs"] == 1
    assert config["concurrency"]["pools"] == {"granularity": "run", "default_limit": 1}
    assert config["run_monitoring"]["enabled"] is True
    assert config["run_monitoring"]["poll_interval_seconds"] <= 60  # Dagster's default is 120 s


def test_a_slot_left_claimed_by_a_killed_run_holds_up_no_later_run(tmp_path, small_generated_source):
    """A run whose worker was killed in a step, on an instance that once held the pool per step, keeps that
    step's slot claimed. Held per run, the pool's slots are never asked for, so the next run goes ahead
    (held per step, its first step would wait for that slot for ever)."""
    home = Path(cli_env(tmp_path)["DAGSTER_HOME"])
    with _instance(_home(home.parent)) as instance:
        killed = _started_run(instance, {"dagster/sensor_name": "ny_leverans"})
        storage = instance.event_log_storage
        storage.initialize_concurrency_limit_to_default(DUCKDB_POOL)
        assert storage.claim_concurrency_slot(DUCKDB_POOL, killed.run_id, "arendesystem").is_claimed
        instance.report_run_failed(killed, "Run execution process was terminated by signal 9 (SIGKILL).")
    command = [*CLI, "run", "--select", "raw/inskrivningar", "--source", str(small_generated_source)]
    try:
        done = subprocess.run(command, env=cli_env(tmp_path), capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("the run waited for the killed run's slot")
    assert done.returncode == 0, done.stderr[-3000:]
    with _instance(home) as instance:
        held = instance.event_log_storage.get_concurrency_info(DUCKDB_POOL).claimed_slots
        assert [c.run_id for c in held] == [killed.run_id]  # left as it was: nothing asked for it


def test_jobbtorg_run_refuses_an_instance_that_holds_pools_step_by_step(tmp_path):
    """An instance written before the pool was held per run: `jobbtorg run` says what to change, and does
    not start a run that a leftover slot could hold up for ever."""
    older = instance_yaml("sqlite").replace("    granularity: run\n", "")
    assert "granularity" not in older
    wanted = "lacks `granularity: run` under `concurrency: pools:`"
    with _instance(_home(tmp_path, older)) as instance, pytest.raises(InstanceError, match=wanted):
        runner.check_pool_per_run(instance)
    with _instance(_home(tmp_path / "packaged")) as instance:
        runner.check_pool_per_run(instance)


def test_a_waiting_run_says_what_it_waits_for_again_and_again(tmp_path):
    """A run waiting for another must say so, and keep saying so, naming the run and who started it."""
    lines: list[str] = []
    with _instance(_home(tmp_path)) as instance:
        other = _started_run(instance, {"dagster/schedule_name": "natt"})
        waiting = threading.Thread(
            target=runner.wait_for_other_runs,
            args=(instance, runner.Reporter(every=0.3, write=lines.append)),
            kwargs={"poll": 0.1},
        )
        waiting.start()
        time.sleep(1.2)
        assert waiting.is_alive()
        _report(instance, other, dg.DagsterEventType.RUN_SUCCESS)
        waiting.join(timeout=10)
        assert not waiting.is_alive()
    assert len(lines) >= 3, lines
    assert all(f"run {other.run_id} (STARTED, started by schedule natt) to finish" in line for line in lines)


def _start_cli(work: Path, source: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CLI, "run", "--source", str(source), "--warehouse", str(work / "warehouse")],
        env=cli_env(work, **env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _read_until(process: subprocess.Popen[str], text: str, within: float = 60) -> str:
    """stderr lines until one holds `text` (a thread reads, so the wait is bounded)."""
    seen: list[str] = []
    found = threading.Event()

    def pump() -> None:
        for line in process.stderr:
            seen.append(line)
            if text in line:
                found.set()
                return

    threading.Thread(target=pump, daemon=True).start()
    if not found.wait(within):
        process.kill()
        pytest.fail(f"no line with {text!r} within {within} s:\n" + "".join(seen))
    return "".join(seen)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_jobbtorg_run_waiting_for_another_run_stops_cleanly_on_a_signal(
    tmp_path, small_generated_source, signum
):
    """A service manager stops a waiting `jobbtorg run` with SIGTERM; a person with Ctrl-C."""
    home = Path(cli_env(tmp_path)["DAGSTER_HOME"])
    with _instance(_home(home.parent)) as instance:
        other = _started_run(instance, {"dagster/sensor_name": "ny_leverans"})
    process = _start_cli(tmp_path, small_generated_source)
    try:
        _read_until(process, f"waiting for run {other.run_id} (STARTED, started by sensor ny_leverans)")
        os.killpg(process.pid, signum)
        _, rest = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 128 + signum, rest
    assert f"stopped by {signal.Signals(signum).name} while waiting for run {other.run_id}" in rest
    assert "Traceback" not in rest
    with _instance(home) as instance:
        assert [r.run_id for r in instance.get_runs()] == [other.run_id]  # nothing else started


def test_jobbtorg_run_waiting_for_the_warehouse_lock_names_its_holder_and_stops_on_sigterm(
    tmp_path, small_generated_source
):
    lock = tmp_path / "warehouse" / "intern" / "korning.lock"
    lock.parent.mkdir(parents=True)
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write("jobbtorg run, pid 4242 on elsewhere")
        held.flush()
        process = _start_cli(tmp_path, small_generated_source)
        try:
            _read_until(
                process,
                "waiting for another jobbtorg run on this warehouse to finish (jobbtorg run, pid 4242",
            )
            process.send_signal(signal.SIGTERM)
            _, rest = process.communicate(timeout=20)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    assert process.returncode == 143, rest
    assert "stopped by SIGTERM while waiting for another jobbtorg run on this warehouse" in rest
    assert "Traceback" not in rest


# --- 2. a killed `jobbtorg run` left STARTED ----------------------------------------------------------------


def _fire_failure_alert(settings: Settings, instance: dg.DagsterInstance, run: dg.DagsterRun) -> dict:
    [record] = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
    sensor = build_definitions(settings).resolve_sensor_def("larm_misslyckad_korning")
    context = dg.build_run_status_sensor_context(
        sensor_name="larm_misslyckad_korning",
        dagster_event=record.dagster_event,
        dagster_instance=instance,
        dagster_run=run,
        resources={"jobbtorg": JobbtorgResource.from_settings(settings)},
    )
    sensor(context)
    [line] = settings.alerts_file.read_text(encoding="utf-8").splitlines()
    return json.loads(line)


def test_the_daemon_marks_a_killed_jobbtorg_run_failed_and_the_alert_names_its_step(tmp_path):
    """kill -9 of `jobbtorg run`: nobody is left to end its run; the daemon's sensor must, with the reason
    (the daemon's queue waits for it otherwise), and the usual alert must follow."""
    settings = settings_for(tmp_path, tmp_path / "source")
    with _instance(_home(tmp_path)) as instance:
        dead_pid = _dead_pid()
        killed = _started_run(instance, _cli_tags(dead_pid))
        _report(instance, killed, dg.DagsterEventType.STEP_START, step_key="arendesystem")
        _report(instance, killed, dg.DagsterEventType.STEP_SUCCESS, step_key="arendesystem")
        _report(instance, killed, dg.DagsterEventType.STEP_START, step_key=STEP)
        alive = _started_run(instance, _cli_tags(os.getpid()))
        elsewhere = _started_run(instance, _cli_tags(dead_pid, host="another-host"))
        daemons = _started_run(instance, {"dagster/sensor_name": "ny_leverans"})

        sensor = build_definitions(settings).resolve_sensor_def("dodade_korningar")
        assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
        data = sensor.evaluate_tick(dg.build_sensor_context(instance=instance))
        assert data.run_requests == []
        assert "marked 1 run" in data.skip_message

        status = {r.run_id: r.status for r in instance.get_runs()}
        assert status[killed.run_id] == dg.DagsterRunStatus.FAILURE
        assert {status[r.run_id] for r in (alive, elsewhere, daemons)} == {dg.DagsterRunStatus.STARTED}
        # a second tick (or a `jobbtorg run` meanwhile) does not report it twice
        assert "no run" in sensor.evaluate_tick(dg.build_sensor_context(instance=instance)).skip_message
        assert len(instance.all_logs(killed.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)) == 1

        line = _fire_failure_alert(settings, instance, instance.get_run_by_id(killed.run_id))
    assert line["status"] == "FAILURE"
    assert line["utlost_av"] == "cli"
    assert line["steg"] == [STEP]
    assert line["orsak"] == (
        f"step {STEP} failed: it was still running when the run ended: the process of this run (jobbtorg "
        f"run, pid {dead_pid} on {socket.gethostname()}) is gone: it was killed (kill -9, out of memory or "
        "a reboot) before the run ended"
    )


def test_a_pid_reused_after_a_reboot_is_not_taken_for_the_killed_run(tmp_path):
    """After a reboot the killed run's pid may belong to a new process: one started after the run was
    created is not the run's, so the run is still marked failed."""
    with _instance(_home(tmp_path)) as instance:
        run = _started_run(instance, _cli_tags(_dead_pid()))
        time.sleep(3)
        newcomer = subprocess.Popen(["sleep", "60"])
        try:
            instance.add_run_tags(run.run_id, {runs.PID_TAG: str(newcomer.pid)})
            assert [r.run_id for r in runs.fail_runs_of_dead_processes(instance)] == [run.run_id]
        finally:
            newcomer.kill()
            newcomer.wait()


# --- 3. why a killed run failed ----------------------------------------------------------------------------


def _events(*specs: tuple[dg.DagsterEventType, str | None, str | None]) -> list[dg.DagsterEvent]:
    return [_event(kind, step_key=step, message=message) for kind, step, message in specs]


START, SUCCESS = dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS
ENGINE, RUN_FAILURE = dg.DagsterEventType.ENGINE_EVENT, dg.DagsterEventType.RUN_FAILURE
OUTSIDE = "This run has been marked as failed from outside the execution context."


def test_a_run_worker_killed_by_signal_9_names_the_step_and_the_signal():
    """What Dagster's code server records when it finds a daemon or UI run's worker dead (kill -9)."""
    crash = get_run_crash_explanation("Run execution process for 1234-abcd", -9)
    found = problems(
        _events(
            (START, "arendesystem", None),
            (SUCCESS, "arendesystem", None),
            (START, STEP, None),
            (ENGINE, None, "Executing steps in process (pid: 4242)"),
            (ENGINE, None, crash),
            (RUN_FAILURE, None, OUTSIDE),
        )
    )
    assert found == [
        Problem(
            "step",
            STEP,
            "it was still running when the run ended: Run execution process for 1234-abcd was terminated by "
            "signal 9 (SIGKILL). It was killed: usually by the operating system for lack of memory, or by "
            "kill -9.",
        )
    ]


def test_run_monitorings_reason_is_the_reason_when_nothing_else_is_known():
    monitoring = "Detected run worker status WorkerStatus.FAILED: gone. Marking run 1234 as failed.\n\ndebug"
    assert problems(_events((START, STEP, None), (RUN_FAILURE, None, monitoring))) == [
        Problem(
            "step",
            STEP,
            "it was still running when the run ended: Detected run worker status WorkerStatus.FAILED: gone. "
            "Marking run 1234 as failed.",
        )
    ]
    timeout = "Run timed out due to taking longer than 180 seconds to start."
    [problem] = problems(_events((RUN_FAILURE, None, timeout)))
    assert (problem.kind, str(problem)) == ("run", f"the run failed: {timeout}")
    assert problems(_events((START, STEP, None), (SUCCESS, STEP, None), (RUN_FAILURE, None, OUTSIDE))) == []


def test_the_alert_of_a_killed_daemon_run_names_the_step_and_the_signal(tmp_path):
    """The alert for a daemon or UI run whose worker was killed said only "the run ended FAILURE"."""
    settings = settings_for(tmp_path, tmp_path / "source")
    with _instance(_home(tmp_path)) as instance:
        run = _started_run(instance, {"dagster/schedule_name": "natt", "jobbtorg/trigger": "natt"})
        _report(instance, run, START, step_key=STEP)
        _report(
            instance,
            run,
            ENGINE,
            message=get_run_crash_explanation(f"Run execution process for {run.run_id}", -9),
        )
        instance.report_run_failed(run)
        assert str(run_problems(instance, run.run_id)[0]).startswith(
            f"step {STEP} failed: it was still running when the run ended: Run execution process for "
            f"{run.run_id} was terminated by signal 9 (SIGKILL)."
        )
        line = _fire_failure_alert(settings, instance, instance.get_run_by_id(run.run_id))
    assert (line["status"], line["utlost_av"], line["steg"], line["kontroller"]) == (
        "FAILURE",
        "natt",
        [STEP],
        [],
    )
    assert "terminated by signal 9 (SIGKILL)" in line["orsak"]


# --- 6. the instance's PostgreSQL does not answer ----------------------------------------------------------


def _run_on_postgres_instance(
    tmp_path: Path, source: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """`jobbtorg run` with the PostgreSQL dagster.yaml in DAGSTER_HOME and the DAGSTER_PG_* of `env`."""
    home = Path(env["DAGSTER_HOME"])
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text(instance_yaml("postgres"))
    return subprocess.run(
        [*CLI, "run", "--source", str(source), "--warehouse", str(tmp_path / "warehouse")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_an_unreachable_instance_postgres_gives_one_clear_message(tmp_path, small_generated_source):
    """No server is needed: nothing listens on the port. One sentence, exit 1, at once, no stack trace."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = cli_env(
        tmp_path,
        DAGSTER_PG_HOST="127.0.0.1",
        DAGSTER_PG_PORT=str(port),
        DAGSTER_PG_DB="dagster_prod",
        DAGSTER_PG_USERNAME="postgres",
        DAGSTER_PG_PASSWORD="",
    )
    started = time.monotonic()
    done = _run_on_postgres_instance(tmp_path, small_generated_source, env)
    took = time.monotonic() - started
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "Retrying" not in done.stderr
    [message] = [line for line in done.stderr.splitlines() if "PostgreSQL" in line]
    assert (
        f"Cannot reach the Dagster instance's PostgreSQL (host=127.0.0.1 port={port} dbname=dagster_prod"
        in message
    )
    assert "DAGSTER_PG_PORT" in message and "Nothing was run" in message
    assert took < 12, f"took {took:.1f} s"
    assert not (tmp_path / "warehouse" / "jobbtorg.duckdb").exists()


def test_a_missing_instance_variable_is_named(tmp_path, small_generated_source):
    env = cli_env(
        tmp_path, DAGSTER_PG_HOST="127.0.0.1", DAGSTER_PG_DB="dagster", DAGSTER_PG_USERNAME="postgres"
    )
    done = _run_on_postgres_instance(tmp_path, small_generated_source, env)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "DAGSTER_PG_PASSWORD is not set" in done.stderr or "DAGSTER_PG_PORT is not set" in done.stderr
