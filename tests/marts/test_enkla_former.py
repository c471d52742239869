"""Marts rewritten for national scale give exactly the rows of their plain, former form.

- forsorjningsstod_fore_efter looks up each person's sums (three months before the inskrivning, month +2
  and +8 after the avslut) once per case in one join over the monthly nets, not by three subqueries per
  cohort row;
- insatser_resultat groups by person only the insatser that ended in the period, and gives every other
  cell with an active insats its row of zeros, instead of grouping every active insats by person;
- processen counts the persons registered over 18 months from their distinct rows per level, not with a
  count(DISTINCT) beside the other measures;
- sjalvforsorjning judges each case (a person and the month of an avslut) once for every k, as bits, and
  counts the persons with the same bits together, instead of one payment lookup per cohort row and k.

The plain forms are kept beside this file (`<mart>_enkel.sql`). On a generated source both forms run on
the same staging tables and must agree on every row and value of the mart and of its breakdown.
(marts.insatser has its own: tests/marts/test_insatser_enkel.py.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jobbtorg_pipeline.assets.marts.catalog import mart
from jobbtorg_pipeline.warehouse import connect_internal

# per mart, columns that must hold non-zero values somewhere, so that the comparison could fail on them
COVERED = {
    "forsorjningsstod_fore_efter": (
        "fore_sek_per_manad_2_man",
        "efter_2_man_sek",
        "fore_sek_per_manad_8_man",
        "efter_8_man_sek",
    ),
    "sjalvforsorjning": ("avslutade", "uppfoljningsbara", "sjalvforsorjande"),
    "processen": (
        "personer_inskrivna_over_18_manader",
        "nya_registreringar",
        "median_dagar_till_aktivitetsplan",
    ),
    "insatser_resultat": (
        "avslutat_insats",
        "arbete_eller_studier",
        "fortsatt_inskrivna",
        "sjalvforsorjande_12_man",
    ),
}


@pytest.fixture(scope="module")
def con(small_run):
    with connect_internal(small_run, read_only=True) as con:
        for name in COVERED:
            plain = (Path(__file__).parent / f"{name}_enkel.sql").read_text(encoding="utf-8")
            con.execute(f"CREATE TEMP TABLE modell_{name} AS {mart(name).sql}")
            con.execute(f"CREATE TEMP TABLE enkel_{name} AS {plain}")
        yield con


@pytest.mark.parametrize("name", COVERED)
def test_the_model_and_its_plain_form_agree_on_every_row(con, name):
    model, plain = f"modell_{name}", f"enkel_{name}"
    only_model = con.execute(f"SELECT count(*) FROM (FROM {model} EXCEPT ALL FROM {plain})").fetchone()[0]
    only_plain = con.execute(f"SELECT count(*) FROM (FROM {plain} EXCEPT ALL FROM {model})").fetchone()[0]
    assert (only_model, only_plain) == (0, 0)


@pytest.mark.parametrize("name", COVERED)
def test_the_comparison_covers_every_dimension_and_measure(con, name):
    plain = f"enkel_{name}"
    dimensions = {r[0] for r in con.execute(f"SELECT DISTINCT dimension FROM {plain}").fetchall()}
    assert dimensions == {"totalt", "malgrupp", "stadsdel", "aldersgrupp"}
    counts = ", ".join(f"count(*) FILTER (WHERE {c} <> 0)" for c in COVERED[name])
    nonzero = con.execute(f"SELECT {counts} FROM {plain}").fetchone()
    assert min(nonzero) > 0, nonzero


def test_insatser_resultat_is_compared_on_cells_where_nobody_ended_an_insats(con):
    """The rows of zeros come from another part of the model: there must be some to compare."""
    zeros = con.execute("SELECT count(*) FROM enkel_insatser_resultat WHERE avslutat_insats = 0").fetchone()[
        0
    ]
    assert zeros > 0


def test_processen_is_compared_on_levels_without_anyone_over_18_months(con):
    zeros = con.execute(
        "SELECT count(*) FROM enkel_processen WHERE personer_inskrivna_over_18_manader = 0"
    ).fetchone()[0]
    assert zeros > 0


def test_sjalvforsorjning_is_compared_where_followable_and_self_sufficient_differ(con):
    """The bits must be told apart: rows where some followable persons were not self-sufficient, and
    rows where some cohort persons could not be followed yet."""
    both = con.execute(
        "SELECT count(*) FILTER (WHERE sjalvforsorjande < uppfoljningsbara), "
        "count(*) FILTER (WHERE uppfoljningsbara < avslutade) FROM enkel_sjalvforsorjning"
    ).fetchone()
    assert min(both) > 0, both
