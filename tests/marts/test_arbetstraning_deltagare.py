"""marts.arbetstraning_deltagare on hand-built data: every expected number is worked out by hand below.

Scenario (uttagsdatum 2019-10-01). Every registration is open (from 2019-01-02 unless noted); kön registered.

  person  reg                insats  typ / regi             start       slut        awkward case
  C1 [K]  q1 (2018-11-01)    t1      arbetstraning egen     2018-11-05  2019-02-28  started before 2019:
                                                                                    deltagare, not paborjad
  C2 [M]  q2                 t2      arbetstraning egen     2019-01-14  2019-03-31  egen AND extern in 2019:
                             t3      arbetstraning extern   2019-04-01  2019-06-30  once in totalt
  C3 [K]  q3                 t4      arbetstraning extern   2019-05-02  (open)      open: active to 1 Oct
  C4 [M]  q4                 t5      arbetstraning egen     2019-01-07  2019-01-31  two egen in T1: counted
                             t6      arbetstraning egen     2019-03-04  2019-04-30  once
  C5 [K]  q5                 t7      praktik egen           2019-02-01  2019-03-01  not arbetsträning
  C6 [K]  q6                 t8      arbetstraning egen     2019-04-29  2019-05-03  spans the T1/T2 boundary

Periods: 2018, 2018-T3 (first data: q1), 2019, 2019-T1..T3.  Measures: (paborjade, deltagare)
"""

from __future__ import annotations

import pytest

from tests.marts._helpers import COMMON, columns, keys, run_scenario
from tests.support.sourcebuilder import JARVA, SYDOST, SourceBuilder, pnr

MART = "arbetstraning_deltagare"
MEASURES = ("paborjade", "deltagare")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("arbetstraning_deltagare")
    src = SourceBuilder(root / "source", uttagsdatum="2019-10-01")
    women = {1, 3, 5, 6}
    p = {n: pnr(f"19{80 + n}1111", n, woman=n in women) for n in range(1, 7)}
    for n, start, jobbtorg in [
        (1, "2018-11-01", JARVA),
        (2, "2019-01-02", JARVA),
        (3, "2019-01-02", SYDOST),
        (4, "2019-01-02", JARVA),
        (5, "2019-01-02", JARVA),
        (6, "2019-01-02", SYDOST),
    ]:
        src.inskrivning(f"q{n}", p[n], start, jobbtorg=jobbtorg, kon="K" if n in women else "M")
    src.insats("t1", "q1", "arbetstraning", "2018-11-05", "2019-02-28", regi="egen")
    src.insats("t2", "q2", "arbetstraning", "2019-01-14", "2019-03-31", regi="egen")
    src.insats("t3", "q2", "arbetstraning", "2019-04-01", "2019-06-30", regi="extern")
    src.insats("t4", "q3", "arbetstraning", "2019-05-02", None, regi="extern")
    src.insats("t5", "q4", "arbetstraning", "2019-01-07", "2019-01-31", regi="egen")
    src.insats("t6", "q4", "arbetstraning", "2019-03-04", "2019-04-30", regi="egen")
    src.insats("t7", "q5", "praktik", "2019-02-01", "2019-03-01", regi="egen")
    src.insats("t8", "q6", "arbetstraning", "2019-04-29", "2019-05-03", regi="egen")
    return run_scenario(src, root / "work")


