"""marts.sjalvforsorjning, the long follow-up k = 24, 36 and 48, on hand-built data worked out by hand.

The rules are those of k = 3..18 (test_sjalvforsorjning.py): the cohort is the persons with an avslut in the
period, month 0 the month of their last avslut there (under a jobbtorg: their last avslut there); a person
is uppfoljningsbar for k when month 0 + k lies within the delivered payment months (first to last
delivered file month); sjalvforsorjande when the net försörjningsstöd for month 0 + k is not above 0.

Scenario (uttagsdatum 2021-01-20; J = Järva, S = Sydost, V = Västerort; kön in brackets). Payment files
2016-06 and 2020-12 (a filler person Z, never registered, gets 1000 in each), so the delivered months are
2016-06 .. 2020-12; the other files below lie inside that range.

  person  reg  jt inskrivn.  avslut      month 0 -> k = 24 / 36 / 48
  P [K]   IP   J  2016-03-01 2016-08-31  2016-08 -> 2018-08 N (1000) / 2019-08 S / 2020-08 N (500)
  Q [M]   IQ1  J  2016-01-11 2016-04-05  2016-04 -> 2018-04 N (700)  / 2019-04 S / 2020-04 S
          IQ2  S  2016-06-01 2016-12-20  2016-12 -> 2018-12 S        / 2019-12 S / 2020-12 N (2000:
                                                     exactly the last delivered month, so followable)
  R [K]   IR   S  2016-11-14 2017-01-01  2017-01 -> 2019-01 S (-300: a reclaim only) / 2020-01 N (4000) /
                                                     2021-01 X: month 48 not yet delivered (an advance of
                                                     5000 for 2021-01 in the 2020-12 file does not make
                                                     2021-01 delivered)
  T [M]   IT   J  2019-05-02 2019-10-31  2019-10 -> 2021-10 X / 2022-10 X / 2023-10 X
  U [K]   IU   V  2020-02-03 (open)      never in a cohort
  (S = självförsörjande, N = not, X = not uppföljningsbar)

Q is re-registered: IQ1 at Järva ends in 2016-T1, IQ2 at Sydost in 2016-T3. In the year 2016 Q's month 0 is
2016-12 overall and under S, but 2016-04 under J (the last avslut there). R's avslut on 2017-01-01, the
first day of 2017-T1, puts R in 2017's cohort, not 2016's.
"""

from __future__ import annotations

import pytest

from tests.marts._helpers import run_scenario
from tests.marts.test_sjalvforsorjning import K_LANG, got, want
from tests.support.sourcebuilder import JARVA, SYDOST, VASTERORT, SourceBuilder, pnr


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("sjalvforsorjning_lang")
    p = pnr("19800115", 1, woman=True)
    q = pnr("19750620", 2, woman=False)
    r = pnr("19900303", 3, woman=True)
    t = pnr("19851010", 4, woman=False)
    u = pnr("19930707", 5, woman=True)
    z = pnr("19600101", 6, woman=False)

    src = SourceBuilder(root / "source", uttagsdatum="2021-01-20")
    src.inskrivning("IP", p, "2016-03-01", "2016-08-31", "arbete_osubventionerat", jobbtorg=JARVA, kon="K")
    src.inskrivning("IQ1", q, "2016-01-11", "2016-04-05", "aterremiss", jobbtorg=JARVA, kon="M")
    src.inskrivning("IQ2", q, "2016-06-01", "2016-12-20", "studier", jobbtorg=SYDOST, kon="M")
    src.inskrivning("IR", r, "2016-11-14", "2017-01-01", "annan", jobbtorg=SYDOST, kon="K")
    src.inskrivning("IT", t, "2019-05-02", "2019-10-31", "arbete_subventionerat", jobbtorg=JARVA, kon="M")
    src.inskrivning("IU", u, "2020-02-03", jobbtorg=VASTERORT, kon="K")

    src.utbetalning("z1", z, "2016-06", "1000")
    src.utbetalning("z2", z, "2020-12", "1000")
    src.utbetalning("p1", p, "2018-08", "1000")
    src.utbetalning("p2", p, "2020-08", "500")
    src.utbetalning("q1", q, "2018-04", "700")
    src.utbetalning("q2", q, "2020-12", "2000")
    src.utbetalning("r1", r, "2019-01", "-300")
    src.utbetalning("r2", r, "2020-01", "4000")
    src.utbetalning("r3", r, "2021-01", "5000", fil_manad="2020-12")  # an advance: 2021-01 is not delivered
    return run_scenario(src, root / "work")


