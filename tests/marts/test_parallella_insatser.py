"""marts.parallella_insatser on hand-built data: every expected number is worked out by hand below.

Scenario (uttagsdatum 2019-10-01). Every registration is open (from 2019-01-02 unless noted), so only the
insatser's own dates matter. J = Järva, S = Sydost, I = Innerstaden, V = Västerort.

  person [kön]  reg (jobbtorg)   insats  typ              start       slut        awkward case
  P [K]         IP  (J)          S1      kartlaggning     2019-02-05  2019-02-05  two on the same
                                 S2      vagledning       2019-02-05  2019-02-05  single day: parallel
  Q [M]         IQ  (I)          S3      coachning        2019-03-01  2019-03-10  one ends the day the
                                 S4      jobbsok          2019-03-10  2019-03-20  other starts: parallel
  R [K]         IR  (V)          S5      matchning        2019-03-01  2019-03-09  one ends the day BEFORE:
                                 S6      praktik          2019-03-10  2019-03-31  not parallel
  S [M]         IS  (J)          S7      praktik          2019-06-01  2019-07-31  same type twice at once;
                                 S8      praktik          2019-07-01  (open)      open: active to 1 Oct
                                 S9      sfi              2019-09-10  2019-09-20  (with S8 in T3)
  T [K]         IT1 (J)          S10     forberedande     2019-05-06  2019-05-31  parallel only ACROSS
                IT2 (S, 05-02)   S11     yrkesutbildning  2019-05-20  2019-06-30  jobbtorg (20-31 May)
  U [M]         IU  (J)          S12     kartlaggning     2019-01-07  2019-01-31  three at once 21-25 Jan
                                 S13     coachning        2019-01-14  2019-02-28
                                 S14     jobbsok          2019-01-21  2019-01-25
  V [M]         IV  (J, 10-15)   S15     ips              2018-11-01  (open)      open since 2018, alone
  W [K]         IW  (S)          S16     validering       2019-04-01  2019-05-15  overlap 20-30 Apr only:
                                 S17     starta_eget      2019-04-20  2019-04-30  parallel in T1, not T2
  (IV is registered from 2018-10-15.)

Periods: 2018, 2018-T3 (first data: IV from 15 Oct 2018), 2019, 2019-T1..T3.
Measures, in this order:
  (personer_med_insats, personer_med_parallella_insatser, insatser, max_samtidiga_insatser)
"""

from __future__ import annotations

import pytest

from tests.marts._helpers import COMMON, columns, keys, run_scenario
from tests.support.sourcebuilder import INNERSTADEN, JARVA, SYDOST, VASTERORT, SourceBuilder, pnr

MART = "parallella_insatser"
MEASURES = ("personer_med_insats", "personer_med_parallella_insatser", "insatser", "max_samtidiga_insatser")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("parallella_insatser")
    src = SourceBuilder(root / "source", uttagsdatum="2019-10-01")
    people = {
        # person: (pnr, kon, [(reg, jobbtorg, start)])
        "P": (pnr("19800101", 1, woman=True), "K", [("IP", JARVA, "2019-01-02")]),
        "Q": (pnr("19810202", 2, woman=False), "M", [("IQ", INNERSTADEN, "2019-01-02")]),
        "R": (pnr("19820303", 3, woman=True), "K", [("IR", VASTERORT, "2019-01-02")]),
        "S": (pnr("19830404", 4, woman=False), "M", [("IS", JARVA, "2019-01-02")]),
        "T": (
            pnr("19840505", 5, woman=True),
            "K",
            [("IT1", JARVA, "2019-01-02"), ("IT2", SYDOST, "2019-05-02")],
        ),
        "U": (pnr("19850606", 6, woman=False), "M", [("IU", JARVA, "2019-01-02")]),
        "V": (pnr("19860707", 7, woman=False), "M", [("IV", JARVA, "2018-10-15")]),
        "W": (pnr("19870808", 8, woman=True), "K", [("IW", SYDOST, "2019-01-02")]),
    }
    for number, kon, regs in people.values():
        for reg, jobbtorg, start in regs:
            src.inskrivning(reg, number, start, jobbtorg=jobbtorg, kon=kon)
    src.insats("S1", "IP", "kartlaggning", "2019-02-05", "2019-02-05")
    src.insats("S2", "IP", "vagledning", "2019-02-05", "2019-02-05")
    src.insats("S3", "IQ", "coachning", "2019-03-01", "2019-03-10")
    src.insats("S4", "IQ", "jobbsok", "2019-03-10", "2019-03-20")
    src.insats("S5", "IR", "matchning", "2019-03-01", "2019-03-09")
    src.insats("S6", "IR", "praktik", "2019-03-10", "2019-03-31")
    src.insats("S7", "IS", "praktik", "2019-06-01", "2019-07-31")
    src.insats("S8", "IS", "praktik", "2019-07-01", None)
    src.insats("S9", "IS", "sfi", "2019-09-10", "2019-09-20")
    src.insats("S10", "IT1", "forberedande", "2019-05-06", "2019-05-31")
    src.insats("S11", "IT2", "yrkesutbildning", "2019-05-20", "2019-06-30", regi="extern")
    src.insats("S12", "IU", "kartlaggning", "2019-01-07", "2019-01-31")
    src.insats("S13", "IU", "coachning", "2019-01-14", "2019-02-28")
    src.insats("S14", "IU", "jobbsok", "2019-01-21", "2019-01-25")
    src.insats("S15", "IV", "ips", "2018-11-01", None, regi="extern")
    src.insats("S16", "IW", "validering", "2019-04-01", "2019-05-15")
    src.insats("S17", "IW", "starta_eget", "2019-04-20", "2019-04-30")
    return run_scenario(src, root / "work")


