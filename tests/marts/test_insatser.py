"""marts.insatser on hand-built data: the scenario and each insats's days per period are in
tests/marts/_insatser_scenario.py; every expected number below is worked out from that table.

Measures, in this order:
  (personer_paborjade, deltagare, insatser_paborjade, insatser_aktiva, insatser_avslutade,
   avslutade_fore_planerat_slut, median_dagar_avslutade, arsplatser)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.marts._helpers import COMMON, columns, keys
from tests.marts._insatser_scenario import build_and_run
from tests.support.sourcebuilder import JARVA, SYDOST

MART = "insatser"
COUNTS = (
    "personer_paborjade",
    "deltagare",
    "insatser_paborjade",
    "insatser_aktiva",
    "insatser_avslutade",
    "avslutade_fore_planerat_slut",
)
MEASURES = (*COUNTS, "median_dagar_avslutade", "arsplatser")
T = "totalt"
AT = "arbetstraning"
EXT = "extern"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return build_and_run(tmp_path_factory.mktemp("insatser"))


# fmt: off
CASES = [
    # --- arbetsträning, every regi, jobbtorg and kön.
    # T1 (120 days): a1 (P1, 10 days: Apr 21-30 of a run over the T1/T2 boundary) and d1 (P4, 61 days,
    # ends on T1's last day, before its planned end May 30). Median of [61].
    pytest.param("2019-T1", AT, T, T, T, (2, 2, 2, 2, 1, 1, 61.0, 71 / 120), id="T1-AT-boundary"),
    # T2 (123 days): a1 (10: May 1-10), a2 (1), b1 (17: Aug 15-31), d2 (30). Persons P1, P2, P4; started
    # a2, b1, d2; ended a1, a2, d2, all before their planned end. Median of [20, 1, 30] = 20.
    pytest.param("2019-T2", AT, T, T, T, (3, 3, 3, 4, 3, 3, 20.0, 58 / 123), id="T2-AT"),
    # T3 (122 days): only b1, ongoing, active every day: exactly one place.
    pytest.param("2019-T3", AT, T, T, T, (0, 1, 0, 1, 0, 0, None, 1.0), id="T3-AT-ongoing"),
    # 2019 (365 days): 20 + 1 + 139 + 61 + 30 = 251 days; ended a1 a2 d1 d2, lengths 1 20 30 61 -> 25.
    pytest.param("2019", AT, T, T, T, (3, 3, 5, 5, 4, 4, 25.0, 251 / 365), id="2019-AT"),
    # egen: P1's a1 and a2 (two places, one person), lengths 20 and 1 -> 10.5.
    pytest.param("2019", AT, "egen", T, T, (1, 1, 2, 2, 2, 2, 10.5, 21 / 365), id="2019-AT-egen"),
    # extern: b1 139 + d1 61 + d2 30 = 230 days; lengths 61 and 30 -> 45.5.
    pytest.param("2019", AT, EXT, T, T, (2, 2, 3, 3, 2, 2, 45.5, 230 / 365), id="2019-AT-extern"),
    pytest.param("2019-T2", AT, EXT, T, T, (2, 2, 2, 2, 1, 1, 30.0, 47 / 123), id="T2-AT-extern"),
    # 2020-T1 holds the uttagsdatum: b1 is judged at it, 75 of the 75 days up to 15 March 2020.
    pytest.param("2020-T1", AT, EXT, SYDOST, "män", (0, 1, 0, 1, 0, 0, None, 1.0), id="2020-T1-ongoing"),
    pytest.param("2020", T, T, T, T, (0, 1, 0, 1, 0, 0, None, 1.0), id="2020-ongoing"),
    # --- all insatstyper. T1: a1 10, c1 81, d1 61, e1 27, e2 16 = 195 days; persons P1 P3 P4 P5 (P5 in two
    # jobbtorg, once here). Ended c1 (on its planned end: not before), d1 (before), e1 (before), e2 (no
    # planned end: not counted). Lengths 16 27 61 81 -> 44.
    pytest.param("2019-T1", T, T, T, T, (4, 4, 5, 5, 4, 2, 44.0, 195 / 120), id="T1-all"),
    # Järva: a1 c1 d1 e1 (P5's e1 belongs to r5a, Järva) = 179 days; Sydost: e2 = 16 days. 4 + 1 persons
    # under the jobbtorg, 4 in totalt.
    pytest.param("2019-T1", T, T, JARVA, T, (4, 4, 4, 4, 3, 2, 61.0, 179 / 120), id="T1-Järva"),
    pytest.param("2019-T1", T, T, SYDOST, T, (1, 1, 1, 1, 1, 0, 16.0, 16 / 120), id="T1-Sydost"),
    # praktik: P5's e1 and e2, one person in two places; lengths 27 and 16 -> 21.5.
    pytest.param("2019-T1", "praktik", T, T, T, (1, 1, 2, 2, 2, 1, 21.5, 43 / 120), id="T1-praktik"),
    pytest.param("2019-T1", T, T, T, "kvinnor", (2, 2, 2, 2, 1, 0, 81.0, 91 / 120), id="T1-kvinnor"),  # a1 c1
    pytest.param("2019-T1", T, T, T, "män", (2, 2, 3, 3, 3, 2, 27.0, 104 / 120), id="T1-män"),  # d1 e1 e2
    pytest.param("2019-T1", T, "egen", T, T, (3, 3, 3, 3, 2, 1, 54.0, 118 / 120), id="T1-egen"),  # a1 c1 e1
    pytest.param("2019-T1", T, EXT, T, T, (2, 2, 2, 2, 2, 1, 38.5, 77 / 120), id="T1-extern"),  # d1 e2
    # 2019: 6 persons, 9 insatser, 485 days; 8 ended (not b1), before plan a1 a2 d1 d2 e1 (f1 ended after
    # its planned end Sep 1); lengths 1 16 20 27 30 61 81 110 -> (27 + 30) / 2.
    pytest.param("2019", T, T, T, T, (6, 6, 9, 9, 8, 5, 28.5, 485 / 365), id="2019-all"),
]
# fmt: on


def test_a_period_without_insatser_has_zero_places(run):
    """2018 and 2018-T3 hold only P7's registration, no insats: their one row is all `totalt`, counts 0,
    no median, and 0 årsplatser (not empty: no insats going on is 0 places)."""
    for period in ("2018", "2018-T3"):
        (row,) = run.rows(MART, period=period)
        assert [row[d] for d in ("insatstyp", "regi", "jobbtorg", "kon")] == [T] * 4
        assert {m: row[m] for m in MEASURES} == {
            **dict.fromkeys(COUNTS, 0),
            "median_dagar_avslutade": None,
            "arsplatser": 0.0,
        }


@pytest.mark.parametrize(("period", "insatstyp", "regi", "jobbtorg", "kon", "expected"), CASES)
def test_measures(run, period, insatstyp, regi, jobbtorg, kon, expected):
    """Every measure of a row equals the hand-worked value (årsplatser and the median approx.)."""
    row = run.row(MART, period=period, insatstyp=insatstyp, regi=regi, jobbtorg=jobbtorg, kon=kon)
    want = {
        m: (v if v is None or m in COUNTS else pytest.approx(v))
        for m, v in zip(MEASURES, expected, strict=True)
    }
    assert {m: row[m] for m in MEASURES} == want


def test_columns(run):
    assert columns(run, MART) == [*COMMON, "insatstyp", "regi", "jobbtorg", "kon", *MEASURES]


def test_rows_only_where_an_insats_is_active(run):
    """2020-T1 holds only b1 (arbetstraning, extern, Sydost, P2 a man): each of the four dimensions is
    that value or `totalt`, 2 x 2 x 2 x 2 rows; no coachning row in T3 (nothing active)."""
    got = keys(run, MART, "insatstyp", "regi", "jobbtorg", "kon", period="2020-T1")
    want = {
        (t, r, j, k)
        for t in ("arbetstraning", T)
        for r in ("extern", T)
        for j in (SYDOST, T)
        for k in ("män", T)
    }
    assert got == want
    assert run.rows(MART, period="2019-T3", insatstyp="coachning") == []


def test_arsplatser_of_the_tertials_add_up_to_the_year(run):
    """An insats running over a period boundary is split by its days: the tertials' årsplatser weighted
    by their days (120, 123, 122) give the year's (a check on the split, independent of the scenario)."""
    for insatstyp in ("arbetstraning", T):
        year = run.row(MART, period="2019", insatstyp=insatstyp, regi=T, jobbtorg=T, kon=T)["arsplatser"]
        days = {"2019-T1": 120, "2019-T2": 123, "2019-T3": 122}
        weighted = sum(
            run.row(MART, period=p, insatstyp=insatstyp, regi=T, jobbtorg=T, kon=T)["arsplatser"] * d
            for p, d in days.items()
        )
        assert year == pytest.approx(weighted / 365)


