"""marts.unika_individer on hand-built data: every expected number is worked out by hand below.

Scenario (uttagsdatum 2019-10-01; J = Jobbtorg Järva, S = Jobbtorg Sydost; kön in brackets):

  person            reg  jt  inskrivning  avslut      orsak                   personnummer written as
  A  [K regist.]    IA1  J   2019-02-01   2019-03-15  aterremiss              12 digits
                    IA2  J   2019-06-03   2019-08-20  arbete_osubventionerat  12 digits
  B  [M regist.]    IB1  J   2018-09-10   2018-12-31  flytt                   12 digits
                    IB2  J   2019-01-01   2019-04-30  studier
                    IB3  J   2019-05-01   (open)
  C  [K regist.]    IC1  J   2019-01-15   2019-05-20  sjukdom                 12 digits
                    IC2  S   2019-03-01   2019-07-10  aterremiss
  D  [M by number]  ID1  S   2019-02-11   2019-08-31  (no reason)             samordningsnummer, 12 digits
                    ID2  S   2019-09-16   (open)                              the same, 10 digits with '-'
  E  [M by number]  IE1  J   2018-11-05   2019-01-31  arbete_subventionerat   born 1915, 12 digits
                    IE2  J   2019-03-04   (open)                              the same, 10 digits with '+'
  G  [M regist.]    IG1  J   2019-05-06   2019-06-14  studier                 12 digits
                    IG2  S   2019-05-13   2019-06-14  flytt
  H  [K by number]  IH1  S   2018-12-01   (open)                              12 digits with '-'

Awkward cases: A re-registers in 2019 (once in inskrivna, twice in registreringar; the last avslut decides);
B ends 31 Dec / starts 1 Jan, ends 30 Apr / starts 1 May, and ends on the last day of periods; C stands under
two jobbtorg at once (last avslut at J is sjukdom, overall aterremiss); D and E are each one person under
two spellings; G ends two registrations on the same day (the higher inskrivning_id, IG2, decides); H and
the open registrations stay active up to the uttagsdatum.

Kön: A, C, H kvinnor; B, D, E, G män.  First data: 2018-T3 (IB1).
Periods: 2018, 2018-T3, 2019, 2019-T1..T3.
Measures in the tables below, in this order:
  (inskrivna, nyinskrivna, registreringar, avslutade, arbete, studier, aterremiss, ovrigt, orsak_saknas)
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.marts._helpers import COMMON, columns, keys, pick, run_scenario
from tests.support.sourcebuilder import JARVA, SYDOST, SourceBuilder, pnr

MART = "unika_individer"
MEASURES = (
    "inskrivna",
    "nyinskrivna",
    "registreringar",
    "avslutade",
    "avslut_arbete",
    "avslut_studier",
    "avslut_aterremiss",
    "avslut_ovrigt",
    "avslut_orsak_saknas",
)
AVSLUT = MEASURES[4:]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("unika_individer")
    a = pnr("19800101", 1, woman=True)
    b = pnr("19750612", 2, woman=False)
    c = pnr("19900220", 3, woman=True)
    d12 = pnr("19881005", 4, woman=False, samordning=True, form="12")
    d10 = pnr("19881005", 4, woman=False, samordning=True, form="10-")
    e12 = pnr("19150301", 5, woman=False, form="12")
    e10 = pnr("19150301", 5, woman=False, form="10+")
    g = pnr("19920707", 6, woman=False)
    h = pnr("19950315", 7, woman=True, form="12-")
    src = SourceBuilder(root / "source", uttagsdatum="2019-10-01")
    src.inskrivning("IA1", a, "2019-02-01", "2019-03-15", "aterremiss", jobbtorg=JARVA, kon="K")
    src.inskrivning("IA2", a, "2019-06-03", "2019-08-20", "arbete_osubventionerat", jobbtorg=JARVA, kon="K")
    src.inskrivning("IB1", b, "2018-09-10", "2018-12-31", "flytt", jobbtorg=JARVA, kon="M")
    src.inskrivning("IB2", b, "2019-01-01", "2019-04-30", "studier", jobbtorg=JARVA, kon="M")
    src.inskrivning("IB3", b, "2019-05-01", jobbtorg=JARVA, kon="M")
    src.inskrivning("IC1", c, "2019-01-15", "2019-05-20", "sjukdom", jobbtorg=JARVA, kon="K")
    src.inskrivning("IC2", c, "2019-03-01", "2019-07-10", "aterremiss", jobbtorg=SYDOST, kon="K")
    src.inskrivning("ID1", d12, "2019-02-11", "2019-08-31", None, jobbtorg=SYDOST)
    src.inskrivning("ID2", d10, "2019-09-16", jobbtorg=SYDOST)
    src.inskrivning("IE1", e12, "2018-11-05", "2019-01-31", "arbete_subventionerat", jobbtorg=JARVA)
    src.inskrivning("IE2", e10, "2019-03-04", jobbtorg=JARVA)
    src.inskrivning("IG1", g, "2019-05-06", "2019-06-14", "studier", jobbtorg=JARVA, kon="M")
    src.inskrivning("IG2", g, "2019-05-13", "2019-06-14", "flytt", jobbtorg=SYDOST, kon="M")
    src.inskrivning("IH1", h, "2018-12-01", jobbtorg=SYDOST)
    return run_scenario(src, root / "work")


def values(run, period, jobbtorg, kon):
    row = run.row(MART, period=period, jobbtorg=jobbtorg, kon=kon)
    return tuple(row[m] for m in MEASURES)


# fmt: off
CASES = [
    # --- 2018-T3 (1 Sep-31 Dec 2018): IB1 (B), IE1 (E) at J, IH1 (H) at S; B ends 31 Dec (last day) flytt.
    pytest.param("2018-T3", JARVA, "totalt", (2, 2, 2, 1, 0, 0, 0, 1, 0), id="2018-T3-J-avslut-on-last-day"),
    pytest.param("2018-T3", SYDOST, "totalt", (1, 1, 1, 0, 0, 0, 0, 0, 0), id="2018-T3-S"),
    pytest.param("2018-T3", "totalt", "totalt", (3, 3, 3, 1, 0, 0, 0, 1, 0), id="2018-T3-totalt"),
    pytest.param("2018-T3", "totalt", "män", (2, 2, 2, 1, 0, 0, 0, 1, 0), id="2018-T3-män"),     # B, E
    pytest.param("2018-T3", "totalt", "kvinnor", (1, 1, 1, 0, 0, 0, 0, 0, 0), id="2018-T3-kvinnor"),  # H
    # 2018: nothing before September, so the year equals 2018-T3.
    pytest.param("2018", "totalt", "totalt", (3, 3, 3, 1, 0, 0, 0, 1, 0), id="2018-totalt"),
    # --- 2019-T1 (1 Jan-30 Apr). IB1 ended 31 Dec: not active. IB3 starts 1 May: not active.
    # J: IA1 (A), IB2 (B), IC1 (C), IE1+IE2 (E, one person: '12' and '10+' numbers) -> 4 persons, 5 regs;
    #    new: A 1 Feb, B 1 Jan, C 15 Jan, E 4 Mar -> 4;
    #    ended: E 31 Jan arbete_subv., A 15 Mar aterremiss, B 30 Apr (last day of T1) studier -> 3.
    pytest.param("2019-T1", JARVA, "totalt", (4, 4, 5, 3, 1, 1, 1, 0, 0), id="2019-T1-J"),
    # S: IC2 (C, new 1 Mar), ID1 (D, new 11 Feb), IH1 (H, since 2018) -> 3 persons, 3 regs, 2 new, none ended.
    pytest.param("2019-T1", SYDOST, "totalt", (3, 2, 3, 0, 0, 0, 0, 0, 0), id="2019-T1-S"),
    # totalt: A B C D E H = 6 (C under both J and S counts once); 5 + 3 = 8 regs; new A B C D E = 5.
    pytest.param("2019-T1", "totalt", "totalt", (6, 5, 8, 3, 1, 1, 1, 0, 0), id="2019-T1-C-once"),
    # kvinnor A C H; regs IA1 IC1 IC2 IH1; new A C; ended A (aterremiss).
    pytest.param("2019-T1", "totalt", "kvinnor", (3, 2, 4, 1, 0, 0, 1, 0, 0), id="2019-T1-kvinnor"),
    # män B D E; regs IB2 ID1 IE1 IE2; new B D E; ended B (studier), E (arbete).
    pytest.param("2019-T1", "totalt", "män", (3, 3, 4, 2, 1, 1, 0, 0, 0), id="2019-T1-män"),
    pytest.param("2019-T1", JARVA, "kvinnor", (2, 2, 2, 1, 0, 0, 1, 0, 0), id="2019-T1-J-kvinnor"),  # A, C
    pytest.param("2019-T1", JARVA, "män", (2, 2, 3, 2, 1, 1, 0, 0, 0), id="2019-T1-J-män"),  # B, E (3 regs)
    pytest.param("2019-T1", SYDOST, "kvinnor", (2, 1, 2, 0, 0, 0, 0, 0, 0), id="2019-T1-S-kvinnor"),  # C, H
    pytest.param("2019-T1", SYDOST, "män", (1, 1, 1, 0, 0, 0, 0, 0, 0), id="2019-T1-S-män-samordning"),  # D
    # --- 2019-T2 (1 May-31 Aug). IB2 ended 30 Apr: not active; IB3 starts 1 May: active and new.
    # J: IA2 (A new 3 Jun), IB3 (B new), IC1 (C), IE2 (E), IG1 (G new) -> 5 persons, 5 regs, 3 new;
    #    ended: A arbete (20 Aug), C sjukdom -> ovrigt (20 May), G studier (14 Jun) -> 3.
    pytest.param("2019-T2", JARVA, "totalt", (5, 3, 5, 3, 1, 1, 0, 1, 0), id="2019-T2-J"),
    # S: IC2 (C), ID1 (D), IG2 (G new), IH1 (H) -> 4, 4 regs, 1 new;
    #    ended: C aterremiss (10 Jul), D no reason (31 Aug, last day of T2), G flytt -> ovrigt.
    pytest.param("2019-T2", SYDOST, "totalt", (4, 1, 4, 3, 0, 0, 1, 1, 1), id="2019-T2-S-saknas"),
    # totalt: A B C D E G H = 7; 5 + 4 = 9 regs; new A B G = 3. Ended A C D G = 4, by last avslut:
    #   A arbete; C: IC1 20 May sjukdom, IC2 10 Jul aterremiss -> aterremiss (J said ovrigt for C);
    #   D saknas; G: IG1 and IG2 both 14 Jun -> highest inskrivning_id IG2 (flytt) -> ovrigt.
    pytest.param("2019-T2", "totalt", "totalt", (7, 3, 9, 4, 1, 0, 1, 1, 1), id="2019-T2-totalt-last-avslut"),
    # kvinnor A C H: regs IA2 IC1 IC2 IH1; new A; ended A (arbete), C (aterremiss).
    pytest.param("2019-T2", "totalt", "kvinnor", (3, 1, 4, 2, 1, 0, 1, 0, 0), id="2019-T2-kvinnor"),
    # män B D E G: regs IB3 ID1 IE2 IG1 IG2; new B G; ended D (saknas), G (same day -> IG2 flytt: ovrigt).
    pytest.param("2019-T2", "totalt", "män", (4, 2, 5, 2, 0, 0, 0, 1, 1), id="2019-T2-män-same-day-avslut"),
    pytest.param("2019-T2", JARVA, "kvinnor", (2, 1, 2, 2, 1, 0, 0, 1, 0), id="2019-T2-J-kvinnor"),  # A, C
    pytest.param("2019-T2", JARVA, "män", (3, 2, 3, 1, 0, 1, 0, 0, 0), id="2019-T2-J-män"),  # B E G; G stu.
    pytest.param("2019-T2", SYDOST, "kvinnor", (2, 0, 2, 1, 0, 0, 1, 0, 0), id="2019-T2-S-kvinnor"),  # C, H
    pytest.param("2019-T2", SYDOST, "män", (2, 1, 2, 2, 0, 0, 0, 1, 1), id="2019-T2-S-män"),  # D, G flytt
    # --- 2019-T3 (1 Sep-31 Dec, uttagsdatum 1 Oct): open IB3 (B), IE2 (E) at J; ID2 (D new 16 Sep), IH1 at S.
    pytest.param("2019-T3", JARVA, "totalt", (2, 0, 2, 0, 0, 0, 0, 0, 0), id="2019-T3-J-open"),
    pytest.param("2019-T3", SYDOST, "totalt", (2, 1, 2, 0, 0, 0, 0, 0, 0), id="2019-T3-S-open"),
    pytest.param("2019-T3", "totalt", "totalt", (4, 1, 4, 0, 0, 0, 0, 0, 0), id="2019-T3-totalt"),
    pytest.param("2019-T3", "totalt", "män", (3, 1, 3, 0, 0, 0, 0, 0, 0), id="2019-T3-män"),  # B D E
    # --- 2019. Active: all but IB1.
    # J regs IA1 IA2 IB2 IB3 IC1 IE1 IE2 IG1 = 8; persons A B C E G; all new in 2019.
    #   Last avslut at J: A IA2 arbete, B IB2 studier, C IC1 sjukdom (ovrigt), E IE1 arbete, G IG1 studier.
    pytest.param("2019", JARVA, "totalt", (5, 5, 8, 5, 2, 2, 0, 1, 0), id="2019-J-re-registration"),
    # S regs IC2 ID1 ID2 IG2 IH1 = 5; persons C D G H; new C D G (H since 2018).
    #   Last avslut at S: C aterremiss, D saknas, G flytt (ovrigt).
    pytest.param("2019", SYDOST, "totalt", (4, 3, 5, 3, 0, 0, 1, 1, 1), id="2019-S"),
    # totalt: 7 persons, 13 regs, new A B C D E G = 6. Ended A B C D E G = 6, by overall last avslut:
    #   A arbete (IA2 20 Aug; IA1's aterremiss is not the last), B studier, C aterremiss (IC2 10 Jul after
    #   IC1 20 May), D saknas, E arbete, G ovrigt (same-day tie -> IG2).
    pytest.param("2019", "totalt", "totalt", (7, 6, 13, 6, 2, 1, 1, 1, 1), id="2019-totalt-re-registration"),
    # kvinnor A C H: regs IA1 IA2 IC1 IC2 IH1 = 5; new A C; ended A arbete, C aterremiss.
    pytest.param("2019", "totalt", "kvinnor", (3, 2, 5, 2, 1, 0, 1, 0, 0), id="2019-kvinnor"),
    # män B D E G: regs IB2 IB3 ID1 ID2 IE1 IE2 IG1 IG2 = 8; all new; ended B stu, D saknas, E arb, G ovr.
    pytest.param("2019", "totalt", "män", (4, 4, 8, 4, 1, 1, 0, 1, 1), id="2019-män"),
    pytest.param("2019", JARVA, "kvinnor", (2, 2, 3, 2, 1, 0, 0, 1, 0), id="2019-J-kvinnor"),  # A, C
    pytest.param("2019", SYDOST, "kvinnor", (2, 1, 2, 1, 0, 0, 1, 0, 0), id="2019-S-kvinnor"),  # C, H
]
# fmt: on


@pytest.mark.parametrize(("period", "jobbtorg", "kon", "expected"), CASES)
def test_measures(run, period, jobbtorg, kon, expected):
    """Every measure of a (period, jobbtorg, kön) row equals the hand-worked value."""
    assert dict(zip(MEASURES, values(run, period, jobbtorg, kon), strict=True)) == dict(
        zip(MEASURES, expected, strict=True)
    )


def test_re_registration_counted_once_in_inskrivna_twice_in_registreringar(run):
    """A: IA1 and IA2 at Järva in 2019; B: IB2 and IB3 at Järva in 2019 (re-registration)."""
    # J 2019 kvinnor = A (IA1, IA2) and C (IC1): 2 persons, 3 registrations.
    row = run.row(MART, period="2019", jobbtorg=JARVA, kon="kvinnor")
    assert (row["inskrivna"], row["registreringar"]) == (2, 3)


def test_last_avslut_decides_the_group(run):
    """A ended IA1 for aterremiss (Mar) and IA2 for work (Aug): in 2019 A is avslut_arbete, not aterremiss."""
    # 2019 J kvinnor: A (last IA2 arbete), C (IC1 sjukdom -> ovrigt); no aterremiss.
    row = run.row(MART, period="2019", jobbtorg=JARVA, kon="kvinnor")
    assert pick(row, *AVSLUT) == {
        "avslut_arbete": 1,
        "avslut_studier": 0,
        "avslut_aterremiss": 0,
        "avslut_ovrigt": 1,
        "avslut_orsak_saknas": 0,
    }


def test_last_avslut_per_jobbtorg_differs_from_totalt(run):
    """C ended IC1 (J, sjukdom 20 May) and IC2 (S, aterremiss 10 Jul): ovrigt under J, aterremiss overall."""
    j = run.row(MART, period="2019-T2", jobbtorg=JARVA, kon="kvinnor")  # A arbete, C ovrigt
    s = run.row(MART, period="2019-T2", jobbtorg=SYDOST, kon="kvinnor")  # C aterremiss
    t = run.row(MART, period="2019-T2", jobbtorg="totalt", kon="kvinnor")  # A arbete, C aterremiss
    assert (j["avslut_ovrigt"], j["avslut_aterremiss"]) == (1, 0)
    assert (s["avslut_ovrigt"], s["avslut_aterremiss"]) == (0, 1)
    assert (t["avslut_ovrigt"], t["avslut_aterremiss"]) == (0, 1)


def test_same_day_avslut_highest_inskrivning_id_wins(run):
    """G ended IG1 (studier) and IG2 (flytt) on 14 Jun 2019: IG2 is the higher id, so G is ovrigt overall."""
    row = run.row(MART, period="2019-T2", jobbtorg="totalt", kon="män")  # D saknas, G ovrigt
    assert (row["avslut_studier"], row["avslut_ovrigt"]) == (0, 1)


def test_person_under_two_jobbtorg_counted_under_each_and_once_in_totalt(run):
    """C has IC1 at Järva, IC2 at Sydost in 2019-T1: kvinnor J 2 (A, C), S 2 (C, H), totalt 3 (A, C, H)."""
    got = [run.row(MART, period="2019-T1", jobbtorg=j, kon="kvinnor")["inskrivna"] for j in (JARVA, SYDOST)]
    assert got == [2, 2]
    assert run.row(MART, period="2019-T1", jobbtorg="totalt", kon="kvinnor")["inskrivna"] == 3


def test_samordningsnummer_and_10_digit_forms_are_one_person(run):
    """D ('12' samordningsnummer, then '10-'), E ('12', then '10+', born 1915): one person each."""
    # 2019 män: B, D, E, G = 4 persons although 8 registrations carry 6 different spellings.
    assert run.row(MART, period="2019", jobbtorg="totalt", kon="män")["inskrivna"] == 4
    # S 2019 män: D (ID1 '12', ID2 '10-') and G -> 2 persons, 3 registrations.
    row = run.row(MART, period="2019", jobbtorg=SYDOST, kon="män")
    assert (row["inskrivna"], row["registreringar"]) == (2, 3)


def test_avslut_columns_sum_to_avslutade_in_every_row(run):
    """The five avslut columns sum to avslutade (YAML), in every row of the mart."""
    bad = [r for r in run.rows(MART) if sum(r[c] for c in AVSLUT) != r["avslutade"]]
    assert bad == []


def test_rows_present(run):
    """Rows exist only for (period, jobbtorg, kön) with a registration active in it, totals included."""
    got = keys(run, MART, "jobbtorg", "kon", period="2019-T3")
    # 2019-T3: B, E (män) at J; D (man), H (kvinna) at S. No woman at Järva -> no (J, kvinnor) row.
    assert got == {
        (JARVA, "män"),
        (JARVA, "totalt"),
        (SYDOST, "kvinnor"),
        (SYDOST, "män"),
        (SYDOST, "totalt"),
        ("totalt", "kvinnor"),
        ("totalt", "män"),
        ("totalt", "totalt"),
    }


def test_periods(run):
    """First period with data (2018-T3, IB1 from 10 Sep 2018) to the one holding 1 Oct 2019."""
    assert {p for (p,) in keys(run, MART, "period")} == {
        "2018",
        "2018-T3",
        "2019",
        "2019-T1",
        "2019-T2",
        "2019-T3",
    }
    assert all(r["uttagsdatum"] == date(2019, 10, 1) for r in run.rows(MART))


def test_columns(run):
    """The analyst-facing column set: the common columns, the dimensions and the measures."""
    assert sorted(columns(run, MART)) == sorted([*COMMON, "jobbtorg", "kon", *MEASURES])


# --- The year to date (schema ar_hittills), worked out by hand from the same scenario.
# 2019-T2's year to date is 1 January-31 August 2019. Active: every registration but IB1 (ended 2018-12-31)
# and ID2 (starts 16 Sep, after it). Not the sum of T1 and T2: a person active in both counts once.
# fmt: off
HITTILLS = [
    # J: IA1 IA2 IB2 IB3 IC1 IE1 IE2 IG1 = 8 regs of A B C E G; new A B C E (IE2, 4 Mar) G = 5; all five
    #    ended, by the last avslut at J: A IA2 arbete (not IA1's aterremiss), B IB2 studier, C IC1 ovrigt,
    #    E IE1 arbete, G IG1 studier.
    pytest.param("2019-T2", JARVA, "totalt", (5, 5, 8, 5, 2, 2, 0, 1, 0), id="jan-aug-J-re-registration"),
    # S: IC2 ID1 IG2 IH1 = 4 regs of C D G H (ID2 is September's); new C D G; ended C aterremiss,
    #    D saknas (31 Aug, the last day), G flytt (ovrigt).
    pytest.param("2019-T2", SYDOST, "totalt", (4, 3, 4, 3, 0, 0, 1, 1, 1), id="jan-aug-S-last-day"),
    # totalt: 7 persons (T1 6 + T2 7 would be 13), 12 regs, new A B C D E G; ended all six, by the last
    #   avslut overall: A arbete, B studier, C aterremiss (IC2 after IC1), D saknas, E arbete, G ovrigt (IG2).
    pytest.param("2019-T2", "totalt", "totalt", (7, 6, 12, 6, 2, 1, 1, 1, 1), id="jan-aug-totalt-once"),
    pytest.param("2019-T2", "totalt", "kvinnor", (3, 2, 5, 2, 1, 0, 1, 0, 0), id="jan-aug-kvinnor"),  # A C H
    pytest.param("2019-T2", "totalt", "män", (4, 4, 7, 4, 1, 1, 0, 1, 1), id="jan-aug-män"),  # B D E G
    # T1's year to date is the tertial, T3's the year (2018-T3: the year 2018, which starts in September).
    pytest.param("2019-T1", "totalt", "totalt", (6, 5, 8, 3, 1, 1, 1, 0, 0), id="T1-is-the-tertial"),
    pytest.param("2019-T3", "totalt", "totalt", (7, 6, 13, 6, 2, 1, 1, 1, 1), id="T3-is-the-year"),
    pytest.param("2018-T3", "totalt", "totalt", (3, 3, 3, 1, 0, 0, 0, 1, 0), id="2018-T3-is-the-year"),
]
# fmt: on


def hittills(run, **where):
    with run.analysts() as con:
        found = con.execute(
            "SELECT * FROM ar_hittills.unika_individer WHERE period = ? AND jobbtorg = ? AND kon = ?",
            [where["period"], where["jobbtorg"], where["kon"]],
        )
        names = [d[0] for d in found.description]
        rows = [dict(zip(names, r, strict=True)) for r in found.fetchall()]
    assert len(rows) == 1, rows
    return rows[0]


@pytest.mark.parametrize(("period", "jobbtorg", "kon", "expected"), HITTILLS)
def test_year_to_date(run, period, jobbtorg, kon, expected):
    row = hittills(run, period=period, jobbtorg=jobbtorg, kon=kon)
    assert dict(zip(MEASURES, (row[m] for m in MEASURES), strict=True)) == dict(
        zip(MEASURES, expected, strict=True)
    )


def test_year_to_date_periods(run):
    """Every tertial gets its year to date, from 1 January to the tertial's last day."""
    with run.analysts() as con:
        found = con.execute(
            "SELECT DISTINCT period, period_typ, period_start, period_slut FROM ar_hittills.unika_individer "
            "ORDER BY period_slut"
        ).fetchall()
    assert found == [
        ("2018-T3", "ar_hittills", date(2018, 1, 1), date(2018, 12, 31)),
        ("2019-T1", "ar_hittills", date(2019, 1, 1), date(2019, 4, 30)),
        ("2019-T2", "ar_hittills", date(2019, 1, 1), date(2019, 8, 31)),
        ("2019-T3", "ar_hittills", date(2019, 1, 1), date(2019, 12, 31)),
    ]