# fmt: off
CASES = [
    # --- 2018-T3 and 2018: only V's open S15 (from 1 Nov 2018).
    pytest.param("2018-T3", "totalt", "totalt", (1, 0, 1, 1), id="2018-T3-open-insats"),
    pytest.param("2018-T3", JARVA, "män", (1, 0, 1, 1), id="2018-T3-J-män"),
    pytest.param("2018", "totalt", "totalt", (1, 0, 1, 1), id="2018"),
    # --- 2019-T1 (1 Jan-30 Apr): S1 S2 (P), S3 S4 (Q), S5 S6 (R), S12 S13 S14 (U), S15 (V), S16 S17 (W) = 12.
    # persons P Q R U V W = 6; parallel P (same day), Q (touching), U (three), W (20-30 Apr) = 4.
    pytest.param("2019-T1", "totalt", "totalt", (6, 4, 12, 3), id="2019-T1-totalt"),
    pytest.param("2019-T1", JARVA, "totalt", (3, 2, 6, 3), id="2019-T1-J"),  # P U V; S1 S2 S12-S15
    pytest.param("2019-T1", JARVA, "kvinnor", (1, 1, 2, 2), id="2019-T1-J-kv-same-single-day"),  # P
    pytest.param("2019-T1", JARVA, "män", (2, 1, 4, 3), id="2019-T1-J-män-three-at-once"),  # U (3), V (1)
    pytest.param("2019-T1", INNERSTADEN, "totalt", (1, 1, 2, 2), id="2019-T1-I-end-day-is-start-day"),  # Q
    pytest.param("2019-T1", VASTERORT, "totalt", (1, 0, 2, 1), id="2019-T1-V-end-day-before-start"),  # R
    pytest.param("2019-T1", SYDOST, "totalt", (1, 1, 2, 2), id="2019-T1-S-overlap-in-T1"),  # W
    pytest.param("2019-T1", "totalt", "kvinnor", (3, 2, 6, 2), id="2019-T1-kvinnor"),  # P R W
    pytest.param("2019-T1", "totalt", "män", (3, 2, 6, 3), id="2019-T1-män"),  # Q U V
    # --- 2019-T2 (1 May-31 Aug): S7 S8 (S), S10 (T, J), S11 (T, S), S15 (V), S16 (W, to 15 May) = 6.
    # parallel: S (S7+S8 1-31 Jul), T (S10+S11 20-31 May, only across jobbtorg); W's overlap ended 30 Apr.
    pytest.param("2019-T2", "totalt", "totalt", (4, 2, 6, 2), id="2019-T2-totalt"),
    pytest.param("2019-T2", JARVA, "totalt", (3, 1, 4, 2), id="2019-T2-J"),  # S T V; S7 S8 S10 S15
    pytest.param("2019-T2", JARVA, "kvinnor", (1, 0, 1, 1), id="2019-T2-J-kvinnor-T-not-parallel-in-J"),
    pytest.param("2019-T2", SYDOST, "totalt", (2, 0, 2, 1), id="2019-T2-S-W-not-parallel-in-T2"),  # T W
    pytest.param("2019-T2", "totalt", "kvinnor", (2, 1, 3, 2), id="2019-T2-kvinnor-T-parallel-across"),
    pytest.param("2019-T2", "totalt", "män", (2, 1, 3, 2), id="2019-T2-män-same-type-twice"),  # S V
    # --- 2019-T3 (1 Sep-31 Dec, uttag 1 Oct): S8 (open), S9, S15 (open). S parallel (S8+S9 10-20 Sep).
    pytest.param("2019-T3", "totalt", "totalt", (2, 1, 3, 2), id="2019-T3-open-insats-active"),
    pytest.param("2019-T3", JARVA, "män", (2, 1, 3, 2), id="2019-T3-J-män"),
    # --- 2019: all 17 insatser. persons P Q R S T U V W = 8; parallel P Q S T U W = 6; U has 3 at once.
    pytest.param("2019", "totalt", "totalt", (8, 6, 17, 3), id="2019-totalt"),
    # J: P S T U V; parallel P S U (T's only overlap is with S11 at Sydost); S1 S2 S7-S10 S12-S15 = 10.
    pytest.param("2019", JARVA, "totalt", (5, 3, 10, 3), id="2019-J"),
    pytest.param("2019", SYDOST, "totalt", (2, 1, 3, 2), id="2019-S"),  # T (S11), W (S16 S17)
    pytest.param("2019", INNERSTADEN, "totalt", (1, 1, 2, 2), id="2019-I"),  # Q
    pytest.param("2019", VASTERORT, "totalt", (1, 0, 2, 1), id="2019-V"),  # R
    # kvinnor P R T W; parallel P T W; S1 S2 S5 S6 S10 S11 S16 S17.
    pytest.param("2019", "totalt", "kvinnor", (4, 3, 8, 2), id="2019-kvinnor"),
    # män Q S U V; parallel Q S U; S3 S4 S7 S8 S9 S12 S13 S14 S15.
    pytest.param("2019", "totalt", "män", (4, 3, 9, 3), id="2019-män"),
    pytest.param("2019", JARVA, "kvinnor", (2, 1, 3, 2), id="2019-J-kvinnor"),  # P, T (S10 only)
    pytest.param("2019", SYDOST, "kvinnor", (2, 1, 3, 2), id="2019-S-kvinnor"),  # T (S11 only), W
]
# fmt: on


