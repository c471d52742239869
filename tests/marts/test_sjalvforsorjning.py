"""marts.sjalvforsorjning on hand-built data: every expected number is worked out by hand below.

Definition (CONTRACT §2, sjalvforsorjning.yml): the cohort is the persons with an avslut in the period; the
month of their last avslut in the period (under a jobbtorg: their last avslut there) is month 0. A person
is uppfoljningsbar for k when month 0 + k lies within the delivered payment months (first to last delivered
file month); sjalvforsorjande when the net försörjningsstöd for month 0 + k (by avser_manad; reclaims
netted, `ovrigt` not counted, no row = 0) is not above 0 SEK.

Scenario (uttagsdatum 2020-01-15; J = Järva, S = Sydost, V = Västerort; kön in brackets):

  person       reg  jt inskrivn.  avslut      orsak          month 0 -> k = 3 / 6 / 12 / 18
  M0 [M]       IM0  V  2017-05-08 2017-06-16  annan          2017-06 -> 09 X / 12 X / 18-06 N / 18-12 S
  L [K]        IL   S  2018-01-02 2018-01-26  annan          2018-01 -> 04 X / 07 S / 19-01 N / 19-07 S
  A [K]        IA   J  2018-01-08 2018-03-20  arbete_osubv.  2018-03 -> 06 S / 09 N / 19-03 S / 19-09 N
  B [M]        IB1  S  2018-01-15 2018-02-12  aterremiss     2018-02 -> 05 N / 08 S / 19-02 S / 19-08 S
               IB2  J  2018-03-05 2018-05-14  studier        2018-05 -> 08 S / 11 N / 19-05 N / 19-11 S
  C [K by nr]  IC   S  2018-05-02 2018-05-31  flytt          2018-05 -> 08 S / 11 S / 19-05 S / 19-11 N
  D [M]        ID   S  2018-06-04 2018-06-29  annan          2018-06 -> 09 S / 12 S / 19-06 S / 19-12 S
  E [K]        IE   J  2018-07-02 2018-07-16  arbete_subv.   2018-07 -> 10 N / 19-01 S / 19-07 N / 20-01 X
  K [M]        IK   V  2018-09-10 2018-10-05  sjukdom        2018-10 -> 19-01 N / 19-04 S / 19-10 S / 20-04 X
  H [K]        IH   S  2018-09-03 2018-11-30  arbete_osubv.  2018-11 -> 19-02 N / 19-05 S / 19-11 S / 20-05 X
  G [M]        IG   S  2018-10-01 (open)                     never in a cohort
  I [K]        II   J  2019-02-01 2019-06-20  studier        2019-06 -> 19-09 N / 19-12 S / 20-06 X / 20-12 X
  (S = självförsörjande, N = not, X = not uppföljningsbar; months are 2018 unless written 19-/20-)

Payment files delivered (one per file month): utbetalningar_2018-05.csv .. utbetalningar_2019-12.csv, with
NO file for 2019-04 (a gap inside the range), and utbetalningar_2019-05.csv re-delivered as
utbetalningar_2019-05_2.csv. A filler person Z (never registered) has a payment in every file, so each of
these months is delivered. Delivered range: 2018-05 .. 2019-12.

Payments (försörjningsstöd unless said; file month = avser_manad unless said):
  A (written YYYYMMDD-NNNN): 2018-06 +5000,00 and a reclaim -5000 for 2018-06 in the 2018-08 file
     (net 0); 2018-09 +3000 and -1000 for 2018-09 in the 2018-10 file (net 2000); 2019-03 `ovrigt` 2500
     only; 2019-09 4000
  B: 2018-05 4000; 2018-11 2000; 2019-05 3500 in the re-delivery (_2) only
  C: 2018-11 -800 (a reclaim only: net below 0); 2019-05 6000 in the FIRST 2019-05 delivery only
     (replaced, so no longer counted); 2019-11 1500
  D: no payment row at all
  E: 2018-10 2000; 2019-07 1000; an advance of 3000 for 2020-01 in the 2019-12 file (2020-01 is still not a
     delivered month: the delivered months are the files' months)
  H: 2019-02 1200; 2019-05 2000 (same row in both deliveries) and -2000 in the re-delivery only (net 0)
  K: 2019-01 700 (2019-04, K's k = 6 month, is the gap month: within the range, no payment -> S)
  L: 3000 for 2018-04 in the 2018-05 file (2018-04 is before the first delivered month: L is not
     uppföljningsbar for k = 3, whatever that payment); 2019-01 2200
  I: 2019-09 900
  M0: 2018-06 500 (2017-09 and 2017-12 lie before the first delivered month)

Kön: A, C (by number), E, H, L, I kvinnor; B, D, G, K, M0 män. First data 2017-T2 (IM0); nothing is active
in 2017-T3, which has only its all-`totalt` rows (k = 3, 6, 12, 18, zeros); periods 2017 .. 2020-T1.
"""

