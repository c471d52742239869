"""marts.processen on hand-built data: every expected number is worked out by hand below.

Definition (processen.yml): a period is judged on its last day, or on the uttagsdatum for the period holding
it. A plan's day is aktivitetsplan_datum - inskrivningsdatum, a plan dated before the inskrivning as day 0.
nya_registreringar: inskrivningsdatum in the period AND at least 5 days before the uttagsdatum;
nya_registreringar_kvar_dag_5: of those, the ones still there on day 5 (seed 003: "för dem som då
fortfarande är kvar på Jobbtorget"): avslutsdatum empty or >= inskrivningsdatum + 5, or a plan by day 5;
aktivitetsplan_inom_5_dagar: of those, a plan by day 5 (day 5 counts, day 6 does not); the share is over
nya_registreringar_kvar_dag_5; the median day among nya_registreringar_kvar_dag_5 that have a plan;
persons with a registration going on at the judging day that began more than 18 months before it
(inskrivningsdatum + 18 months < day), per continuous registration; insatser active in the period, those
without planerat_slutdatum, and those that ran more than 6 months (startdatum + 6 months < slutdatum, or
< the judging day while ongoing).

Scenario (uttagsdatum 2019-10-10, a Thursday; J = Järva, S = Sydost, V = Sydväst; no payments needed):

  reg  person jt inskrivning avslut      plan (day)        why it is here
  L6   P6     S  2017-06-01  2019-03-15  +2                 > 18 months at 2018-12-31 (+18 m = 2018-12-01);
                                                            ended before 2019-T1's judging day
  P7a  P7     S  2017-06-05  2018-03-02  +2                 P7's first registration (+18 m = 2018-12-05),
  P7b  P7     S  2018-03-05  (open)      +2                 ended; P7b began 3 days later (+18 m =
                                                            2019-09-05): per continuous registration P7 is
                                                            NOT over 18 m at 2018-12-31, but is at the uttag
  L7   P1     S  2017-09-04  (open)      +2                 P1's 2nd registration: +18 m = 2019-03-04
  L1   P1     J  2017-10-29  (open)      +2                 +18 m = 2019-04-29: 18 m + 1 day at 2019-04-30
  L2   P2     S  2017-10-30  (open)      +2                 +18 m = 2019-04-30: EXACTLY 18 m at 2019-04-30
  L3   P3     J  2018-04-09  (open)      +2                 +18 m = 2019-10-09: 18 m + 1 day at the uttag
  L4   P4     S  2018-04-10  (open)      +2                 +18 m = 2019-10-10: exactly 18 m at the uttag
  L5   P5     J  2018-05-01  (open)      +2                 +18 m = 2019-11-01: counts only if 2019-T3 were
                                                            judged on 31 Dec instead of the uttagsdatum
  N1   Q1     J  2019-02-04  (open)      2019-02-04 (0)     day 0 counts
  N2   Q2     J  2019-02-11  (open)      2019-02-16 (5)     day 5 counts
  N3   Q3     S  2019-03-04  (open)      2019-03-10 (6)     day 6 does not
  N4   Q4     S  2019-03-11  (open)      (none)             no plan: kvar, not within 5, not in the median
  N5   Q5     J  2019-04-01  (open)      2019-04-13 (12)
  N6   Q6     J  2019-09-16  (open)      2019-09-19 (3)
  N7   Q7     S  2019-10-05  (open)      2019-10-10 (5)     exactly 5 days before the uttag: new
  N8   Q8     J  2019-10-06  (open)      2019-10-07 (1)     4 days before the uttag: NOT new
  N9   Q9     J  2019-02-18  2019-02-20  (none)             ended day 2 (flytt) without a plan: new, NOT kvar
  N10  Q10    S  2019-03-18  2019-03-20  2019-03-19 (1)     ended day 2 (flytt) with a plan on day 1: kvar
  N11  Q11    S  2019-04-01  2019-04-06  (none)             ended ON day 5 (flytt): kvar, not within 5
  N13  Q13    S  2019-04-08  2019-04-12  (none)             ended on day 4 (flytt): new, NOT kvar
  N12  Q12    V  2019-04-15  2019-04-29  2019-04-12 (-3->0) plan 3 days before the inskrivning: day 0

  insats  reg  type           start       slut        planerat    6 months?
  x1      L1   arbetstraning  2019-01-15  2019-07-15  2019-07-15  exactly 6 months: not longer
  x2      L2   praktik        2019-01-15  2019-07-16  2019-06-28  6 months + 1 day: longer
  x3      L3   coachning      2019-04-20  (ongoing)   (none)      +6 m = 2019-10-20: not by the uttag
  x4      L4   jobbsok        2019-03-01  (ongoing)   (none)      +6 m = 2019-09-01: longer from 2019-T3
  x5      N1   kartlaggning   2019-02-04  2019-02-28  2019-05-05  short
  x6      N6   vagledning     2019-09-16  (ongoing)   2019-12-13  short
  x7      L6   matchning      2018-06-04  2019-01-31  2018-11-30  +6 m = 2018-12-04: longer
  x8      N3   sfi            2019-03-04  2019-04-12  (none)      short, no planned end

First data: 2017-T2 (L6, P7a). Periods 2017, 2017-T2, 2017-T3, 2018, 2018-T1..T3, 2019, 2019-T1..T3.
Main measures, in this order:
  (nya_registreringar, nya_registreringar_kvar_dag_5, aktivitetsplan_inom_5_dagar,
   andel_aktivitetsplan_inom_5_dagar, median_dagar_till_aktivitetsplan, personer_inskrivna_over_18_manader,
   aktiva_insatser, insatser_utan_planerat_slut)
insatser_langre_an_6_manader is tested in its own table (see the note there on an ambiguity).
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.marts._helpers import COMMON, columns, keys, run_scenario
from tests.support.sourcebuilder import JARVA, SYDOST, SYDVAST, SourceBuilder, pnr

MART = "processen"
MEASURES = (
    "nya_registreringar",
    "nya_registreringar_kvar_dag_5",
    "aktivitetsplan_inom_5_dagar",
    "andel_aktivitetsplan_inom_5_dagar",
    "median_dagar_till_aktivitetsplan",
    "personer_inskrivna_over_18_manader",
    "aktiva_insatser",
    "insatser_utan_planerat_slut",
)
LANGRE = "insatser_langre_an_6_manader"
MEDIAN_BASE = "aktivitetsplaner_kvar_dag_5"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("processen")
    person = {f"P{n}": pnr(f"19{60 + n}0303", n, woman=n % 2 == 0) for n in range(1, 8)}
    person |= {f"Q{n}": pnr(f"19{80 + n}1111", 10 + n, woman=n % 2 == 0) for n in range(1, 14)}
    src = SourceBuilder(root / "source", uttagsdatum="2019-10-10")
    src.inskrivning("L6", person["P6"], "2017-06-01", "2019-03-15", "arbete_osubventionerat", jobbtorg=SYDOST)
    src.inskrivning("P7a", person["P7"], "2017-06-05", "2018-03-02", "annan", jobbtorg=SYDOST)
    src.inskrivning("P7b", person["P7"], "2018-03-05", jobbtorg=SYDOST)
    src.inskrivning("L7", person["P1"], "2017-09-04", jobbtorg=SYDOST)
    src.inskrivning("L1", person["P1"], "2017-10-29", jobbtorg=JARVA)
    src.inskrivning("L2", person["P2"], "2017-10-30", jobbtorg=SYDOST)
    src.inskrivning("L3", person["P3"], "2018-04-09", jobbtorg=JARVA)
    src.inskrivning("L4", person["P4"], "2018-04-10", jobbtorg=SYDOST)
    src.inskrivning("L5", person["P5"], "2018-05-01", jobbtorg=JARVA)
    new = [
        # (reg, person, jobbtorg, inskrivning, aktivitetsplan_datum)
        ("N1", "Q1", JARVA, "2019-02-04", "2019-02-04"),
        ("N2", "Q2", JARVA, "2019-02-11", "2019-02-16"),
        ("N3", "Q3", SYDOST, "2019-03-04", "2019-03-10"),
        ("N4", "Q4", SYDOST, "2019-03-11", ""),
        ("N5", "Q5", JARVA, "2019-04-01", "2019-04-13"),
        ("N6", "Q6", JARVA, "2019-09-16", "2019-09-19"),
        ("N7", "Q7", SYDOST, "2019-10-05", "2019-10-10"),
        ("N8", "Q8", JARVA, "2019-10-06", "2019-10-07"),
    ]
    for reg, who, jobbtorg, start, plan in new:
        src.inskrivning(reg, person[who], start, jobbtorg=jobbtorg, aktivitetsplan_datum=plan)
    ended_early = [
        # (reg, person, jobbtorg, inskrivning, avslut, orsak, aktivitetsplan_datum)
        ("N9", "Q9", JARVA, "2019-02-18", "2019-02-20", "flytt", ""),
        ("N10", "Q10", SYDOST, "2019-03-18", "2019-03-20", "flytt", "2019-03-19"),
        ("N11", "Q11", SYDOST, "2019-04-01", "2019-04-06", "flytt", ""),
        ("N13", "Q13", SYDOST, "2019-04-08", "2019-04-12", "flytt", ""),
        ("N12", "Q12", SYDVAST, "2019-04-15", "2019-04-29", "arbete_osubventionerat", "2019-04-12"),
    ]
    for reg, who, jobbtorg, start, slut, orsak, plan in ended_early:
        src.inskrivning(reg, person[who], start, slut, orsak, jobbtorg=jobbtorg, aktivitetsplan_datum=plan)
    insatser = [
        # (insats, reg, type, start, slut, planerat_slutdatum)
        ("x1", "L1", "arbetstraning", "2019-01-15", "2019-07-15", "2019-07-15"),
        ("x2", "L2", "praktik", "2019-01-15", "2019-07-16", "2019-06-28"),
        ("x3", "L3", "coachning", "2019-04-20", None, ""),
        ("x4", "L4", "jobbsok", "2019-03-01", None, ""),
        ("x5", "N1", "kartlaggning", "2019-02-04", "2019-02-28", "2019-05-05"),
        ("x6", "N6", "vagledning", "2019-09-16", None, "2019-12-13"),
        ("x7", "L6", "matchning", "2018-06-04", "2019-01-31", "2018-11-30"),
        ("x8", "N3", "sfi", "2019-03-04", "2019-04-12", ""),
    ]
    for insats, reg, typ, start, slut, planned in insatser:
        src.insats(insats, reg, typ, start, slut, planerat_slutdatum=planned)
    return run_scenario(src, root / "work")


def values(run, period, jobbtorg):
    row = run.row(MART, period=period, jobbtorg=jobbtorg)
    return {m: row[m] for m in MEASURES}


def expect(*measures):
    """The hand-worked tuple as a dict; the share and the median compared approximately."""
    out = dict(zip(MEASURES, measures, strict=True))
    for m in ("andel_aktivitetsplan_inom_5_dagar", "median_dagar_till_aktivitetsplan"):
        if out[m] is not None:
            out[m] = pytest.approx(out[m])
    return out


# fmt: off
CASES = [
    # --- 2019-T1 (1 Jan-30 Apr, judged 30 Apr).
    # New: N1 (0), N2 (5), N3 (6), N4 (no plan), N5 (12), N9, N10, N11, N12, N13 -> 10.
    # Kvar dag 5: all but N9 (ended day 2, no plan) and N13 (ended day 4, no plan) -> 8 (N10 by its plan on
    # day 1, N11 ended on day 5). Within 5: N1 (0), N2 (5), N10 (1), N12 (-3 -> 0) -> 4; share 4 / 8 = 0.5.
    # Median, kvar with a plan {N1 0, N2 5, N3 6, N5 12, N10 1, N12 0}: 0 0 1 5 6 12 -> (1 + 5) / 2 = 3.
    # > 18 months at 30 Apr: L1 (P1, +18 m = 29 Apr) yes; L7 (P1, 4 Mar) yes; L2 (exactly 30 Apr) no;
    # P7b (5 Sep) no; L6 ended 15 Mar: not going on -> persons P1 -> 1 (once in totalt, under J and under S).
    # Insatser active: x1 x3 x5 (J), x2 x4 x7 x8 (S) = 7; no planned end: x3 (J), x4 x8 (S) = 3.
    pytest.param("2019-T1", "totalt", expect(10, 8, 4, 0.5, 3.0, 1, 7, 3), id="2019-T1-totalt-day5-day6"),
    # J: N1 (0), N2 (5), N5 (12), N9 (ended day 2, no plan: out) -> 4 new, 3 kvar, 2 within; median of
    # 0 5 12 = 5.
    pytest.param("2019-T1", JARVA, expect(4, 3, 2, 2 / 3, 5.0, 1, 3, 1), id="2019-T1-J-18m-plus-1-day"),
    # S: N3 (6), N4 (none), N10 (ended day 2, plan day 1: in), N11 (ended day 5: in), N13 (ended day 4: out)
    # -> 5 new, 4 kvar, 1 within (N10); median of {6, 1} = 3.5; > 18 m: L7 (P1) only, L2 exactly 18 m.
    pytest.param("2019-T1", SYDOST, expect(5, 4, 1, 0.25, 3.5, 1, 4, 2), id="2019-T1-S-exactly-18m"),
    # V: N12 alone, plan 3 days before the inskrivning = day 0 -> 1 / 1 / 1, median 0 (not -3).
    pytest.param("2019-T1", SYDVAST, expect(1, 1, 1, 1.0, 0.0, 0, 0, 0), id="2019-T1-V-plan-before-day-0"),
    # --- 2019-T2 (1 May-31 Aug, judged 31 Aug): nothing new -> share and median empty.
    # > 18 m: L1 (P1), L7 (P1), L2 (P2; 30 Apr < 31 Aug) -> P1 P2; L3 (9 Oct), L4, L5, P7b (5 Sep) not yet.
    # Active: x1, x3 (J); x2, x4 (S). No planned end: x3, x4.
    pytest.param("2019-T2", "totalt", expect(0, 0, 0, None, None, 2, 4, 2), id="2019-T2-totalt-no-new"),
    pytest.param("2019-T2", JARVA, expect(0, 0, 0, None, None, 1, 2, 1), id="2019-T2-J"),
    pytest.param("2019-T2", SYDOST, expect(0, 0, 0, None, None, 2, 2, 1), id="2019-T2-S"),
    # --- 2019-T3 (holds the uttagsdatum: judged 10 Oct).
    # New: N6 (3), N7 (5, begun exactly 5 days before the uttag); N8 begun 4 days before: not new.
    # -> 2 / 2 / 2, share 1, median of {3, 5} = 4.
    # > 18 m at 10 Oct: P1 (L1, L7), P2 (L2), P3 (L3, +18 m = 9 Oct), P7 (P7b, 5 Sep); not L4 (exactly
    # 10 Oct), not L5 (1 Nov: it would count if judged on 31 Dec).
    # Active: x3, x6 (J), x4 (S). No planned end: x3, x4.
    pytest.param("2019-T3", "totalt", expect(2, 2, 2, 1.0, 4.0, 4, 3, 2), id="2019-T3-totalt-on-uttag"),
    pytest.param("2019-T3", JARVA, expect(1, 1, 1, 1.0, 3.0, 2, 2, 1), id="2019-T3-J-begun-4-days-before"),
    # S: P1 (L7), P2 (L2), P7 (P7b).
    pytest.param("2019-T3", SYDOST, expect(1, 1, 1, 1.0, 5.0, 3, 1, 1), id="2019-T3-S-begun-5-days-before"),
    # --- 2019 (holds the uttagsdatum: judged 10 Oct).
    # New: N1..N7 and N9..N13 = 12 (not N8); kvar: all but N9, N13 = 10; within 5: N1 N2 N6 N7 N10 N12 = 6;
    # share 6 / 10. Days with a plan among the kvar: N1 0, N2 5, N3 6, N5 12, N6 3, N7 5, N10 1, N12 0
    # -> sorted 0 0 1 3 5 5 6 12 -> median (3 + 5) / 2 = 4.
    # > 18 m as in 2019-T3: 4. Active: all 8 insatser; no planned end: x3, x4, x8.
    pytest.param("2019", "totalt", expect(12, 10, 6, 0.6, 4.0, 4, 8, 3), id="2019-totalt"),
    # J: N1 0, N2 5, N5 12, N6 3, N9 out -> 5 / 4 / 3, median of 0 3 5 12 = 4. Active x1 x3 x5 x6.
    pytest.param("2019", JARVA, expect(5, 4, 3, 0.75, 4.0, 2, 4, 1), id="2019-J"),
    # S: N3 6, N4 -, N7 5, N10 1, N11 -, N13 out -> 6 / 5 / 2 (N7 N10), median of 1 5 6 = 5. Active x2 x4
    # x7 x8. > 18 m: P1, P2, P7.
    pytest.param("2019", SYDOST, expect(6, 5, 2, 0.4, 5.0, 3, 4, 2), id="2019-S"),
    pytest.param("2019", SYDVAST, expect(1, 1, 1, 1.0, 0.0, 0, 0, 0), id="2019-V"),
    # --- 2018 (judged 31 Dec). New: L3 (J), L4 (S), L5 (J), P7b (S), each with a plan on day 2.
    # > 18 m at 31 Dec 2018: L6 (2017-06-01 + 18 m = 2018-12-01) only -> 1 (S); P7b (+18 m = 2019-09-05)
    # not, although P7's first registration P7a began 2017-06-05 (per continuous registration).
    # Active: x7 (S).
    pytest.param("2018", "totalt", expect(4, 4, 4, 1.0, 2.0, 1, 1, 0), id="2018-totalt"),
    pytest.param("2018", JARVA, expect(2, 2, 2, 1.0, 2.0, 0, 0, 0), id="2018-J"),
    pytest.param("2018", SYDOST, expect(2, 2, 2, 1.0, 2.0, 1, 1, 0), id="2018-S"),
    # 2018-T1 (judged 30 Apr 2018): new P7b, L3, L4; L6 only 11 months old; no insats yet.
    pytest.param("2018-T1", "totalt", expect(3, 3, 3, 1.0, 2.0, 0, 0, 0), id="2018-T1-totalt"),
    # 2018-T2 (judged 31 Aug 2018): new L5 (J); x7 active (S).
    pytest.param("2018-T2", "totalt", expect(1, 1, 1, 1.0, 2.0, 0, 1, 0), id="2018-T2-totalt"),
    pytest.param("2018-T2", SYDOST, expect(0, 0, 0, None, None, 0, 1, 0), id="2018-T2-S-no-new"),
    # 2018-T3 (judged 31 Dec 2018): nothing new; L6 > 18 m (P7b not).
    pytest.param("2018-T3", "totalt", expect(0, 0, 0, None, None, 1, 1, 0), id="2018-T3-totalt"),
    pytest.param("2018-T3", JARVA, expect(0, 0, 0, None, None, 0, 0, 0), id="2018-T3-J-nothing"),
    # 2017-T2: L6, P7a (S); 2017-T3: L7 (S), L1 (J), L2 (S) new; 2017: all five.
    pytest.param("2017-T2", "totalt", expect(2, 2, 2, 1.0, 2.0, 0, 0, 0), id="2017-T2-totalt"),
    pytest.param("2017-T3", SYDOST, expect(2, 2, 2, 1.0, 2.0, 0, 0, 0), id="2017-T3-S"),
    pytest.param("2017", "totalt", expect(5, 5, 5, 1.0, 2.0, 0, 0, 0), id="2017-totalt"),
]

# insatser_langre_an_6_manader: how long an insats had run by the period's judging day, or by its slutdatum
# if it ended before that day (startdatum + 6 months < the earlier of the two). An insats still running on
# the judging day is judged on that day even if the extract already knows a later slutdatum.
LANGRE_CASES = [
    # 2019-T1 (judged 30 Apr): x7 (ended 31 Jan; 2018-12-04 < 2019-01-31) yes. x2 ends 16 Jul, after the
    # judging day: judged on 30 Apr, 2019-07-15 < 2019-04-30 no. x1 exactly 6 m: no.
    # x3 (ongoing, 2019-10-20 vs 30 Apr) no; x4 (2019-09-01 vs 30 Apr) no; x5, x8 short.
    pytest.param("2019-T1", "totalt", 1, id="2019-T1-totalt-judged-on-the-period-end"),
    pytest.param("2019-T1", SYDOST, 1, id="2019-T1-S-judged-on-the-period-end"),
    pytest.param("2019-T1", JARVA, 0, id="2019-T1-J-exactly-6-months"),
    # 2019-T2 (judged 31 Aug): x2 ended 16 Jul (6 m + 1 day) yes; x1 exactly 6 m no; x3 no; x4 (1 Sep) no.
    pytest.param("2019-T2", "totalt", 1, id="2019-T2-totalt"),
    pytest.param("2019-T2", JARVA, 0, id="2019-T2-J-exactly-6-months-not-longer"),
    pytest.param("2019-T2", SYDOST, 1, id="2019-T2-S-6-months-plus-1-day-longer"),
    # 2019-T3 (judged on the uttagsdatum 10 Oct): x4 (2019-09-01 < 10 Oct) yes; x3 (2019-10-20) no: it would
    # be longer if judged on 31 Dec; x6 short.
    pytest.param("2019-T3", "totalt", 1, id="2019-T3-totalt-on-uttag"),
    pytest.param("2019-T3", JARVA, 0, id="2019-T3-J-ongoing-not-yet-6-months"),
    pytest.param("2019-T3", SYDOST, 1, id="2019-T3-S-ongoing-over-6-months"),
    # 2019 (judged 10 Oct): x2, x7 (ended, longer), x4 (ongoing, longer) -> 3, all at S.
    pytest.param("2019", "totalt", 3, id="2019-totalt"),
    pytest.param("2019", JARVA, 0, id="2019-J"),
    pytest.param("2019", SYDOST, 3, id="2019-S"),
    # 2018-T3 and 2018 (judged 31 Dec 2018): x7 2018-12-04 < 31 Dec (and < its slutdatum) -> 1.
    pytest.param("2018-T3", "totalt", 1, id="2018-T3-totalt"),
    pytest.param("2018", "totalt", 1, id="2018-totalt"),
    # 2018-T2 (judged 31 Aug 2018): x7 ends 2019-01-31, after the judging day: 2018-12-04 < 2018-08-31 no.
    pytest.param("2018-T2", "totalt", 0, id="2018-T2-totalt-still-running-at-the-period-end"),
]
# fmt: on


@pytest.mark.parametrize(("period", "jobbtorg", "expected"), CASES)
def test_measures(run, period, jobbtorg, expected):
    """The measures of a (period, jobbtorg) row equal the hand-worked values (share, median approx.)."""
    assert values(run, period, jobbtorg) == expected


@pytest.mark.parametrize(("period", "jobbtorg", "expected"), LANGRE_CASES)
def test_insatser_langre_an_6_manader(run, period, jobbtorg, expected):
    """insatser_langre_an_6_manader equals the hand-worked value."""
    assert run.row(MART, period=period, jobbtorg=jobbtorg)[LANGRE] == expected


def test_aktivitetsplan_day_5_counts_day_6_does_not(run):
    """N2 (plan on day 5, J) counts; N3 (day 6, S) does not; N1 (day 0) counts.
    J 2019-T1: kvar N1 N2 N5 (N9 is out) -> within N1 N2 = 2 of 3. S 2019-T1: kvar N3 N4 N10 N11 -> within
    N10 only = 1 of 4 (N3's day 6 would make it 2)."""
    j = run.row(MART, period="2019-T1", jobbtorg=JARVA)
    s = run.row(MART, period="2019-T1", jobbtorg=SYDOST)
    assert (j["nya_registreringar_kvar_dag_5"], j["aktivitetsplan_inom_5_dagar"]) == (3, 2)
    assert (s["nya_registreringar_kvar_dag_5"], s["aktivitetsplan_inom_5_dagar"]) == (4, 1)


def test_ended_on_day_2_without_a_plan_is_outside_the_denominator(run):
    """N9 (J) began 2019-02-18 and ended 2019-02-20 (day 2, flytt) without a plan: it is a new registration
    but was not there on day 5, so it is not in nya_registreringar_kvar_dag_5 nor in the share.
    J 2019-T1: new N1 N2 N5 N9 = 4; kvar N1 N2 N5 = 3; within N1 N2 = 2 -> share 2 / 3 (with N9 in the
    denominator it would be 2 / 4)."""
    j = run.row(MART, period="2019-T1", jobbtorg=JARVA)
    assert (j["nya_registreringar"], j["nya_registreringar_kvar_dag_5"]) == (4, 3)
    assert j["andel_aktivitetsplan_inom_5_dagar"] == pytest.approx(2 / 3)


def test_ended_on_day_2_with_a_plan_on_day_1_is_inside(run):
    """N10 (S) began 2019-03-18, got its plan 2019-03-19 (day 1) and ended 2019-03-20 (day 2): inside the
    denominator and the numerator, and its day 1 is in the median. S 2019-T1: kvar N3 N4 N10 N11 = 4,
    within N10 = 1, median of {N3 6, N10 1} = 3.5 (without N10: 0 within, median 6)."""
    s = run.row(MART, period="2019-T1", jobbtorg=SYDOST)
    assert (s["nya_registreringar_kvar_dag_5"], s["aktivitetsplan_inom_5_dagar"]) == (4, 1)
    assert s["median_dagar_till_aktivitetsplan"] == pytest.approx(3.5)


def test_ended_on_day_5_is_still_there_day_4_is_not(run):
    """Without a plan: N11 ended on day 5 (2019-04-01 -> 04-06) was still there on day 5: in the
    denominator; N13 ended on day 4 (2019-04-08 -> 04-12): out. S 2019-T1: new N3 N4 N10 N11 N13 = 5, kvar
    N3 N4 N10 N11 = 4 (counting N13 would give 5, dropping N11 would give 3)."""
    s = run.row(MART, period="2019-T1", jobbtorg=SYDOST)
    assert (s["nya_registreringar"], s["nya_registreringar_kvar_dag_5"]) == (5, 4)


def test_numerator_is_a_subset_of_the_denominator(run):
    """aktivitetsplan_inom_5_dagar <= nya_registreringar_kvar_dag_5 <= nya_registreringar in every row, so
    the share lies in 0..1."""
    bad = [
        r
        for r in run.rows(MART)
        if not r["aktivitetsplan_inom_5_dagar"]
        <= r["nya_registreringar_kvar_dag_5"]
        <= r["nya_registreringar"]
    ]
    assert bad == []


def test_plan_dated_before_the_inskrivning_counts_as_day_0(run):
    """N12 (Sydväst, alone there) began 2019-04-15 with a plan dated 2019-04-12: day -3 counts as day 0, so
    it is within 5 days (share 1) and the median is 0, not -3."""
    v = run.row(MART, period="2019-T1", jobbtorg=SYDVAST)
    assert (v["aktivitetsplan_inom_5_dagar"], v["andel_aktivitetsplan_inom_5_dagar"]) == (1, 1.0)
    assert v["median_dagar_till_aktivitetsplan"] == 0.0


def test_registration_begun_less_than_5_days_before_uttag_not_new(run):
    """N8 began 2019-10-06, 4 days before the uttagsdatum: not in nya_registreringar nor in the median.
    N7 began 2019-10-05, exactly 5 days before: new, plan on day 5 (= the uttagsdatum) within 5."""
    j = run.row(MART, period="2019-T3", jobbtorg=JARVA)  # N6 only; with N8 it would be 2, median 2
    s = run.row(MART, period="2019-T3", jobbtorg=SYDOST)  # N7
    assert (j["nya_registreringar"], j["median_dagar_till_aktivitetsplan"]) == (1, pytest.approx(3.0))
    assert (s["nya_registreringar"], s["aktivitetsplan_inom_5_dagar"]) == (1, 1)


def test_median_of_an_even_count_is_the_mean_of_the_middle_two(run):
    """2019-T1 totalt: days 0, 0, 1, 5, 6, 12 (N1, N12, N10, N2, N3, N5; N4, N11 have no plan, N9 and N13
    are out) -> (1 + 5) / 2 = 3."""
    assert run.row(MART, period="2019-T1", jobbtorg="totalt")["median_dagar_till_aktivitetsplan"] == 3.0


def test_share_and_median_empty_without_new_registrations(run):
    """2019-T2 has no new registration: andel and median are empty, counts 0."""
    row = run.row(MART, period="2019-T2", jobbtorg="totalt")
    assert (row["nya_registreringar"], row["nya_registreringar_kvar_dag_5"]) == (0, 0)
    assert row["andel_aktivitetsplan_inom_5_dagar"] is None
    assert row["median_dagar_till_aktivitetsplan"] is None


def test_exactly_18_months_does_not_count_18_months_and_a_day_does(run):
    """At 2019-04-30: L1 (2017-10-29) counts, L2 (2017-10-30) does not. At the uttagsdatum 2019-10-10:
    L3 (2018-04-09) counts, L4 (2018-04-10) does not."""
    assert run.row(MART, period="2019-T1", jobbtorg=JARVA)["personer_inskrivna_over_18_manader"] == 1  # L1
    # S at 30 Apr: L7 (P1) only; L2 would make it 2.
    assert run.row(MART, period="2019-T1", jobbtorg=SYDOST)["personer_inskrivna_over_18_manader"] == 1
    # S at the uttag: L7 (P1), L2 (P2), P7b (P7); L4 would make it 4.
    assert run.row(MART, period="2019-T3", jobbtorg=SYDOST)["personer_inskrivna_over_18_manader"] == 3


def test_period_holding_uttag_judged_on_uttag(run):
    """2019-T3 and 2019 are judged on 2019-10-10, not on 31 Dec: L5 (+18 m = 1 Nov) and x3 (+6 m = 20 Oct)
    do not count."""
    for period in ("2019-T3", "2019"):
        row = run.row(MART, period=period, jobbtorg=JARVA)
        assert (row["personer_inskrivna_over_18_manader"], row[LANGRE]) == (2, 0)  # L1, L3; none


def test_person_over_18_months_at_two_jobbtorg_counted_once_in_totalt(run):
    """P1 (L1 at J, L7 at S) counts under both and once in totalt (2019-T1)."""
    got = [
        run.row(MART, period="2019-T1", jobbtorg=j)["personer_inskrivna_over_18_manader"]
        for j in (JARVA, SYDOST, "totalt")
    ]
    assert got == [1, 1, 1]


def test_ended_registration_not_going_on(run):
    """L6 (> 18 m since 2018-12-01) ended 2019-03-15, before 2019-T1's judging day: not counted; it was
    going on at 2018-12-31 and counted in 2018-T3."""
    assert run.row(MART, period="2018-T3", jobbtorg=SYDOST)["personer_inskrivna_over_18_manader"] == 1


def test_18_months_measured_per_continuous_registration(run):
    """P7's first registration P7a began 2017-06-05 (+18 m = 2018-12-05) and ended 2018-03-02; P7b began
    2018-03-05. At 2018-12-31, P7a is not going on and P7b is under 10 months old: P7 does not count, even
    though P7 had been registered, with a 3-day gap, since more than 18 months. S 2018-T3: L6 only -> 1 (2
    if time were summed per person). At the uttagsdatum P7b is over 18 months (2019-09-05): S 2019-T3 is 3."""
    assert run.row(MART, period="2018-T3", jobbtorg=SYDOST)["personer_inskrivna_over_18_manader"] == 1
    assert run.row(MART, period="2018", jobbtorg=SYDOST)["personer_inskrivna_over_18_manader"] == 1
    assert run.row(MART, period="2019-T3", jobbtorg=SYDOST)["personer_inskrivna_over_18_manader"] == 3


def test_insatser_without_planned_end(run):
    """x3, x4 (ongoing) and x8 (ended) have no planerat_slutdatum: 3 of 8 in 2019."""
    row = run.row(MART, period="2019", jobbtorg="totalt")
    assert (row["aktiva_insatser"], row["insatser_utan_planerat_slut"]) == (8, 3)


def test_rows(run):
    """Every (period, jobbtorg) with a registration active in it, totals included; 2017-T2 has only L6 and
    P7a (S); Sydväst only in 2019-T1 (N12)."""
    assert keys(run, MART, "jobbtorg", period="2017-T2") == {(SYDOST,), ("totalt",)}
    assert keys(run, MART, "jobbtorg", period="2019-T1") == {(JARVA,), (SYDOST,), (SYDVAST,), ("totalt",)}
    assert keys(run, MART, "jobbtorg", period="2019-T2") == {(JARVA,), (SYDOST,), ("totalt",)}


def test_every_period_has_a_totalt_row(run):
    """From 2017-T2 (L6, P7a) to the period holding 2019-10-10, each with its `totalt` row."""
    periods = {
        "2017",
        "2017-T2",
        "2017-T3",
        "2018",
        "2018-T1",
        "2018-T2",
        "2018-T3",
        "2019",
        "2019-T1",
        "2019-T2",
        "2019-T3",
    }
    assert {p for (p,) in keys(run, MART, "period")} == periods
    assert {p for (p,) in keys(run, MART, "period", jobbtorg="totalt")} == periods
    assert all(r["uttagsdatum"] == date(2019, 10, 10) for r in run.rows(MART))


def test_period_columns(run):
    """period_slut is the period's last day also for the period holding the uttagsdatum."""
    row = run.row(MART, period="2019-T3", jobbtorg="totalt")
    assert (row["period_typ"], row["period_start"], row["period_slut"]) == (
        "tertial",
        date(2019, 9, 1),
        date(2019, 12, 31),
    )


def test_columns(run):
    """The analyst-facing column set: common columns, jobbtorg (no kön) and the measures."""
    assert sorted(columns(run, MART)) == sorted([*COMMON, "jobbtorg", *MEASURES, LANGRE, MEDIAN_BASE])


# aktivitetsplaner_kvar_dag_5: the registrations the median is taken over (still there on day 5, with a
# plan on whatever day). 2019-T1: N1 N2 N3 N5 N10 N12 (N4 and N11 have no plan; N9, N13 are not kvar) = 6;
# J N1 N2 N5; S N3 N10 (of 4 kvar); V N12. 2019: those and N6, N7 = 8; S N3 N7 N10.
# 2019-T2: none. 2018: L3 L4 L5 P7b, each with a plan on day 2.
@pytest.mark.parametrize(
    ("period", "jobbtorg", "expected"),
    [
        ("2019-T1", "totalt", 6),
        ("2019-T1", JARVA, 3),
        ("2019-T1", SYDOST, 2),
        ("2019-T1", SYDVAST, 1),
        ("2019-T2", "totalt", 0),
        ("2019", "totalt", 8),
        ("2019", SYDOST, 3),
        ("2018", "totalt", 4),
    ],
)
def test_the_medians_base_is_the_kvar_registrations_with_a_plan(run, period, jobbtorg, expected):
    """What the median is taken over: fewer than nya_registreringar_kvar_dag_5 when some have no plan (the
    report judges the median's disclosure on it)."""
    assert run.row(MART, period=period, jobbtorg=jobbtorg)[MEDIAN_BASE] == expected
