"""Source connectors: the embedded file connector (docs/source-files.md) or the case system's PostgreSQL.

Both read into the same `raw.*` tables in the same all-text form, so everything downstream, the JUST-team
rules included, is the same whichever source is configured (JOBBTORG_SOURCE_KIND).
"""

from __future__ import annotations

import duckdb

from jobbtorg_pipeline.settings import Settings
from jobbtorg_pipeline.sources.files import CaseSystemLoad, PaymentsLoad, load_case_system, load_payments


def read_case_system(con: duckdb.DuckDBPyConnection, settings: Settings) -> CaseSystemLoad:
    if settings.source_kind == "postgres":
        from jobbtorg_pipeline.sources.postgres import pull_case_system

        assert settings.pg_dsn
        return pull_case_system(con, settings.pg_dsn, settings.internal_dir, settings.pg_uttagsdatum)
    return load_case_system(con, settings.source_dir, settings.internal_dir)


def read_payments(con: duckdb.DuckDBPyConnection, settings: Settings) -> PaymentsLoad:
    if settings.source_kind == "postgres":
        from jobbtorg_pipeline.sources.postgres import pull_payments

        assert settings.pg_dsn
        return pull_payments(con, settings.pg_dsn, settings.internal_dir)
    return load_payments(
        con, settings.source_dir, settings.internal_dir, settle_seconds=settings.settle_seconds
    )
