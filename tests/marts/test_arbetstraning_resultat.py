"""marts.arbetstraning_resultat on hand-built data: every expected number is worked out by hand below.

Scenario (uttagsdatum 2019-10-01; J = Järva, S = Sydost; kön registered). "AT" = arbetsträning.
Status is read at the uttagsdatum from the registration holding the person's LAST AT of the period.

  person  reg   jt inskrivning avslut      orsak        AT (regi) start..slut      status at the uttagsdatum
  D1 [K]  g1    J  2019-01-07  2019-06-28  arbete_osub  y1 (egen) 01-14..03-29    arbete (ends after T1)
  D2 [M]  g2    J  2019-01-07  2019-08-16  studier      y2 (ext.) 02-04..04-30    studier
  D3 [K]  g3    S  2019-01-14  (open)                   y3 (egen) 02-04..04-12    fortsatt inskriven
  D4 [M]  g4    S  2019-01-14  2019-05-31  aterremiss   y4 (egen) 01-21..03-15    återremitterad
  D5 [K]  g5    J  2019-01-21  2019-05-17  flytt        y5 (egen) 02-11..04-05    övrigt
  D6 [M]  g6    J  2019-01-21  2019-06-07  (no reason)  y6 (ext.) 02-18..03-22    övrigt (saknas)
  D7 [K]  g7a   J  2019-01-07  2019-02-28  aterremiss   y7a (egen) 01-14..02-15   (not the last AT)
          g7b   S  2019-03-11  (open)                   y7b (egen) 03-18..04-26   fortsatt (the last AT)
  D8 [M]  g8    J  2019-05-27  (open)                   y8 (ext.) 06-03..(open)   never ends: no cohort
  D9 [K]  g9    J  2019-05-02  2019-09-06  studier      y9a (egen) 05-06..06-14,  studier
                                                        y9b (ext.) 06-17..08-09
  D10 [M] g10a  J  2019-05-06  2019-07-05  aterremiss   y10a (egen) 05-13..06-28  egen: återremitterad
          g10b  S  2019-07-15  (open)                   y10b (ext.) 07-22..08-23  extern, totalt: fortsatt
  D11 [K] g11a  J  2019-08-05  2019-09-27  arbete_sub   y11a (egen) 08-19..09-20  (same day, lower id)
          g11b  S  2019-08-12  (open)                   y11b (egen) 09-02..09-20  fortsatt (higher id)
  D12 [M] g12   J  2019-04-08  (open)                   y12 (egen) 04-15..05-10   fortsatt; active in T1

Awkward cases: D2's AT ends on the last day of T1; D7 ends two AT in T1 and the last one counts; D9 and
D10 had egen and extern in T2 and count once in totalt, by their last AT (for D10 a different registration
from its egen one); D11's two AT end on the same day (the higher insats_id counts); D1's registration ends
after the period but before the uttagsdatum; D8 and D12 are active without ending in some periods.

Periods: 2019, 2019-T1..T3.  Measures, in this order:
  (avslutat_arbetstraning, arbete_eller_studier, fortsatt_inskrivna, aterremitterade, ovrigt,
   andel_arbete_eller_studier, andel_fortsatt_inskrivna, andel_aterremitterade)
"""

from __future__ import annotations

import pytest

from tests.marts._helpers import COMMON, columns, keys, run_scenario
from tests.support.sourcebuilder import JARVA, SYDOST, SourceBuilder, pnr