from __future__ import annotations

from datetime import date

import pytest

from jobbtorg_pipeline.sources.contract import UTBETALNINGAR
from tests.marts._helpers import COMMON, columns, keys, months, run_scenario
from tests.support.sourcebuilder import JARVA, SYDOST, VASTERORT, SourceBuilder, pnr, write_csv

MART = "sjalvforsorjning"
UTTAG = "2020-01-15"
K = (3, 6, 12, 18)
K_LANG = (24, 36, 48)  # the long follow-up, worked by hand in test_sjalvforsorjning_lang.py
MEASURES = ("avslutade", "uppfoljningsbara", "sjalvforsorjande", "andel_sjalvforsorjande")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("sjalvforsorjning")
    a = pnr("19850314", 1, woman=True)
    a_dash = pnr("19850314", 1, woman=True, form="12-")
    b = pnr("19790921", 2, woman=False)
    c = pnr("19920505", 3, woman=True)
    d = pnr("19700110", 4, woman=False)
    e = pnr("19881130", 5, woman=True)
    g = pnr("19950202", 6, woman=False)
    h = pnr("19830707", 7, woman=True)
    k = pnr("19760417", 8, woman=False)
    el = pnr("19900808", 9, woman=True)
    i = pnr("19971212", 10, woman=True)
    z = pnr("19600606", 11, woman=False)
    m0 = pnr("19670521", 12, woman=False)

    src = SourceBuilder(root / "source", uttagsdatum=UTTAG)
    src.inskrivning("IM0", m0, "2017-05-08", "2017-06-16", "annan", jobbtorg=VASTERORT, kon="M")
    src.inskrivning("IL", el, "2018-01-02", "2018-01-26", "annan", jobbtorg=SYDOST, kon="K")
    src.inskrivning("IA", a, "2018-01-08", "2018-03-20", "arbete_osubventionerat", jobbtorg=JARVA, kon="K")
    src.inskrivning("IB1", b, "2018-01-15", "2018-02-12", "aterremiss", jobbtorg=SYDOST, kon="M")
    src.inskrivning("IB2", b, "2018-03-05", "2018-05-14", "studier", jobbtorg=JARVA, kon="M")
    src.inskrivning("IC", c, "2018-05-02", "2018-05-31", "flytt", jobbtorg=SYDOST)  # kön from the number
    src.inskrivning("ID", d, "2018-06-04", "2018-06-29", "annan", jobbtorg=SYDOST, kon="M")
    src.inskrivning("IE", e, "2018-07-02", "2018-07-16", "arbete_subventionerat", jobbtorg=JARVA, kon="K")
    src.inskrivning("IH", h, "2018-09-03", "2018-11-30", "arbete_osubventionerat", jobbtorg=SYDOST, kon="K")
    src.inskrivning("IK", k, "2018-09-10", "2018-10-05", "sjukdom", jobbtorg=VASTERORT, kon="M")
    src.inskrivning("IG", g, "2018-10-01", jobbtorg=SYDOST, kon="M")
    src.inskrivning("II", i, "2019-02-01", "2019-06-20", "studier", jobbtorg=JARVA, kon="K")

    src.utbetalning("a1", a_dash, "2018-06", "5000,00")
    src.utbetalning("a2", a_dash, "2018-06", "-5000", fil_manad="2018-08")  # reclaim nets 2018-06 to 0
    src.utbetalning("a3", a_dash, "2018-09", "3000")
    src.utbetalning("a4", a_dash, "2018-09", "-1000", fil_manad="2018-10")  # net 2018-09: 2000
    src.utbetalning("a5", a_dash, "2019-03", "2500", bistandstyp="ovrigt")
    src.utbetalning("a6", a_dash, "2019-09", "4000")
    src.utbetalning("b1", b, "2018-05", "4000")
    src.utbetalning("b2", b, "2018-11", "2000")
    src.utbetalning("c1", c, "2018-11", "-800")
    src.utbetalning("c2", c, "2019-05", "6000")  # first 2019-05 delivery only: replaced
    src.utbetalning("c3", c, "2019-11", "1500")
    src.utbetalning("e1", e, "2018-10", "2000")
    src.utbetalning("e2", e, "2019-07", "1000")
    src.utbetalning("e3", e, "2020-01", "3000", fil_manad="2019-12")  # advance: 2020-01 not delivered
    src.utbetalning("h1", h, "2019-02", "1200")
    src.utbetalning("h2", h, "2019-05", "2000")
    src.utbetalning("k1", k, "2019-01", "700")
    src.utbetalning("l1", el, "2018-04", "3000", fil_manad="2018-05")  # before the first delivered month
    src.utbetalning("l2", el, "2019-01", "2200")
    src.utbetalning("i1", i, "2019-09", "900")
    src.utbetalning("m1", m0, "2018-06", "500")
    for month in months("2018-05", "2019-12"):
        if month != "2019-04":  # the gap: no file at all for 2019-04
            src.utbetalning(f"z{month}", z, month, "1000")

    # The re-delivery of 2019-05, written beside the builder's utbetalningar_2019-05.csv. It replaces the
    # first delivery as a whole: c2 is gone, b3 and h3 are new, h2 and the filler row are unchanged.
    again = SourceBuilder(root / "unused", uttagsdatum=UTTAG)
    again.utbetalning("b3", b, "2019-05", "3500")
    again.utbetalning("h2", h, "2019-05", "2000")
    again.utbetalning("h3", h, "2019-05", "-2000")
    again.utbetalning("z2019-05", z, "2019-05", "1000")
    src.write()
    write_csv(
        src.root / "utbetalningar" / "utbetalningar_2019-05_2.csv",
        UTBETALNINGAR,
        again.utbetalningar["2019-05"],
        "utf-8",
    )
    return run_scenario(src, root / "work")


