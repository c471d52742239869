"""marts.langvarigt_bistand on hand-built data: every expected number is worked out by hand below.

Definition (langvarigt_bistand.yml): the cohort of sjalvforsorjning (persons with an avslut in the period,
their last there). Long-term: net försörjningsstöd above 0 in at least 10 of 12 months. Before: the 12
months before the month of the inskrivning of the registration of that avslut; after: months 1-12 after the
month of the avslut. A window is followable when all 12 months lie within the delivered payment months.

Delivered months: 2017-01 .. 2020-01 (a filler person Z, never registered, is paid in 2017-01 and 2020-01;
the other files lie between). uttagsdatum 2020-03-10. J = Järva, S = Sydost, V = Västerort.

  person  reg  jt inskrivn.  avslut      before window (months >0)         after window (months >0)
  R [K]   RR1  J  2017-01-10 2017-03-31  2016-01..2016-12 X                2017-04..2018-03: 11 L
          RR2  J  2018-05-02 2018-08-31  2017-05..2018-04: 12 L            2018-09..2019-08: 12 L
  W [M]   RW   V  2017-12-01 2018-01-05  2016-12..2017-11 X (2016-12 is     2018-02..2019-01: 0
                                         before the first delivered month)
  V [K]   RV   J  2018-01-15 2018-04-30  2017-01..2017-12: 10 L (2017-01 =   2018-05..2019-04: 0
                                         the first delivered month)
  P9 [M]  RQ   S  2018-02-01 2018-06-30  2017-02..2018-01: 9, not L          2018-07..2019-06: 10 L
                                         (2017-11 +1500 -1500 nets to 0;   (2019-05 only `ovrigt`:
                                         2017-12 only a -200 reclaim)       not counted)
  P10 [K] RP   J  2018-03-15 2018-10-20  2017-03..2018-02: 10 L            2018-11..2019-10: 0
  S [M]   RS   V  2018-11-05 2019-05-01  2017-11..2018-10: 0                2019-06..2020-05 X
  U [M]   RU   S  2018-12-03 2019-01-31  2017-12..2018-11: 0                2019-02..2020-01: 10 L (2020-01
                                                                            = the last delivered month)
  T [K]   RT   J  2019-01-07 2019-02-15  2018-01..2018-12: 12 L            2019-03..2020-02 X (11 of 12
                                                                            delivered is not enough)
  Y [M]   RY1  S  2019-09-02 2019-09-20  2018-09..2019-08: 10 L            2019-10..2020-09 X
          RY2  J  2019-10-01 2019-11-15  2018-10..2019-09: 9, not L        2019-12..2020-11 X
  X [K]   RX   S  2019-06-01 (open)      never in a cohort
  (X = not followable, L = long-term)

Payments (försörjningsstöd, one a month): R 500 for 2017-05..2018-04 and 2018-09..2019-08; V 1000 for
2017-01..2017-10; P9 700 for 2017-02..2017-10, 800 for 2018-07..2019-04; P10 1000 for 2017-03..2017-12;
U 600 for 2019-02..2019-11; T 2000 for 2018-01..2018-12; Y 900 for 2018-09..2019-06.

Y ends twice in 2019-T3: overall and under J the last avslut is RY2 (before window from 2019-10: 9 months,
not L), under S it is RY1 (before window from 2019-09: 10 months, L). R is re-registered: in 2017 judged
from RR1, in 2018 from RR2. Kön: R, V, P10, T, X kvinnor; W, P9, S, U, Y män.
"""

from __future__ import annotations

import pytest

from tests.marts._helpers import COMMON, columns, keys, months, run_scenario
from tests.support.sourcebuilder import JARVA, SYDOST, VASTERORT, SourceBuilder, pnr

