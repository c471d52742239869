"""marts.aterremisser on hand-built data: every expected number is worked out by hand below.

Scenario (uttagsdatum 2019-10-01; J = Järva, S = Sydost, I = Innerstaden, V = Västerort; kön registered):

  person     reg  jt  inskrivning  avslut      orsak                   awkward case
  A1  [K]    a1   I   2018-01-08   2018-03-01  aterremiss              back exactly 365 days later
             a2   I   2019-03-01   (open)                              (2018-03-01 -> 2019-03-01): counts
  A2  [M]    b1   V   2018-01-08   2018-03-01  aterremiss              back 366 days later
             b2   V   2019-03-02   2019-06-28  arbete_osubventionerat  (2018-03-01 -> 2019-03-02): not
  A3  [K]    c1   J   2018-02-05   2018-05-15  aterremiss              back at ANOTHER jobbtorg after
             c2   S   2018-06-01   2018-11-30  flytt                   17 days: counts under J too
  A4  [M]    d1   S   2018-01-15   2018-06-20  aterremiss              re-registered the SAME day (not
             d2   S   2018-06-20   2018-07-31  annan                   "strictly after"); the next one
             d3   S   2019-01-10   (open)                              is 204 days later: counts
  A5  [K]    e1   J   2018-01-10   2018-02-15  aterremiss              two återremisser in 2018-T1: the
             e2   J   2018-03-01   2018-04-10  aterremiss              FIRST decides (back after 14 days)
  A6  [M]    f1   J   2018-02-01   2018-03-20  aterremiss              återremiss, then a later avslut
             f2   J   2018-03-25   2018-04-25  studier                 (studier): still aterremitterad
  A7  [K]    g1   S   2018-02-01   2018-04-30  arbete_subventionerat   avslut on the last day of T1
  A8  [M]    h1   S   2018-03-12   (open)                              never ends
  A9  [K]    i1   S   2019-01-14   2019-05-31  aterremiss              never comes back
  A10 [M]    j1   J   2019-02-01   2019-06-14  aterremiss              back at S after 80 days
             j2   S   2019-09-02   (open)

Periods: 2018, 2018-T1 (first data), ..., 2019-T3.
Measures, in this order: (avslutade, aterremitterade, andel_aterremitterade, aterkom_inom_365_dagar)
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.marts._helpers import COMMON, columns, keys, run_scenario
from tests.support.sourcebuilder import INNERSTADEN, JARVA, SYDOST, VASTERORT, SourceBuilder, pnr

MART = "aterremisser"
MEASURES = ("avslutade", "aterremitterade", "andel_aterremitterade", "aterkom_inom_365_dagar")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("aterremisser")
    src = SourceBuilder(root / "source", uttagsdatum="2019-10-01")
    p = {n: pnr(f"19{60 + n}0415", n, woman=n % 2 == 1) for n in range(1, 11)}  # A1, A3, ... women
    kon = {n: "K" if n % 2 == 1 else "M" for n in p}
    rows = [
        # (reg, person, jobbtorg, start, slut, orsak)
        ("a1", 1, INNERSTADEN, "2018-01-08", "2018-03-01", "aterremiss"),
        ("a2", 1, INNERSTADEN, "2019-03-01", None, None),
        ("b1", 2, VASTERORT, "2018-01-08", "2018-03-01", "aterremiss"),
        ("b2", 2, VASTERORT, "2019-03-02", "2019-06-28", "arbete_osubventionerat"),
        ("c1", 3, JARVA, "2018-02-05", "2018-05-15", "aterremiss"),
        ("c2", 3, SYDOST, "2018-06-01", "2018-11-30", "flytt"),
        ("d1", 4, SYDOST, "2018-01-15", "2018-06-20", "aterremiss"),
        ("d2", 4, SYDOST, "2018-06-20", "2018-07-31", "annan"),
        ("d3", 4, SYDOST, "2019-01-10", None, None),
        ("e1", 5, JARVA, "2018-01-10", "2018-02-15", "aterremiss"),
        ("e2", 5, JARVA, "2018-03-01", "2018-04-10", "aterremiss"),
        ("f1", 6, JARVA, "2018-02-01", "2018-03-20", "aterremiss"),
        ("f2", 6, JARVA, "2018-03-25", "2018-04-25", "studier"),
        ("g1", 7, SYDOST, "2018-02-01", "2018-04-30", "arbete_subventionerat"),
        ("h1", 8, SYDOST, "2018-03-12", None, None),
        ("i1", 9, SYDOST, "2019-01-14", "2019-05-31", "aterremiss"),
        ("j1", 10, JARVA, "2019-02-01", "2019-06-14", "aterremiss"),
        ("j2", 10, SYDOST, "2019-09-02", None, None),
    ]
    for reg, n, jobbtorg, start, slut, orsak in rows:
        src.inskrivning(reg, p[n], start, slut, orsak, jobbtorg=jobbtorg, kon=kon[n])
    return run_scenario(src, root / "work")


# fmt: off
CASES = [
    # --- 2018-T1 (1 Jan-30 Apr). Ended: A1 (aterremiss 1 Mar), A2 (aterremiss 1 Mar), A5 (aterremiss
    # 15 Feb and 10 Apr), A6 (aterremiss 20 Mar, studier 25 Apr), A7 (arbete 30 Apr) -> 5 ended, 4 åter.
    # Back within 365 days of the first återremiss: A1 (365) yes, A2 (366) no, A5 (14) yes, A6 (5) yes -> 3.
    pytest.param("2018-T1", "totalt", "totalt", (5, 4, 0.8, 3), id="2018-T1-totalt"),
    pytest.param("2018-T1", INNERSTADEN, "totalt", (1, 1, 1.0, 1), id="2018-T1-I-exactly-365-days"),  # A1
    pytest.param("2018-T1", VASTERORT, "totalt", (1, 1, 1.0, 0), id="2018-T1-V-366-days"),  # A2
    # J: A3 (c1 active, ends in T2), A5, A6 -> ended A5, A6.
    pytest.param("2018-T1", JARVA, "totalt", (2, 2, 1.0, 2), id="2018-T1-J"),
    pytest.param("2018-T1", JARVA, "kvinnor", (1, 1, 1.0, 1), id="2018-T1-J-kvinnor-first-aterremiss"),  # A5
    pytest.param("2018-T1", JARVA, "män", (1, 1, 1.0, 1), id="2018-T1-J-män-aterremiss-not-last"),  # A6
    pytest.param("2018-T1", SYDOST, "totalt", (1, 0, 0.0, 0), id="2018-T1-S-arbete-on-last-day"),  # A7
    pytest.param("2018-T1", "totalt", "kvinnor", (3, 2, 2 / 3, 2), id="2018-T1-kvinnor"),  # A1 A5 A7
    pytest.param("2018-T1", "totalt", "män", (2, 2, 1.0, 1), id="2018-T1-män"),  # A2 A6
    # --- 2018-T2 (1 May-31 Aug). Ended: A3 (c1 aterremiss 15 May, back at S 1 Jun = 17 days), A4 (d1
    # aterremiss 20 Jun, d2 annan 31 Jul; d2 starts the same day, so the next is d3 2019-01-10 = 204 days).
    pytest.param("2018-T2", "totalt", "totalt", (2, 2, 1.0, 2), id="2018-T2-totalt"),
    pytest.param("2018-T2", JARVA, "totalt", (1, 1, 1.0, 1), id="2018-T2-J-back-at-other-jobbtorg"),  # A3
    pytest.param("2018-T2", SYDOST, "män", (1, 1, 1.0, 1), id="2018-T2-S-män-same-day-not-next"),  # A4 (A8)
    # S kvinnor: A3's c2 is active at S but ends in T3 -> nobody ended: share empty.
    pytest.param("2018-T2", SYDOST, "kvinnor", (0, 0, None, 0), id="2018-T2-S-kvinnor-no-avslut-null"),
    # --- 2018-T3: A3 ends c2 (flytt 30 Nov); A8 open.
    pytest.param("2018-T3", "totalt", "totalt", (1, 0, 0.0, 0), id="2018-T3-totalt"),
    pytest.param("2018-T3", "totalt", "män", (0, 0, None, 0), id="2018-T3-män-null"),  # A8 only
    # --- 2018: ended A1-A7 = 7; återremitterade A1-A6 = 6; back: A1 A3 A4 A5 A6 = 5 (A2 366 days).
    pytest.param("2018", "totalt", "totalt", (7, 6, 6 / 7, 5), id="2018-totalt"),
    pytest.param("2018", JARVA, "totalt", (3, 3, 1.0, 3), id="2018-J"),  # A3 A5 A6
    # S: ended A3 (c2 flytt), A4, A7; återremitterad A4 only (A3's återremiss was at J).
    pytest.param("2018", SYDOST, "totalt", (3, 1, 1 / 3, 1), id="2018-S"),
    pytest.param("2018", "totalt", "kvinnor", (4, 3, 0.75, 3), id="2018-kvinnor"),  # A1 A3 A5 A7
    pytest.param("2018", "totalt", "män", (3, 3, 1.0, 2), id="2018-män"),  # A2 A4 A6 (A8 open)
    # --- 2019-T1: a2 b2 d3 h1 i1 j1 active, nobody ends -> shares empty.
    pytest.param("2019-T1", "totalt", "totalt", (0, 0, None, 0), id="2019-T1-no-avslut-null"),
    # --- 2019-T2. Ended: A2 (b2 arbete), A9 (i1 aterremiss, never back), A10 (j1 aterremiss, back 80 days).
    pytest.param("2019-T2", "totalt", "totalt", (3, 2, 2 / 3, 1), id="2019-T2-totalt"),
    pytest.param("2019-T2", JARVA, "totalt", (1, 1, 1.0, 1), id="2019-T2-J"),  # A10
    pytest.param("2019-T2", SYDOST, "totalt", (1, 1, 1.0, 0), id="2019-T2-S-never-back"),  # A9
    pytest.param("2019-T2", VASTERORT, "totalt", (1, 0, 0.0, 0), id="2019-T2-V"),  # A2
    pytest.param("2019-T2", INNERSTADEN, "totalt", (0, 0, None, 0), id="2019-T2-I-null"),  # A1 open
    pytest.param("2019-T2", "totalt", "kvinnor", (1, 1, 1.0, 0), id="2019-T2-kvinnor"),  # A9 (A1 open)
    pytest.param("2019-T2", "totalt", "män", (2, 1, 0.5, 1), id="2019-T2-män"),  # A2 A10 (A4 A8 open)
    # --- 2019-T3: a2 d3 h1 j2 open; nobody ends.
    pytest.param("2019-T3", "totalt", "totalt", (0, 0, None, 0), id="2019-T3-null"),
    # --- 2019 = 2019-T2's avslut.
    pytest.param("2019", "totalt", "totalt", (3, 2, 2 / 3, 1), id="2019-totalt"),
]
# fmt: on


@pytest.mark.parametrize(("period", "jobbtorg", "kon", "expected"), CASES)
def test_measures(run, period, jobbtorg, kon, expected):
    """Every measure of a (period, jobbtorg, kön) row equals the hand-worked value (shares approx.)."""
    row = run.row(MART, period=period, jobbtorg=jobbtorg, kon=kon)
    want = dict(zip(MEASURES, expected, strict=True))
    if want["andel_aterremitterade"] is not None:
        want["andel_aterremitterade"] = pytest.approx(want["andel_aterremitterade"])
    assert {m: row[m] for m in MEASURES} == want


def test_scenario_day_counts():
    """The day counts the scenario rests on (so a reviewer need not count on fingers)."""
    assert (date(2019, 3, 1) - date(2018, 3, 1)).days == 365  # A1
    assert (date(2019, 3, 2) - date(2018, 3, 1)).days == 366  # A2
    assert (date(2019, 1, 10) - date(2018, 6, 20)).days == 204  # A4
    assert (date(2019, 9, 2) - date(2019, 6, 14)).days == 80  # A10


def test_andel_is_null_not_zero_when_nobody_ended(run):
    """andel_aterremitterade is empty (NULL), not 0, when avslutade is 0 (2019-T1: nobody ends)."""
    row = run.row(MART, period="2019-T1", jobbtorg="totalt", kon="totalt")
    assert row["avslutade"] == 0
    assert row["andel_aterremitterade"] is None


def test_same_rows_as_unika_individer(run):
    """The YAML: the same (period, jobbtorg, kön) rows as unika_individer."""
    dims = ("period", "jobbtorg", "kon")
    assert keys(run, MART, *dims) == keys(run, "unika_individer", *dims)


def test_avslutade_as_in_unika_individer(run):
    """avslutade is defined as in unika_individer: equal in every row."""
    unika = {(r["period"], r["jobbtorg"], r["kon"]): r["avslutade"] for r in run.rows("unika_individer")}
    mine = {(r["period"], r["jobbtorg"], r["kon"]): r["avslutade"] for r in run.rows(MART)}
    assert mine == unika


def test_columns(run):
    """The analyst-facing column set: the common columns, the dimensions and the measures."""
    assert sorted(columns(run, MART)) == sorted([*COMMON, "jobbtorg", "kon", *MEASURES])