def got(run, period, jobbtorg, kon, k):
    row = run.row(MART, period=period, jobbtorg=jobbtorg, kon=kon, manader_efter_avslut=k)
    return tuple(row[m] for m in MEASURES)


def want(avslutade, upp, sjalv):
    """The expected row; the share is sjalvforsorjande / uppfoljningsbara, empty when none can be followed."""
    return (avslutade, upp, sjalv, None if upp == 0 else pytest.approx(sjalv / upp))


ZERO = {3: (0, 0), 6: (0, 0), 12: (0, 0), 18: (0, 0)}

# (period, jobbtorg, kön, avslutade, {k: (uppfoljningsbara, sjalvforsorjande)})
# fmt: off
CASES = [
    # --- 2018-T1 (Jan-Apr): active IL (S), IA (J), IB1 (S), IB2 (J from 5 Mar). Ended: L (S), A (J),
    #     B (IB1 at S, 12 Feb; IB2 ends in May). Month 0: L 2018-01, A 2018-03, B 2018-02.
    # k3: L 2018-04 X (before 2018-05), A 2018-06 S (+5000 -5000 = 0), B 2018-05 N (4000) -> 2 / 1
    # k6: L 07 S, A 09 N (3000-1000), B 08 S -> 3 / 2;  k12: L 19-01 N, A 19-03 S (ovrigt), B 19-02 S -> 3 / 2
    # k18: L 19-07 S, A 19-09 N, B 19-08 S -> 3 / 2
    pytest.param("2018-T1", "totalt", "totalt", 3, {3: (2, 1), 6: (3, 2), 12: (3, 2), 18: (3, 2)},
                 id="2018-T1-totalt"),
    pytest.param("2018-T1", "totalt", "kvinnor", 2, {3: (1, 1), 6: (2, 1), 12: (2, 1), 18: (2, 1)},
                 id="2018-T1-kvinnor-L-A"),
    pytest.param("2018-T1", "totalt", "män", 1, {3: (1, 0), 6: (1, 1), 12: (1, 1), 18: (1, 1)},
                 id="2018-T1-män-B"),
    # J: only A ended at J in T1 (B's J registration IB2 ends in May: B stands under J without an avslut).
    pytest.param("2018-T1", JARVA, "totalt", 1, {3: (1, 1), 6: (1, 0), 12: (1, 1), 18: (1, 0)},
                 id="2018-T1-J-A"),
    pytest.param("2018-T1", JARVA, "kvinnor", 1, {3: (1, 1), 6: (1, 0), 12: (1, 1), 18: (1, 0)},
                 id="2018-T1-J-kvinnor-A"),
    pytest.param("2018-T1", JARVA, "män", 0, ZERO, id="2018-T1-J-män-active-no-avslut"),
    # S: L and B (month 0 2018-02). k3: L X, B N -> 1 / 0; k6 2 / 2; k12 L N, B S -> 2 / 1; k18 2 / 2.
    pytest.param("2018-T1", SYDOST, "totalt", 2, {3: (1, 0), 6: (2, 2), 12: (2, 1), 18: (2, 2)},
                 id="2018-T1-S"),
    pytest.param("2018-T1", SYDOST, "kvinnor", 1, {3: (0, 0), 6: (1, 1), 12: (1, 0), 18: (1, 1)},
                 id="2018-T1-S-kvinnor-L-before-first-month"),
    pytest.param("2018-T1", SYDOST, "män", 1, {3: (1, 0), 6: (1, 1), 12: (1, 1), 18: (1, 1)},
                 id="2018-T1-S-män-B"),
    # --- 2018-T2 (May-Aug): active IB2 (J), IC (S), ID (S), IE (J). Ended B (IB2, month 0 2018-05),
    #     C (2018-05), D (2018-06), E (2018-07).
    # k3: B 08 S, C 08 S, D 09 S, E 10 N -> 4 / 3;  k6: B 11 N, C 11 S (-800), D 12 S, E 19-01 S -> 4 / 3
    # k12: B 19-05 N (re-delivery 3500), C 19-05 S (first delivery replaced), D S, E 19-07 N -> 4 / 2
    # k18: B 19-11 S, C 19-11 N, D 19-12 S (the last delivered month), E 20-01 X -> 3 / 2
    pytest.param("2018-T2", "totalt", "totalt", 4, {3: (4, 3), 6: (4, 3), 12: (4, 2), 18: (3, 2)},
                 id="2018-T2-totalt"),
    pytest.param("2018-T2", "totalt", "kvinnor", 2, {3: (2, 1), 6: (2, 2), 12: (2, 1), 18: (1, 0)},
                 id="2018-T2-kvinnor-C-E"),
    pytest.param("2018-T2", "totalt", "män", 2, {3: (2, 2), 6: (2, 1), 12: (2, 1), 18: (2, 2)},
                 id="2018-T2-män-B-D"),
    pytest.param("2018-T2", JARVA, "totalt", 2, {3: (2, 1), 6: (2, 1), 12: (2, 0), 18: (1, 1)},
                 id="2018-T2-J-B-E"),
    pytest.param("2018-T2", JARVA, "kvinnor", 1, {3: (1, 0), 6: (1, 1), 12: (1, 0), 18: (0, 0)},
                 id="2018-T2-J-kvinnor-E-past-last-month"),
    pytest.param("2018-T2", JARVA, "män", 1, {3: (1, 1), 6: (1, 0), 12: (1, 0), 18: (1, 1)},
                 id="2018-T2-J-män-B-redelivered"),
    pytest.param("2018-T2", SYDOST, "totalt", 2, {3: (2, 2), 6: (2, 2), 12: (2, 2), 18: (2, 1)},
                 id="2018-T2-S-C-D"),
    pytest.param("2018-T2", SYDOST, "kvinnor", 1, {3: (1, 1), 6: (1, 1), 12: (1, 1), 18: (1, 0)},
                 id="2018-T2-S-kvinnor-C-redelivered"),
    pytest.param("2018-T2", SYDOST, "män", 1, {3: (1, 1), 6: (1, 1), 12: (1, 1), 18: (1, 1)},
                 id="2018-T2-S-män-D-no-payment-at-last-month"),
    # --- 2018-T3 (Sep-Dec): active IH (S), IG (S), IK (V). Ended H (2018-11), K (2018-10).
    # k3: H 19-02 N, K 19-01 N -> 2 / 0;  k6: H 19-05 S (net 0 after re-delivery), K 19-04 S (gap) -> 2 / 2
    # k12: H 19-11 S, K 19-10 S -> 2 / 2;  k18: H 20-05 X, K 20-04 X -> 0 / 0 (share empty)
    pytest.param("2018-T3", "totalt", "totalt", 2, {3: (2, 0), 6: (2, 2), 12: (2, 2), 18: (0, 0)},
                 id="2018-T3-totalt"),
    pytest.param("2018-T3", "totalt", "kvinnor", 1, {3: (1, 0), 6: (1, 1), 12: (1, 1), 18: (0, 0)},
                 id="2018-T3-kvinnor-H"),
    pytest.param("2018-T3", "totalt", "män", 1, {3: (1, 0), 6: (1, 1), 12: (1, 1), 18: (0, 0)},
                 id="2018-T3-män-K-G"),
    pytest.param("2018-T3", SYDOST, "totalt", 1, {3: (1, 0), 6: (1, 1), 12: (1, 1), 18: (0, 0)},
                 id="2018-T3-S-H"),
    pytest.param("2018-T3", SYDOST, "kvinnor", 1, {3: (1, 0), 6: (1, 1), 12: (1, 1), 18: (0, 0)},
                 id="2018-T3-S-kvinnor-H-redelivered"),
    pytest.param("2018-T3", SYDOST, "män", 0, ZERO, id="2018-T3-S-män-G-open"),
    pytest.param("2018-T3", VASTERORT, "totalt", 1, {3: (1, 0), 6: (1, 1), 12: (1, 1), 18: (0, 0)},
                 id="2018-T3-V-K"),
    pytest.param("2018-T3", VASTERORT, "män", 1, {3: (1, 0), 6: (1, 1), 12: (1, 1), 18: (0, 0)},
                 id="2018-T3-V-män-K-gap-month"),
    # --- 2018: everyone but G and I ended. Month 0 = last avslut of the year: B 2018-05 (IB2) overall and
    #     under J, but 2018-02 under S (IB1, B's last avslut THERE).
    # totalt L A B C D E H K = 8.
    # k3: L X, A S, B S, C S, D S, E N, H N, K N -> 7 / 4
    # k6: L S, A N, B N, C S, D S, E S, H S, K S -> 8 / 6
    # k12: L N, A S, B N, C S, D S, E N, H S, K S -> 8 / 5
    # k18: L S, A N, B S, C N, D S, E X, H X, K X -> 5 / 3
    pytest.param("2018", "totalt", "totalt", 8, {3: (7, 4), 6: (8, 6), 12: (8, 5), 18: (5, 3)},
                 id="2018-totalt"),
    # kvinnor L A C E H: k3 4/2 (A C), k6 5/4 (not A), k12 5/3 (A C H), k18 3/1 (L; A N, C N; E H X)
    pytest.param("2018", "totalt", "kvinnor", 5, {3: (4, 2), 6: (5, 4), 12: (5, 3), 18: (3, 1)},
                 id="2018-kvinnor"),
    # män B (2018-05) D K: k3 B S D S K N; k6 B N D S K S; k12 B N D S K S; k18 B S D S K X
    pytest.param("2018", "totalt", "män", 3, {3: (3, 2), 6: (3, 2), 12: (3, 2), 18: (2, 2)},
                 id="2018-män-two-avslut-last-counts"),
    # J: A, B (2018-05), E. k3 A S B S E N; k6 A N B N E S; k12 A S B N E N; k18 A N B S E X
    pytest.param("2018", JARVA, "totalt", 3, {3: (3, 2), 6: (3, 1), 12: (3, 1), 18: (2, 1)},
                 id="2018-J"),
    pytest.param("2018", JARVA, "kvinnor", 2, {3: (2, 1), 6: (2, 1), 12: (2, 1), 18: (1, 0)},
                 id="2018-J-kvinnor-A-E"),
    pytest.param("2018", JARVA, "män", 1, {3: (1, 1), 6: (1, 0), 12: (1, 0), 18: (1, 1)},
                 id="2018-J-män-B-month0-May"),
    # S: L, B (2018-02), C, D, H.
    # k3: L X, B N, C S, D S, H N -> 4 / 2;  k6: all S -> 5 / 5
    # k12: L N, B S, C S, D S, H S -> 5 / 4;  k18: L S, B S, C N, D S, H X -> 4 / 3
    pytest.param("2018", SYDOST, "totalt", 5, {3: (4, 2), 6: (5, 5), 12: (5, 4), 18: (4, 3)},
                 id="2018-S-last-avslut-there"),
    pytest.param("2018", SYDOST, "kvinnor", 3, {3: (2, 1), 6: (3, 3), 12: (3, 2), 18: (2, 1)},
                 id="2018-S-kvinnor-L-C-H"),
    pytest.param("2018", SYDOST, "män", 2, {3: (2, 1), 6: (2, 2), 12: (2, 2), 18: (2, 2)},
                 id="2018-S-män-B-month0-Feb"),
    pytest.param("2018", VASTERORT, "totalt", 1, {3: (1, 0), 6: (1, 1), 12: (1, 1), 18: (0, 0)},
                 id="2018-V-K"),
    pytest.param("2018", VASTERORT, "män", 1, {3: (1, 0), 6: (1, 1), 12: (1, 1), 18: (0, 0)},
                 id="2018-V-män-K"),
    # --- 2019-T1: active IG (S), II (J); nobody ended.
    pytest.param("2019-T1", "totalt", "totalt", 0, ZERO, id="2019-T1-totalt-no-cohort"),
    pytest.param("2019-T1", JARVA, "kvinnor", 0, ZERO, id="2019-T1-J-kvinnor-no-cohort"),
    pytest.param("2019-T1", SYDOST, "män", 0, ZERO, id="2019-T1-S-män-no-cohort"),
    # --- 2019-T2 and 2019: I ended 2019-06-20 (J). k3 19-09 N (900); k6 19-12 S (exactly the last delivered
    #     month, no payment); k12 20-06 X; k18 20-12 X.
    pytest.param("2019-T2", "totalt", "totalt", 1, {3: (1, 0), 6: (1, 1), 12: (0, 0), 18: (0, 0)},
                 id="2019-T2-totalt-recent-cohort"),
    pytest.param("2019-T2", JARVA, "kvinnor", 1, {3: (1, 0), 6: (1, 1), 12: (0, 0), 18: (0, 0)},
                 id="2019-T2-J-kvinnor-I"),
    pytest.param("2019-T2", "totalt", "män", 0, ZERO, id="2019-T2-män-G-only"),
    pytest.param("2019", "totalt", "totalt", 1, {3: (1, 0), 6: (1, 1), 12: (0, 0), 18: (0, 0)},
                 id="2019-totalt"),
    pytest.param("2019", SYDOST, "totalt", 0, ZERO, id="2019-S-G-only"),
    pytest.param("2019-T3", "totalt", "totalt", 0, ZERO, id="2019-T3-totalt"),
    pytest.param("2020-T1", "totalt", "totalt", 0, ZERO, id="2020-T1-totalt"),
    pytest.param("2020", SYDOST, "män", 0, ZERO, id="2020-S-män"),
    # --- 2017-T2 and 2017: M0 ended 2017-06-16 (V). k3 2017-09, k6 2017-12: before the first delivered
    #     month 2018-05 -> X; k12 2018-06 500 -> N; k18 2018-12 no payment -> S.
    pytest.param("2017-T2", VASTERORT, "män", 1, {3: (0, 0), 6: (0, 0), 12: (1, 0), 18: (1, 1)},
                 id="2017-T2-V-män-M0"),
    pytest.param("2017", "totalt", "totalt", 1, {3: (0, 0), 6: (0, 0), 12: (1, 0), 18: (1, 1)},
                 id="2017-totalt-M0"),
]
# fmt: on


