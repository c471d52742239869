"""marts.stegforflyttningar on hand-built data: every expected number is worked out by hand below.

Definition (stegforflyttningar.yml): for each insats that ended (slutdatum) in the period, the next step is
whichever comes first by date (same date: the insats) of
  - the person's insats (any registration, not this one) with the earliest startdatum in
    [slutdatum, slutdatum + 90] (same startdatum: the lowest insats_id; one started before the slutdatum
    ran in parallel and is no next step): `till` = its insatstyp;
  - the avslut of the registration holding the ended insats, if avslutsdatum <= slutdatum + 90 (an earlier
    one too): `till` = its avslut group;
else `inget_inom_90_dagar` when slutdatum + 90 <= uttagsdatum, else `inget_annu`.

Scenario (uttagsdatum 2020-03-01; all registrations at Järva; insats id, type, start -> end):

  A: RA 2019-01-07 open
     A1 kartlaggning 2019-01-07 -> 2019-02-15  A2 starts on A1's slutdatum (back to back)   -> coachning
     A4 jobbsok      2019-01-20 -> 2019-03-01  A2 began before (parallel), A3 161 days later -> inget_inom_90
     A2 coachning    2019-02-15 -> 2019-05-10  A3 starts 91 days later (May 10 + 91 = Aug 9) -> inget_inom_90
                                               (F's insats starts 2019-06-01, but F is another person)
     A3 praktik      2019-08-09 -> 2019-12-20  Dec 20 + 90 = 2020-03-19 > uttagsdatum         -> inget_annu
  B: RB 2019-02-01 -> 2019-09-30 arbete_osubventionerat
     B1 vagledning   2019-02-01 -> 2019-03-31  B2 exactly 90 days later (Mar 31 + 90 = Jun 29)  -> matchning
     B2 matchning    2019-06-29 -> 2019-09-30  RB ends the same day                            -> arbete
  C: RC1 2019-03-01 -> 2019-06-14 aterremiss; re-registered RC2 2019-07-01 -> 2019-11-30 studier;
     RC3 2019-11-30 open (RC2 and RC3 overlap on one day)
     C1 forberedande  2019-03-01 -> 2019-05-31 (RC1) RC1 ends 14 days later, before C2 (31 days) -> aterremiss
     C2 arbetstraning 2019-07-01 -> 2019-08-30 (RC2) C3 41 days later; RC2 ends after 92 (> 90)  -> sfi
     C3 sfi           2019-10-10 -> 2019-11-30 (RC2) RC2 ends and C4 (RC3) starts the same day:
                                                     the insats wins              -> yrkesutbildning
     C4 yrkesutbildning 2019-11-30 -> ongoing (RC3): never ended, in no cohort
  D: RD 2019-04-01 -> 2019-05-20, no avslutsorsak
     D1 coachning    2019-04-01 -> 2019-05-31  RD ended 11 days BEFORE the slutdatum (counts)   -> saknas
  E: RE 2019-04-01 open
     E1 kartlaggning 2019-04-01 -> 2019-04-30 (last day of T1)  E2 began before (parallel); E0 and E3 both
                                               start 2019-06-01: the lowest insats_id, E0     -> jobbsok
     E2 kartlaggning 2019-04-15 -> 2019-05-01 (first day of T2)  E0 and E3 again             -> jobbsok
     E0 jobbsok      2019-06-01 -> 2019-06-20  E3 began the same day (parallel)              -> inget_inom_90
     E3 praktik      2019-06-01 -> 2019-07-31  nothing after                                 -> inget_inom_90
  F: RF 2019-06-01 -> 2019-06-30 flytt
     F1 praktik      2019-06-01 -> 2019-06-30  RF ends the same day                          -> ovrigt
  H: RH 2019-10-01 open
     H1 vagledning   2019-10-01 -> 2019-12-02  Dec 2 + 90 = 2020-03-01 = uttagsdatum: the 90 days have
                                               passed                                        -> inget_inom_90
  I: RI 2018-10-01 open (the first data: 2018 and 2018-T3 have no ended insats)
     I1 vagledning   2019-10-01 -> 2019-12-03  Dec 3 + 90 = 2020-03-02, one day past           -> inget_annu
  G: RG 2019-12-01 open
     G1 matchning    2019-12-01 -> 2020-01-15                                                 -> inget_annu
"""

from __future__ import annotations

import pytest

from tests.marts._helpers import COMMON, columns, keys, run_scenario
from tests.support.sourcebuilder import SourceBuilder, pnr

