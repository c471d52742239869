"""Dagster assets by layer: sources -> staging -> marts -> publish (quality checks in quality/)."""

from jobbtorg_pipeline.assets.marts import mart_assets
from jobbtorg_pipeline.assets.publish import analysfil
from jobbtorg_pipeline.assets.sources import arendesystem, raw_utbetalningar
from jobbtorg_pipeline.assets.staging import staging_assets

all_assets = [arendesystem, raw_utbetalningar, *staging_assets, *mart_assets, analysfil]
