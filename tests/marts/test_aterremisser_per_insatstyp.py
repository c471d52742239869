"""marts.aterremisser_per_insatstyp on hand-built data: every expected number is worked out by hand below.

Scenario (uttagsdatum 2019-10-01; J = Järva, S = Sydost):

  person  reg  jt  inskrivning  avslut      orsak                   insatser (typ start..slut)
  B1 [K]  r1   J   2019-01-07   2019-03-29  aterremiss              kartlaggning 01-07..01-20,
                                                                    arbetstraning 01-21..03-15
  B2 [M]  r2   J   2019-01-14   2019-04-12  arbete_osubventionerat  arbetstraning 02-01..04-12
  B3 [K]  r3   S   2019-02-04   2019-06-14  aterremiss              praktik 02-10..02-28
  B4 [M]  r4   S   2019-03-04   2019-05-24  studier                 (none)
  B5 [K]  r5a  J   2019-01-09   2019-02-22  aterremiss              kartlaggning 01-09..01-31
          r5b  J   2019-03-04   2019-04-26  studier                 kartlaggning 03-04..03-29
  B6 [M]  r6   J   2019-02-11   (open)                              coachning 02-11..03-08
  B7 [K]  r7   S   2019-05-06   2019-07-05  aterremiss              (none)
  B8 [M]  r8   J   2019-05-13   2019-08-30  annan                   jobbsok 05-13..06-30, praktik 07-01..08-30

Awkward cases: r1 holds two types (B1 counts under both); r3's praktik was over before the registration
ended in T2 (insats dates do not matter); B4 and B7 held no insats (not in `totalt`); B5 ended two
registrations with kartlaggning (one person; one of them återremiss); r6 is open (rows with 0 ended).

Periods: 2019, 2019-T1..T3 (first data 2019-T1). Measures: (avslutade, aterremitterade, andel_aterremitterade)
"""

from __future__ import annotations

import pytest

from tests.marts._helpers import COMMON, columns, keys, run_scenario
from tests.support.sourcebuilder import JARVA, SYDOST, SourceBuilder, pnr

MART = "aterremisser_per_insatstyp"
MEASURES = ("avslutade", "aterremitterade", "andel_aterremitterade")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("per_insatstyp")
    src = SourceBuilder(root / "source", uttagsdatum="2019-10-01")
    p = {n: pnr(f"19{70 + n}0909", n, woman=n % 2 == 1) for n in range(1, 9)}  # B1, B3, ... women
    regs = [
        # (reg, person, jobbtorg, start, slut, orsak)
        ("r1", 1, JARVA, "2019-01-07", "2019-03-29", "aterremiss"),
        ("r2", 2, JARVA, "2019-01-14", "2019-04-12", "arbete_osubventionerat"),
        ("r3", 3, SYDOST, "2019-02-04", "2019-06-14", "aterremiss"),
        ("r4", 4, SYDOST, "2019-03-04", "2019-05-24", "studier"),
        ("r5a", 5, JARVA, "2019-01-09", "2019-02-22", "aterremiss"),
        ("r5b", 5, JARVA, "2019-03-04", "2019-04-26", "studier"),
        ("r6", 6, JARVA, "2019-02-11", None, None),
        ("r7", 7, SYDOST, "2019-05-06", "2019-07-05", "aterremiss"),
        ("r8", 8, JARVA, "2019-05-13", "2019-08-30", "annan"),
    ]
    for reg, n, jobbtorg, start, slut, orsak in regs:
        src.inskrivning(reg, p[n], start, slut, orsak, jobbtorg=jobbtorg, kon="K" if n % 2 else "M")
    src.insats("n1", "r1", "kartlaggning", "2019-01-07", "2019-01-20")
    src.insats("n2", "r1", "arbetstraning", "2019-01-21", "2019-03-15")
    src.insats("n3", "r2", "arbetstraning", "2019-02-01", "2019-04-12", regi="extern")
    src.insats("n4", "r3", "praktik", "2019-02-10", "2019-02-28")
    src.insats("n5", "r5a", "kartlaggning", "2019-01-09", "2019-01-31")
    src.insats("n6", "r5b", "kartlaggning", "2019-03-04", "2019-03-29")
    src.insats("n7", "r6", "coachning", "2019-02-11", "2019-03-08")
    src.insats("n8", "r8", "jobbsok", "2019-05-13", "2019-06-30")
    src.insats("n9", "r8", "praktik", "2019-07-01", "2019-08-30", regi="extern")
    return run_scenario(src, root / "work")


