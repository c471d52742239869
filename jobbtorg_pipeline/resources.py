"""The Dagster resource that carries the settings, and the metadata every asset reports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from jobbtorg_pipeline.settings import Settings

# Every asset that writes the internal DuckDB file runs in this pool; dagster.yaml limits it to one at a
# time, so runs from the UI, the daemon and the CLI queue instead of failing on DuckDB's file lock.
DUCKDB_POOL = "jobbtorg_duckdb"


class JobbtorgResource(dg.ConfigurableResource):
    """Where the source and the warehouse are, and how much memory DuckDB may take.

    The pseudonym key is never part of this configuration (it would show in the UI): it comes from
    JOBBTORG_PSEUDONYM_KEY or the key file in the Jobbtorg home.
    """

    source_dir: str
    warehouse_dir: str
    home_dir: str
    memory_limit: str = "3GB"
    threads: int = 0
    pseudonym_key_file: str | None = None
    truncation_tolerance: float = 0.10
    quarantine_ceiling: float = 0.05

    @classmethod
    def from_settings(cls, settings: Settings) -> JobbtorgResource:
        return cls(
            source_dir=str(settings.source_dir),
            warehouse_dir=str(settings.warehouse_dir),
            home_dir=str(settings.home_dir),
            memory_limit=settings.memory_limit,
            threads=settings.threads,
            pseudonym_key_file=str(settings.pseudonym_key_file) if settings.pseudonym_key_file else None,
            truncation_tolerance=settings.truncation_tolerance,
            quarantine_ceiling=settings.quarantine_ceiling,
        )

    @property
    def settings(self) -> Settings:
        return Settings(
            source_dir=Path(self.source_dir),
            warehouse_dir=Path(self.warehouse_dir),
            home_dir=Path(self.home_dir),
            memory_limit=self.memory_limit,
            threads=self.threads,
            pseudonym_key_file=Path(self.pseudonym_key_file) if self.pseudonym_key_file else None,
            truncation_tolerance=self.truncation_tolerance,
            quarantine_ceiling=self.quarantine_ceiling,
        )


def uttagsdatum(con: duckdb.DuckDBPyConnection) -> str:
    return str(con.execute("SELECT uttagsdatum FROM raw.uttag").fetchone()[0])


def table_metadata(
    con: duckdb.DuckDBPyConnection,
    qualified: str,
    *,
    descriptions: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Row count, column schema and the uttagsdatum, as every materialisation reports them."""
    schema, table = qualified.split(".")
    described = con.execute(
        """
        SELECT column_name, data_type FROM duckdb_columns()
        WHERE schema_name = ? AND table_name = ? ORDER BY column_index
        """,
        [schema, table],
    ).fetchall()
    columns = [
        dg.TableColumn(name=name, type=kind, description=(descriptions or {}).get(name))
        for name, kind in described
    ]
    rows = int(con.execute(f"SELECT count(*) FROM {qualified}").fetchone()[0])
    metadata: dict[str, Any] = {
        "dagster/row_count": rows,
        "dagster/column_schema": dg.TableSchema(columns=columns),
        "dagster/table_name": qualified,
        "uttagsdatum": uttagsdatum(con),
    }
    metadata.update(extra or {})
    return metadata
