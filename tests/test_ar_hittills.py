"""The year to date (schema ar_hittills) on the session's generated source.

T1's and T3's rows are the marts' tertial and year; T2's (January to August) are computed by the marts'
models and are checked here against a count written independently over the internal database's
registrations and insatser, and against what a count of persons over a longer period must satisfy.
"""

from __future__ import annotations

import duckdb
import pytest

from jobbtorg_pipeline.assets.marts import ar_hittills
from jobbtorg_pipeline.settings import INTERNAL_DIR, INTERNAL_FILE


@pytest.fixture(scope="module")
def analysts(cli_run):
    with duckdb.connect(str(cli_run[1] / "jobbtorg.duckdb"), read_only=True) as con:
        yield con


@pytest.fixture(scope="module")
def internal(cli_run):
    with duckdb.connect(str(cli_run[1] / INTERNAL_DIR / INTERNAL_FILE), read_only=True) as con:
        yield con


def _differences(con, first: str, second: str) -> int:
    return con.execute(
        f"SELECT count(*) FROM (({first}) EXCEPT ALL ({second})) UNION ALL "
        f"SELECT count(*) FROM (({second}) EXCEPT ALL ({first}))"
    ).fetchall()


@pytest.mark.parametrize("table", [t.name for t in ar_hittills.tables()])
def test_t1_is_the_tertial_and_t3_the_year(analysts, table):
    t1_hittills = f"SELECT * EXCLUDE (period_typ) FROM ar_hittills.{table} WHERE period LIKE '%-T1'"
    t1 = f"SELECT * EXCLUDE (period_typ) FROM marts.{table} WHERE period LIKE '%-T1'"
    t3_hittills = (
        f"SELECT * EXCLUDE (period_typ) REPLACE (left(period, 4) AS period) FROM ar_hittills.{table} "
        "WHERE period LIKE '%-T3'"
    )
    year = (
        f"SELECT * EXCLUDE (period_typ) FROM marts.{table} WHERE period_typ = 'ar' "
        f"AND period || '-T3' IN (SELECT period FROM marts.{table})"
    )
    assert _differences(analysts, t1_hittills, t1) == [(0,), (0,)]
    assert _differences(analysts, t3_hittills, year) == [(0,), (0,)]
    assert analysts.execute(f"SELECT count(*) FROM ar_hittills.{table} WHERE period LIKE '%-T3'").fetchone()[
        0
    ]


def test_the_columns_are_the_marts(analysts):
    for t in ar_hittills.tables():
        columns = {}
        for schema in ("marts", "ar_hittills"):
            columns[schema] = analysts.execute(
                "SELECT column_name, data_type FROM duckdb_columns() "
                "WHERE schema_name = ? AND table_name = ? ORDER BY column_index",
                [schema, t.name],
            ).fetchall()
        assert columns["ar_hittills"] == columns["marts"], t.name


