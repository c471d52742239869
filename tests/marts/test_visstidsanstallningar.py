"""marts.visstidsanstallningar on hand-built data: every expected number is worked out by hand below.

Definition (visstidsanstallningar.yml): employments (insatstyp visstidsanstallning) counted per employment;
pagaende = started by the period's judging day (its last day, or the uttagsdatum for the period holding it)
and not ended before or on that day; for the employments ended in the period, the PERSONS self-sufficient
6 and 12 months later, month 0 = the month of the person's last employment ended in the period.

Scenario (uttagsdatum 2020-10-05; J = Järva, S = Sydost, V = Västerort; kön registered):

  person  reg  jt  inskrivning  avslut      insats (type)      start       slut        planerat slut
  V1 [K]  r1   J   2019-01-07   (open)      e1 (visstids)      2019-02-04  2019-03-29  2019-08-02  broken off
                                            e2 (visstids)      2019-05-06  2019-10-31  2019-10-31  on plan
                                            c1 (coachning)     2019-01-14  2019-12-20  (not counted)
  V2 [M]  r2   J   2019-03-01   (open)      e3 (visstids)      2019-03-11  (ongoing)   2020-12-31
  V3 [K]  r3   S   2019-05-20   (open)      e4 (visstids)      2019-06-03  2019-08-31  2019-11-29  broken off
                                                                    (ends on the last day of 2019-T2)
  V4 [M]  r4   S   2019-11-18   2020-03-13  e5 (visstids)      2019-12-02  2020-02-28  2020-05-29  broken off
  V5 [K]  r5   J   2020-08-17   (open)      e6 (visstids)      2020-09-01  (ongoing)   2021-02-26
  V6 [M]  r6   S   2020-05-18   (open)      e7 (visstids)      2020-06-01  2020-10-05  2020-11-30  broken off
                                                                    (ends on the uttagsdatum)
  V7 [M]  r7   J   2019-01-07   (open)      e8 (visstids)      2019-01-14  2019-02-15  2019-06-14  broken off
                                            e9 (visstids)      2019-03-01  2019-04-30  2019-04-15  after plan
                                                                    (ends on the last day of 2019-T1)
  V8 [K]  r8   V   2019-02-01   (open)      p1 (praktik)       2019-02-04  2019-05-31  (no visstids: no row)
  V9 [M]  r9   V   2018-10-01   2018-12-14  (no insats)        first data, but no visstids in 2018: no rows

Payment files 2019-01 .. 2020-08, each with a payment to a filler person Z (never registered).
Payments (försörjningsstöd unless said):
  V1: 2019-09 2500; 2020-04 `ovrigt` 1500 (not counted)     V3: 2020-08 2000
  V4: 2020-08 +1000 and -1000 (net 0)                        V7: 2019-10 3000; 2020-02 4000
  V2, V5, V6: none

Follow-up (month 0 -> +6 / +12; S = självförsörjande, N = not, X = after 2020-08, not uppföljningsbar):
  V1 ended e1 (2019-03) -> 2019-09 N / 2020-03 S;    ended e2 (2019-10) -> 2020-04 S (ovrigt only) / 2020-10 X
  V3 2019-08 -> 2020-02 S / 2020-08 N (the last delivered month)
  V4 2020-02 -> 2020-08 S (net 0) / 2021-02 X
  V6 2020-10 -> X / X;   V7 last e9 (2019-04) -> 2019-10 N / 2020-04 S  (from e8, 2019-02, it would be
  2019-08 S / 2020-02 N: the last employment decides)

Measures, in this order:
  (paborjade, pagaende, avslutade, avslutade_fore_planerat_slut,
   personer_uppfoljningsbara_6_man, personer_sjalvforsorjande_6_man,
   personer_uppfoljningsbara_12_man, personer_sjalvforsorjande_12_man)
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.marts._helpers import COMMON, columns, keys, pick, run_scenario
from tests.support.sourcebuilder import JARVA, SYDOST, VASTERORT, SourceBuilder, pnr

MART = "visstidsanstallningar"
MEASURES = (
    "paborjade",
    "pagaende",
    "avslutade",
    "avslutade_fore_planerat_slut",
    "personer_uppfoljningsbara_6_man",
    "personer_sjalvforsorjande_6_man",
    "personer_uppfoljningsbara_12_man",
    "personer_sjalvforsorjande_12_man",
)


def _months(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("visstidsanstallningar")
    p = {n: pnr(f"19{70 + n}0415", n, woman=n in (1, 3, 5, 8)) for n in range(1, 10)}
    z = pnr("19600606", 20, woman=False)
    src = SourceBuilder(root / "source", uttagsdatum="2020-10-05")
    regs = [
        # (reg, person, jobbtorg, start, slut, orsak)
        ("r1", 1, JARVA, "2019-01-07", None, None),
        ("r2", 2, JARVA, "2019-03-01", None, None),
        ("r3", 3, SYDOST, "2019-05-20", None, None),
        ("r4", 4, SYDOST, "2019-11-18", "2020-03-13", "arbete_osubventionerat"),
        ("r5", 5, JARVA, "2020-08-17", None, None),
        ("r6", 6, SYDOST, "2020-05-18", None, None),
        ("r7", 7, JARVA, "2019-01-07", None, None),
        ("r8", 8, VASTERORT, "2019-02-01", None, None),
        ("r9", 9, VASTERORT, "2018-10-01", "2018-12-14", "annan"),
    ]
    for reg, n, jobbtorg, start, slut, orsak in regs:
        kon = "K" if n in (1, 3, 5, 8) else "M"
        src.inskrivning(reg, p[n], start, slut, orsak, jobbtorg=jobbtorg, kon=kon)
    employments = [
        # (insats, reg, start, slut, planerat_slutdatum)
        ("e1", "r1", "2019-02-04", "2019-03-29", "2019-08-02"),
        ("e2", "r1", "2019-05-06", "2019-10-31", "2019-10-31"),
        ("e3", "r2", "2019-03-11", None, "2020-12-31"),
        ("e4", "r3", "2019-06-03", "2019-08-31", "2019-11-29"),
        ("e5", "r4", "2019-12-02", "2020-02-28", "2020-05-29"),
        ("e6", "r5", "2020-09-01", None, "2021-02-26"),
        ("e7", "r6", "2020-06-01", "2020-10-05", "2020-11-30"),
        ("e8", "r7", "2019-01-14", "2019-02-15", "2019-06-14"),
        ("e9", "r7", "2019-03-01", "2019-04-30", "2019-04-15"),
    ]
    for insats, reg, start, slut, planned in employments:
        src.insats(insats, reg, "visstidsanstallning", start, slut, planerat_slutdatum=planned)
    src.insats("c1", "r1", "coachning", "2019-01-14", "2019-12-20")
    src.insats("p1", "r8", "praktik", "2019-02-04", "2019-05-31")

    src.utbetalning("v1a", p[1], "2019-09", "2500")
    src.utbetalning("v1b", p[1], "2020-04", "1500", bistandstyp="ovrigt")
    src.utbetalning("v3a", p[3], "2020-08", "2000")
    src.utbetalning("v4a", p[4], "2020-08", "1000")
    src.utbetalning("v4b", p[4], "2020-08", "-1000")
    src.utbetalning("v7a", p[7], "2019-10", "3000")
    src.utbetalning("v7b", p[7], "2020-02", "4000")
    for month in _months("2019-01", "2020-08"):
        src.utbetalning(f"z{month}", z, month, "1000")
    return run_scenario(src, root / "work")


def values(run, period, jobbtorg, kon):
    row = run.row(MART, period=period, jobbtorg=jobbtorg, kon=kon)
    return tuple(row[m] for m in MEASURES)


NOTHING_ENDED = (0, 0, 0, 0)

# fmt: off
CASES = [
    # --- 2019-T1 (1 Jan-30 Apr, judged 30 Apr). Active: e1, e3, e8, e9 (all at J).
    # paborjade e1 e3 e8 e9 = 4; pagaende e3 (e9 ended on 30 Apr, the judging day: not going on) = 1;
    # avslutade e1 e8 e9 = 3; before plan e1 e8 (e9 ended after its plan) = 2.
    # Persons: V1 (e1, 2019-03): 6 N, 12 S; V7 (last e9, 2019-04): 6 N, 12 S -> 2/0, 2/2.
    pytest.param("2019-T1", "totalt", "totalt", (4, 1, 3, 2, 2, 0, 2, 2), id="2019-T1-totalt"),
    pytest.param("2019-T1", JARVA, "totalt", (4, 1, 3, 2, 2, 0, 2, 2), id="2019-T1-J"),
    pytest.param("2019-T1", "totalt", "kvinnor", (1, 0, 1, 1, 1, 0, 1, 1), id="2019-T1-kvinnor-V1"),
    pytest.param("2019-T1", JARVA, "kvinnor", (1, 0, 1, 1, 1, 0, 1, 1), id="2019-T1-J-kvinnor-V1"),
    # män V2 (e3 ongoing), V7 (e8 and e9 ended: two employments, one person followed).
    pytest.param("2019-T1", "totalt", "män", (3, 1, 2, 1, 1, 0, 1, 1), id="2019-T1-män-two-employments"),
    pytest.param("2019-T1", JARVA, "män", (3, 1, 2, 1, 1, 0, 1, 1), id="2019-T1-J-män"),
    # --- 2019-T2 (1 May-31 Aug). Active: e2, e3, e4. paborjade e2 e4; pagaende e2 e3 (e4 ended 31 Aug);
    # avslutade e4 (broken off). V3 (2019-08): 6 -> 2020-02 S; 12 -> 2020-08 N (2000).
    pytest.param("2019-T2", "totalt", "totalt", (2, 2, 1, 1, 1, 1, 1, 0), id="2019-T2-totalt"),
    pytest.param("2019-T2", "totalt", "kvinnor", (2, 1, 1, 1, 1, 1, 1, 0), id="2019-T2-kvinnor-V1-V3"),
    pytest.param("2019-T2", "totalt", "män", (0, 1, 0, 0, *NOTHING_ENDED), id="2019-T2-män-V2"),
    pytest.param("2019-T2", JARVA, "totalt", (1, 2, 0, 0, *NOTHING_ENDED), id="2019-T2-J-e2-e3"),
    pytest.param("2019-T2", JARVA, "kvinnor", (1, 1, 0, 0, *NOTHING_ENDED), id="2019-T2-J-kvinnor-e2"),
    pytest.param("2019-T2", SYDOST, "totalt", (1, 0, 1, 1, 1, 1, 1, 0), id="2019-T2-S-ended-last-day"),
    pytest.param("2019-T2", SYDOST, "kvinnor", (1, 0, 1, 1, 1, 1, 1, 0), id="2019-T2-S-kvinnor-V3"),
    # --- 2019-T3 (1 Sep-31 Dec). Active: e2 (to 31 Oct), e3, e5 (from 2 Dec). paborjade e5; pagaende e3 e5;
    # avslutade e2 on its planned end (not before). V1 (last e2, 2019-10): 6 -> 2020-04 S (ovrigt only);
    # 12 -> 2020-10 X.
    pytest.param("2019-T3", "totalt", "totalt", (1, 2, 1, 0, 1, 1, 0, 0), id="2019-T3-totalt-on-plan"),
    pytest.param("2019-T3", "totalt", "kvinnor", (0, 0, 1, 0, 1, 1, 0, 0), id="2019-T3-kvinnor-V1"),
    pytest.param("2019-T3", "totalt", "män", (1, 2, 0, 0, *NOTHING_ENDED), id="2019-T3-män-V2-V4"),
    pytest.param("2019-T3", JARVA, "totalt", (0, 1, 1, 0, 1, 1, 0, 0), id="2019-T3-J"),
    pytest.param("2019-T3", SYDOST, "totalt", (1, 1, 0, 0, *NOTHING_ENDED), id="2019-T3-S-started-ongoing"),
    pytest.param("2019-T3", SYDOST, "män", (1, 1, 0, 0, *NOTHING_ENDED), id="2019-T3-S-män-V4"),
    # --- 2019 (judged 31 Dec). Active: e1..e5, e8, e9. paborjade all 7; pagaende e3 e5; avslutade e1 e2 e4
    # e8 e9 = 5; before plan e1 e4 e8 = 3.
    # Persons: V1 (last e2): 6 S, 12 X; V3: 6 S, 12 N; V7 (last e9): 6 N, 12 S -> 3/2, 2/1.
    pytest.param("2019", "totalt", "totalt", (7, 2, 5, 3, 3, 2, 2, 1), id="2019-totalt"),
    pytest.param("2019", "totalt", "kvinnor", (3, 0, 3, 2, 2, 2, 1, 0), id="2019-kvinnor-V1-V3"),
    pytest.param("2019", "totalt", "män", (4, 2, 2, 1, 1, 0, 1, 1), id="2019-män-V2-V4-V7"),
    # J: e1 e2 e3 e8 e9; persons V1 (6 S, 12 X), V7 (6 N, 12 S).
    pytest.param("2019", JARVA, "totalt", (5, 1, 4, 2, 2, 1, 1, 1), id="2019-J"),
    pytest.param("2019", JARVA, "kvinnor", (2, 0, 2, 1, 1, 1, 0, 0), id="2019-J-kvinnor-V1-last-employment"),
    pytest.param("2019", JARVA, "män", (3, 1, 2, 1, 1, 0, 1, 1), id="2019-J-män"),
    pytest.param("2019", SYDOST, "totalt", (2, 1, 1, 1, 1, 1, 1, 0), id="2019-S"),
    pytest.param("2019", SYDOST, "kvinnor", (1, 0, 1, 1, 1, 1, 1, 0), id="2019-S-kvinnor"),
    pytest.param("2019", SYDOST, "män", (1, 1, 0, 0, *NOTHING_ENDED), id="2019-S-män"),
    # --- 2020-T1 (judged 30 Apr). Active: e3, e5 (to 28 Feb). pagaende e3; avslutade e5 (broken off).
    # V4 (2020-02): 6 -> 2020-08 S (+1000 -1000), 12 -> 2021-02 X.
    pytest.param("2020-T1", "totalt", "totalt", (0, 1, 1, 1, 1, 1, 0, 0), id="2020-T1-totalt"),
    pytest.param("2020-T1", "totalt", "män", (0, 1, 1, 1, 1, 1, 0, 0), id="2020-T1-män"),
    pytest.param("2020-T1", JARVA, "totalt", (0, 1, 0, 0, *NOTHING_ENDED), id="2020-T1-J"),
    pytest.param("2020-T1", SYDOST, "totalt", (0, 0, 1, 1, 1, 1, 0, 0), id="2020-T1-S-V4"),
    # --- 2020-T2 (judged 31 Aug). Active: e3, e7 (from 1 Jun). paborjade e7; pagaende e3 e7.
    pytest.param("2020-T2", "totalt", "totalt", (1, 2, 0, 0, *NOTHING_ENDED), id="2020-T2-totalt"),
    pytest.param("2020-T2", SYDOST, "män", (1, 1, 0, 0, *NOTHING_ENDED), id="2020-T2-S-män-e7"),
    # --- 2020-T3 (holds the uttagsdatum: judged 5 Oct). Active: e3, e6 (from 1 Sep), e7 (to 5 Oct).
    # paborjade e6; pagaende e3 e6 (e7 ended ON the judging day); avslutade e7, before its plan.
    # V6 (2020-10): 6 and 12 months after the last delivered month -> not uppföljningsbar.
    pytest.param("2020-T3", "totalt", "totalt", (1, 2, 1, 1, 0, 0, 0, 0), id="2020-T3-totalt-uttag"),
    pytest.param("2020-T3", "totalt", "kvinnor", (1, 1, 0, 0, *NOTHING_ENDED), id="2020-T3-kvinnor-V5"),
    pytest.param("2020-T3", "totalt", "män", (0, 1, 1, 1, 0, 0, 0, 0), id="2020-T3-män-V2-V6"),
    pytest.param("2020-T3", JARVA, "totalt", (1, 2, 0, 0, *NOTHING_ENDED), id="2020-T3-J"),
    pytest.param("2020-T3", SYDOST, "totalt", (0, 0, 1, 1, 0, 0, 0, 0), id="2020-T3-S-ended-on-uttag"),
    # --- 2020 (holds the uttagsdatum). Active e3, e5, e6, e7. paborjade e6 e7; pagaende e3 e6;
    # avslutade e5 e7 (both before plan); V4 6 S, 12 X; V6 X.
    pytest.param("2020", "totalt", "totalt", (2, 2, 2, 2, 1, 1, 0, 0), id="2020-totalt"),
    pytest.param("2020", "totalt", "kvinnor", (1, 1, 0, 0, *NOTHING_ENDED), id="2020-kvinnor"),
    pytest.param("2020", "totalt", "män", (1, 1, 2, 2, 1, 1, 0, 0), id="2020-män"),
    pytest.param("2020", JARVA, "totalt", (1, 2, 0, 0, *NOTHING_ENDED), id="2020-J"),
    pytest.param("2020", SYDOST, "totalt", (1, 0, 2, 2, 1, 1, 0, 0), id="2020-S"),
]
# fmt: on


@pytest.mark.parametrize(("period", "jobbtorg", "kon", "expected"), CASES)
def test_measures(run, period, jobbtorg, kon, expected):
    """Every measure of a (period, jobbtorg, kön) row equals the hand-worked value."""
    assert dict(zip(MEASURES, values(run, period, jobbtorg, kon), strict=True)) == dict(
        zip(MEASURES, expected, strict=True)
    )


def test_two_employments_count_twice_person_once(run):
    """V7 ended e8 and e9 in 2019-T1: avslutade 2 (per employment), followed up as 1 person."""
    row = run.row(MART, period="2019-T1", jobbtorg=JARVA, kon="män")  # V2 (e3 ongoing), V7
    assert pick(row, "avslutade", "personer_uppfoljningsbara_6_man", "personer_uppfoljningsbara_12_man") == {
        "avslutade": 2,
        "personer_uppfoljningsbara_6_man": 1,
        "personer_uppfoljningsbara_12_man": 1,
    }


def test_month_0_from_the_last_employment_ended(run):
    """V7: last e9 (2019-04) -> +6 2019-10 N, +12 2020-04 S (e8's 2019-02 would give S and N).
    V1 in 2019: last e2 (2019-10) -> +6 2020-04 S, +12 2020-10 X (e1's 2019-03 would give N and S)."""
    v7 = run.row(MART, period="2019-T1", jobbtorg=JARVA, kon="män")
    assert (v7["personer_sjalvforsorjande_6_man"], v7["personer_sjalvforsorjande_12_man"]) == (0, 1)
    v1 = run.row(MART, period="2019", jobbtorg=JARVA, kon="kvinnor")
    assert values(run, "2019", JARVA, "kvinnor")[4:] == (1, 1, 0, 0)
    assert v1["avslutade"] == 2


def test_ended_before_planned_end_vs_on_it_vs_after(run):
    """2019-T1: e1, e8 broken off (before plan), e9 ended after its plan; 2019-T3: e2 ended on its plan."""
    t1 = run.row(MART, period="2019-T1", jobbtorg="totalt", kon="totalt")
    t3 = run.row(MART, period="2019-T3", jobbtorg="totalt", kon="totalt")
    assert (t1["avslutade"], t1["avslutade_fore_planerat_slut"]) == (3, 2)
    assert (t3["avslutade"], t3["avslutade_fore_planerat_slut"]) == (1, 0)


def test_ended_on_the_judging_day_is_not_going_on(run):
    """e4 ends 31 Aug 2019 (last day of T2), e9 30 Apr 2019 (last day of T1), e7 on the uttagsdatum."""
    assert run.row(MART, period="2019-T2", jobbtorg=SYDOST, kon="kvinnor")["pagaende"] == 0
    assert run.row(MART, period="2019-T1", jobbtorg=JARVA, kon="män")["pagaende"] == 1  # e3 only
    assert run.row(MART, period="2020-T3", jobbtorg=SYDOST, kon="män")["pagaende"] == 0


def test_started_going_on_and_ended(run):
    """e5 (V4) starts 2019-12-02: started and going on at the end of 2019-T3, ended in 2020-T1."""
    t3 = run.row(MART, period="2019-T3", jobbtorg=SYDOST, kon="män")
    t1 = run.row(MART, period="2020-T1", jobbtorg=SYDOST, kon="män")
    assert pick(t3, "paborjade", "pagaende", "avslutade") == {"paborjade": 1, "pagaende": 1, "avslutade": 0}
    assert pick(t1, "paborjade", "pagaende", "avslutade") == {"paborjade": 0, "pagaende": 0, "avslutade": 1}


def test_follow_up_6_and_12_months(run):
    """V3 (2019-08): +6 2020-02 S; +12 2020-08 (the last delivered month) 2000 -> N."""
    assert values(run, "2019-T2", SYDOST, "kvinnor")[4:] == (1, 1, 1, 0)


def test_other_insatstyper_not_counted(run):
    """V1's coachning c1 is not an employment; V8's praktik makes no Västerort row."""
    assert run.row(MART, period="2019", jobbtorg=JARVA, kon="kvinnor")["paborjade"] == 2  # e1, e2
    assert VASTERORT not in {j for (j,) in keys(run, MART, "jobbtorg")}


def test_rows_2020_t1(run):
    """2020-T1: only e3 (J, man) and e5 (S, man) are active: no kvinnor rows."""
    assert keys(run, MART, "jobbtorg", "kon", period="2020-T1") == {
        (JARVA, "män"),
        (JARVA, "totalt"),
        (SYDOST, "män"),
        (SYDOST, "totalt"),
        ("totalt", "män"),
        ("totalt", "totalt"),
    }


def test_rows_2019_t1(run):
    """2019-T1: e1 (V1, kvinna), e3, e8, e9 (men), all at Järva."""
    assert keys(run, MART, "jobbtorg", "kon", period="2019-T1") == {
        (JARVA, "kvinnor"),
        (JARVA, "män"),
        (JARVA, "totalt"),
        ("totalt", "kvinnor"),
        ("totalt", "män"),
        ("totalt", "totalt"),
    }


def test_followed_persons_nest(run):
    """sjalvforsorjande <= uppfoljningsbara for 6 and 12 months in every row."""
    bad = [
        r
        for r in run.rows(MART)
        if r["personer_sjalvforsorjande_6_man"] > r["personer_uppfoljningsbara_6_man"]
        or r["personer_sjalvforsorjande_12_man"] > r["personer_uppfoljningsbara_12_man"]
    ]
    assert bad == []


def test_periods(run):
    """Rows from 2019-T1 (the first visstidsanställning, e8 2019-01-14) to the period holding 2020-10-05."""
    assert {p for (p,) in keys(run, MART, "period")} >= {
        "2019",
        "2019-T1",
        "2019-T2",
        "2019-T3",
        "2020",
        "2020-T1",
        "2020-T2",
        "2020-T3",
    }
    assert all(r["uttagsdatum"] == date(2020, 10, 5) for r in run.rows(MART))


def test_a_period_without_employments_has_only_its_all_totalt_row(run):
    """The rows: every (period, jobbtorg, kön) with a visstidsanställning active, and every period has at
    least its all-`totalt` row. V9's registration (2018-10-01..12-14, no insats) is the first data, but no
    employment is active in 2018: 2018 and 2018-T3 have the (totalt, totalt) row only, all zeros."""
    for period in ("2018", "2018-T3"):
        assert keys(run, MART, "jobbtorg", "kon", period=period) == {("totalt", "totalt")}
        row = run.row(MART, period=period, jobbtorg="totalt", kon="totalt")
        assert [row[m] for m in MEASURES] == [0] * len(MEASURES)


def test_columns(run):
    """The analyst-facing column set: the common columns, the dimensions and the measures."""
    assert sorted(columns(run, MART)) == sorted([*COMMON, "jobbtorg", "kon", *MEASURES])
