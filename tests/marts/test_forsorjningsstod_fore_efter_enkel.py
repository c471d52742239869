"""marts.forsorjningsstod_fore_efter in its national-scale form gives exactly the rows of its plain form.

The model looks up each person's sums (three months before the inskrivning, month +2 and +8 after the
avslut) once per case, in one join over the monthly nets; tests/marts/forsorjningsstod_fore_efter_enkel.sql
is the former form, three subqueries per cohort row. On a generated source both run on the same staging
tables and must agree on every row and value of the mart and of its breakdown.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jobbtorg_pipeline.assets.marts.catalog import mart
from jobbtorg_pipeline.warehouse import connect_internal

ENKEL = (Path(__file__).parent / "forsorjningsstod_fore_efter_enkel.sql").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def con(small_run):
    with connect_internal(small_run, read_only=True) as con:
        con.execute(f"CREATE TEMP TABLE modell AS {mart('forsorjningsstod_fore_efter').sql}")
        con.execute(f"CREATE TEMP TABLE enkel AS {ENKEL}")
        yield con


def test_the_model_and_its_plain_form_agree_on_every_row(con):
    only_model = con.execute("SELECT count(*) FROM (FROM modell EXCEPT ALL FROM enkel)").fetchone()[0]
    only_plain = con.execute("SELECT count(*) FROM (FROM enkel EXCEPT ALL FROM modell)").fetchone()[0]
    assert (only_model, only_plain) == (0, 0)


def test_the_comparison_covers_every_sum_and_dimension(con):
    """Enough to fail on: groups of every dimension, and non-zero means before and at both follow-ups."""
    dimensions = {r[0] for r in con.execute("SELECT DISTINCT dimension FROM enkel").fetchall()}
    assert dimensions == {"totalt", "malgrupp", "stadsdel", "aldersgrupp"}
    columns = ("fore_sek_per_manad_2_man", "efter_2_man_sek", "fore_sek_per_manad_8_man", "efter_8_man_sek")
    counts = ", ".join(f"count(*) FILTER (WHERE {c} <> 0)" for c in columns)
    nonzero = con.execute(f"SELECT {counts} FROM enkel").fetchone()
    assert min(nonzero) > 0, nonzero