# fmt: off
CASES = [
    # --- 2018-T3 and 2018: C1's t1 starts 5 Nov 2018.
    pytest.param("2018-T3", "egen", "totalt", (1, 1), id="2018-T3-egen"),
    pytest.param("2018-T3", "totalt", "totalt", (1, 1), id="2018-T3-totalt"),
    pytest.param("2018", "egen", "kvinnor", (1, 1), id="2018-egen-kvinnor"),
    # --- 2019-T1 (1 Jan-30 Apr). egen active: t1 (C1, from 2018), t2 (C2), t5 t6 (C4), t8 (C6 from 29 Apr).
    # started: C2, C4 (twice, once counted), C6 -> 3. extern: t3 (C2, from 1 Apr) -> 1, 1.
    pytest.param("2019-T1", "egen", "totalt", (3, 4), id="2019-T1-egen-started-before"),
    pytest.param("2019-T1", "extern", "totalt", (1, 1), id="2019-T1-extern"),
    pytest.param("2019-T1", "totalt", "totalt", (3, 4), id="2019-T1-totalt-egen-and-extern-once"),  # C2 once
    pytest.param("2019-T1", "egen", "kvinnor", (1, 2), id="2019-T1-egen-kvinnor"),  # C1 (not new), C6
    pytest.param("2019-T1", "egen", "män", (2, 2), id="2019-T1-egen-män-two-in-period"),  # C2, C4
    pytest.param("2019-T1", "extern", "män", (1, 1), id="2019-T1-extern-män"),  # C2
    pytest.param("2019-T1", "totalt", "kvinnor", (1, 2), id="2019-T1-kvinnor"),  # C1, C6 (C5 praktik only)
    pytest.param("2019-T1", "totalt", "män", (2, 2), id="2019-T1-män"),  # C2, C4
    # --- 2019-T2 (1 May-31 Aug). egen: t8 (C6, to 3 May) -> 0 started, 1 active.
    # extern: t3 (C2, to 30 Jun), t4 (C3 from 2 May, open) -> 1 started (C3), 2 active.
    pytest.param("2019-T2", "egen", "totalt", (0, 1), id="2019-T2-egen-spans-boundary"),
    pytest.param("2019-T2", "extern", "totalt", (1, 2), id="2019-T2-extern"),
    pytest.param("2019-T2", "totalt", "totalt", (1, 3), id="2019-T2-totalt"),  # C2 C3 C6
    pytest.param("2019-T2", "egen", "kvinnor", (0, 1), id="2019-T2-egen-kvinnor"),  # C6
    pytest.param("2019-T2", "extern", "kvinnor", (1, 1), id="2019-T2-extern-kvinnor"),  # C3
    pytest.param("2019-T2", "extern", "män", (0, 1), id="2019-T2-extern-män"),  # C2
    pytest.param("2019-T2", "totalt", "kvinnor", (1, 2), id="2019-T2-kvinnor"),  # C3, C6
    pytest.param("2019-T2", "totalt", "män", (0, 1), id="2019-T2-män"),  # C2
    # --- 2019-T3: only C3's open t4 (extern).
    pytest.param("2019-T3", "extern", "totalt", (0, 1), id="2019-T3-extern-open"),
    pytest.param("2019-T3", "totalt", "totalt", (0, 1), id="2019-T3-totalt"),
    # --- 2019. egen: C1 (active only), C2, C4, C6 -> 3 started, 4 active. extern: C2, C3 -> 2, 2.
    pytest.param("2019", "egen", "totalt", (3, 4), id="2019-egen"),
    pytest.param("2019", "extern", "totalt", (2, 2), id="2019-extern"),
    # totalt: C1 C2 C3 C4 C6 = 5 active; started C2 C3 C4 C6 = 4 (C2 started both egen and extern: once).
    pytest.param("2019", "totalt", "totalt", (4, 5), id="2019-totalt-person-with-both-once"),
    pytest.param("2019", "totalt", "kvinnor", (2, 3), id="2019-kvinnor"),  # C1 C3 C6; started C3 C6
    pytest.param("2019", "totalt", "män", (2, 2), id="2019-män"),  # C2 C4
    pytest.param("2019", "egen", "kvinnor", (1, 2), id="2019-egen-kvinnor"),  # C1, C6
    pytest.param("2019", "extern", "män", (1, 1), id="2019-extern-män"),  # C2
]
# fmt: on


@pytest.mark.parametrize(("period", "regi", "kon", "expected"), CASES)
def test_measures(run, period, regi, kon, expected):
    """Every measure of a (period, regi, kön) row equals the hand-worked value."""
    row = run.row(MART, period=period, regi=regi, kon=kon)
    assert {m: row[m] for m in MEASURES} == dict(zip(MEASURES, expected, strict=True))


def test_totalt_is_not_egen_plus_extern(run):
    """2019: paborjade egen 3 + extern 2 = 5, but totalt 4, because C2 started one of each."""
    got = {
        r: run.row(MART, period="2019", regi=r, kon="totalt")["paborjade"]
        for r in ("egen", "extern", "totalt")
    }
    assert got == {"egen": 3, "extern": 2, "totalt": 4}


def test_rows_2019_t1(run):
    """Rows only for (regi, kön) with an arbetsträning active in the period: no (extern, kvinnor) in T1."""
    assert keys(run, MART, "regi", "kon", period="2019-T1") == {
        ("egen", "kvinnor"),
        ("egen", "män"),
        ("egen", "totalt"),
        ("extern", "män"),
        ("extern", "totalt"),
        ("totalt", "kvinnor"),
        ("totalt", "män"),
        ("totalt", "totalt"),
    }


def test_rows_2019_t3(run):
    """2019-T3: only C3's extern arbetsträning is active, so no egen rows."""
    assert keys(run, MART, "regi", "kon", period="2019-T3") == {
        ("extern", "kvinnor"),
        ("extern", "totalt"),
        ("totalt", "kvinnor"),
        ("totalt", "totalt"),
    }


def test_no_extern_rows_in_2018(run):
    """2018: no extern arbetsträning was active."""
    assert keys(run, MART, "regi", period="2018") == {("egen",), ("totalt",)}


def test_columns(run):
    """The analyst-facing column set: the common columns, regi, kön and the measures."""
    assert sorted(columns(run, MART)) == sorted([*COMMON, "regi", "kon", *MEASURES])