# fmt: off
CASES = [
    # --- 2019-T1. Registrations ended: r1 (B1 aterremiss; kartlaggning + arbetstraning), r2 (B2 arbete;
    # arbetstraning), r5a (B5 aterremiss; kartlaggning), r5b (B5 studier; kartlaggning).
    pytest.param("2019-T1", "arbetstraning", (2, 1, 0.5), id="2019-T1-arbetstraning-two-types"),  # B1, B2
    # B1 and B5 (two ended registrations with kartlaggning, one återremiss) -> 2 persons, both åter.
    pytest.param("2019-T1", "kartlaggning", (2, 2, 1.0), id="2019-T1-kartlaggning"),
    pytest.param("2019-T1", "coachning", (0, 0, None), id="2019-T1-coachning-open-reg"),  # r6 open
    pytest.param("2019-T1", "praktik", (0, 0, None), id="2019-T1-praktik-reg-ends-later"),  # r3 ends in T2
    # totalt: B1, B2, B5 (B4's r4 ends in T2 and has no insats anyway).
    pytest.param("2019-T1", "totalt", (3, 2, 2 / 3), id="2019-T1-totalt"),
    # --- 2019-T2. Ended: r3 (B3 aterremiss; praktik, although that insats ended in February), r4 (B4,
    # no insats), r7 (B7 aterremiss, no insats), r8 (B8 annan; jobbsok + praktik).
    pytest.param("2019-T2", "praktik", (2, 1, 0.5), id="2019-T2-praktik-whatever-its-dates"),  # B3, B8
    pytest.param("2019-T2", "jobbsok", (1, 0, 0.0), id="2019-T2-jobbsok"),  # B8
    pytest.param("2019-T2", "totalt", (2, 1, 0.5), id="2019-T2-totalt-without-insats-excluded"),  # B3, B8
    # --- 2019-T3: only r6 (open) is active; nothing ends.
    pytest.param("2019-T3", "totalt", (0, 0, None), id="2019-T3-totalt-null"),
    # --- 2019: all of the above.
    pytest.param("2019", "arbetstraning", (2, 1, 0.5), id="2019-arbetstraning"),  # B1 ater, B2
    pytest.param("2019", "kartlaggning", (2, 2, 1.0), id="2019-kartlaggning"),  # B1, B5
    pytest.param("2019", "praktik", (2, 1, 0.5), id="2019-praktik"),  # B3 ater, B8
    pytest.param("2019", "jobbsok", (1, 0, 0.0), id="2019-jobbsok"),  # B8
    pytest.param("2019", "coachning", (0, 0, None), id="2019-coachning"),  # r6 open
    # totalt: B1 B2 B3 B5 B8 = 5 (B4, B7 held no insats); återremitterade B1 B3 B5 = 3.
    pytest.param("2019", "totalt", (5, 3, 0.6), id="2019-totalt"),
]
# fmt: on


@pytest.mark.parametrize(("period", "insatstyp", "expected"), CASES)
def test_measures(run, period, insatstyp, expected):
    """Every measure of a (period, insatstyp) row equals the hand-worked value (shares approx.)."""
    row = run.row(MART, period=period, insatstyp=insatstyp)
    want = dict(zip(MEASURES, expected, strict=True))
    if want["andel_aterremitterade"] is not None:
        want["andel_aterremitterade"] = pytest.approx(want["andel_aterremitterade"])
    assert {m: row[m] for m in MEASURES} == want


def test_rows_2019_t1(run):
    """Every insatstyp held by a registration active in 2019-T1, and totalt; nothing else."""
    # r1: kartlaggning, arbetstraning; r2: arbetstraning; r3: praktik; r5a/r5b: kartlaggning; r6: coachning.
    assert {t for (t,) in keys(run, MART, "insatstyp", period="2019-T1")} == {
        "arbetstraning",
        "coachning",
        "kartlaggning",
        "praktik",
        "totalt",
    }


def test_rows_2019(run):
    """Every insatstyp of 2019 (each insats active in 2019 in a registration active in 2019), and totalt."""
    assert {t for (t,) in keys(run, MART, "insatstyp", period="2019")} == {
        "arbetstraning",
        "coachning",
        "jobbsok",
        "kartlaggning",
        "praktik",
        "totalt",
    }


def test_no_row_for_types_of_registrations_not_active(run):
    """2019-T2: r1, r2, r5a, r5b ended in T1, so no arbetstraning or kartlaggning row."""
    types = {t for (t,) in keys(run, MART, "insatstyp", period="2019-T2")}
    assert {"praktik", "jobbsok", "totalt"} <= types
    assert not types & {"arbetstraning", "kartlaggning"}


def test_every_period_has_totalt(run):
    """2019 and its three tertials each have a totalt row."""
    assert keys(run, MART, "period", insatstyp="totalt") == {
        ("2019",),
        ("2019-T1",),
        ("2019-T2",),
        ("2019-T3",),
    }


def test_columns(run):
    """The analyst-facing column set: the common columns, insatstyp and the measures."""
    assert sorted(columns(run, MART)) == sorted([*COMMON, "insatstyp", *MEASURES])
