"""A run stopped by a failed blocking check raises an alert through the daemon, as a failed run does.

Why: in Dagster 1.13 a failed blocking check (severity ERROR) fails the step that ran it, so the run ends
FAILURE and Dagster's run-failure sensors see it; a failed check alone would not (a warning check never
fails anything). The unit tests of the alert sensors hand them a run by hand; here the real
`dagster-daemon` evaluates the deployed sensor over the instance's events, for a run of `jobbtorg run`
(the way analysts' runs are started) that a blocking check stopped.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from jobbtorg_pipeline.instance import instance_yaml
from tests.conftest import cli_env, jobbtorg
from tests.support import corrupt
from tests.test_daemon import _stop, _wait_for

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
DAEMON = Path(sys.executable).parent / "dagster-daemon"
SENSOR = "larm_misslyckad_korning"
SENSOR_READY_WITHIN = 120  # seconds: daemon start, code location load, the sensor's first tick
ALERT_WITHIN = 120  # the sensor ticks every 30 s


def _alerts(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_blocked_cli_run_raises_the_daemons_failed_run_alert(tmp_path, small_generated_source):
    # the CLI's source: the newest snapshot's insatser.csv cut in half, so `inte_trunkerad` blocks
    source = corrupt.copy_source(small_generated_source, tmp_path / "source")
    path = corrupt.newest_snapshot(source) / "insatser.csv"
    encoding, lines = corrupt.read_lines(path)
    corrupt.write_lines(path, encoding, lines[: len(lines) // 2])
    # the daemon's own source folder stays empty, so its new-delivery sensor starts nothing
    (tmp_path / "tom").mkdir()
    env = cli_env(tmp_path, JOBBTORG_SOURCE=str(tmp_path / "tom"), JOBBTORG_WAREHOUSE=str(tmp_path / "wh"))
    home = Path(env["DAGSTER_HOME"])
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text(instance_yaml("sqlite"))
    alerts = Path(env["JOBBTORG_HOME"]) / "larm" / "larm.jsonl"

    log = tmp_path / "daemon.log"
    with log.open("wb") as out:
        daemon = subprocess.Popen(
            [str(DAEMON), "run", "-w", str(ROOT / "workspace.yaml")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    left: list[int] = []
    try:
        # a run-status sensor's first tick only sets its cursor: runs that end before it are not seen
        _wait_for(
            f"first tick of {SENSOR}",
            lambda: f"Initiating {SENSOR}" in log.read_text(errors="replace"),
            daemon,
            SENSOR_READY_WITHIN,
        )
        done = jobbtorg("run", "--source", str(source), env=env)
        assert done.returncode == 1, done.stderr  # blocked
        assert "inte_trunkerad" in done.stderr

        instance = dg.DagsterInstance.from_config(str(home))
        try:
            [run] = instance.get_runs()
            assert run.status == dg.DagsterRunStatus.FAILURE  # the failed blocking check failed the run
            [failure] = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
            assert "blocking asset check" in failure.dagster_event.step_failure_data.error.message
        finally:
            instance.dispose()

        [line] = _wait_for(
            "the alert of the blocked run",
            lambda: [a for a in _alerts(alerts) if a["run_id"] == run.run_id],
            daemon,
            ALERT_WITHIN,
        )
        assert line["status"] == "BLOCKERAD"
        assert line["kontroller"] == ["raw/insatser:inte_trunkerad"]
        assert line["orsak"].startswith("check raw/insatser:inte_trunkerad did not pass: ")
    except BaseException:
        print(log.read_text(errors="replace")[-20000:] if log.exists() else "(no daemon output)")
        raise
    finally:
        left = _stop(daemon, f"JOBBTORG_HOME={env['JOBBTORG_HOME']}")
    assert not left, f"processes left after killing the daemon's group: {left}"
