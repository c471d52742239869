"""Marts: one Dagster asset per `<name>.sql` in this folder, documented by the `<name>.yml` beside it."""

import re

import dagster as dg

from jobbtorg_pipeline.assets.marts.catalog import Mart, build_mart, load_marts
from jobbtorg_pipeline.resources import DUCKDB_POOL, JobbtorgResource, table_metadata
from jobbtorg_pipeline.warehouse import connect_internal

GROUP = "marts"
_REFERENCE = re.compile(r"\b(staging|marts)\.([a-z_]+)\b")


def upstream(m: Mart) -> list[list[str]]:
    """The tables a model reads, found in its SQL: the model itself is the one place they are named."""
    return sorted(
        {(schema, table) for schema, table in _REFERENCE.findall(m.sql)} | {("staging", "perioder")}
    )


def _mart_asset(m: Mart) -> dg.AssetsDefinition:
    @dg.asset(
        key=["marts", m.name],
        group_name=GROUP,
        kinds={"duckdb"},
        deps=[list(key) for key in upstream(m)],
        pool=DUCKDB_POOL,
        description=m.description,
        metadata={
            "grain": ", ".join(m.grain),
            "dagster/column_schema": dg.TableSchema(
                columns=[dg.TableColumn(c.name, c.type, description=c.definition) for c in m.columns]
            ),
        },
    )
    def _asset(jobbtorg: JobbtorgResource) -> dg.MaterializeResult:
        with connect_internal(jobbtorg.settings) as con:
            build_mart(con, m)
            descriptions = {c.name: c.definition for c in m.columns}
            return dg.MaterializeResult(
                metadata=table_metadata(con, f"marts.{m.name}", descriptions=descriptions)
            )

    return _asset


mart_assets = [_mart_asset(m) for m in load_marts()]
