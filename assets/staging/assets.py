"""Staging: typed, normalised, pseudonymised tables; breaking rows go to quarantine (quality/rules.py)."""

import dagster as dg
import duckdb
from dagster import AssetExecutionContext

from jobbtorg_pipeline.assets.lineage import description, upstream
from jobbtorg_pipeline.assets.staging.build import (
    MACROS,
    SQL_MODELS,
    build_insatser,
    build_inskrivningar,
    build_sql_model,
    build_utbetalningar,
    sql_model,
)
from jobbtorg_pipeline.assets.staging.kolumner import staging_columns
from jobbtorg_pipeline.provenance import record_built
from jobbtorg_pipeline.pseudonym import load_key
from jobbtorg_pipeline.quality.quarantine import counts
from jobbtorg_pipeline.resources import DUCKDB_POOL, JobbtorgResource, table_metadata
from jobbtorg_pipeline.warehouse import connect_internal

GROUP = "staging"


def _quarantine_metadata(con: duckdb.DuckDBPyConnection, kalla: str) -> dict[str, object]:
    c = counts(con, kalla)
    return {
        "rows_read": c.read,
        "rows_staged": c.approved,
        "rows_quarantined": c.quarantined,
        "quarantined_per_rule": dg.MetadataValue.json(c.per_rule),
    }


def _tables(keys: list[list[str]]) -> list[str]:
    return [".".join(key) for key in keys]


_BUILDERS = {
    "inskrivningar": lambda con, settings: build_inskrivningar(con, load_key(settings)),
    "insatser": lambda con, settings: build_insatser(con),
    "utbetalningar": lambda con, settings: build_utbetalningar(con, load_key(settings)),
}


def _source_asset(kalla: str, deps: list[list[str]], description: str):
    @dg.asset(
        key=["staging", kalla],
        group_name=GROUP,
        kinds={"duckdb"},
        deps=deps,
        pool=DUCKDB_POOL,
        description=description,
    )
    def _asset(context: AssetExecutionContext, jobbtorg: JobbtorgResource) -> dg.MaterializeResult:
        settings = jobbtorg.settings
        with connect_internal(settings) as con:
            _BUILDERS[kalla](con, settings)
            record_built(con, f"staging.{kalla}", _tables(deps), context.run.run_id)
            extra = _quarantine_metadata(con, kalla)
            context.log.info(
                f"{kalla}: {extra['rows_read']:,} read, {extra['rows_staged']:,} staged, "
                f"{extra['rows_quarantined']:,} quarantined"
            )
            return dg.MaterializeResult(
                metadata=table_metadata(con, f"staging.{kalla}", descriptions=staging_columns(), extra=extra)
            )

    return _asset


staging_inskrivningar = _source_asset(
    "inskrivningar",
    [["raw", "inskrivningar"]],
    "Approved registrations, typed, with the pseudonymous person key and the avslut group.",
)
staging_insatser = _source_asset(
    "insatser",
    [["raw", "insatser"], ["staging", "inskrivningar"]],
    "Approved insatser with the person and jobbtorg of their registration.",
)
staging_utbetalningar = _source_asset(
    "utbetalningar",
    [["raw", "utbetalningar"], ["raw", "inskrivningar"]],
    "Approved payments, typed (belopp in SEK, avser_manad as a month), with the person key.",
)


def _model_asset(name: str) -> dg.AssetsDefinition:
    sql = sql_model(name)

    @dg.asset(
        key=["staging", name],
        group_name=GROUP,
        kinds={"duckdb"},
        deps=upstream(sql),
        pool=DUCKDB_POOL,
        description=description(sql),
    )
    def _asset(context: AssetExecutionContext, jobbtorg: JobbtorgResource) -> dg.MaterializeResult:
        with connect_internal(jobbtorg.settings) as con:
            build_sql_model(con, name)
            record_built(con, f"staging.{name}", _tables(upstream(sql)), context.run.run_id)
            if name in MACROS:  # a table macro: no rows of its own
                return dg.MaterializeResult(metadata={"macro": f"staging.{name}({MACROS[name]})"})
            return dg.MaterializeResult(
                metadata=table_metadata(con, f"staging.{name}", descriptions=staging_columns())
            )

    return _asset


staging_models = [_model_asset(name) for name in SQL_MODELS]

staging_assets = [staging_inskrivningar, staging_insatser, staging_utbetalningar, *staging_models]
