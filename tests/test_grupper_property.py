"""The `_grupper` tables obey their definition: a group is counted exactly as the mart counts a jobbtorg.

On a generated source run once through the pipeline, for every dimension:
- marts by jobbtorg: relabel each registration's jobbtorg (and its insatser's) with its group, rebuild the
  mart, and its rows for each such "jobbtorg" must equal the `_grupper` rows of that group under `totalt`;
  relabel it with the pair (jobbtorg, group), and its rows must equal the crossed `_grupper` rows;
- marts by regi: keep only the group's registrations (and their insatser), every person keeping their one
  kön, rebuild, and the mart's rows must equal the group's `_grupper` rows.
Any non-additive pick done over the wrong registrations (a last avslut, a peak, a first återremiss, a
status) makes one of them differ. The rebuilds run on a copy of the internal database, without Dagster.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from jobbtorg_pipeline.assets.marts.catalog import build_mart, load_group_dimensions, mart
from jobbtorg_pipeline.assets.staging.build import build_sql_model
from tests.support.pipeline import run_pipeline

BY_JOBBTORG = (
    "unika_individer",
    "parallella_insatser",
    "aterremisser",
    "insatser",
    "sjalvforsorjning",
    "visstidsanstallningar",
    "processen",
    "kolada_resultat_vid_avslut",
    "forsorjningsstod_fore_efter",
)
# the marts by regi, and the insatser whose periods they have rows for (the mart's own table also has an
# all-`totalt` row for every other period, which a group without data has not)
BY_REGI = {
    "arbetstraning_deltagare": "insatstyp = 'arbetstraning'",
    "arbetstraning_resultat": "insatstyp = 'arbetstraning'",
    "insatser_resultat": "true",
}
SEP = " | "


@pytest.fixture(scope="module")
def internal(tmp_path_factory, small_generated_source: Path) -> Path:
    """The internal database of one pipeline run on the small generated source, with the groups saved."""
    work = tmp_path_factory.mktemp("grupper-property")
    run = run_pipeline(work, small_generated_source, marts_only=True)
    assert run.success
    copy = work / "kopia.duckdb"
    shutil.copy(run.settings.internal_file, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("CREATE SCHEMA sparat")
        for name in (*BY_JOBBTORG, *BY_REGI):
            con.execute(f"CREATE TABLE sparat.{name} AS FROM marts.{name}_grupper")
        con.execute("CREATE TABLE sparat.alla_inskrivningar AS FROM staging.inskrivningar")
        con.execute("CREATE TABLE sparat.alla_insatser AS FROM staging.insatser")
    return copy


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return sorted((tuple(sorted(zip(names, r, strict=True))) for r in cur.fetchall()), key=repr)


def _stage(con: duckdb.DuckDBPyConnection, inskrivningar: str, keep: str = "true") -> None:
    """Replace the staged registrations (jobbtorg from `inskrivningar`, an expression over `i` and `g`, the
    registration's group) and their insatser, keeping those with `keep`; rebuild the period tables."""
    con.execute(
        f"""
        CREATE OR REPLACE TABLE staging.inskrivningar AS
        SELECT i.* REPLACE ({inskrivningar} AS jobbtorg)
        FROM sparat.alla_inskrivningar AS i
        JOIN staging.inskrivning_grupp AS g USING (inskrivning_id)
        WHERE g.dimension = getvariable('dimension') AND ({keep})
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE staging.insatser AS
        SELECT s.* REPLACE (i.jobbtorg AS jobbtorg)
        FROM sparat.alla_insatser AS s JOIN staging.inskrivningar AS i USING (inskrivning_id)
        """
    )
    # in the pipeline's order
    for model in (
        "inskrivning_period",
        "insats_period",
        "person_grupp",
        "grupp_nummer",
        "person_kombination",
        "kombination_grupp",
        "inskrivning_grupp_delad",
        "avslut_kohort",
    ):
        build_sql_model(con, model)


@pytest.mark.parametrize("dimension", load_group_dimensions())
def test_a_group_is_counted_as_a_jobbtorg(internal: Path, tmp_path: Path, dimension: str) -> None:
    db = tmp_path / "db.duckdb"
    shutil.copy(internal, db)
    with duckdb.connect(str(db)) as con:
        con.execute("SET VARIABLE dimension = ?", [dimension])
        groups = {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT grupp FROM staging.inskrivning_grupp "
                "WHERE dimension = getvariable('dimension')"
            ).fetchall()
        }
        assert len(groups) >= 2, "the generated source should hold several groups"
        # each registration's jobbtorg is its group
        _stage(con, "g.grupp")
        for name in BY_JOBBTORG:
            build_mart(con, mart(name))
            got = _rows(
                con,
                f"SELECT * EXCLUDE (jobbtorg), jobbtorg AS grupp FROM marts.{name} "
                "WHERE jobbtorg <> 'totalt'",
            )
            want = _rows(
                con,
                f"SELECT * EXCLUDE (dimension, jobbtorg) FROM sparat.{name} "
                "WHERE dimension = getvariable('dimension') AND jobbtorg = 'totalt'",
            )
            assert got == want, f"{name} by {dimension}, under totalt"
        # each registration's jobbtorg is the pair (jobbtorg, group)
        _stage(con, f"i.jobbtorg || '{SEP}' || g.grupp")
        for name in BY_JOBBTORG:
            build_mart(con, mart(name))
            got = _rows(
                con,
                f"SELECT * EXCLUDE (jobbtorg), split_part(jobbtorg, '{SEP}', 1) AS jobbtorg, "
                f"split_part(jobbtorg, '{SEP}', 2) AS grupp FROM marts.{name} WHERE jobbtorg <> 'totalt'",
            )
            want = _rows(
                con,
                f"SELECT * EXCLUDE (dimension) FROM sparat.{name} "
                "WHERE dimension = getvariable('dimension') AND jobbtorg <> 'totalt'",
            )
            assert got == want, f"{name} by {dimension}, crossed with jobbtorg"


@pytest.mark.parametrize("dimension", load_group_dimensions())
def test_a_group_of_a_mart_by_regi_is_its_registrations_alone(internal: Path, tmp_path: Path, dimension: str):
    db = tmp_path / "db.duckdb"
    shutil.copy(internal, db)
    with duckdb.connect(str(db)) as con:
        con.execute("SET VARIABLE dimension = ?", [dimension])
        groups = sorted(
            r[0]
            for r in con.execute(
                "SELECT DISTINCT grupp FROM staging.inskrivning_grupp "
                "WHERE dimension = getvariable('dimension')"
            ).fetchall()
        )
        for group in groups:
            con.execute("SET VARIABLE grupp = ?", [group])
            _stage(con, "i.jobbtorg", keep="g.grupp = getvariable('grupp')")  # staging.personer stays whole
            for name, insatser in BY_REGI.items():
                with_data = f"(SELECT DISTINCT period FROM staging.insats_period WHERE {insatser})"
                build_mart(con, mart(name))
                got = _rows(con, f"SELECT * FROM marts.{name} WHERE period IN {with_data}")
                want = _rows(
                    con,
                    f"SELECT * EXCLUDE (dimension, grupp) FROM sparat.{name} "
                    "WHERE dimension = getvariable('dimension') AND grupp = getvariable('grupp')",
                )
                assert got == want, f"{name} for {dimension} = {group}"
