"""Marts: one Dagster asset per `<name>.sql` in this folder, documented by the `<name>.yml` beside it.

A mart with a breakdown table is one step that materialises both (`marts/<name>` and
`marts/<name>_grupper`): they come from one run of the model.
"""

import dagster as dg
from dagster import AssetExecutionContext

from jobbtorg_pipeline.assets.lineage import upstream
from jobbtorg_pipeline.assets.marts.catalog import Mart, build_mart, load_marts
from jobbtorg_pipeline.provenance import record_built
from jobbtorg_pipeline.resources import DUCKDB_POOL, JobbtorgResource, table_metadata
from jobbtorg_pipeline.warehouse import connect_internal

GROUP = "marts"


def _deps(m: Mart) -> list[list[str]]:
    return upstream(m.sql, always=(("staging", "perioder"),))  # build_mart joins the periods


def _spec(m: Mart) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=["marts", m.name],
        group_name=GROUP,
        kinds={"duckdb"},
        deps=_deps(m),
        description=m.description,
        metadata={
            "grain": ", ".join(m.grain),
            "dagster/column_schema": dg.TableSchema(
                columns=[dg.TableColumn(c.name, c.type, description=c.definition) for c in m.columns]
            ),
        },
    )


def _mart_asset(m: Mart, tables: list[Mart]) -> dg.AssetsDefinition:
    @dg.multi_asset(name=f"marts__{m.name}", specs=[_spec(t) for t in tables], pool=DUCKDB_POOL)
    def _asset(context: AssetExecutionContext, jobbtorg: JobbtorgResource):
        with connect_internal(jobbtorg.settings) as con:
            build_mart(con, m)
            for t in tables:
                record_built(con, f"marts.{t.name}", [".".join(k) for k in _deps(t)], context.run.run_id)
                descriptions = {c.name: c.definition for c in t.columns}
                yield dg.MaterializeResult(
                    asset_key=["marts", t.name],
                    metadata=table_metadata(con, f"marts.{t.name}", descriptions=descriptions),
                )

    return _asset


_MARTS = load_marts()
mart_assets = [
    _mart_asset(m, [m, *(t for t in _MARTS if t.grupper_av == m.name)]) for m in _MARTS if not m.grupper_av
]