@pytest.mark.parametrize(("period", "jobbtorg", "kon", "avslutade", "per_k"), CASES)
def test_measures(run, period, jobbtorg, kon, avslutade, per_k):
    """All four measures for k = 3, 6, 12 and 18 of a (period, jobbtorg, kön) equal the hand-worked ones."""
    actual = {k: got(run, period, jobbtorg, kon, k) for k in K}
    assert actual == {k: want(avslutade, *per_k[k]) for k in K}


def test_reclaim_netting_a_month_to_zero_is_self_sufficient(run):
    """A: +5000,00 for 2018-06, a -5000 reclaim for 2018-06 in the 2018-08 file: net 0 -> självförsörjande."""
    # 2018-T1 J = A alone; k = 3 -> 2018-06.
    assert got(run, "2018-T1", JARVA, "totalt", 3) == want(1, 1, 1)


def test_reclaim_not_netting_to_zero_is_not_self_sufficient(run):
    """A: +3000 for 2018-09 and -1000 reclaimed later: net 2000 > 0 -> not självförsörjande."""
    assert got(run, "2018-T1", JARVA, "totalt", 6) == want(1, 1, 0)  # k = 6 -> 2018-09


def test_net_negative_month_is_self_sufficient(run):
    """C: only a -800 reclaim for 2018-11: net below 0 is 'not above 0' -> självförsörjande."""
    assert got(run, "2018-T2", SYDOST, "kvinnor", 6) == want(1, 1, 1)  # C alone, k = 6 -> 2018-11


