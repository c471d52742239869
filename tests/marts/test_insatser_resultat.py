"""marts.insatser_resultat on hand-built data (the scenario is in tests/marts/_insatser_scenario.py).

The cohort of (period, insatstyp, regi) is the persons whose insats of that type and regi ended in the
period, the last one per person; the status is that of the registration holding it, at the uttagsdatum:
  a1, a2 (r1 open) fortsatt; c1 (r3 studier) arbete_eller_studier; d1, d2 (r4) aterremitterad;
  e1 (r5a) aterremitterad; e2 (r5b open) fortsatt; f1 (r6 flytt) ovrigt.
Month 0 is the month of the insats's slutdatum; payments are delivered for 2019-01..2020-02:
  insats  month 0   +6 (followable? self-sufficient?)          +12
  a1, a2  2019-05   2019-11 yes, P1 nothing: yes               2020-05 not delivered
  c1      2019-03   2019-09 yes, P3 5,000: no                  2020-03 not delivered (the uttagsdatum's month)
  d1      2019-04   2019-10 yes, P4 3,000 - 3,000 = 0: yes     2020-04 not delivered
  d2      2019-06   2019-12 yes, P4 4,000: no                  2020-06 not delivered
  e1      2019-02   2019-08 yes, P5 nothing: yes               2020-02 yes, P5 2,000: no
  e2      2019-03   2019-09 yes, P5 1,500: no                  2020-03 not delivered
  f1      2019-09   2020-03 not delivered                      2020-09 not delivered

Measures, in this order: (avslutat_insats, arbete_eller_studier, fortsatt_inskrivna, aterremitterade,
ovrigt, andel_arbete_eller_studier, andel_fortsatt_inskrivna, andel_aterremitterade,
uppfoljningsbara_6_man, sjalvforsorjande_6_man, andel_sjalvforsorjande_6_man,
uppfoljningsbara_12_man, sjalvforsorjande_12_man, andel_sjalvforsorjande_12_man)
"""

from __future__ import annotations

import pytest

from tests.marts._helpers import COMMON, columns, keys
from tests.marts._insatser_scenario import build_and_run

MART = "insatser_resultat"
COUNTS = (
    "avslutat_insats",
    "arbete_eller_studier",
    "fortsatt_inskrivna",
    "aterremitterade",
    "ovrigt",
)
SHARES = ("andel_arbete_eller_studier", "andel_fortsatt_inskrivna", "andel_aterremitterade")
FOLLOW = (
    "uppfoljningsbara_6_man",
    "sjalvforsorjande_6_man",
    "andel_sjalvforsorjande_6_man",
    "uppfoljningsbara_12_man",
    "sjalvforsorjande_12_man",
    "andel_sjalvforsorjande_12_man",
)
MEASURES = COUNTS + SHARES + FOLLOW
T = "totalt"
AT = "arbetstraning"
EXT = "extern"
NONE3 = (None, None, None)
NOTHING = (0, 0, 0, 0, 0, *NONE3, 0, 0, None, 0, 0, None)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return build_and_run(tmp_path_factory.mktemp("insatser_resultat"))


