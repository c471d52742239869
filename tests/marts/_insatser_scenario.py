"""The hand-built source shared by the tests of marts.insatser, insatser_resultat and anordnare.

uttagsdatum 2020-03-15. Periods: 2018 and 2018-T3 (P7's registration, without any insats), 2019 (365
days), 2019-T1 (Jan-Apr, 120 days), 2019-T2 (May-Aug, 123), 2019-T3 (Sep-Dec, 122), 2020 and 2020-T1, each
counted up to the uttagsdatum: 1 Jan-15 Mar 2020 = 75 days.
J = Järva, S = Sydost. planerat_slutdatum is startdatum + 90 days unless given.

  person  reg  jt registration      avslut      insats typ (regi)     anordnare                start..slut
  P1 [K]  r1   J  2019-01-07 (open)              a1 arbetstraning (egen) (none)               04-21..05-10
                                                 a2 arbetstraning (egen) Jobbverkstaden       05-10..05-10
  P2 [M]  r2   S  2019-02-01 (open)              b1 arbetstraning (ext.) Framtidsvägen AB     08-15..(open)
  P3 [K]  r3   J  01-10..06-14 studier           c1 coachning (egen)     (none)               01-10..03-31 [1]
  P4 [M]  r4   J  03-01..07-31 aterremiss        d1 arbetstraning (ext.) "  FRAMTIDSVÄGEN   AB " 03-01..04-30
                                                 d2 arbetstraning (ext.) (none: okänd)        06-01..06-30
  P5 [M]  r5a  J  01-15..02-15 aterremiss        e1 praktik (egen)       (none)               01-15..02-10
          r5b  S  2019-03-01 (open)              e2 praktik (extern)     Framtidsvägen AB     03-05..03-20 [2]
  P6 [K]  r6   J  05-20..09-30 flytt             f1 jobbsok (extern)     Vägval Coachning AB  06-03..09-20
  P7 [K]  r7   J  2018-11-05..2018-12-20 arbete  (no insats: the periods 2018 and 2018-T3 have none)
  [1] planned end 03-31, the day it ended; [2] no planned end. Dates without a year are in 2019.
Days each insats is active per period (both end days counted; b1 ongoing, counted up to 2020-03-15):
  a1: T1 10 (Apr 21-30), T2 10 (May 1-10), 2019 20          a2: T2 1, 2019 1
  b1: T2 17 (Aug 15-31), T3 122, 2019 139, 2020-T1 75, 2020 75
  c1: T1 81 (Jan 10-Mar 31)   d1: T1 61 (Mar 1-Apr 30)   d2: T2 30   e1: T1 27 (Jan 15-Feb 10)
  e2: T1 16 (Mar 5-20)        f1: T2 90 (Jun 3-Aug 31), T3 20 (Sep 1-20), 2019 110
Lengths of the ended ones (startdatum to slutdatum, both counted): a1 20, a2 1, c1 81, d1 61, d2 30, e1 27,
e2 16, f1 110.

Payments (försörjningsstöd) are delivered for 2019-01 to 2020-02: P2 1,000 SEK every month (so every month
has a file); P3 5,000 for 2019-09; P4 3,000 and a reclaim of -3,000 for 2019-10 (net 0), 4,000 for 2019-12;
P5 1,500 for 2019-09 and 2,000 for 2020-02. Nobody else gets anything.
"""

from __future__ import annotations

from pathlib import Path

from tests.marts._helpers import run_scenario
from tests.support.pipeline import Run
from tests.support.sourcebuilder import JARVA, SYDOST, SourceBuilder, pnr

UTTAGSDATUM = "2020-03-15"
FRAMTIDSVAGEN = "Framtidsvägen AB"
PLAN_C1 = "2019-03-31"


def build_and_run(root: Path) -> Run:
    src = SourceBuilder(root / "source", uttagsdatum=UTTAGSDATUM)
    woman = {1: True, 2: False, 3: True, 4: False, 5: False, 6: True, 7: True}
    p = {n: pnr(f"19{70 + n}0303", n, woman=woman[n]) for n in woman}
    regs = [
        ("r1", 1, JARVA, "2019-01-07", None, None),
        ("r2", 2, SYDOST, "2019-02-01", None, None),
        ("r3", 3, JARVA, "2019-01-10", "2019-06-14", "studier"),
        ("r4", 4, JARVA, "2019-03-01", "2019-07-31", "aterremiss"),
        ("r5a", 5, JARVA, "2019-01-15", "2019-02-15", "aterremiss"),
        ("r5b", 5, SYDOST, "2019-03-01", None, None),
        ("r6", 6, JARVA, "2019-05-20", "2019-09-30", "flytt"),
        ("r7", 7, JARVA, "2018-11-05", "2018-12-20", "arbete_osubventionerat"),
    ]
    for reg, n, jobbtorg, start, slut, orsak in regs:
        src.inskrivning(reg, p[n], start, slut, orsak, jobbtorg=jobbtorg, kon="K" if woman[n] else "M")
    insatser = [
        # (insats, reg, typ, regi, anordnare, start, slut, extra)
        ("a1", "r1", "arbetstraning", "egen", "", "2019-04-21", "2019-05-10", {}),
        ("a2", "r1", "arbetstraning", "egen", "Jobbverkstaden", "2019-05-10", "2019-05-10", {}),
        ("b1", "r2", "arbetstraning", "extern", "Framtidsvägen AB", "2019-08-15", None, {}),
        ("c1", "r3", "coachning", "egen", "", "2019-01-10", "2019-03-31", {"planerat_slutdatum": PLAN_C1}),
        ("d1", "r4", "arbetstraning", "extern", "  FRAMTIDSVÄGEN   AB ", "2019-03-01", "2019-04-30", {}),
        ("d2", "r4", "arbetstraning", "extern", "", "2019-06-01", "2019-06-30", {}),
        ("e1", "r5a", "praktik", "egen", "", "2019-01-15", "2019-02-10", {}),
        (
            "e2",
            "r5b",
            "praktik",
            "extern",
            FRAMTIDSVAGEN,
            "2019-03-05",
            "2019-03-20",
            {"planerat_slutdatum": ""},
        ),
        ("f1", "r6", "jobbsok", "extern", "Vägval Coachning AB", "2019-06-03", "2019-09-20", {}),
    ]
    for insats, reg, typ, regi, anordnare, start, slut, extra in insatser:
        src.insats(insats, reg, typ, start, slut, regi=regi, anordnare=anordnare, **extra)
    months = [f"2019-{m:02d}" for m in range(1, 13)] + ["2020-01", "2020-02"]
    for month in months:
        src.utbetalning(f"u2-{month}", p[2], month, "1000")
    src.utbetalning("u3-1", p[3], "2019-09", "5000")
    src.utbetalning("u4-1", p[4], "2019-10", "3000")
    src.utbetalning("u4-2", p[4], "2019-10", "-3000")
    src.utbetalning("u4-3", p[4], "2019-12", "4000")
    src.utbetalning("u5-1", p[5], "2019-09", "1500")
    src.utbetalning("u5-2", p[5], "2020-02", "2000")
    return run_scenario(src, root / "work")
