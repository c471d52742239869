"""The one Definitions object: `dagster dev` finds it through pyproject's [tool.dagster] (no flags)."""

from __future__ import annotations

import dagster as dg

from jobbtorg_pipeline.assets.marts.assets import mart_assets
from jobbtorg_pipeline.assets.publish import analysfil
from jobbtorg_pipeline.assets.sources import arendesystem, raw_utbetalningar
from jobbtorg_pipeline.assets.staging.assets import staging_assets
from jobbtorg_pipeline.progress import progress_logger
from jobbtorg_pipeline.quality.checks import quality_checks
from jobbtorg_pipeline.resources import JobbtorgResource
from jobbtorg_pipeline.settings import Settings

ALL_ASSETS_JOB = "jobbtorg_alla"


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or Settings.from_env()
    return dg.Definitions(
        assets=[arendesystem, raw_utbetalningar, *staging_assets, *mart_assets, analysfil],
        asset_checks=quality_checks,
        jobs=[
            dg.define_asset_job(
                ALL_ASSETS_JOB,
                selection=dg.AssetSelection.all(),
                description=(
                    "Every asset once: read the extracts, apply the JUST-team rules, build the marts, "
                    "publish."
                ),
            )
        ],
        resources={"jobbtorg": JobbtorgResource.from_settings(settings)},
        loggers={"console": dg.colored_console_logger, "progress": progress_logger},
    )


defs = build_definitions()
