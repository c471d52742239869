"""Every staging column is described, in one place (assets/staging/kolumner.yml), for the Dagster UI."""

from __future__ import annotations

from pathlib import Path

from jobbtorg_pipeline.assets.staging.kolumner import staging_columns
from jobbtorg_pipeline.resources import table_metadata
from tests.support.staging import stage


def test_every_staging_column_has_a_description_and_every_description_a_column(
    tmp_path: Path, small_generated_source: Path
):
    con = stage(small_generated_source, tmp_path / "w")
    columns = {
        name
        for (name,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'staging'"
        ).fetchall()
    }
    described = staging_columns()
    assert sorted(columns - described.keys()) == [], "describe these in assets/staging/kolumner.yml"
    assert sorted(described.keys() - columns) == [], "no staging table has these any more"
    assert [name for name, text in described.items() if not str(text).strip()] == []
    # and the column schema the UI shows carries them, table by table
    for (table,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'staging'"
    ).fetchall():
        schema = table_metadata(con, f"staging.{table}", descriptions=described)["dagster/column_schema"]
        assert all(c.description for c in schema.columns), table