MART = "langvarigt_bistand"
MEASURES = (
    "avslutade",
    "uppfoljningsbara_fore",
    "langvariga_fore",
    "uppfoljningsbara_efter",
    "langvariga_efter",
    "andel_langvariga_fore",
    "andel_langvariga_efter",
)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("langvarigt_bistand")
    r = pnr("19800101", 1, woman=True)
    w = pnr("19810202", 2, woman=False)
    v = pnr("19820303", 3, woman=True)
    p9 = pnr("19830404", 4, woman=False)
    p10 = pnr("19840505", 5, woman=True)
    s = pnr("19850606", 6, woman=False)
    u = pnr("19860707", 7, woman=False)
    t = pnr("19870808", 8, woman=True)
    y = pnr("19880909", 9, woman=False)
    x = pnr("19891010", 10, woman=True)
    z = pnr("19601111", 11, woman=False)

    src = SourceBuilder(root / "source", uttagsdatum="2020-03-10")
    src.inskrivning("RR1", r, "2017-01-10", "2017-03-31", "aterremiss", jobbtorg=JARVA, kon="K")
    src.inskrivning("RR2", r, "2018-05-02", "2018-08-31", "annan", jobbtorg=JARVA, kon="K")
    src.inskrivning("RW", w, "2017-12-01", "2018-01-05", "annan", jobbtorg=VASTERORT, kon="M")
    src.inskrivning("RV", v, "2018-01-15", "2018-04-30", "annan", jobbtorg=JARVA, kon="K")
    src.inskrivning("RQ", p9, "2018-02-01", "2018-06-30", "studier", jobbtorg=SYDOST, kon="M")
    src.inskrivning("RP", p10, "2018-03-15", "2018-10-20", "arbete_osubventionerat", jobbtorg=JARVA, kon="K")
    src.inskrivning("RS", s, "2018-11-05", "2019-05-01", "annan", jobbtorg=VASTERORT, kon="M")
    src.inskrivning("RU", u, "2018-12-03", "2019-01-31", "flytt", jobbtorg=SYDOST, kon="M")
    src.inskrivning("RT", t, "2019-01-07", "2019-02-15", "arbete_subventionerat", jobbtorg=JARVA, kon="K")
    src.inskrivning("RY1", y, "2019-09-02", "2019-09-20", "aterremiss", jobbtorg=SYDOST, kon="M")
    src.inskrivning("RY2", y, "2019-10-01", "2019-11-15", "annan", jobbtorg=JARVA, kon="M")
    src.inskrivning("RX", x, "2019-06-01", jobbtorg=SYDOST, kon="K")

    src.utbetalning("z1", z, "2017-01", "1000")
    src.utbetalning("z2", z, "2020-01", "1000")
    paid = [
        ("r", r, months("2017-05", "2018-04") + months("2018-09", "2019-08"), "500"),
        ("v", v, months("2017-01", "2017-10"), "1000"),
        ("q", p9, months("2017-02", "2017-10"), "700"),
        ("qe", p9, months("2018-07", "2019-04"), "800"),
        ("p", p10, months("2017-03", "2017-12"), "1000"),
        ("u", u, months("2019-02", "2019-11"), "600"),
        ("t", t, months("2018-01", "2018-12"), "2000"),
        ("y", y, months("2018-09", "2019-06"), "900"),
    ]
    for tag, person, paid_months, amount in paid:
        for month in paid_months:
            src.utbetalning(f"{tag}{month}", person, month, amount)
    src.utbetalning("q-nov", p9, "2017-11", "1500")
    src.utbetalning("q-nov-back", p9, "2017-11", "-1500", fil_manad="2017-12")  # 2017-11 nets to 0
    src.utbetalning("q-dec", p9, "2017-12", "-200")  # a reclaim only: below 0
    src.utbetalning("q-ovr", p9, "2019-05", "900", bistandstyp="ovrigt")  # not försörjningsstöd
    return run_scenario(src, root / "work")


def got(run, period, jobbtorg, kon):
    row = run.row(MART, period=period, jobbtorg=jobbtorg, kon=kon)
    return tuple(row[m] for m in MEASURES)


def want(avslutade, fore, efter):
    """The expected row from (followable, long-term) before and after; shares empty when none followable."""
    (uf, lf), (ue, le) = fore, efter
    share = lambda n, d: None if d == 0 else pytest.approx(n / d)  # noqa: E731
    return (avslutade, uf, lf, ue, le, share(lf, uf), share(le, ue))