def test_person_without_any_payment_row_is_self_sufficient(run):
    """D has no payment row at all: självförsörjande for every k, including k = 18 -> 2019-12."""
    assert {k: got(run, "2018-T2", SYDOST, "män", k) for k in K} == {k: want(1, 1, 1) for k in K}


def test_ovrigt_bistand_not_counted(run):
    """A: only `ovrigt` (2500) for 2019-03 = month 0 + 12: no försörjningsstöd -> självförsörjande."""
    assert got(run, "2018-T1", JARVA, "kvinnor", 12) == want(1, 1, 1)


def test_follow_up_month_past_last_delivered_month_not_uppfoljningsbar(run):
    """E: month 0 2018-07, k = 18 -> 2020-01, after the last delivered file month 2019-12 (the 3000
    advance for 2020-01 in the 2019-12 file does not make 2020-01 a delivered month)."""
    assert got(run, "2018-T2", JARVA, "kvinnor", 18) == (1, 0, 0, None)


def test_follow_up_month_exactly_last_delivered_month_is_uppfoljningsbar(run):
    """D: month 0 2018-06, k = 18 -> 2019-12 = the last delivered month: uppföljningsbar (no payment: S).
    I: month 0 2019-06, k = 6 -> 2019-12 likewise."""
    assert got(run, "2018-T2", SYDOST, "män", 18) == want(1, 1, 1)
    assert got(run, "2019-T2", JARVA, "kvinnor", 6) == want(1, 1, 1)