MART = "arbetstraning_resultat"
COUNTS = ("avslutat_arbetstraning", "arbete_eller_studier", "fortsatt_inskrivna", "aterremitterade", "ovrigt")
SHARES = ("andel_arbete_eller_studier", "andel_fortsatt_inskrivna", "andel_aterremitterade")
MEASURES = COUNTS + SHARES
NONE3 = (None, None, None)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("arbetstraning_resultat")
    src = SourceBuilder(root / "source", uttagsdatum="2019-10-01")
    p = {n: pnr(f"19{60 + n}0606", n, woman=n % 2 == 1) for n in range(1, 13)}  # D1, D3, ... women
    regs = [
        # (reg, person, jobbtorg, start, slut, orsak)
        ("g1", 1, JARVA, "2019-01-07", "2019-06-28", "arbete_osubventionerat"),
        ("g2", 2, JARVA, "2019-01-07", "2019-08-16", "studier"),
        ("g3", 3, SYDOST, "2019-01-14", None, None),
        ("g4", 4, SYDOST, "2019-01-14", "2019-05-31", "aterremiss"),
        ("g5", 5, JARVA, "2019-01-21", "2019-05-17", "flytt"),
        ("g6", 6, JARVA, "2019-01-21", "2019-06-07", None),
        ("g7a", 7, JARVA, "2019-01-07", "2019-02-28", "aterremiss"),
        ("g7b", 7, SYDOST, "2019-03-11", None, None),
        ("g8", 8, JARVA, "2019-05-27", None, None),
        ("g9", 9, JARVA, "2019-05-02", "2019-09-06", "studier"),
        ("g10a", 10, JARVA, "2019-05-06", "2019-07-05", "aterremiss"),
        ("g10b", 10, SYDOST, "2019-07-15", None, None),
        ("g11a", 11, JARVA, "2019-08-05", "2019-09-27", "arbete_subventionerat"),
        ("g11b", 11, SYDOST, "2019-08-12", None, None),
        ("g12", 12, JARVA, "2019-04-08", None, None),
    ]
    for reg, n, jobbtorg, start, slut, orsak in regs:
        src.inskrivning(reg, p[n], start, slut, orsak, jobbtorg=jobbtorg, kon="K" if n % 2 else "M")
    ats = [
        # (insats, reg, regi, start, slut)
        ("y1", "g1", "egen", "2019-01-14", "2019-03-29"),
        ("y2", "g2", "extern", "2019-02-04", "2019-04-30"),
        ("y3", "g3", "egen", "2019-02-04", "2019-04-12"),
        ("y4", "g4", "egen", "2019-01-21", "2019-03-15"),
        ("y5", "g5", "egen", "2019-02-11", "2019-04-05"),
        ("y6", "g6", "extern", "2019-02-18", "2019-03-22"),
        ("y7a", "g7a", "egen", "2019-01-14", "2019-02-15"),
        ("y7b", "g7b", "egen", "2019-03-18", "2019-04-26"),
        ("y8", "g8", "extern", "2019-06-03", None),
        ("y9a", "g9", "egen", "2019-05-06", "2019-06-14"),
        ("y9b", "g9", "extern", "2019-06-17", "2019-08-09"),
        ("y10a", "g10a", "egen", "2019-05-13", "2019-06-28"),
        ("y10b", "g10b", "extern", "2019-07-22", "2019-08-23"),
        ("y11a", "g11a", "egen", "2019-08-19", "2019-09-20"),
        ("y11b", "g11b", "egen", "2019-09-02", "2019-09-20"),
        ("y12", "g12", "egen", "2019-04-15", "2019-05-10"),
    ]
    for insats, reg, regi, start, slut in ats:
        src.insats(insats, reg, "arbetstraning", start, slut, regi=regi)
    return run_scenario(src, root / "work")


