"""Staging: typed, normalised, pseudonymised tables; breaking rows go to quarantine (quality/rules.py)."""

import dagster as dg
import duckdb
from dagster import AssetExecutionContext

from jobbtorg_pipeline.assets.staging.build import (
    build_insatser,
    build_inskrivningar,
    build_sql_model,
    build_utbetalningar,
)
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
            extra = _quarantine_metadata(con, kalla)
            context.log.info(
                f"{kalla}: {extra['rows_read']:,} read, {extra['rows_staged']:,} staged, "
                f"{extra['rows_quarantined']:,} quarantined"
            )
            return dg.MaterializeResult(metadata=table_metadata(con, f"staging.{kalla}", extra=extra))

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

_MODELS = {
    "personer": (
        [["staging", "inskrivningar"]],
        "One row per registered person: kön as the marts use it. Restricted: holds the personnummer "
        "and birth date, which never leave the internal layer.",
    ),
    "perioder": (
        [["staging", "inskrivningar"], ["staging", "insatser"]],
        "Every year and tertial from the first period with data to the one holding the uttagsdatum.",
    ),
    "inskrivning_period": (
        [["staging", "inskrivningar"], ["staging", "perioder"]],
        "Each registration once per period it is active in.",
    ),
    "insats_period": (
        [["staging", "insatser"], ["staging", "perioder"]],
        "Each insats once per period it is active in, clipped to the period.",
    ),
}


def _model_asset(name: str, deps: list[list[str]], description: str):
    @dg.asset(
        key=["staging", name],
        group_name=GROUP,
        kinds={"duckdb"},
        deps=deps,
        pool=DUCKDB_POOL,
        description=description,
    )
    def _asset(jobbtorg: JobbtorgResource) -> dg.MaterializeResult:
        with connect_internal(jobbtorg.settings) as con:
            build_sql_model(con, name)
            return dg.MaterializeResult(metadata=table_metadata(con, f"staging.{name}"))

    return _asset


staging_models = [_model_asset(name, deps, text) for name, (deps, text) in _MODELS.items()]

staging_assets = [staging_inskrivningar, staging_insatser, staging_utbetalningar, *staging_models]
