"""The production set-up end to end: `dagster-daemon run -w workspace.yaml` on the PostgreSQL instance
(`jobbtorg init-home --postgres`), with the new-extract sensor starting real runs.

Why: the unit tests evaluate the sensor by hand; only the daemon shows that the code location loads from
workspace.yaml with the settings in the environment, that the sensor's runs are queued, launched and
succeed against PostgreSQL run storage, and that a new snapshot reaches the analysts' file without anyone
pressing a button. The daemon and everything it starts run in their own process group, killed at the end.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from psycopg2.extensions import parse_dsn

from jobbtorg_pipeline.instance import instance_yaml
from jobbtorg_pipeline.settings import ANALYSTS_FILE
from tests.conftest import cli_env
from tests.support import corrupt

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[1]
DAEMON = Path(sys.executable).parent / "dagster-daemon"
FIRST_RUN_WITHIN = 150  # seconds: daemon start, code location load, sensor tick, run
NEXT_RUN_WITHIN = 120
DONE = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}


def _pids_of(marker: str, pgid: int) -> list[int]:
    """Live (not zombie) processes in the daemon's process group or carrying this test's environment."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            stat = (entry / "stat").read_text()
            state, _, group = stat.rsplit(")", 1)[1].split()[:3]
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue  # gone meanwhile, or not ours to read
        if state != "Z" and (int(group) == pgid or marker.encode() in environ.split(b"\0")):
            found.append(int(entry.name))
    return found


def _stop(daemon: subprocess.Popen, marker: str) -> list[int]:
    """SIGTERM then SIGKILL to the whole group; returns any process of ours still alive after that."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(daemon.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        daemon.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(daemon.pid, signal.SIGKILL)
    daemon.wait(timeout=15)
    deadline = time.monotonic() + 10
    while (left := _pids_of(marker, daemon.pid)) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in left:  # escaped the group: clean up, and let the test say so
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return left


def _wait_for(what: str, condition: Callable[[], object], daemon: subprocess.Popen, within: float) -> object:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        assert daemon.poll() is None, f"dagster-daemon exited ({daemon.returncode}) while waiting for {what}"
        found = condition()
        if found:
            return found
        time.sleep(1)
    raise AssertionError(f"no {what} within {within} s")


def _sensor_runs(instance: dg.DagsterInstance) -> list[dg.DagsterRun]:
    """The runs the new-extract sensor started, oldest first."""
    records = instance.get_run_records(filters=dg.RunsFilter(tags={"dagster/sensor_name": "ny_leverans"}))
    return [r.dagster_run for r in sorted(records, key=lambda r: r.create_timestamp)]


def _finished(instance: dg.DagsterInstance, count: int) -> Callable[[], dg.DagsterRun | None]:
    """The sensor's `count`-th run once it has ended; a failed or cancelled one stops the wait at once."""

    def check() -> dg.DagsterRun | None:
        runs = _sensor_runs(instance)
        if len(runs) < count or runs[count - 1].status not in DONE:
            return None
        run = runs[count - 1]
        assert run.status == dg.DagsterRunStatus.SUCCESS, f"run {run.run_id} ended {run.status.value}"
        return run

    return check


def _uttagsdatum(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        [table] = con.execute(
            "SELECT table_name FROM duckdb_columns() WHERE schema_name = 'marts' "
            "AND column_name = 'uttagsdatum' ORDER BY table_name LIMIT 1"
        ).fetchone()
        return str(con.execute(f"SELECT max(uttagsdatum) FROM marts.{table}").fetchone()[0])


def _diagnose(instance: dg.DagsterInstance | None, log: Path) -> None:
    """Printed on failure (pytest shows it): the daemon's output and every run with its problems."""
    from jobbtorg_pipeline.failures import run_problems

    print("---- dagster-daemon output (last 20000 characters) ----")
    print(log.read_text(errors="replace")[-20000:] if log.exists() else "(none)")
    if instance is None:
        return
    print("---- runs ----")
    for run in instance.get_runs():
        print(run.run_id, run.status.value, dict(run.tags))
        for problem in run_problems(instance, run.run_id):
            print("   ", problem)


def test_daemon_runs_the_sensor_on_postgres_and_publishes_each_new_snapshot(
    tmp_path, small_generated_source, pg_database, monkeypatch
):
    """First delivery -> a run that succeeds and publishes; a new complete snapshot -> a second run that
    replaces the analysts' file; and no daemon process survives the test."""
    work = tmp_path
    source = shutil.copytree(small_generated_source, work / "source")
    old = time.time() - 3_600  # payment files count once settled (SETTLE_SECONDS)
    for path in source.rglob("*"):
        os.utime(path, (old, old))
    warehouse = work / "warehouse"
    analysts = warehouse / ANALYSTS_FILE

    parts = parse_dsn(pg_database)  # the server of JOBBTORG_TEST_PG_DSN
    pg = {
        "DAGSTER_PG_USERNAME": parts.get("user", "postgres"),
        "DAGSTER_PG_PASSWORD": parts.get("password", ""),
        "DAGSTER_PG_HOST": parts.get("host", "127.0.0.1"),
        "DAGSTER_PG_DB": parts["dbname"],
        "DAGSTER_PG_PORT": parts.get("port", "5432"),
    }
    env = cli_env(
        work,
        JOBBTORG_SOURCE=str(source),
        JOBBTORG_WAREHOUSE=str(warehouse),
        JOBBTORG_SENSOR_INTERVAL="5",
        **pg,
    )
    home = Path(env["DAGSTER_HOME"])
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text(instance_yaml("postgres"))
    for name, value in pg.items():
        monkeypatch.setenv(name, value)  # for this process's own view of the instance

    marker = f"JOBBTORG_HOME={env['JOBBTORG_HOME']}"
    log = work / "daemon.log"
    instance = None
    with log.open("wb") as out:
        daemon = subprocess.Popen(
            [str(DAEMON), "run", "-w", str(ROOT / "workspace.yaml")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGTERM alone may be ignored
        )
    left: list[int] = []
    try:
        instance = dg.DagsterInstance.from_config(str(home))
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"  # the sensor's cursor

        first = _wait_for("successful first run", _finished(instance, 1), daemon, FIRST_RUN_WITHIN)
        assert first.job_name == "jobbtorg_alla"
        assert "snapshot 2020-10-01" in first.tags["jobbtorg/leverans"]
        assert analysts.exists()
        before = analysts.stat()
        assert _uttagsdatum(analysts) == "2020-10-01"

        # a later snapshot, exported as the case system does: files first, `_SUCCESS` last
        snapshot = shutil.copytree(corrupt.newest_snapshot(source), source / "arendesystem" / "2020-10-08")
        (snapshot / "_SUCCESS").unlink()
        time.sleep(1)
        (snapshot / "_SUCCESS").touch()

        second = _wait_for("successful second run", _finished(instance, 2), daemon, NEXT_RUN_WITHIN)
        assert second.run_id != first.run_id
        assert "snapshot 2020-10-08" in second.tags["jobbtorg/leverans"]
        after = analysts.stat()
        assert (after.st_ino, after.st_mtime_ns) != (before.st_ino, before.st_mtime_ns)
        assert _uttagsdatum(analysts) == "2020-10-08"
        assert len(_sensor_runs(instance)) == 2  # one run per delivery, no duplicates
    except BaseException:
        _diagnose(instance, log)
        raise
    finally:
        left = _stop(daemon, marker)
        if instance is not None:
            instance.dispose()
    assert not left, f"processes left after killing the daemon's group: {left}"