# fmt: off
CASES = [
    # --- 2019-T1: ended c1 (P3), d1 (P4), e1 and e2 (P5). P1's a1 is active but ends in T2.
    pytest.param("2019-T1", AT, "egen", T, NOTHING, id="T1-AT-egen-cohort-0"),  # a1 active, not ended
    # d1: återremitterad; +6 followable and self-sufficient (net 0); +12 not delivered.
    pytest.param("2019-T1", AT, EXT, T, (1, 0, 0, 1, 0, 0.0, 0.0, 1.0, 1, 1, 1.0, 0, 0, None),
                 id="T1-AT-ext"),
    pytest.param("2019-T1", AT, T, T, (1, 0, 0, 1, 0, 0.0, 0.0, 1.0, 1, 1, 1.0, 0, 0, None), id="T1-AT"),
    # praktik egen: P5's e1 (r5a återremiss); +6 self-sufficient; +12 (2020-02) delivered, not self-suff.
    pytest.param("2019-T1", "praktik", "egen", T, (1, 0, 0, 1, 0, 0.0, 0.0, 1.0, 1, 1, 1.0, 1, 0, 0.0),
                 id="T1-praktik-egen-12-months"),
    # praktik extern and totalt: P5's last praktik is e2 (20 Mar, r5b still open): fortsatt, not the
    # återremiss of e1; +6 (2019-09) 1,500 SEK; +12 (2020-03) not delivered yet.
    pytest.param("2019-T1", "praktik", EXT, T, (1, 0, 1, 0, 0, 0.0, 1.0, 0.0, 1, 0, 0.0, 0, 0, None),
                 id="T1-praktik-ext"),
    pytest.param("2019-T1", "praktik", T, T, (1, 0, 1, 0, 0, 0.0, 1.0, 0.0, 1, 0, 0.0, 0, 0, None),
                 id="T1-praktik-last-one"),
    pytest.param("2019-T1", "coachning", "egen", T, (1, 1, 0, 0, 0, 1.0, 0.0, 0.0, 1, 0, 0.0, 0, 0, None),
                 id="T1-coachning"),  # c1: studier; +6 5,000 SEK
    # all types: P3 (c1, AoS), P4 (d1, åter), P5 (last of any: e2, fortsatt); +6: c1 no, d1 yes, e2 no.
    pytest.param("2019-T1", T, T, T, (3, 1, 1, 1, 0, 1 / 3, 1 / 3, 1 / 3, 3, 1, 1 / 3, 0, 0, None),
                 id="T1-all"),
    # egen: P3 (c1), P5 (e1: the last egen one); +12 only e1's, not self-sufficient.
    pytest.param("2019-T1", T, "egen", T, (2, 1, 0, 1, 0, 0.5, 0.0, 0.5, 2, 1, 0.5, 1, 0, 0.0), id="T1-egen"),
    pytest.param("2019-T1", T, EXT, T, (2, 0, 1, 1, 0, 0.0, 0.5, 0.5, 2, 1, 0.5, 0, 0, None), id="T1-ext"),
    pytest.param("2019-T1", T, T, "kvinnor", (1, 1, 0, 0, 0, 1.0, 0.0, 0.0, 1, 0, 0.0, 0, 0, None),
                 id="T1-kvinnor"),  # P1 (no end), P3
    pytest.param("2019-T1", T, T, "män", (2, 0, 1, 1, 0, 0.0, 0.5, 0.5, 2, 1, 0.5, 0, 0, None), id="T1-män"),
    # --- 2019-T2: ended a1 and a2 (P1, same day: the higher id a2, same registration), d2 (P4).
    pytest.param("2019-T2", AT, "egen", T, (1, 0, 1, 0, 0, 0.0, 1.0, 0.0, 1, 1, 1.0, 0, 0, None),
                 id="T2-AT-egen"),
    # extern: P2's b1 is still going on (not in the cohort), P4's d2: återremiss, +6 4,000 SEK.
    pytest.param("2019-T2", AT, EXT, T, (1, 0, 0, 1, 0, 0.0, 0.0, 1.0, 1, 0, 0.0, 0, 0, None),
                 id="T2-AT-ext"),
    pytest.param("2019-T2", T, T, T, (2, 0, 1, 1, 0, 0.0, 0.5, 0.5, 2, 1, 0.5, 0, 0, None), id="T2-all"),
    # --- 2019-T3: f1 (P6, r6 flytt): övrigt; its month +6 (2020-03) is not delivered yet.
    pytest.param("2019-T3", "jobbsok", EXT, T, (1, 0, 0, 0, 1, 0.0, 0.0, 0.0, 0, 0, None, 0, 0, None),
                 id="T3-jobbsok-not-yet-followable"),
    pytest.param("2019-T3", AT, EXT, T, NOTHING, id="T3-AT-ongoing-only"),  # b1
    # --- 2019: P1 a2 fortsatt, P3 c1 AoS, P4 d2 (last) åter, P5 e2 (last) fortsatt, P6 f1 övrigt; P2 no end.
    # +6: a2 yes/yes, c1 yes/no, d2 yes/no, e2 yes/no, f1 not followable.
    pytest.param("2019", T, T, T, (5, 1, 2, 1, 1, 0.2, 0.4, 0.2, 4, 1, 0.25, 0, 0, None), id="2019-all"),
    # arbetsträning: P1 (a2), P4 (d2, the later of d1 and d2); +6 a2 yes, d2 no.
    pytest.param("2019", AT, T, T, (2, 0, 1, 1, 0, 0.0, 0.5, 0.5, 2, 1, 0.5, 0, 0, None), id="2019-AT"),
    # --- 2018: P7's registration only, no insats: the all-totalt row, cohort 0.
    pytest.param("2018", T, T, T, NOTHING, id="2018-no-insats"),
    # --- 2020-T1: only b1, going on: cohort 0.
    pytest.param("2020-T1", T, T, T, NOTHING, id="2020-T1-none-ended"),
]
# fmt: on


