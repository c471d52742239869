"""The year to date (år hittills) at the end of each tertial, for the committee's headline marts.

A committee reading a tertial asks how the year has gone so far. For T1 that is the tertial itself and
for T3 the whole year, both already in the marts; for T2 it is January to August, a period the marts do
not have (their periods are years and tertials, and analysts sum and compare them as such). So the year to
date lives in a schema of its own, `ar_hittills`, with the same tables and columns as the marts it repeats
and `period_typ` = 'ar_hittills': `period` names the tertial, `period_start` is 1 January.

January to August is computed by the marts' own models, so it cannot drift from them: in an in-memory
catalogue, the staging models that depend on the periods are built again for those periods alone, over
views of every other staging table, and the marts' SQL runs there unchanged.
"""

from __future__ import annotations

import dataclasses

import duckdb

from jobbtorg_pipeline.assets.marts.catalog import (
    Column,
    Mart,
    build_mart,
    comment_statements,
    load_marts,
    mart,
)
from jobbtorg_pipeline.assets.staging.build import build_sql_model, period_models

SCHEMA = "ar_hittills"
PERIOD_TYP = "ar_hittills"
# The marts behind the report's headline tables (the tables it sets beside a year earlier).
MARTS = (
    "unika_individer",
    "kolada_resultat_vid_avslut",
    "arbetstraning_deltagare",
    "arbetstraning_resultat",
    "sjalvforsorjning",
    "insatser",
)
_BERAKNING = "ar_hittills_berakning"  # the in-memory catalogue, for the time of one build


def tables() -> tuple[Mart, ...]:
    """The marts repeated for the year to date, with their breakdown tables."""
    return tuple(m for m in load_marts() if m.name in MARTS or m.grupper_av in MARTS)


# What the columns every mart carries mean here.
_COMMON = {
    "period": "The tertial whose year to date the row holds: `2019-T2` is 1 January to 31 August 2019, "
    "`2019-T1` the tertial itself, `2019-T3` the whole year.",
    "period_typ": "`ar_hittills`: the year to date at the end of the tertial `period`.",
    "period_start": "1 January of the period's year.",
    "period_slut": "Last day of the tertial (also for the tertial holding the uttagsdatum, which is not yet "
    "over).",
}


def description(m: Mart) -> str:
    return (
        f"marts.{m.name} for the year to date at the end of each tertial (1 January up to the tertial's last "
        "day): the same columns and definitions, with `period_typ` 'ar_hittills'. A count of persons counts "
        "each person once over the months so far, so it is not the sum of the tertials. For T1 the rows are "
        f"the tertial's in marts.{m.name}, for T3 the year's, for T2 computed by the same model over January "
        f"to August. {m.description}"
    )


def columns(m: Mart) -> tuple[Column, ...]:
    return tuple(dataclasses.replace(c, definition=_COMMON.get(c.name, c.definition)) for c in m.columns)


def comments() -> list[str]:
    """COMMENT statements for the published `ar_hittills` tables."""
    return [s for t in tables() for s in comment_statements(t, SCHEMA, description(t), columns(t))]


def qualified() -> list[str]:
    return [f"{SCHEMA}.{t.name}" for t in tables()]


def build_ar_hittills(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Build `ar_hittills.<table>` for every table of `tables()` from the internal database's staging and
    marts; returns the row count of each."""
    home = con.execute("SELECT current_database()").fetchone()[0]
    con.execute(f"ATTACH ':memory:' AS {_BERAKNING}")
    try:
        con.execute(f"USE {_BERAKNING}")
        _staging_for_january_to_august(con, home)
        for name in MARTS:
            build_mart(con, mart(name))
        con.execute(f'USE "{home}"')
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        counts = {}
        for t in tables():
            con.execute(_year_to_date_sql(t.name))
            counts[t.name] = int(con.execute(f"SELECT count(*) FROM {SCHEMA}.{t.name}").fetchone()[0])
        return counts
    finally:
        con.execute(f'USE "{home}"')
        con.execute(f"DETACH {_BERAKNING}")


def _staging_for_january_to_august(con: duckdb.DuckDBPyConnection, home: str) -> None:
    """In the current (in-memory) catalogue: `staging.perioder` holding 1 January to the end of each T2, the
    models depending on it built again, and views of every other raw and staging table of `home`."""
    rebuilt = period_models()
    con.execute("CREATE SCHEMA raw")
    con.execute("CREATE SCHEMA staging")
    others = con.execute(
        """
        SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ?
        UNION ALL
        SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = ? AND NOT internal
        """,
        [home, home],
    ).fetchall()
    for schema, name in others:
        if schema in ("raw", "staging") and name not in rebuilt:
            con.execute(f'CREATE VIEW {schema}.{name} AS FROM "{home}".{schema}.{name}')
    # T2 is the tertial that neither starts nor ends the year.
    con.execute(
        f"""
        CREATE TABLE staging.perioder AS
        SELECT period, '{PERIOD_TYP}' AS period_typ, make_date(year(period_start), 1, 1) AS period_start,
               period_slut
        FROM "{home}".staging.perioder
        WHERE period_typ = 'tertial' AND month(period_start) > 1 AND month(period_slut) < 12
        """
    )
    for name in rebuilt[1:]:
        build_sql_model(con, name)


def _year_to_date_sql(table: str) -> str:
    """`ar_hittills.<table>`: T1 from the marts' tertial, T2 from the in-memory catalogue, T3 from the marts'
    year (renamed to the tertial), in the marts' own row order within each period."""
    return f"""
        CREATE OR REPLACE TABLE {SCHEMA}.{table} AS
        WITH t1 AS (
            SELECT * REPLACE ('{PERIOD_TYP}' AS period_typ), rowid AS ordning
            FROM marts.{table}
            WHERE period_typ = 'tertial' AND month(period_start) = 1
        ),
        t2 AS (SELECT *, rowid AS ordning FROM {_BERAKNING}.marts.{table}),
        t3 AS (
            SELECT m.* REPLACE (p.period AS period, '{PERIOD_TYP}' AS period_typ), m.rowid AS ordning
            FROM marts.{table} AS m
            JOIN staging.perioder AS p
              ON p.period_typ = 'tertial' AND p.period_slut = m.period_slut AND month(p.period_slut) = 12
            WHERE m.period_typ = 'ar'
        )
        SELECT * EXCLUDE (ordning)
        FROM (FROM t1 UNION ALL FROM t2 UNION ALL FROM t3)
        ORDER BY period_slut, ordning
    """