# (period, jobbtorg, kön, avslutade, (followable, long-term) before, the same after)
# fmt: off
CASES = [
    # 2017-T1 and 2017: R (RR1): before X; after 2017-04..2018-03, 11 months -> L.
    pytest.param("2017-T1", "totalt", "totalt", 1, (0, 0), (1, 1), id="2017-T1-R-before-not-delivered"),
    pytest.param("2017", JARVA, "kvinnor", 1, (0, 0), (1, 1), id="2017-J-kvinnor-R"),
    # 2017 under V: W's RW is active from 2017-12-01 but ends only in 2018.
    pytest.param("2017", VASTERORT, "totalt", 0, (0, 0), (0, 0), id="2017-V-W-open"),
    # 2018-T1: W (X; after 0 months), V (10 L; after 0).
    pytest.param("2018-T1", "totalt", "totalt", 2, (1, 1), (2, 0), id="2018-T1-W-V"),
    pytest.param("2018-T1", JARVA, "kvinnor", 1, (1, 1), (1, 0), id="2018-T1-J-V-ten-months"),
    pytest.param("2018-T1", VASTERORT, "män", 1, (0, 0), (1, 0), id="2018-T1-V-W-before-first-month"),
    # 2018-T2: P9 (9: not L; after 10 L), R (RR2: 12 L; after 12 L).
    pytest.param("2018-T2", "totalt", "totalt", 2, (2, 1), (2, 2), id="2018-T2-P9-R"),
    pytest.param("2018-T2", SYDOST, "män", 1, (1, 0), (1, 1), id="2018-T2-S-P9-nine-months"),
    # 2018-T3: P10 (10 L; after 0).
    pytest.param("2018-T3", "totalt", "totalt", 1, (1, 1), (1, 0), id="2018-T3-P10"),
    # 2018: W, V, P9, R (RR2), P10. before: W X, V L, P9 -, R L, P10 L -> 4 / 3;
    #       after: W -, V -, P9 L, R L, P10 - -> 5 / 2.
    pytest.param("2018", "totalt", "totalt", 5, (4, 3), (5, 2), id="2018-totalt"),
    pytest.param("2018", "totalt", "kvinnor", 3, (3, 3), (3, 1), id="2018-kvinnor-V-R-P10"),
    pytest.param("2018", "totalt", "män", 2, (1, 0), (2, 1), id="2018-män-W-P9"),
    pytest.param("2018", JARVA, "totalt", 3, (3, 3), (3, 1), id="2018-J-V-R-P10"),
    pytest.param("2018", SYDOST, "totalt", 1, (1, 0), (1, 1), id="2018-S-P9-U-open"),
    pytest.param("2018", VASTERORT, "totalt", 1, (0, 0), (1, 0), id="2018-V-W-S-open"),
    # 2019-T1: U (before 0; after exactly up to 2020-01, 10 L), T (12 L; after X).
    pytest.param("2019-T1", "totalt", "totalt", 2, (2, 1), (1, 1), id="2019-T1-U-T"),
    pytest.param("2019-T1", JARVA, "kvinnor", 1, (1, 1), (0, 0), id="2019-T1-J-T-after-not-delivered"),
    pytest.param("2019-T1", SYDOST, "män", 1, (1, 0), (1, 1), id="2019-T1-S-U-after-last-month"),
    # 2019-T2: S (avslut 2019-05-01, the first day of T2): before 0; after X.
    pytest.param("2019-T2", "totalt", "totalt", 1, (1, 0), (0, 0), id="2019-T2-S"),
    pytest.param("2019-T1", VASTERORT, "totalt", 0, (0, 0), (0, 0), id="2019-T1-V-S-still-open"),
    # 2019-T3: Y, last avslut RY2 overall and under J (9 months: not L), RY1 under S (10: L).
    pytest.param("2019-T3", "totalt", "totalt", 1, (1, 0), (0, 0), id="2019-T3-Y-from-RY2"),
    pytest.param("2019-T3", JARVA, "män", 1, (1, 0), (0, 0), id="2019-T3-J-Y-RY2"),
    pytest.param("2019-T3", SYDOST, "män", 1, (1, 1), (0, 0), id="2019-T3-S-Y-RY1"),
    pytest.param("2019-T3", SYDOST, "kvinnor", 0, (0, 0), (0, 0), id="2019-T3-S-kvinnor-X-open"),
    # 2019: U, T, S, Y. before: U -, T L, S -, Y (RY2) - -> 4 / 1; after: only U followable, L -> 1 / 1.
    pytest.param("2019", "totalt", "totalt", 4, (4, 1), (1, 1), id="2019-totalt"),
    pytest.param("2019", SYDOST, "totalt", 2, (2, 1), (1, 1), id="2019-S-U-Y-RY1"),
    # 2020-T1: only X's open registration.
    pytest.param("2020-T1", "totalt", "totalt", 0, (0, 0), (0, 0), id="2020-T1-no-cohort"),
]
# fmt: on