# fmt: off
CASES = [
    # --- 2019-T1 (1 Jan-30 Apr).
    # egen ended: D1 y1 (g1 -> arbete), D3 y3 (g3 open), D4 y4 (g4 aterremiss), D5 y5 (g5 flytt -> övrigt),
    #   D7 y7a 15 Feb and y7b 26 Apr -> last y7b (g7b open). D12's y12 is active but ends in T2.
    pytest.param("2019-T1", "egen", "totalt", (5, 1, 2, 1, 1, 0.2, 0.4, 0.2), id="2019-T1-egen"),
    # extern ended: D2 y2 on 30 Apr (g2 studier), D6 y6 (g6 no reason -> övrigt).
    pytest.param("2019-T1", "extern", "totalt", (2, 1, 0, 0, 1, 0.5, 0.0, 0.0), id="2019-T1-extern-saknas"),
    # totalt: 7 persons, nobody with both: AoS D1 D2, fortsatt D3 D7, åter D4, övrigt D5 D6.
    pytest.param("2019-T1", "totalt", "totalt", (7, 2, 2, 1, 2, 2 / 7, 2 / 7, 1 / 7), id="2019-T1-totalt"),
    # kvinnor D1 (AoS), D3 (fort.), D5 (övr.), D7 (fort.: the last AT counts, not y7a's återremiss).
    pytest.param("2019-T1", "egen", "kvinnor", (4, 1, 2, 0, 1, 0.25, 0.5, 0.0), id="2019-T1-egen-kv-last-AT"),
    pytest.param("2019-T1", "totalt", "kvinnor", (4, 1, 2, 0, 1, 0.25, 0.5, 0.0), id="2019-T1-kvinnor"),
    # män D2 (AoS), D4 (åter), D6 (övr.); D12 active, not in the cohort.
    pytest.param("2019-T1", "totalt", "män", (3, 1, 0, 1, 1, 1 / 3, 0.0, 1 / 3), id="2019-T1-män"),
    pytest.param("2019-T1", "egen", "män", (1, 0, 0, 1, 0, 0.0, 0.0, 1.0), id="2019-T1-egen-män"),  # D4
    pytest.param("2019-T1", "extern", "män", (2, 1, 0, 0, 1, 0.5, 0.0, 0.0), id="2019-T1-ext-män"),  # D2 D6
    # --- 2019-T2 (1 May-31 Aug).
    # egen ended: D9 y9a (g9 studier), D10 y10a (g10a aterremiss), D12 y12 10 May (g12 open).
    pytest.param("2019-T2", "egen", "totalt", (3, 1, 1, 1, 0, 1 / 3, 1 / 3, 1 / 3), id="2019-T2-egen"),
    # extern ended: D9 y9b (g9 studier), D10 y10b (g10b open). D8's y8 still open: not in the cohort.
    pytest.param("2019-T2", "extern", "totalt", (2, 1, 1, 0, 0, 0.5, 0.5, 0.0), id="2019-T2-extern"),
    # totalt: D9 (last y9b -> studier), D10 (last y10b 23 Aug -> g10b open), D12 (open) -> 3.
    pytest.param("2019-T2", "totalt", "totalt", (3, 1, 2, 0, 0, 1 / 3, 2 / 3, 0.0), id="2019-T2-last-AT"),
    pytest.param("2019-T2", "totalt", "kvinnor", (1, 1, 0, 0, 0, 1.0, 0.0, 0.0), id="2019-T2-kvinnor"),  # D9
    pytest.param("2019-T2", "totalt", "män", (2, 0, 2, 0, 0, 0.0, 1.0, 0.0), id="2019-T2-män"),  # D10 D12
    pytest.param("2019-T2", "egen", "män", (2, 0, 1, 1, 0, 0.0, 0.5, 0.5), id="2019-T2-egen-män"),  # D10 D12
    pytest.param("2019-T2", "extern", "män", (1, 0, 1, 0, 0, 0.0, 1.0, 0.0), id="2019-T2-extern-män"),  # D10
    # --- 2019-T3: egen y11a (g11a arbete) and y11b (g11b open) both end 20 Sep -> y11b (higher id):
    # fortsatt. extern: D8's open y8 active, nobody ended -> cohort 0, shares empty.
    pytest.param("2019-T3", "egen", "totalt", (1, 0, 1, 0, 0, 0.0, 1.0, 0.0), id="2019-T3-egen-same-day-tie"),
    pytest.param("2019-T3", "extern", "totalt", (0, 0, 0, 0, 0, *NONE3), id="2019-T3-extern-cohort-0"),
    pytest.param("2019-T3", "totalt", "totalt", (1, 0, 1, 0, 0, 0.0, 1.0, 0.0), id="2019-T3-totalt"),
    pytest.param("2019-T3", "totalt", "män", (0, 0, 0, 0, 0, *NONE3), id="2019-T3-män-cohort-0"),  # D8
    # --- 2019.
    # egen: D1 AoS, D3 fort, D4 åter, D5 övr, D7 fort, D9 AoS, D10 åter (g10a), D11 fort, D12 fort = 9.
    pytest.param("2019", "egen", "totalt", (9, 2, 4, 2, 1, 2 / 9, 4 / 9, 2 / 9), id="2019-egen"),
    # extern: D2 AoS, D6 övr, D9 AoS, D10 fort = 4.
    pytest.param("2019", "extern", "totalt", (4, 2, 1, 0, 1, 0.5, 0.25, 0.0), id="2019-extern"),
    # totalt (last AT of the year): D1 D2 D9 AoS; D3 D7 D10 D11 D12 fort; D4 åter; D5 D6 övr = 11.
    pytest.param("2019", "totalt", "totalt", (11, 3, 5, 1, 2, 3 / 11, 5 / 11, 1 / 11), id="2019-totalt"),
    pytest.param("2019", "totalt", "kvinnor", (6, 2, 3, 0, 1, 1 / 3, 0.5, 0.0), id="2019-kvinnor"),
    pytest.param("2019", "totalt", "män", (5, 1, 2, 1, 1, 0.2, 0.4, 0.2), id="2019-män"),
]
# fmt: on


