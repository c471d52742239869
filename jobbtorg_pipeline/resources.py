"""The Dagster resource that carries the settings, and the metadata every asset reports."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from jobbtorg_pipeline.settings import SETTING_NAMES, Settings

# Every asset that writes the internal DuckDB file runs in this pool; dagster.yaml limits it to one at a
# time, so runs from the UI, the daemon and the CLI queue instead of failing on DuckDB's file lock.
DUCKDB_POOL = "jobbtorg_duckdb"


class JobbtorgResource(dg.ConfigurableResource):
    """Where the source and the warehouse are, and how much memory DuckDB may take: the settings of
    `jobbtorg_pipeline/settings.py`, one field each, so the Dagster UI shows them. The fields have no
    defaults of their own: the resource is always made from a `Settings`, where the defaults are written.

    The pseudonym key and the PostgreSQL password are never part of this configuration (they would show
    in the UI): they come from JOBBTORG_PSEUDONYM_KEY or the key file, and from PGPASSWORD.
    """

    source_dir: str
    warehouse_dir: str
    home_dir: str
    memory_limit: str
    threads: int
    pseudonym_key_file: str | None
    truncation_tolerance: float
    quarantine_ceiling: float
    source_kind: str
    pg_dsn: str | None
    pg_uttagsdatum: str | None
    alert_webhook: str | None
    sensor_interval: int
    disclosure_threshold: int
    settle_seconds: int
    allow_older_snapshot: bool
    today_override: str | None

    @classmethod
    def from_settings(cls, settings: Settings) -> JobbtorgResource:
        values = {name: getattr(settings, name) for name in SETTING_NAMES}
        return cls(**{name: _plain(value) for name, value in values.items()})

    @property
    def settings(self) -> Settings:
        values = {name: getattr(self, name) for name in SETTING_NAMES}
        for name in ("source_dir", "warehouse_dir", "home_dir", "pseudonym_key_file"):
            values[name] = Path(values[name]) if values[name] else None
        for name in ("pg_uttagsdatum", "today_override"):
            if values[name]:
                values[name] = date.fromisoformat(values[name])
        return Settings(**values)


def _plain(value: object) -> object:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def uttagsdatum(con: duckdb.DuckDBPyConnection) -> str | None:
    """The uttagsdatum of the extract last read (None before any: reference data can come first)."""
    try:
        row = con.execute("SELECT uttagsdatum FROM raw.uttag").fetchone()
    except duckdb.CatalogException:
        return None
    return str(row[0]) if row else None


def table_metadata(
    con: duckdb.DuckDBPyConnection,
    qualified: str,
    *,
    descriptions: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Row count, column schema and the uttagsdatum, as every materialisation reports them."""
    # the table's own columns (`duckdb_columns()` would load every table's entry first: 20 ms a step)
    described = con.execute(
        "SELECT name, type FROM pragma_table_info(?) ORDER BY cid", [qualified]
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