@pytest.mark.parametrize(("period", "jobbtorg", "kon", "avslutade", "fore", "efter"), CASES)
def test_measures(run, period, jobbtorg, kon, avslutade, fore, efter):
    """Every column of a (period, jobbtorg, kön) equals the hand-worked one."""
    assert got(run, period, jobbtorg, kon) == want(avslutade, fore, efter)


def test_ten_months_long_term_nine_not(run):
    """V: 10 months in the year before (2017-01..2017-10) -> long-term; P9: 9 months, plus a month netted to 0
    and a month with only a reclaim -> not long-term."""
    assert got(run, "2018-T1", JARVA, "kvinnor")[1:3] == (1, 1)
    assert got(run, "2018-T2", SYDOST, "män")[1:3] == (1, 0)


def test_after_window_ending_on_the_last_delivered_month_is_followed(run):
    """U: month 0 2019-01, months 1-12 = 2019-02..2020-01, the last delivered month: followed (10 -> L).
    T: month 0 2019-02, months 1-12 end 2020-02: not followed."""
    assert got(run, "2019-T1", SYDOST, "män")[3:5] == (1, 1)
    assert got(run, "2019-T1", JARVA, "kvinnor")[3:5] == (0, 0)


def test_cohort_equals_sjalvforsorjning(run):
    """The cohort is sjalvforsorjning's: avslutade agree on every (period, jobbtorg, kön)."""
    with run.analysts() as con:
        diff = con.execute(
            """
            SELECT l.period, l.jobbtorg, l.kon, l.avslutade, s.avslutade
            FROM marts.langvarigt_bistand AS l
            FULL JOIN (SELECT * FROM marts.sjalvforsorjning WHERE manader_efter_avslut = 3) AS s
              USING (period, jobbtorg, kon)
            WHERE l.avslutade IS DISTINCT FROM s.avslutade
            """
        ).fetchall()
    assert diff == []


def test_counts_nest(run):
    bad = [
        r
        for r in run.rows(MART)
        if not (
            r["langvariga_fore"] <= r["uppfoljningsbara_fore"] <= r["avslutade"]
            and r["langvariga_efter"] <= r["uppfoljningsbara_efter"] <= r["avslutade"]
        )
    ]
    assert bad == []


def test_rows_2019_t3(run):
    """Active in 2019-T3: RY1 (S), RY2 (J), RX (S): Y is a man, X a woman."""
    assert keys(run, MART, "jobbtorg", "kon", period="2019-T3") == {
        (JARVA, "män"),
        (JARVA, "totalt"),
        (SYDOST, "kvinnor"),
        (SYDOST, "män"),
        (SYDOST, "totalt"),
        ("totalt", "kvinnor"),
        ("totalt", "män"),
        ("totalt", "totalt"),
    }


def test_columns(run):
    assert columns(run, MART) == [*COMMON, "jobbtorg", "kon", *MEASURES]