@pytest.mark.parametrize(("period", "insatstyp", "regi", "kon", "expected"), CASES)
def test_measures(run, period, insatstyp, regi, kon, expected):
    row = run.row(MART, period=period, insatstyp=insatstyp, regi=regi, kon=kon)
    want = {
        m: (v if v is None or not m.startswith("andel") else pytest.approx(v))
        for m, v in zip(MEASURES, expected, strict=True)
    }
    assert {m: row[m] for m in MEASURES} == want


def test_columns(run):
    assert columns(run, MART) == [*COMMON, "insatstyp", "regi", "kon", *MEASURES]


def test_rows_where_an_insats_is_active(run):
    """2019-T3 holds b1 (arbetstraning, extern, P2 man) and f1 (jobbsok, extern, P6 woman): no egen and no
    coachning row; 2020-T1 only b1's."""
    got = keys(run, MART, "insatstyp", "regi", "kon", period="2019-T3")
    want = {
        (t, r, k)
        for t, kons in ((AT, ("män",)), ("jobbsok", ("kvinnor",)), (T, ("män", "kvinnor")))
        for r in ("extern", T)
        for k in (*kons, T)
    }
    assert got == want


def test_the_four_outcomes_sum_to_the_cohort(run):
    for row in run.rows(MART):
        assert sum(row[c] for c in COUNTS[1:]) == row["avslutat_insats"]
        assert row["sjalvforsorjande_6_man"] <= row["uppfoljningsbara_6_man"] <= row["avslutat_insats"]
        assert row["sjalvforsorjande_12_man"] <= row["uppfoljningsbara_12_man"] <= row["avslutat_insats"]


def test_arbetstraning_resultat_is_the_arbetstraning_rows(run):
    """arbetstraning_resultat stays as it is: its rows are exactly insatser_resultat's arbetstraning rows
    (the cohort column named avslutat_arbetstraning there), except that it also gives a period without
    any arbetsträning (2018, 2018-T3: P7 only) its all-`totalt` row of zeros, where insatser_resultat has
    that row under insatstyp `totalt`."""
    shared = ("period", "regi", "kon", *COUNTS[1:], *SHARES)
    with run.analysts() as con:
        at = con.execute(
            f"SELECT {', '.join(shared)}, avslutat_arbetstraning FROM marts.arbetstraning_resultat "
            "ORDER BY ALL"
        ).fetchall()
        ir = con.execute(
            f"SELECT {', '.join(shared)}, avslutat_insats FROM marts.insatser_resultat "
            "WHERE insatstyp = 'arbetstraning' ORDER BY ALL"
        ).fetchall()
    with_at = {r[0] for r in ir}
    assert with_at == {"2019", "2019-T1", "2019-T2", "2019-T3", "2020", "2020-T1"}
    assert [r for r in at if r[0] in with_at] == ir
    zeros = (T, T, 0, 0, 0, 0, None, None, None, 0)
    assert [r for r in at if r[0] not in with_at] == [("2018", *zeros), ("2018-T3", *zeros)]