def test_january_to_august_counted_independently(analysts, internal):
    """Persons registered, newly registered, registrations and persons ended, per jobbtorg and in total,
    from staging.inskrivningar directly; and persons with an insats per insatstyp."""
    mine = internal.execute(
        """
        WITH perioder AS (
            SELECT year(period_start) || '-T2' AS period, make_date(year(period_start), 1, 1) AS s,
                   period_slut AS e
            FROM staging.perioder WHERE period LIKE '%-T2'
        ),
        aktiva AS (
            SELECT p.period, i.jobbtorg, i.person_key, i.inskrivningsdatum >= p.s AS ny,
                   i.avslutsdatum BETWEEN p.s AND p.e AS avslutad
            FROM staging.inskrivningar AS i JOIN perioder AS p
              ON i.inskrivningsdatum <= p.e AND (i.avslutsdatum IS NULL OR i.avslutsdatum >= p.s)
        )
        SELECT period, coalesce(jobbtorg, 'totalt'), count(DISTINCT person_key),
               count(DISTINCT person_key) FILTER (WHERE ny), count(*),
               count(DISTINCT person_key) FILTER (WHERE avslutad)
        FROM aktiva GROUP BY GROUPING SETS ((period, jobbtorg), (period))
        """
    ).fetchall()
    theirs = analysts.execute(
        """
        SELECT period, jobbtorg, inskrivna, nyinskrivna, registreringar, avslutade
        FROM ar_hittills.unika_individer WHERE period LIKE '%-T2' AND kon = 'totalt'
        """
    ).fetchall()
    assert len(mine) > 10
    assert sorted(theirs) == sorted(mine)
    mine = internal.execute(
        """
        WITH perioder AS (
            SELECT year(period_start) || '-T2' AS period, make_date(year(period_start), 1, 1) AS s,
                   period_slut AS e
            FROM staging.perioder WHERE period LIKE '%-T2'
        )
        SELECT p.period, i.insatstyp, count(DISTINCT i.person_key)
        FROM staging.insatser AS i JOIN perioder AS p
          ON i.startdatum <= p.e AND coalesce(i.slutdatum, (SELECT uttagsdatum FROM raw.uttag)) >= p.s
        GROUP BY ALL
        """
    ).fetchall()
    theirs = analysts.execute(
        """
        SELECT period, insatstyp, deltagare FROM ar_hittills.insatser
        WHERE period LIKE '%-T2' AND jobbtorg = 'totalt' AND kon = 'totalt' AND regi = 'totalt'
          AND insatstyp <> 'totalt' AND deltagare > 0
        """
    ).fetchall()
    assert sorted(theirs) == sorted(mine)


@pytest.mark.parametrize(
    ("table", "columns"),
    [
        ("unika_individer", ["inskrivna", "nyinskrivna", "registreringar", "avslutade"]),
        ("kolada_resultat_vid_avslut", ["avslutade", "arbete_eller_studier"]),
        ("arbetstraning_deltagare", ["deltagare"]),
        ("arbetstraning_resultat", ["avslutat_arbetstraning", "arbete_eller_studier"]),
        ("insatser", ["deltagare"]),
    ],
)
def test_january_to_august_holds_t2_and_lies_within_the_year(analysts, table, columns):
    """A count of persons with something in January-August is at least that of May-August (T2) and of
    January-April (T1), and at most the year's; and not their sum when anyone is in both."""
    keys = [
        r[0]
        for r in analysts.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'marts' AND table_name = ? "
            "AND column_name NOT IN ('period', 'period_typ', 'period_start', 'period_slut', 'uttagsdatum') "
            "AND data_type = 'VARCHAR'",
            [table],
        ).fetchall()
    ]
    join = " AND ".join(f"h.{k} IS NOT DISTINCT FROM m.{k}" for k in keys)
    for other, sense in (("-T2", ">="), ("-T1", ">="), ("", "<=")):
        broken = analysts.execute(
            f"""
            SELECT count(*) FROM ar_hittills.{table} AS h
            JOIN marts.{table} AS m ON m.period = left(h.period, 4) || '{other}' AND {join}
            WHERE h.period LIKE '%-T2' AND NOT ({" AND ".join(f"h.{c} {sense} m.{c}" for c in columns)})
            """
        ).fetchone()[0]
        assert broken == 0, (other, sense)
    below_sum = analysts.execute(
        f"""
        SELECT count(*) FROM ar_hittills.{table} AS h
        JOIN marts.{table} AS t1 ON t1.period = left(h.period, 4) || '-T1' AND {join.replace("m.", "t1.")}
        JOIN marts.{table} AS t2 ON t2.period = left(h.period, 4) || '-T2' AND {join.replace("m.", "t2.")}
        WHERE h.period LIKE '%-T2' AND h.{columns[0]} < t1.{columns[0]} + t2.{columns[0]}
        """
    ).fetchone()[0]
    assert below_sum > 0
