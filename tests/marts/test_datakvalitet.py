"""marts.datakvalitet on hand-built data: what it counts as staged, and which jobbtorg it may name.

Scenario (uttagsdatum 2019-10-01, J = Jobbtorg Järva):

  inskrivningar   I1  J   2019-02-01  valid: staged
                  I2  J   2019-02-05  valid: staged
                  I_BYTT  personnummer and jobbtorg swapped: the personnummer field holds 'Jobbtorg
                          Järva' (quarantined, personnummer_giltigt), the jobbtorg field '198001010027'
  insatser        S1 on I1, 2019-03-01: staged; S2 on I2, 2019-03-02: staged

Rows per source in the year 2019, all jobbtorg together (`totalt`): inskrivningar 3 read, 2 staged, 1
quarantined; insatser 2 read, 2 staged, 0 quarantined.
"""

from __future__ import annotations

import re

import pytest

from jobbtorg_pipeline.assets.marts.catalog import build_mart, mart
from tests.support.pipeline import run_pipeline
from tests.support.sourcebuilder import JARVA, SourceBuilder, pnr
from tests.support.staging import stage

UTTAG = "2019-10-01"
SWAPPED = "198001010027"


def _scenario(root) -> SourceBuilder:
    src = SourceBuilder(root, UTTAG)
    src.inskrivning("I1", pnr("19800101", 1, woman=True), "2019-02-01")
    src.inskrivning("I2", pnr("19750615", 2, woman=False), "2019-02-05")
    src.inskrivning("I_BYTT", JARVA, "2019-02-10", jobbtorg=SWAPPED)
    src.insats("S1", "I1", "coachning", "2019-03-01")
    src.insats("S2", "I2", "coachning", "2019-03-02")
    src.write()
    return src


def _totals(con, kalla: str) -> tuple[int, int, int]:
    return con.execute(
        """SELECT rader_lasta, rader_stagade, rader_i_karantan FROM marts.datakvalitet
           WHERE period = '2019' AND jobbtorg = 'totalt' AND kalla = ? AND regel = 'totalt'""",
        [kalla],
    ).fetchone()


def test_staged_counts_the_rows_really_staged_not_those_that_broke_no_rule(tmp_path):
    """A row that broke no rule but never reached staging is not 'staged': the mart shows the gap
    (read 2, staged 1, quarantined 0) instead of hiding a lost row."""
    src = _scenario(tmp_path / "source")
    con = stage(src.root, tmp_path / "work")
    try:
        build_mart(con, mart("datakvalitet"))
        assert _totals(con, "inskrivningar") == (3, 2, 1)
        assert _totals(con, "insatser") == (2, 2, 0)
        con.execute("DELETE FROM staging.insatser WHERE insats_id = 'S2'")  # as if lost on the way
        build_mart(con, mart("datakvalitet"))
        assert _totals(con, "insatser") == (2, 1, 0)
    finally:
        con.close()


@pytest.mark.slow
def test_only_known_jobbtorg_reach_the_analysts(tmp_path):
    """The swapped row's jobbtorg field holds a personnummer: it counts under 'okänt jobbtorg', and the
    number is nowhere in the analysts' file (its bytes, nor any text value)."""
    src = _scenario(tmp_path / "source")
    run = run_pipeline(tmp_path / "work", src.root, quarantine_ceiling=0.5)  # 1 of 3 rows: 33 %
    assert run.success
    in_the_file = SWAPPED.encode() in run.settings.analysts_file.read_bytes()
    assert not in_the_file
    with run.analysts() as con:
        for table, column in con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() "
            "WHERE schema_name = 'marts' AND data_type = 'VARCHAR'"
        ).fetchall():
            values = {r[0] for r in con.execute(f"SELECT DISTINCT {column} FROM marts.{table}").fetchall()}
            assert not [v for v in values if v and re.search(r"\d{6}", v)], (table, column)
        jobbtorg = {
            r[0]
            for r in con.execute(
                "SELECT jobbtorg FROM marts.datakvalitet WHERE kalla = 'inskrivningar' AND period = '2019'"
            ).fetchall()
        }
        assert jobbtorg == {"totalt", JARVA, "okänt jobbtorg"}
        (quarantined,) = con.execute(
            """SELECT rader_i_karantan FROM marts.datakvalitet WHERE period = '2019'
               AND jobbtorg = 'okänt jobbtorg' AND kalla = 'inskrivningar' AND regel = 'totalt'"""
        ).fetchone()
        assert quarantined == 1