def test_follow_up_month_before_first_delivered_month_not_uppfoljningsbar(run):
    """L: month 0 2018-01, k = 3 -> 2018-04, before the first delivered file month 2018-05 (a payment for
    2018-04 in the 2018-05 file does not make 2018-04 delivered); k = 6 -> 2018-07 is."""
    assert got(run, "2018-T1", SYDOST, "kvinnor", 3) == (1, 0, 0, None)
    assert got(run, "2018-T1", SYDOST, "kvinnor", 6) == want(1, 1, 1)


def test_first_delivered_month_is_within_the_range(run):
    """B (2018-T1 under S, month 0 2018-02): k = 3 -> 2018-05 = the first delivered month, 4000 -> N."""
    assert got(run, "2018-T1", SYDOST, "män", 3) == want(1, 1, 0)


def test_gap_month_inside_the_delivered_range_is_uppfoljningsbar(run):
    """K: month 0 2018-10, k = 6 -> 2019-04, a month with no file but within 2018-05..2019-12 (the YAML:
    'from the first to the last delivered month'); no payment -> självförsörjande."""
    assert got(run, "2018-T3", VASTERORT, "män", 6) == want(1, 1, 1)


def test_redelivered_month_only_later_delivery_counts(run):
    """2019-05 delivered twice (utbetalningar_2019-05.csv, then _2.csv): only the _2 file counts.
    B: 3500 only in _2 -> N. C: 6000 only in the first file -> S. H: 2000 in both, -2000 in _2 -> net 0, S."""
    assert got(run, "2018-T2", JARVA, "män", 12) == want(1, 1, 0)  # B, month 0 2018-05
    assert got(run, "2018-T2", SYDOST, "kvinnor", 12) == want(1, 1, 1)  # C, month 0 2018-05
    assert got(run, "2018-T3", SYDOST, "kvinnor", 6) == want(1, 1, 1)  # H, month 0 2018-11