def test_the_readmes_question_on_arbetstraning_places_is_one_query(run):
    """The README answers "how many fewer arbetsträning places in egen and extern regi from 2018 to 2019"
    with one query. Run as written on this scenario's two years (2019 and 2020 in place of 2018 and 2019):
    2019 egen 21/365 (a1, a2), extern 230/365 (b1, d1, d2), totalt 251/365; 2020 extern 1.0 (b1), no egen
    row at all (0 places)."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    (query,) = [b for b in re.findall(r"```sql\n(.*?)```", readme, re.S) if "FROM marts.insatser" in b]
    query = query.replace("'2019'", "'2020'").replace("'2018'", "'2019'")
    with run.analysts() as con:
        got = {r[0]: r[1:] for r in con.execute(query).fetchall()}
    assert got == {
        "egen": (pytest.approx(21 / 365), 0, pytest.approx(21 / 365)),
        "extern": (pytest.approx(230 / 365), 1.0, pytest.approx(230 / 365 - 1)),
        T: (pytest.approx(251 / 365), 1.0, pytest.approx(251 / 365 - 1)),
    }


# --- The year to date (schema ar_hittills): 1 January-31 August 2019, 243 days, from the same table of
# days. Arbetsträning: a1 20 days (10 in T1, 10 in T2: one insats, counted once), a2 1, b1 17 (Aug 15-31;
# ongoing), d1 61, d2 30 = 129 days. Persons P1 (a1, a2), P2 (b1), P4 (d1, d2): 3, not T1's 2 + T2's 3.
# Started a1 d1 a2 b1 d2; ended a1 a2 d1 d2, all before their planned end; lengths 1 20 30 61 -> 25.
# Extern: b1, d1, d2 (P2, P4): 17 + 61 + 30 = 108 days; ended d1, d2, lengths 61 and 30 -> 45.5.
# fmt: off
HITTILLS = [
    pytest.param(T, (3, 3, 5, 5, 4, 4, 25.0, 129 / 243), id="jan-aug-AT"),
    pytest.param(EXT, (2, 2, 3, 3, 2, 2, 45.5, 108 / 243), id="jan-aug-AT-extern"),
]
# fmt: on


@pytest.mark.parametrize(("regi", "expected"), HITTILLS)
def test_year_to_date(run, regi, expected):
    with run.analysts() as con:
        found = con.execute(
            f"SELECT {', '.join(MEASURES)} FROM ar_hittills.insatser WHERE period = '2019-T2' "
            "AND insatstyp = ? AND regi = ? AND jobbtorg = 'totalt' AND kon = 'totalt'",
            [AT, regi],
        ).fetchall()
    assert len(found) == 1
    got = dict(zip(MEASURES, found[0], strict=True))
    want = dict(zip(MEASURES, expected, strict=True))
    assert got.pop("arsplatser") == pytest.approx(want.pop("arsplatser"))
    assert got == want
