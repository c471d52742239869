"""The nightly refresh: 02:00 in Stockholm, every asset, for the tertial report of the current tertial."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg
from dagster_shared.check import CheckError

from jobbtorg_pipeline.perioder import tertial

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NIGHTLY_CRON = "0 2 * * *"

# The tertial report is stale in the UI when tonight's run has not rebuilt it by 06:00 Stockholm time: it
# must have been materialised since 02:00, the schedule's tick. Four hours leave room for a run at
# national size (about five minutes, docs/benchmarks.md) queued behind another, or rerun by hand.
REPORT_DEADLINE_CRON = "0 6 * * *"
REPORT_FRESHNESS = dg.FreshnessPolicy.cron(
    deadline_cron=REPORT_DEADLINE_CRON,
    lower_bound_delta=timedelta(hours=4),
    timezone="Europe/Stockholm",
)


def nightly_schedule(job_name: str) -> dg.ScheduleDefinition:
    @dg.schedule(
        name="natt",
        cron_schedule=NIGHTLY_CRON,
        execution_timezone="Europe/Stockholm",
        job_name=job_name,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Every night at 02:00 Stockholm time: read the newest extract, apply the JUST-team "
        "rules, rebuild the marts and publish them; the tertial report of the current tertial rests on it.",
    )
    def natt(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        try:
            when = context.scheduled_execution_time
        except CheckError:  # evaluated by hand without a tick: tonight is now
            when = datetime.now(STOCKHOLM)
        day = when.astimezone(STOCKHOLM).date()
        return dg.RunRequest(
            run_key=f"natt-{day.isoformat()}",
            tags={"jobbtorg/trigger": "natt", "jobbtorg/tertial": tertial(day)},
        )

    return natt
