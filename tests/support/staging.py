"""Load and stage a source without Dagster: the same functions the assets call, in milliseconds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from jobbtorg_pipeline.assets.staging.build import (
    SQL_MODELS,
    build_insatser,
    build_inskrivningar,
    build_sql_model,
    build_utbetalningar,
)
from jobbtorg_pipeline.settings import Settings
from jobbtorg_pipeline.sources.files import load_case_system, load_payments
from tests.support.pipeline import TEST_KEY_HEX


def stage(source: Path, work: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB file under `work` holding raw.*, staging.* and staging.karantan for `source`."""
    work.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(work / "intern.duckdb"))
    key = bytes.fromhex(TEST_KEY_HEX)
    load_case_system(con, source, work)
    load_payments(con, source, work)
    build_inskrivningar(con, key)
    build_insatser(con)
    build_utbetalningar(con, key)
    for model in SQL_MODELS:
        build_sql_model(con, model)
    return con


def hand_fed(uttagsdatum: object) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the raw, staging and marts schemas and raw.uttag, for a test that feeds the
    staging tables a mart reads by hand (property tests: hundreds of cases in seconds)."""
    con = duckdb.connect()
    con.execute("CREATE SCHEMA raw; CREATE SCHEMA staging; CREATE SCHEMA marts")
    con.execute("CREATE TABLE raw.uttag AS SELECT ?::DATE AS uttagsdatum", [uttagsdatum])
    return con


def judge(check: Callable[..., Any], con: duckdb.DuckDBPyConnection, settings: Settings, *args: Any) -> Any:
    """One JUST-team check function, run as its check step runs it: in a Great Expectations session on
    `con` (quality/gx_duckdb.py), its Data Docs built when it ends."""
    from jobbtorg_pipeline.quality.gx_duckdb import Validations

    with Validations(con, settings.data_docs_dir) as validations:
        return check(con, validations, settings, *args)