def test_two_avslut_in_period_month_0_from_the_last(run):
    """B ended IB1 (S, 2018-02-12) and IB2 (J, 2018-05-14) in 2018. Month 0 overall is 2018-05:
    k = 3 -> 2018-08, no payment -> S (from February it would be 2018-05, 4000 -> N).
    In 2018-T1 only IB1 ended: month 0 2018-02, k = 3 -> N."""
    # 2018 män: B (2018-08 S), D (2018-09 S), K (2019-01 N) -> 3 / 2; with B from Feb it would be 3 / 1.
    assert got(run, "2018", "totalt", "män", 3) == want(3, 3, 2)
    assert got(run, "2018-T1", "totalt", "män", 3) == want(1, 1, 0)


def test_under_a_jobbtorg_month_0_from_the_last_avslut_there(run):
    """B in 2018: under J month 0 is 2018-05 (IB2), under S 2018-02 (IB1)."""
    # J män = B: k = 6 -> 2018-11 (2000) N; S män = B + D: B's k = 6 -> 2018-08 S, D S.
    assert got(run, "2018", JARVA, "män", 6) == want(1, 1, 0)
    assert got(run, "2018", SYDOST, "män", 6) == want(2, 2, 2)
    # k = 3 under S: B 2018-05 N, D 2018-09 S.
    assert got(run, "2018", SYDOST, "män", 3) == want(2, 2, 1)


def test_every_k_on_every_row(run):
    """Every (period, jobbtorg, kön) row comes with manader_efter_avslut 3, 6, 12, 18, 24, 36 and 48 (the
    long follow-up extends the table: test_sjalvforsorjning_lang.py), and one cohort."""
    by_key: dict[tuple, dict[int, int]] = {}
    for r in run.rows(MART):
        by_key.setdefault((r["period"], r["jobbtorg"], r["kon"]), {})[r["manader_efter_avslut"]] = r[
            "avslutade"
        ]
    assert by_key
    assert {key: sorted(v) for key, v in by_key.items() if sorted(v) != [*K, *K_LANG]} == {}
    assert {key: v for key, v in by_key.items() if len(set(v.values())) != 1} == {}


