"""Marts: one Dagster asset per `<name>.sql` in this folder, documented by the `<name>.yml` beside it.

A mart with a breakdown table is one step that materialises both (`marts/<name>` and
`marts/<name>_grupper`): they come from one run of the model.
"""

import dagster as dg
from dagster import AssetExecutionContext

from jobbtorg_pipeline.assets.lineage import upstream
from jobbtorg_pipeline.assets.marts import ar_hittills
from jobbtorg_pipeline.assets.marts.catalog import Mart, build_mart, load_marts
from jobbtorg_pipeline.provenance import record_built
from jobbtorg_pipeline.resources import DUCKDB_POOL, JobbtorgResource, table_metadata
from jobbtorg_pipeline.warehouse import connect_internal

GROUP = "marts"


def _deps(m: Mart) -> list[list[str]]:
    return upstream(m.sql, always=(("staging", "perioder"),))  # build_mart joins the periods


def _spec(m: Mart, schema: str = "marts") -> dg.AssetSpec:
    return dg.AssetSpec(
        key=[schema, m.name],
        group_name=GROUP,
        kinds={"duckdb"},
        deps=_deps(m) if schema == "marts" else [["marts", m.name], *_deps(m)],
        description=m.description if schema == "marts" else ar_hittills.description(m),
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


@dg.multi_asset(
    name="marts__ar_hittills",
    specs=[_spec(t, ar_hittills.SCHEMA) for t in ar_hittills.tables()],
    pool=DUCKDB_POOL,
)
def ar_hittills_asset(context: AssetExecutionContext, jobbtorg: JobbtorgResource):
    """The year to date at the end of each tertial (see jobbtorg_pipeline/assets/marts/ar_hittills.py)."""
    with connect_internal(jobbtorg.settings) as con:
        ar_hittills.build_ar_hittills(con)
        for t in ar_hittills.tables():
            table = f"{ar_hittills.SCHEMA}.{t.name}"
            record_built(
                con, table, [f"marts.{t.name}", *(".".join(k) for k in _deps(t))], context.run.run_id
            )
            descriptions = {c.name: c.definition for c in ar_hittills.columns(t)}
            yield dg.MaterializeResult(
                asset_key=[ar_hittills.SCHEMA, t.name],
                metadata=table_metadata(con, table, descriptions=descriptions),
            )
