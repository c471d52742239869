"""The set-based sweep for parallel insatser equals a naive day-by-day count on random small data.

The mart SQL runs on hand-fed staging tables in an in-memory DuckDB (no Dagster), so hypothesis can try
hundreds of cases in seconds. The naive version walks every day of every period for every person.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobbtorg_pipeline.assets.marts.catalog import build_mart, mart
from jobbtorg_pipeline.assets.staging.build import build_sql_model

UTTAG = date(2019, 10, 1)
FIRST = date(2018, 11, 1)
JOBBTORG = ("Jobbtorg Järva", "Jobbtorg Sydost")
TYPES = ("coachning", "praktik", "sfi")

insats = st.tuples(
    st.integers(0, 3),  # person
    st.sampled_from(JOBBTORG),
    st.sampled_from(TYPES),
    st.integers(0, (UTTAG - FIRST).days),  # start offset
    st.one_of(st.none(), st.integers(0, 130)),  # length in days; None = ongoing
)


def _setup(rows: list[tuple[int, str, str, date, date | None]]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA raw; CREATE SCHEMA staging; CREATE SCHEMA marts")
    con.execute("CREATE TABLE raw.uttag AS SELECT ?::DATE AS uttagsdatum", [UTTAG])
    con.execute(
        "CREATE TABLE staging.insatser (insats_id VARCHAR, inskrivning_id VARCHAR, person_key UHUGEINT, "
        "jobbtorg VARCHAR, insatstyp VARCHAR, regi VARCHAR, startdatum DATE, slutdatum DATE)"
    )
    con.executemany(
        "INSERT INTO staging.insatser VALUES (?, ?, ?, ?, ?, 'egen', ?, ?)",
        [(f"S{i:03d}", f"I{p}{j[-3:]}", p, j, t, s, e) for i, (p, j, t, s, e) in enumerate(rows)],
    )
    con.execute(
        "CREATE TABLE staging.inskrivningar AS "
        "SELECT min(startdatum) AS inskrivningsdatum FROM staging.insatser"
    )
    con.execute(
        "CREATE TABLE staging.personer AS SELECT DISTINCT person_key, "
        "CASE WHEN person_key % 2 = 0 THEN 'kvinnor' ELSE 'män' END AS kon FROM staging.insatser"
    )
    con.execute(  # the marts' own level only (the groups: tests/test_grupper_property.py)
        "CREATE TABLE staging.inskrivning_grupp AS "
        "SELECT DISTINCT inskrivning_id, 'totalt' AS dimension, 'totalt' AS grupp FROM staging.insatser"
    )
    for model in ("perioder", "insats_period", "insats_niva"):
        build_sql_model(con, model)
    # no groups: nobody is in one (no group row to copy) or in two (no group row to compute)
    con.execute(
        "CREATE TABLE staging.person_grupp AS "
        "SELECT period, person_key, dimension, grupp FROM staging.insats_niva WHERE false"
    )
    con.execute(
        "CREATE TABLE staging.inskrivning_grupp_delad AS "
        "SELECT period, inskrivning_id, dimension, grupp FROM staging.insats_niva WHERE false"
    )
    for model in (
        "grupp_nummer",
        "person_kombination",
        "kombination_grupp",
        "insats_niva_egen",
        "med_kombination",
        "i_grupper",
    ):
        build_sql_model(con, model)
    for name in ("parallella_insatser", "parallella_insatser_kombinationer"):
        build_mart(con, mart(name))
    return con


def _naive(con, rows):
    """Walk every day of every period: the definition, with no cleverness."""
    periods = con.execute("SELECT period, period_start, period_slut FROM staging.perioder").fetchall()
    kon = {p: ("kvinnor" if p % 2 == 0 else "män") for p, *_ in rows}
    per_group: dict[tuple[str, str, str], dict] = defaultdict(
        lambda: {"persons": set(), "par": set(), "n": 0, "max": 0}
    )
    pairs: dict[tuple[str, str, str], set] = defaultdict(set)
    for period, start, end in periods:
        active = [(i, r) for i, r in enumerate(rows) if r[3] <= end and (r[4] or UTTAG) >= start]
        for _, (p, j, _t, _s, _e) in active:
            for level in (j, "totalt"):
                for k in (kon[p], "totalt"):
                    per_group[(period, level, k)]["persons"].add(p)
                    per_group[(period, level, k)]["n"] += 1
        day = start
        while day <= end:
            on = [(i, r) for i, r in active if r[3] <= day <= (r[4] or UTTAG)]
            for level in (*JOBBTORG, "totalt"):
                counts = Counter(r[0] for _, r in on if level in (r[1], "totalt"))
                for p, n in counts.items():
                    for k in (kon[p], "totalt"):
                        g = per_group[(period, level, k)]
                        g["max"] = max(g["max"], n)
                        if n >= 2:
                            g["par"].add(p)
            for a, (ia, ra) in enumerate(on):
                for ib, rb in on[a + 1 :]:
                    if ra[0] == rb[0] and ia != ib:
                        ta, tb = sorted((ra[2], rb[2]))
                        pairs[(period, ta, tb)].add(ra[0])
            day += timedelta(days=1)
    expected = {
        key: (len(g["persons"]), len(g["par"]), g["n"], g["max"])
        for key, g in per_group.items()
        if g["persons"]
    }
    return expected, {key: len(v) for key, v in pairs.items()}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(insats, min_size=1, max_size=7))
def test_sweep_equals_day_by_day(drawn):
    rows = []
    for p, j, t, offset, length in drawn:
        start = FIRST + timedelta(days=offset)
        end = None if length is None else min(start + timedelta(days=length), UTTAG)
        rows.append((p, j, t, start, end))
    con = _setup(rows)
    expected, expected_pairs = _naive(con, rows)
    got = {
        (r[0], r[1], r[2]): tuple(r[3:])
        for r in con.execute(
            "SELECT period, jobbtorg, kon, personer_med_insats, personer_med_parallella_insatser, insatser, "
            "max_samtidiga_insatser FROM marts.parallella_insatser WHERE personer_med_insats > 0"
        ).fetchall()
    }
    assert got == expected
    got_pairs = {
        (r[0], r[1], r[2]): r[3]
        for r in con.execute(
            "SELECT period, insatstyp_a, insatstyp_b, personer FROM marts.parallella_insatser_kombinationer"
        ).fetchall()
    }
    assert got_pairs == expected_pairs
