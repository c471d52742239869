"""Run the real Dagster job on a source folder and read the analysts' file, for tests."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from jobbtorg_pipeline.definitions import ALL_ASSETS_JOB, build_definitions
from jobbtorg_pipeline.settings import Settings
from jobbtorg_pipeline.warehouse import connect_internal, kept_open

TEST_KEY_HEX = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"


@dataclass
class Run:
    settings: Settings
    result: dg.ExecuteInProcessResult | None  # None: a shared run's warehouse, copied (copy_warehouse)

    @property
    def success(self) -> bool:
        assert self.result is not None, "a copied warehouse has no run of its own to succeed"
        return self.result.success

    def analysts(self) -> duckdb.DuckDBPyConnection:
        """The analysts' file, read-only (as an analyst opens it)."""
        return duckdb.connect(str(self.settings.analysts_file), read_only=True)

    def internal(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.settings.internal_file), read_only=True)

    def rows(self, mart: str, **where: str) -> list[dict[str, Any]]:
        """Rows of `marts.<mart>` matching column = value filters, as dicts."""
        clause = " AND ".join(f"{k} = ?" for k in where) or "true"
        with self.analysts() as con:
            cur = con.execute(f"SELECT * FROM marts.{mart} WHERE {clause}", list(where.values()))
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def row(self, mart: str, **where: str) -> dict[str, Any]:
        found = self.rows(mart, **where)
        assert len(found) == 1, f"expected one row of {mart} for {where}, got {len(found)}"
        return found[0]


def settings_for(work: Path, source: Path, **overrides: object) -> Settings:
    settings = Settings(
        source_dir=source,
        warehouse_dir=work / "warehouse",
        home_dir=work / "home",
        memory_limit="1GB",
        threads=2,
        pseudonym_key_file=work / "home" / "pseudonym.key",
        settle_seconds=0,  # a file a test writes is whole at once; tests of settling set their own
    )
    return replace(settings, **overrides)  # type: ignore[arg-type]


def copy_warehouse(shared: Settings, warehouse: Path) -> Path:
    """A copy of a shared run's warehouse (the analysts' file, the internal file, the checks' and the
    report's folders) at `warehouse`, for a test whose first run only has to leave a published file
    behind: one run fewer, and the shared run is never written to."""
    shutil.copytree(shared.warehouse_dir, warehouse)
    return warehouse


def write_test_key(settings: Settings) -> None:
    settings.key_file.parent.mkdir(parents=True, exist_ok=True)
    if not settings.key_file.exists():
        settings.key_file.write_text(TEST_KEY_HEX + "\n")


def run_pipeline(
    work: Path,
    source: Path,
    *,
    instance: dg.DagsterInstance | None = None,
    marts_only: bool = False,
    **overrides: object,
) -> Run:
    """Materialise every asset once on `source`, with the warehouse under `work` (settings overridable).

    `marts_only=True` leaves out the JUST-team asset checks (Great Expectations and its Data Docs cost
    about five seconds a run) and the committee report (its disclosure control costs a few more): for the
    hand-worked mart tests, which read the marts and assert that the quarantine, done by the staging
    assets themselves, stopped none of their rows. The marts and the analysts' file are the same.
    """
    settings = settings_for(work, source, **overrides)
    write_test_key(settings)
    defs = build_definitions(settings)
    instance = instance or dg.DagsterInstance.ephemeral()
    with kept_open(settings):  # as `jobbtorg run` runs it
        if marts_only:
            result = _marts_only(settings, defs, instance)
        else:
            job = defs.resolve_job_def(ALL_ASSETS_JOB)
            result = job.execute_in_process(instance=instance, raise_on_error=False)
    return Run(settings, result)


def _marts_only(
    settings: Settings, defs: dg.Definitions, instance: dg.DagsterInstance
) -> dg.ExecuteInProcessResult:
    """Every asset but the report, without the checks, then the analysts' file. The publish step
    publishes only what every blocking check passed (jobbtorg_pipeline/provenance.py): here the checks
    are not evaluated, and their outcomes are recorded as passed, for the hand-worked tests that assert
    nothing was quarantined."""
    from jobbtorg_pipeline.provenance import loads_of, record_outcome
    from jobbtorg_pipeline.quality.checks import BLOCKING_CHECKS, judged_tables

    assets = [a for a in defs.assets or [] if isinstance(a, dg.AssetsDefinition)]  # not the recorded ones
    report, publish = ("rapport", "tertialrapport"), ("publish", "analysfil")
    keys = [k for a in assets for k in a.keys if tuple(k.path) != report]
    first = dg.materialize(
        assets,
        selection=[k for k in keys if tuple(k.path) != publish],
        resources=defs.resources,
        instance=instance,
        raise_on_error=False,
    )
    if not first.success:
        return first
    with connect_internal(settings) as con:
        for check in BLOCKING_CHECKS:
            tables = judged_tables(check.asset)
            description = "not evaluated: run_pipeline(marts_only=True); the test asserts none quarantined"
            record_outcome(
                con, check.asset, check.check, loads_of(con, tables), True, description, first.run_id
            )
    return dg.materialize(
        assets,
        selection=[k for k in keys if tuple(k.path) == publish],
        resources=defs.resources,
        instance=instance,
        raise_on_error=False,
    )


def marts_content(path: Path) -> dict[str, dict[str, Any]]:
    """Everything an analyst can read in a DuckDB file's marts, canonically: per table its comment, its
    columns with types and comments in order, and its rows in stored order (exact values: Decimal, date,
    float). Two files with equal content give every query the same answer."""
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'marts' ORDER BY table_name"
        ).fetchall()
        content = {}
        for table, comment in tables:
            columns = con.execute(
                "SELECT column_name, data_type, comment FROM duckdb_columns() "
                "WHERE schema_name = 'marts' AND table_name = ? ORDER BY column_index",
                [table],
            ).fetchall()
            content[table] = {
                "comment": comment,
                "columns": columns,
                "rows": con.execute(f"FROM marts.{table}").fetchall(),
            }
        return content
