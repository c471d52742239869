"""marts.parallella_insatser_kombinationer on hand-built data, expected pairs worked out by hand below.

Scenario (uttagsdatum 2019-10-01). Registrations open from 2019-01-02 at Järva unless noted.

  person  reg (jobbtorg)      insats  typ            start       slut        awkward case
  K1      R1                  X1      coachning      2019-01-10  2019-02-10  ends the day before X2 starts:
                              X2      matchning      2019-02-11  2019-03-01  no pair
  K2      R2                  X3      praktik        2019-04-15  2019-05-10  same type, touching on 10 May
                              X4      praktik        2019-05-10  2019-05-20  (T2): (praktik, praktik)
  K3      R3a (Järva)         X5      arbetstraning  2019-04-01  2019-06-30  across jobbtorg, on the single
          R3b (Sydost)        X6      sfi            2019-05-01  2019-05-01  day 1 May (first day of T2)
  K4      R4                  X7      sfi            2019-06-01  2019-08-31  same pair as K3 (other order),
                              X8      arbetstraning  2019-08-31  (open)      twice for K4: touching 31 Aug
                              X9      arbetstraning  2019-06-01  2019-06-15  and overlapping in June
  K5      R5                  X10-12  validering x3  2019-09-02  2019-09-06  three of one type: one pair;
                              X13     ips            2019-09-05  (open)      with ips 5-6 Sep
  K6      R6 (from 2018-09-20) X14    kartlaggning   2018-10-01  (open)      open since 2018; alone until
                              X15     jobbsok        2019-09-16  2019-09-27  X15 in T3

Periods: 2018, 2018-T3 (first data), 2019, 2019-T1..T3. 2018, 2018-T3 and 2019-T1 have insatser but no
parallel ones, so no rows.
"""

from __future__ import annotations

import pytest

from tests.marts._helpers import COMMON, columns, run_scenario
from tests.support.sourcebuilder import JARVA, SYDOST, SourceBuilder, pnr

MART = "parallella_insatser_kombinationer"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("kombinationer")
    src = SourceBuilder(root / "source", uttagsdatum="2019-10-01")
    k = {n: pnr(f"197{n}0101", n, woman=n % 2 == 0) for n in range(1, 7)}
    src.inskrivning("R1", k[1], "2019-01-02", jobbtorg=JARVA)
    src.inskrivning("R2", k[2], "2019-01-02", jobbtorg=JARVA)
    src.inskrivning("R3a", k[3], "2019-01-02", jobbtorg=JARVA)
    src.inskrivning("R3b", k[3], "2019-01-02", jobbtorg=SYDOST)
    src.inskrivning("R4", k[4], "2019-01-02", jobbtorg=JARVA)
    src.inskrivning("R5", k[5], "2019-01-02", jobbtorg=JARVA)
    src.inskrivning("R6", k[6], "2018-09-20", jobbtorg=JARVA)
    src.insats("X1", "R1", "coachning", "2019-01-10", "2019-02-10")
    src.insats("X2", "R1", "matchning", "2019-02-11", "2019-03-01")
    src.insats("X3", "R2", "praktik", "2019-04-15", "2019-05-10")
    src.insats("X4", "R2", "praktik", "2019-05-10", "2019-05-20")
    src.insats("X5", "R3a", "arbetstraning", "2019-04-01", "2019-06-30")
    src.insats("X6", "R3b", "sfi", "2019-05-01", "2019-05-01")
    src.insats("X7", "R4", "sfi", "2019-06-01", "2019-08-31")
    src.insats("X8", "R4", "arbetstraning", "2019-08-31", None, regi="extern")
    src.insats("X9", "R4", "arbetstraning", "2019-06-01", "2019-06-15")
    for x in ("X10", "X11", "X12"):
        src.insats(x, "R5", "validering", "2019-09-02", "2019-09-06")
    src.insats("X13", "R5", "ips", "2019-09-05", None, regi="extern")
    src.insats("X14", "R6", "kartlaggning", "2018-10-01", None)
    src.insats("X15", "R6", "jobbsok", "2019-09-16", "2019-09-27")
    return run_scenario(src, root / "work")


def pairs(run, period):
    return {(r["insatstyp_a"], r["insatstyp_b"]): r["personer"] for r in run.rows(MART, period=period)}


def test_period_without_parallel_insatser_has_no_rows(run):
    """2018-T3, 2018 (X14 alone) and 2019-T1 (X1/X2 do not touch; X3, X5, X14 each alone) have no rows."""
    assert {p: pairs(run, p) for p in ("2018", "2018-T3", "2019-T1")} == {
        "2018": {},
        "2018-T3": {},
        "2019-T1": {},
    }


def test_2019_t2(run):
    """(praktik, praktik): K2 on 10 May. (arbetstraning, sfi): K3 (1 May, across jobbtorg) and K4."""
    # K4 holds the pair twice (X7+X9 in June, X7+X8 on 31 Aug, the last day of T2) and counts once.
    # K1's coachning/matchning (day before) never pairs; K6's X14 is alone in T2.
    assert pairs(run, "2019-T2") == {("praktik", "praktik"): 1, ("arbetstraning", "sfi"): 2}


def test_2019_t3(run):
    """K5: three validering at once -> (validering, validering) once, and ips 5-6 Sep. K6: open X14 + X15."""
    # K4's X8 is alone in T3 (X7 ended 31 Aug).
    assert pairs(run, "2019-T3") == {
        ("validering", "validering"): 1,
        ("ips", "validering"): 1,
        ("jobbsok", "kartlaggning"): 1,
    }


def test_2019_year(run):
    """The year holds every pair of its tertials; each person counts once per pair."""
    assert pairs(run, "2019") == {
        ("praktik", "praktik"): 1,  # K2
        ("arbetstraning", "sfi"): 2,  # K3, K4
        ("validering", "validering"): 1,  # K5
        ("ips", "validering"): 1,  # K5
        ("jobbsok", "kartlaggning"): 1,  # K6
    }


def test_no_pair_for_insatser_ending_the_day_before(run):
    """K1: X1 coachning ends 10 Feb, X2 matchning starts 11 Feb -> no (coachning, matchning) anywhere."""
    assert [
        r for r in run.rows(MART) if {r["insatstyp_a"], r["insatstyp_b"]} == {"coachning", "matchning"}
    ] == []


def test_pair_order(run):
    """insatstyp_a <= insatstyp_b in every row (K4 started sfi before arbetstraning)."""
    assert all(r["insatstyp_a"] <= r["insatstyp_b"] for r in run.rows(MART))


def test_period_columns(run):
    """Every row carries its period's type and dates and the uttagsdatum."""
    row = run.row(MART, period="2019-T2", insatstyp_a="praktik", insatstyp_b="praktik")
    assert (
        row["period_typ"],
        str(row["period_start"]),
        str(row["period_slut"]),
        str(row["uttagsdatum"]),
    ) == (
        "tertial",
        "2019-05-01",
        "2019-08-31",
        "2019-10-01",
    )


def test_columns(run):
    """No jobbtorg or kön dimension: the common columns, the pair and personer."""
    assert sorted(columns(run, MART)) == sorted([*COMMON, "insatstyp_a", "insatstyp_b", "personer"])
