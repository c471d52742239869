"""Every failed, blocked or cancelled run becomes an alert the data engineers see.

An alert is one JSON line in `<JOBBTORG_HOME>/larm/larm.jsonl` (for people and for the city's monitoring
to tail), an ERROR line in the sensor's log in the Dagster UI, and, when JOBBTORG_ALERT_WEBHOOK is set, a
JSON POST to that URL (a failing webhook is logged, never lost: the file line is written first).
"""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg

from jobbtorg_pipeline.failures import run_problems
from jobbtorg_pipeline.resources import JobbtorgResource
from jobbtorg_pipeline.runs import dead_process_reason, fail_runs_of_dead_processes

WEBHOOK_TIMEOUT = 10  # seconds


def alert(instance: dg.DagsterInstance, run: dg.DagsterRun) -> dict[str, Any]:
    found = run_problems(instance, run.run_id)
    blocked = any(p.kind == "check" for p in found)
    reason = "; ".join(str(p) for p in found) or f"the run ended {run.status.value}"
    return {
        "tid": datetime.now(UTC).isoformat(timespec="seconds"),
        "run_id": run.run_id,
        "jobb": run.job_name,
        "status": "BLOCKERAD" if blocked else run.status.value,
        "utlost_av": run.tags.get("jobbtorg/trigger") or run.tags.get("jobbtorg/started_by") or "ui",
        "steg": sorted({p.where for p in found if p.kind == "step"}),
        "kontroller": [p.where for p in found if p.kind == "check"],
        "orsak": reason,
    }


def record(alert_line: dict[str, Any], alerts_file: Path, webhook: str | None, log: Any) -> None:
    alerts_file.parent.mkdir(parents=True, exist_ok=True)
    with alerts_file.open("a", encoding="utf-8") as out:
        out.write(json.dumps(alert_line, ensure_ascii=False) + "\n")
    log.error(f"run {alert_line['run_id']} {alert_line['status']}: {alert_line['orsak']}")
    if webhook:
        try:
            request = urllib.request.Request(
                webhook,
                data=json.dumps(alert_line, ensure_ascii=False).encode(),
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:
                response.read()
        except Exception as exc:  # any webhook failure is logged; the alert is already in the file
            failure = f"{type(exc).__name__}: {exc}"
            log.warning(f"the alert webhook failed ({failure}); the alert is in {alerts_file}")


def _evaluate(context: dg.RunStatusSensorContext, jobbtorg: JobbtorgResource) -> None:
    settings = jobbtorg.settings
    record(
        alert(context.instance, context.dagster_run),
        settings.alerts_file,
        settings.alert_webhook,
        context.log,
    )


# Both alert sensors watch every run on the instance (monitor_all_code_locations): a run of `jobbtorg run`
# is executed in its process, not launched from the code location, so it carries no origin, and a sensor
# watching only its own code location skips it. The instance serves this one code location.


@dg.run_failure_sensor(
    name="larm_misslyckad_korning",
    monitor_all_code_locations=True,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Records every failed or blocked run as an alert (larm.jsonl, the log, a webhook if set), "
    "whoever started it: a blocking check that fails stops its step, so the run fails.",
)
def failed_run_alert(context: dg.RunFailureSensorContext, jobbtorg: JobbtorgResource) -> None:
    _evaluate(context, jobbtorg)


@dg.run_status_sensor(
    name="larm_avbruten_korning",
    run_status=dg.DagsterRunStatus.CANCELED,
    monitor_all_code_locations=True,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Records every cancelled run as an alert, as for failed runs.",
)
def cancelled_run_alert(context: dg.RunStatusSensorContext, jobbtorg: JobbtorgResource) -> None:
    _evaluate(context, jobbtorg)


DEAD_RUN_CHECK_SECONDS = 30


@dg.sensor(
    name="dodade_korningar",
    minimum_interval_seconds=DEAD_RUN_CHECK_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Marks a run of `jobbtorg run` whose process is gone (kill -9, out of memory, a reboot) "
    "as failed; Dagster's run monitoring does not watch such runs, and one left STARTED would hold the "
    "run queue. The failure then raises the normal alert.",
)
def dead_cli_runs(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    failed = fail_runs_of_dead_processes(context.instance)
    for run in failed:
        context.log.error(f"run {run.run_id}: {dead_process_reason(run)}; marked failed")
    if failed:
        return dg.SkipReason(f"marked {len(failed)} run(s) of a killed jobbtorg run as failed")
    return dg.SkipReason("no run of a killed jobbtorg run")