@pytest.mark.parametrize(("period", "regi", "kon", "expected"), CASES)
def test_measures(run, period, regi, kon, expected):
    """Every measure of a (period, regi, kön) row equals the hand-worked value (shares approx.)."""
    row = run.row(MART, period=period, regi=regi, kon=kon)
    want = {
        m: (v if v is None or m in COUNTS else pytest.approx(v))
        for m, v in zip(MEASURES, expected, strict=True)
    }
    assert {m: row[m] for m in MEASURES} == want


def test_last_arbetstraning_counts(run):
    """D7: y7a (registration ended aterremiss) then y7b (registration open), both ended in 2019-T1."""
    row = run.row(MART, period="2019-T1", regi="egen", kon="kvinnor")  # D1 D3 D5 D7
    assert (row["fortsatt_inskrivna"], row["aterremitterade"]) == (2, 0)  # D3, D7


def test_totalt_uses_the_overall_last_arbetstraning(run):
    """D10: y10a egen (g10a åter), then extern y10b (g10b, open): egen åter; extern, totalt fortsatt."""
    egen = run.row(MART, period="2019-T2", regi="egen", kon="män")  # D10 åter, D12 fort
    extern = run.row(MART, period="2019-T2", regi="extern", kon="män")  # D10 fort
    totalt = run.row(MART, period="2019-T2", regi="totalt", kon="män")  # D10 fort, D12 fort
    assert (egen["aterremitterade"], extern["aterremitterade"], totalt["aterremitterade"]) == (1, 0, 0)
    assert totalt["fortsatt_inskrivna"] == 2


def test_status_read_at_uttagsdatum_not_period_end(run):
    """D1's registration g1 ends for work on 28 Jun, after 2019-T1: D1 still counts as arbete in T1."""
    row = run.row(MART, period="2019-T1", regi="egen", kon="kvinnor")
    assert row["arbete_eller_studier"] == 1


def test_four_counts_sum_to_the_cohort(run):
    """The four counts sum to avslutat_arbetstraning (the cohort) in every row."""
    bad = [r for r in run.rows(MART) if sum(r[c] for c in COUNTS[1:]) != r["avslutat_arbetstraning"]]
    assert bad == []


def test_same_rows_as_arbetstraning_deltagare(run):
    """Both YAMLs: every (period, regi, kön) with an arbetsträning active in the period, totals included."""
    dims = ("period", "regi", "kon")
    assert keys(run, MART, *dims) == keys(run, "arbetstraning_deltagare", *dims)


def test_rows_2019_t3(run):
    """2019-T3: egen (D11, kvinna) and extern (D8, man, cohort 0) are both active."""
    assert keys(run, MART, "regi", "kon", period="2019-T3") == {
        ("egen", "kvinnor"),
        ("egen", "totalt"),
        ("extern", "män"),
        ("extern", "totalt"),
        ("totalt", "kvinnor"),
        ("totalt", "män"),
        ("totalt", "totalt"),
    }


def test_columns(run):
    """The analyst-facing column set: the common columns, regi, kön and the measures."""
    assert sorted(columns(run, MART)) == sorted([*COMMON, "regi", "kon", *MEASURES])
