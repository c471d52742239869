"""marts.insatser in its national-scale form gives exactly the rows of its plain form.

The model (assets/marts/insatser.sql) groups on numbers standing for the text values and takes the median
from how many insatser of each length a cell holds; tests/marts/insatser_enkel.sql is the same definition
written plainly. On a generated source both run on the same staging tables and must agree on every row
and value of the mart and of its breakdown: every person count, every median (ties and even counts
included) and årsplatser.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jobbtorg_pipeline.assets.marts.catalog import mart
from jobbtorg_pipeline.warehouse import connect_internal

ENKEL = (Path(__file__).parent / "insatser_enkel.sql").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def con(small_run):
    with connect_internal(small_run, read_only=True) as con:
        con.execute(f"CREATE TEMP TABLE modell AS {mart('insatser').sql}")
        con.execute(f"CREATE TEMP TABLE enkel AS {ENKEL}")
        yield con


def test_the_model_and_its_plain_form_agree_on_every_row(con):
    only_model = con.execute("SELECT count(*) FROM (FROM modell EXCEPT ALL FROM enkel)").fetchone()[0]
    only_plain = con.execute("SELECT count(*) FROM (FROM enkel EXCEPT ALL FROM modell)").fetchone()[0]
    assert (only_model, only_plain) == (0, 0)


def test_the_comparison_covers_what_the_scale_form_changed(con):
    """Enough to fail on: groups of every dimension, persons with several insatstyper in one cell, and
    medians of even counts (the mean of the middle two) and of tied lengths."""
    dimensions = {r[0] for r in con.execute("SELECT DISTINCT dimension FROM enkel").fetchall()}
    assert dimensions == {"totalt", "malgrupp", "stadsdel", "aldersgrupp"}
    several = con.execute(
        "SELECT count(*) FROM enkel WHERE insatstyp = 'totalt' AND deltagare > 0 "
        "AND deltagare < (SELECT sum(deltagare) FROM enkel AS e WHERE e.insatstyp <> 'totalt' "
        "AND (e.period, e.dimension, e.grupp, e.regi, e.jobbtorg, e.kon) "
        "= (enkel.period, enkel.dimension, enkel.grupp, enkel.regi, enkel.jobbtorg, enkel.kon))"
    ).fetchone()[0]
    halves = con.execute(
        "SELECT count(*) FROM enkel WHERE median_dagar_avslutade <> floor(median_dagar_avslutade)"
    ).fetchone()[0]
    assert several > 0 and halves > 0
