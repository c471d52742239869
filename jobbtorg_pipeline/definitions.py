"""The one Definitions object: `dagster dev` finds it through pyproject's [tool.dagster] (no flags)."""

from __future__ import annotations

import dagster as dg

from jobbtorg_pipeline.assets.marts.assets import ar_hittills_asset, mart_assets
from jobbtorg_pipeline.assets.publish import analysfil
from jobbtorg_pipeline.assets.report import tertialrapport
from jobbtorg_pipeline.assets.sources import arendesystem, raw_utbetalningar, utbetalningsmanad
from jobbtorg_pipeline.assets.staging.assets import staging_assets
from jobbtorg_pipeline.progress import progress_logger
from jobbtorg_pipeline.quality.checks import quality_checks
from jobbtorg_pipeline.resources import JobbtorgResource
from jobbtorg_pipeline.sensors.alerts import cancelled_run_alert, dead_cli_runs, failed_run_alert
from jobbtorg_pipeline.sensors.extract import new_extract_sensor
from jobbtorg_pipeline.sensors.schedule import REPORT_FRESHNESS, nightly_schedule
from jobbtorg_pipeline.settings import Settings

ALL_ASSETS_JOB = "jobbtorg_alla"


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or Settings.from_env()
    all_assets = dg.define_asset_job(
        ALL_ASSETS_JOB,
        selection=dg.AssetSelection.all(),
        description="Every asset once: read the extracts, apply the JUST-team rules, build the marts, "
        "publish.",
        # one process per run: every step writes the same DuckDB file, so step processes would only queue
        executor_def=dg.in_process_executor,
        tags={"jobbtorg/skriver": "lager"},
    )
    # freshness is the nightly run's promise, so the automation's policy is attached here, not in the report
    report = tertialrapport.map_asset_specs(lambda spec: dg.apply_freshness_policy(spec, REPORT_FRESHNESS))
    return dg.Definitions(
        assets=[
            arendesystem,
            raw_utbetalningar,
            utbetalningsmanad,
            *staging_assets,
            *mart_assets,
            ar_hittills_asset,
            analysfil,
            report,
        ],
        asset_checks=quality_checks,
        jobs=[all_assets],
        schedules=[nightly_schedule(ALL_ASSETS_JOB)],
        sensors=[
            new_extract_sensor(ALL_ASSETS_JOB, settings),
            failed_run_alert,
            cancelled_run_alert,
            dead_cli_runs,
        ],
        resources={"jobbtorg": JobbtorgResource.from_settings(settings)},
        loggers={"console": dg.colored_console_logger, "progress": progress_logger},
        executor=dg.in_process_executor,  # also for runs started from the UI's "Materialize"
    )


defs = build_definitions()