@pytest.mark.parametrize(("period", "jobbtorg", "kon", "expected"), CASES)
def test_measures(run, period, jobbtorg, kon, expected):
    """Every measure of a (period, jobbtorg, kön) row equals the hand-worked value."""
    row = run.row(MART, period=period, jobbtorg=jobbtorg, kon=kon)
    assert {m: row[m] for m in MEASURES} == dict(zip(MEASURES, expected, strict=True))


def test_parallel_only_across_jobbtorg_shows_in_totalt_only(run):
    """T: S10 (Järva) and S11 (Sydost) overlap 20-31 May: parallel under totalt, under neither jobbtorg."""
    got = {
        j: run.row(MART, period="2019-T2", jobbtorg=j, kon="kvinnor")["personer_med_parallella_insatser"]
        for j in (JARVA, SYDOST, "totalt")
    }
    # J kvinnor = T (S10 alone); S kvinnor = T (S11), W (S16 alone in T2); totalt kvinnor = T, W -> T.
    assert got == {JARVA: 0, SYDOST: 0, "totalt": 1}


def test_insats_ending_the_day_before_is_not_parallel(run):
    """R: S5 ends 9 Mar, S6 starts 10 Mar: R is the only person at Västerort and is never parallel."""
    assert (
        run.row(MART, period="2019", jobbtorg=VASTERORT, kon="totalt")["personer_med_parallella_insatser"]
        == 0
    )


def test_rows_present(run):
    """Rows exist for (period, jobbtorg, kön) with an insats active in the period, totals included."""
    # 2019-T3: only S (S8, S9) and V (S15), both men at Järva. T and W still have open registrations at
    # Sydost but no insats active -> no Sydost row; Innerstaden, Västerort none either.
    assert keys(run, MART, "jobbtorg", "kon", period="2019-T3") == {
        (JARVA, "män"),
        (JARVA, "totalt"),
        ("totalt", "män"),
        ("totalt", "totalt"),
    }


def test_every_period_has_totalt_row(run):
    """Periods 2018-T3 (IV registered 15 Oct 2018) to 2019-T3, each with its (totalt, totalt) row."""
    got = keys(run, MART, "period", jobbtorg="totalt", kon="totalt")
    assert got == {("2018",), ("2018-T3",), ("2019",), ("2019-T1",), ("2019-T2",), ("2019-T3",)}


def test_columns(run):
    """The analyst-facing column set: the common columns, the dimensions and the measures."""
    assert sorted(columns(run, MART)) == sorted([*COMMON, "jobbtorg", "kon", *MEASURES])