MART = "stegforflyttningar"
INGET = "inget_inom_90_dagar"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("stegforflyttningar")
    a, b, c, d, e, f, g, h, i = (pnr(f"198{n}0101", n + 1, woman=n % 2 == 0) for n in range(9))
    src = SourceBuilder(root / "source", uttagsdatum="2020-03-01")
    src.inskrivning("RA", a, "2019-01-07")
    src.inskrivning("RB", b, "2019-02-01", "2019-09-30", "arbete_osubventionerat")
    src.inskrivning("RC1", c, "2019-03-01", "2019-06-14", "aterremiss")
    src.inskrivning("RC2", c, "2019-07-01", "2019-11-30", "studier")
    src.inskrivning("RC3", c, "2019-11-30")
    src.inskrivning("RD", d, "2019-04-01", "2019-05-20")
    src.inskrivning("RE", e, "2019-04-01")
    src.inskrivning("RF", f, "2019-06-01", "2019-06-30", "flytt")
    src.inskrivning("RH", h, "2019-10-01")
    src.inskrivning("RI", i, "2018-10-01")
    src.inskrivning("RG", g, "2019-12-01")

    src.insats("A1", "RA", "kartlaggning", "2019-01-07", "2019-02-15")
    src.insats("A4", "RA", "jobbsok", "2019-01-20", "2019-03-01")
    src.insats("A2", "RA", "coachning", "2019-02-15", "2019-05-10")
    src.insats("A3", "RA", "praktik", "2019-08-09", "2019-12-20")
    src.insats("B1", "RB", "vagledning", "2019-02-01", "2019-03-31")
    src.insats("B2", "RB", "matchning", "2019-06-29", "2019-09-30")
    src.insats("C1", "RC1", "forberedande", "2019-03-01", "2019-05-31")
    src.insats("C2", "RC2", "arbetstraning", "2019-07-01", "2019-08-30")
    src.insats("C3", "RC2", "sfi", "2019-10-10", "2019-11-30")
    src.insats("C4", "RC3", "yrkesutbildning", "2019-11-30")
    src.insats("D1", "RD", "coachning", "2019-04-01", "2019-05-31")
    src.insats("E1", "RE", "kartlaggning", "2019-04-01", "2019-04-30")
    src.insats("E2", "RE", "kartlaggning", "2019-04-15", "2019-05-01")
    src.insats("E3", "RE", "praktik", "2019-06-01", "2019-07-31")
    src.insats("E0", "RE", "jobbsok", "2019-06-01", "2019-06-20")
    src.insats("F1", "RF", "praktik", "2019-06-01", "2019-06-30")
    src.insats("H1", "RH", "vagledning", "2019-10-01", "2019-12-02")
    src.insats("I1", "RI", "vagledning", "2019-10-01", "2019-12-03")
    src.insats("G1", "RG", "matchning", "2019-12-01", "2020-01-15")
    return run_scenario(src, root / "work")


def table(run, period):
    """{(fran_insatstyp, till): (overgangar, personer)} of one period."""
    return {
        (r["fran_insatstyp"], r["till"]): (r["overgangar"], r["personer"])
        for r in run.rows(MART, period=period)
    }


def test_2019_t1(run):
    """Ended Jan-Apr: A1 (-> coachning), A4 (-> inget), B1 (-> matchning), E1 (-> jobbsok, 30 April).
    Persons: A twice (A1, A4), B, E. kartlaggning ended by A and E."""
    assert table(run, "2019-T1") == {
        ("kartlaggning", "coachning"): (1, 1),
        ("kartlaggning", "jobbsok"): (1, 1),
        ("kartlaggning", "totalt"): (2, 2),
        ("jobbsok", INGET): (1, 1),
        ("jobbsok", "totalt"): (1, 1),
        ("vagledning", "matchning"): (1, 1),
        ("vagledning", "totalt"): (1, 1),
        ("totalt", "coachning"): (1, 1),
        ("totalt", "jobbsok"): (1, 1),
        ("totalt", INGET): (1, 1),
        ("totalt", "matchning"): (1, 1),
        ("totalt", "totalt"): (4, 3),
    }


def test_2019_t2(run):
    """Ended May-Aug: A2 (inget, the 91-day gap), C1 (aterremiss), C2 (sfi), D1 (saknas), E2 (jobbsok,
    1 May), E0 and E3 (inget), F1 (ovrigt). inget: A2, E0, E3 = 3 transitions of 2 persons (A, E).
    Persons overall: A, C, D, E, F = 5 (C and E twice, E three times)."""
    assert table(run, "2019-T2") == {
        ("arbetstraning", "sfi"): (1, 1),
        ("arbetstraning", "totalt"): (1, 1),
        ("coachning", INGET): (1, 1),
        ("coachning", "saknas"): (1, 1),
        ("coachning", "totalt"): (2, 2),
        ("forberedande", "aterremiss"): (1, 1),
        ("forberedande", "totalt"): (1, 1),
        ("jobbsok", INGET): (1, 1),
        ("jobbsok", "totalt"): (1, 1),
        ("kartlaggning", "jobbsok"): (1, 1),
        ("kartlaggning", "totalt"): (1, 1),
        ("praktik", INGET): (1, 1),
        ("praktik", "ovrigt"): (1, 1),
        ("praktik", "totalt"): (2, 2),
        ("totalt", "aterremiss"): (1, 1),
        ("totalt", INGET): (3, 2),
        ("totalt", "jobbsok"): (1, 1),
        ("totalt", "ovrigt"): (1, 1),
        ("totalt", "saknas"): (1, 1),
        ("totalt", "sfi"): (1, 1),
        ("totalt", "totalt"): (8, 5),
    }