# (period, jobbtorg, kön, avslutade, {k: (uppfoljningsbara, sjalvforsorjande)})
# fmt: off
CASES = [
    # 2016-T1: Q (IQ1, month 0 2016-04): 24 N, 36 S, 48 S.
    pytest.param("2016-T1", "totalt", "totalt", 1, {24: (1, 0), 36: (1, 1), 48: (1, 1)}, id="2016-T1-Q"),
    pytest.param("2016-T1", JARVA, "män", 1, {24: (1, 0), 36: (1, 1), 48: (1, 1)}, id="2016-T1-J-män-Q"),
    # 2016-T2: P (2016-08-31, the last day of T2): 24 N, 36 S, 48 N. Q's IQ2 is active but has not ended.
    pytest.param("2016-T2", "totalt", "totalt", 1, {24: (1, 0), 36: (1, 1), 48: (1, 0)}, id="2016-T2-P"),
    pytest.param("2016-T2", "totalt", "män", 0, {24: (0, 0), 36: (0, 0), 48: (0, 0)}, id="2016-T2-män-Q"),
    # 2016-T3: Q (IQ2, month 0 2016-12): 24 S, 36 S, 48 = 2020-12, the last delivered month: N (2000).
    #          R is active (IR) but ends only on 2017-01-01.
    pytest.param("2016-T3", "totalt", "totalt", 1, {24: (1, 1), 36: (1, 1), 48: (1, 0)}, id="2016-T3-Q"),
    pytest.param("2016-T3", SYDOST, "kvinnor", 0, {24: (0, 0), 36: (0, 0), 48: (0, 0)}, id="2016-T3-S-R"),
    # 2016 overall: P (2016-08) and Q (last avslut 2016-12).
    #   24: P N, Q S -> 2 / 1;  36: P S, Q S -> 2 / 2;  48: P N, Q N -> 2 / 0
    pytest.param("2016", "totalt", "totalt", 2, {24: (2, 1), 36: (2, 2), 48: (2, 0)}, id="2016-totalt"),
    pytest.param("2016", "totalt", "kvinnor", 1, {24: (1, 0), 36: (1, 1), 48: (1, 0)}, id="2016-kvinnor-P"),
    pytest.param("2016", "totalt", "män", 1, {24: (1, 1), 36: (1, 1), 48: (1, 0)}, id="2016-män-Q-Dec"),
    # 2016 under J: P (2016-08) and Q (IQ1, 2016-04: Q's last avslut at Järva).
    #   24: P N, Q N (700) -> 2 / 0;  36: P S, Q S -> 2 / 2;  48: P N, Q 2020-04 S -> 2 / 1
    pytest.param("2016", JARVA, "totalt", 2, {24: (2, 0), 36: (2, 2), 48: (2, 1)}, id="2016-J-Q-from-April"),
    # 2016 under S: Q (IQ2, 2016-12); R active, not ended.
    pytest.param("2016", SYDOST, "totalt", 1, {24: (1, 1), 36: (1, 1), 48: (1, 0)}, id="2016-S-Q-from-Dec"),
    # 2017-T1 and 2017: R (2017-01-01): 24 S (-300), 36 N (4000), 48 = 2021-01 not delivered -> 0 / 0.
    pytest.param("2017-T1", "totalt", "totalt", 1, {24: (1, 1), 36: (1, 0), 48: (0, 0)}, id="2017-T1-R"),
    pytest.param("2017", SYDOST, "kvinnor", 1, {24: (1, 1), 36: (1, 0), 48: (0, 0)}, id="2017-S-kvinnor-R"),
    # 2019-T3 and 2019: T (month 0 2019-10): 2021-10 and later lie past 2020-12 -> no one followable.
    pytest.param("2019-T3", "totalt", "totalt", 1, {24: (0, 0), 36: (0, 0), 48: (0, 0)}, id="2019-T3-T"),
    pytest.param("2019", JARVA, "män", 1, {24: (0, 0), 36: (0, 0), 48: (0, 0)}, id="2019-J-män-T"),
    # 2020: only U's open registration.
    pytest.param("2020", "totalt", "totalt", 0, {24: (0, 0), 36: (0, 0), 48: (0, 0)}, id="2020-U-open"),
]
# fmt: on


@pytest.mark.parametrize(("period", "jobbtorg", "kon", "avslutade", "per_k"), CASES)
def test_long_follow_up(run, period, jobbtorg, kon, avslutade, per_k):
    """The four measures for k = 24, 36 and 48 equal the hand-worked ones."""
    assert {k: got(run, period, jobbtorg, kon, k) for k in K_LANG} == {
        k: want(avslutade, *per_k[k]) for k in K_LANG
    }


def test_month_48_not_yet_delivered(run):
    """R: month 0 2017-01, k = 48 -> 2021-01, after the last delivered month 2020-12 (the 5000 advance for
    2021-01 in the 2020-12 file does not make it delivered): in the cohort, not followable, share empty."""
    assert got(run, "2017-T1", SYDOST, "kvinnor", 48) == (1, 0, 0, None)


def test_month_48_exactly_the_last_delivered_month(run):
    """Q: month 0 2016-12 (IQ2), k = 48 -> 2020-12 = the last delivered month: followable; 2000 -> N."""
    assert got(run, "2016-T3", SYDOST, "män", 48) == want(1, 1, 0)


def test_short_follow_up_unchanged_beside_the_long(run):
    """The k = 3..18 rows keep their rules. P (month 0 2016-08): 2016-11, 2017-02, 2017-08, 2018-02 have no
    payment -> S for each. R (month 0 2017-01): 2017-04, 2017-07, 2018-01, 2018-07: S for each.
    T (month 0 2019-10): k = 3, 6, 12 -> 2020-01, 2020-04, 2020-10 S; k = 18 -> 2021-04 X."""
    assert {k: got(run, "2016-T2", JARVA, "kvinnor", k) for k in (3, 6, 12, 18)} == {
        k: want(1, 1, 1) for k in (3, 6, 12, 18)
    }
    assert {k: got(run, "2017-T1", "totalt", "totalt", k) for k in (3, 6, 12, 18)} == {
        k: want(1, 1, 1) for k in (3, 6, 12, 18)
    }
    assert {k: got(run, "2019-T3", JARVA, "totalt", k) for k in (3, 6, 12, 18)} == {
        3: want(1, 1, 1),
        6: want(1, 1, 1),
        12: want(1, 1, 1),
        18: want(1, 0, 0),
    }


def test_seven_levels(run):
    """Every (period, jobbtorg, kön) has exactly the seven k: 3, 6, 12, 18, 24, 36 and 48."""
    with run.analysts() as con:
        bad = con.execute(
            """
            SELECT period, jobbtorg, kon, list(manader_efter_avslut ORDER BY manader_efter_avslut) AS k
            FROM marts.sjalvforsorjning GROUP BY ALL
            HAVING k <> [3, 6, 12, 18, 24, 36, 48]
            """
        ).fetchall()
    assert bad == []