def test_share_is_empty_when_no_one_can_be_followed(run):
    """andel_sjalvforsorjande is empty exactly where uppfoljningsbara is 0, else the ratio (0-1)."""
    for r in run.rows(MART):
        if r["uppfoljningsbara"] == 0:
            assert r["andel_sjalvforsorjande"] is None, r
        else:
            assert r["andel_sjalvforsorjande"] == pytest.approx(r["sjalvforsorjande"] / r["uppfoljningsbara"])


def test_counts_nest(run):
    """sjalvforsorjande <= uppfoljningsbara <= avslutade in every row."""
    bad = [r for r in run.rows(MART) if not r["sjalvforsorjande"] <= r["uppfoljningsbara"] <= r["avslutade"]]
    assert bad == []


def test_rows_2018_t3(run):
    """Rows only for (jobbtorg, kön) with a registration active in 2018-T3, totals included."""
    # Active: IH (S, kvinna), IG (S, man), IK (V, man). No Järva registration is active in 2018-T3.
    assert keys(run, MART, "jobbtorg", "kon", period="2018-T3", manader_efter_avslut=3) == {
        (SYDOST, "kvinnor"),
        (SYDOST, "män"),
        (SYDOST, "totalt"),
        (VASTERORT, "män"),
        (VASTERORT, "totalt"),
        ("totalt", "kvinnor"),
        ("totalt", "män"),
        ("totalt", "totalt"),
    }


def test_rows_2019_t3(run):
    """2019-T3: only G's open registration (S, man) is active."""
    assert keys(run, MART, "jobbtorg", "kon", period="2019-T3", manader_efter_avslut=18) == {
        (SYDOST, "män"),
        (SYDOST, "totalt"),
        ("totalt", "män"),
        ("totalt", "totalt"),
    }


def test_period_without_active_registration_has_its_all_totalt_rows(run):
    """Analysts expect every period present (changed deliberately: this mart used to have no row at all for
    such a period). Nothing is active in 2017-T3 (M0 ended in June, the next registration begins
    2018-01-02): only the (totalt, totalt) rows, one for each k = 3, 6, 12, 18, 24, 36, 48, with avslutade,
    uppfoljningsbara and sjalvforsorjande 0 and the share empty (0 / 0)."""
    assert keys(run, MART, "jobbtorg", "kon", "manader_efter_avslut", period="2017-T3") == {
        ("totalt", "totalt", 3),
        ("totalt", "totalt", 6),
        ("totalt", "totalt", 12),
        ("totalt", "totalt", 18),
        ("totalt", "totalt", 24),
        ("totalt", "totalt", 36),
        ("totalt", "totalt", 48),
    }
    for r in run.rows(MART, period="2017-T3"):
        assert (r["avslutade"], r["uppfoljningsbara"], r["sjalvforsorjande"]) == (0, 0, 0), r
        assert r["andel_sjalvforsorjande"] is None, r
        assert (r["period_typ"], r["period_start"], r["period_slut"]) == (
            "tertial",
            date(2017, 9, 1),
            date(2017, 12, 31),
        )


def test_periods(run):
    """Every period from the first with a registration (2017-T2, IM0) to the one holding 2020-01-15, each
    with its all-`totalt` row for every k; 2017-T3 included although nothing is active in it."""
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
        "2020",
        "2020-T1",
    }
    assert {p for (p,) in keys(run, MART, "period")} == periods
    for k in K:
        got = keys(run, MART, "period", jobbtorg="totalt", kon="totalt", manader_efter_avslut=k)
        assert {p for (p,) in got} == periods, k
    assert all(r["uttagsdatum"] == date(2020, 1, 15) for r in run.rows(MART))


def test_period_columns(run):
    """period_typ, period_start and period_slut of a year and a tertial."""
    t2 = run.row(MART, period="2018-T2", jobbtorg="totalt", kon="totalt", manader_efter_avslut=3)
    y = run.row(MART, period="2018", jobbtorg="totalt", kon="totalt", manader_efter_avslut=3)
    assert (t2["period_typ"], t2["period_start"], t2["period_slut"]) == (
        "tertial",
        date(2018, 5, 1),
        date(2018, 8, 31),
    )
    assert (y["period_typ"], y["period_start"], y["period_slut"]) == (
        "ar",
        date(2018, 1, 1),
        date(2018, 12, 31),
    )


def test_columns(run):
    """The analyst-facing columns: common columns, jobbtorg, kon, manader_efter_avslut, the measures."""
    assert sorted(columns(run, MART)) == sorted(
        [*COMMON, "jobbtorg", "kon", "manader_efter_avslut", *MEASURES]
    )