def test_2019_t3(run):
    """Ended Sep-Dec: A3 (inget_annu), B2 (arbete), C3 (yrkesutbildning), H1 (inget: day 90 is the
    uttagsdatum), I1 (inget_annu: day 90 is the day after). Five persons."""
    assert table(run, "2019-T3") == {
        ("matchning", "arbete"): (1, 1),
        ("matchning", "totalt"): (1, 1),
        ("praktik", "inget_annu"): (1, 1),
        ("praktik", "totalt"): (1, 1),
        ("sfi", "yrkesutbildning"): (1, 1),
        ("sfi", "totalt"): (1, 1),
        ("vagledning", INGET): (1, 1),
        ("vagledning", "inget_annu"): (1, 1),
        ("vagledning", "totalt"): (2, 2),
        ("totalt", "arbete"): (1, 1),
        ("totalt", "inget_annu"): (2, 2),
        ("totalt", INGET): (1, 1),
        ("totalt", "yrkesutbildning"): (1, 1),
        ("totalt", "totalt"): (5, 5),
    }


def test_2019_year_counts_a_person_once_per_row(run):
    """The year holds all 17 ended insatser of 2019 (4 + 8 + 5) by 8 persons (A B C D E F H I).
    kartlaggning -> jobbsok: E1 (T1) and E2 (T2), both E's: 2 transitions, 1 person.
    -> inget_inom_90_dagar: A4, A2, E0, E3, H1 = 5 transitions of A, E, H = 3 persons.
    vagledning: B1 (matchning), H1 (inget), I1 (inget_annu) = 3 of 3."""
    year = table(run, "2019")
    assert year[("totalt", "totalt")] == (17, 8)
    assert year[("kartlaggning", "jobbsok")] == (2, 1)
    assert year[("kartlaggning", "totalt")] == (3, 2)
    assert year[("totalt", INGET)] == (5, 3)
    assert year[("jobbsok", INGET)] == (2, 2)
    assert year[("vagledning", "totalt")] == (3, 3)
    assert year[("totalt", "inget_annu")] == (2, 2)  # A3, I1
    assert sum(v[0] for (fran, till), v in year.items() if "totalt" not in (fran, till)) == 17


def test_2020_ended_insats_not_yet_known(run):
    """G1 ended 2020-01-15; Jan 15 + 90 = 2020-04-14 lies after the uttagsdatum: inget_annu."""
    expected = {
        ("matchning", "inget_annu"): (1, 1),
        ("matchning", "totalt"): (1, 1),
        ("totalt", "inget_annu"): (1, 1),
        ("totalt", "totalt"): (1, 1),
    }
    assert table(run, "2020-T1") == expected
    assert table(run, "2020") == expected


def test_periods_without_an_ended_insats_have_the_all_totalt_row(run):
    """RI (2018-10-01) is the first data: 2018 and 2018-T3 exist but no insats ended in them."""
    assert table(run, "2018") == {("totalt", "totalt"): (0, 0)}
    assert table(run, "2018-T3") == {("totalt", "totalt"): (0, 0)}


def test_back_to_back_exactly_90_and_91_days(run):
    """Back to back (A1 -> A2 on the slutdatum): the next insats; 90 days (B1 -> B2): still the next insats;
    91 days (A2 -> A3): nothing within 90 days."""
    assert table(run, "2019-T1")[("kartlaggning", "coachning")] == (1, 1)
    assert table(run, "2019-T1")[("vagledning", "matchning")] == (1, 1)
    assert table(run, "2019-T2")[("coachning", INGET)] == (1, 1)


def test_ongoing_insats_is_no_transition(run):
    """C4 (yrkesutbildning) is ongoing at the uttagsdatum: no row starts from it in any period."""
    assert {r["period"] for r in run.rows(MART, fran_insatstyp="yrkesutbildning")} == set()


def test_periods(run):
    assert {p for (p,) in keys(run, MART, "period")} == {
        "2018",
        "2018-T3",
        "2019",
        "2019-T1",
        "2019-T2",
        "2019-T3",
        "2020",
        "2020-T1",
    }


def test_columns(run):
    assert columns(run, MART) == [*COMMON, "fran_insatstyp", "till", "overgangar", "personer"]
