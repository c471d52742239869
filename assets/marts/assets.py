"""Marts: one Dagster asset per `<name>.sql` in this folder, documented by the `<name>.yml` beside it."""

import dagster as dg
from dagster import AssetExecutionContext

from jobbtorg_pipeline.assets.lineage import upstream
from jobbtorg_pipeline.assets.marts.catalog import Mart, build_mart, load_marts
from jobbtorg_pipeline.provenance import record_built
from jobbtorg_pipeline.resources import DUCKDB_POOL, JobbtorgResource, table_metadata
from jobbtorg_pipeline.warehouse import connect_internal

GROUP = "marts"


def _mart_asset(m: Mart) -> dg.AssetsDefinition:
    deps = upstream(m.sql, always=(("staging", "perioder"),))  # build_mart joins the periods

    @dg.asset(
        key=["marts", m.name],
        group_name=GROUP,
        kinds={"duckdb"},
        deps=deps,
        pool=DUCKDB_POOL,
        description=m.description,
        metadata={
            "grain": ", ".join(m.grain),
            "dagster/column_schema": dg.TableSchema(
                columns=[dg.TableColumn(c.name, c.type, description=c.definition) for c in m.columns]
            ),
        },
    )
    def _asset(context: AssetExecutionContext, jobbtorg: JobbtorgResource) -> dg.MaterializeResult:
        with connect_internal(jobbtorg.settings) as con:
            build_mart(con, m)
            record_built(con, f"marts.{m.name}", [".".join(k) for k in deps], context.run.run_id)
            descriptions = {c.name: c.definition for c in m.columns}
            return dg.MaterializeResult(
                metadata=table_metadata(con, f"marts.{m.name}", descriptions=descriptions)
            )

    return _asset


mart_assets = [_mart_asset(m) for m in load_marts()]
