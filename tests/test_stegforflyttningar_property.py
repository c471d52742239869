"""marts.stegforflyttningar equals a naive reading of its definition on random small data.

The mart SQL runs on hand-fed staging tables in an in-memory DuckDB (no Dagster), so hypothesis can try many
cases in seconds. The naive version looks at every ended insats, every other insats of the person and the
registration's avslut one by one. Dates fall on a 30-day grid so that back-to-back insatser, ties on the
startdatum, gaps of exactly 90 days and avslut on the day of the next insats happen often.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobbtorg_pipeline.assets.marts.catalog import build_mart, mart
from jobbtorg_pipeline.assets.staging.build import build_sql_model
from tests.support.staging import hand_fed

FIRST = date(2018, 11, 1)
UTTAG = FIRST + timedelta(days=300)  # on the grid, so is uttagsdatum - 90 days
STEPS = (UTTAG - FIRST).days // 30
TYPES = ("coachning", "praktik", "sfi")
GROUPS = ("arbete", "studier", "aterremiss", "ovrigt", "saknas")

registration = st.tuples(
    st.integers(0, 2),  # person
    st.integers(0, STEPS),  # inskrivning, in steps of 30 days
    st.one_of(st.none(), st.integers(0, 6)),  # length in steps; None = open
    st.sampled_from(GROUPS),
)
insats = st.tuples(
    st.integers(0, 5),  # which registration (modulo their number)
    st.sampled_from(TYPES),
    st.integers(0, STEPS),  # startdatum, in steps
    st.one_of(st.none(), st.integers(0, 4)),  # length in steps; None = ongoing
)


def _day(step: int) -> date:
    return min(FIRST + timedelta(days=30 * step), UTTAG)


def _data(regs, ins):
    registrations = []
    for n, (person, start, length, group) in enumerate(regs):
        end = None if length is None else _day(start + length)
        registrations.append((f"R{n}", person, _day(start), end, None if end is None else group))
    insatser = []
    for n, (r, typ, start, length) in enumerate(ins):
        reg = registrations[r % len(registrations)]
        end = None if length is None else _day(start + length)
        insatser.append((f"S{n:02d}", reg[0], reg[1], typ, _day(start), end))
    return registrations, insatser


def _build(registrations, insatser) -> duckdb.DuckDBPyConnection:
    con = hand_fed(UTTAG)
    con.execute(
        "CREATE TABLE staging.inskrivningar (inskrivning_id VARCHAR, person_key UHUGEINT, "
        "inskrivningsdatum DATE, avslutsdatum DATE, avslutsgrupp VARCHAR)"
    )
    con.executemany("INSERT INTO staging.inskrivningar VALUES (?, ?, ?, ?, ?)", registrations)
    con.execute(
        "CREATE TABLE staging.insatser (insats_id VARCHAR, inskrivning_id VARCHAR, person_key UHUGEINT, "
        "jobbtorg VARCHAR, insatstyp VARCHAR, regi VARCHAR, startdatum DATE, slutdatum DATE)"
    )
    con.executemany(
        "INSERT INTO staging.insatser VALUES (?, ?, ?, 'Jobbtorg Järva', ?, 'egen', ?, ?)", insatser
    )
    for model in ("perioder", "insats_period"):
        build_sql_model(con, model)
    build_mart(con, mart("stegforflyttningar"))
    return con


def _naive(con, registrations, insatser):
    regs = {r[0]: r for r in registrations}
    periods = con.execute("SELECT period, period_start, period_slut FROM staging.perioder").fetchall()
    counts: dict[tuple[str, str, str], list] = defaultdict(lambda: [0, set()])
    for period, start, slut in periods:
        counts[(period, "totalt", "totalt")]  # every period has its all-totalt row
        for insats_id, reg_id, person, typ, _, end in insatser:
            if end is None or not start <= end <= slut:
                continue
            later = [
                (o[4], o[0], o[3])
                for o in insatser
                if o[2] == person and o[0] != insats_id and end <= o[4] <= end + timedelta(days=90)
            ]
            nxt = min(later) if later else None
            avslut = regs[reg_id][3]
            if avslut is not None and avslut > end + timedelta(days=90):
                avslut = None
            if nxt is not None and (avslut is None or nxt[0] <= avslut):
                till = nxt[2]
            elif avslut is not None:
                till = regs[reg_id][4]
            elif end + timedelta(days=90) <= UTTAG:
                till = "inget_inom_90_dagar"
            else:
                till = "inget_annu"
            for key in ((typ, till), (typ, "totalt"), ("totalt", till), ("totalt", "totalt")):
                cell = counts[(period, *key)]
                cell[0] += 1
                cell[1].add(person)
    return {k: (n, len(p)) for k, (n, p) in counts.items()}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(registration, min_size=1, max_size=5), st.lists(insats, min_size=1, max_size=8))
def test_the_mart_equals_the_naive_definition(regs, ins):
    registrations, insatser = _data(regs, ins)
    con = _build(registrations, insatser)
    got = {
        (p, f, t): (n, k)
        for p, f, t, n, k in con.execute(
            "SELECT period, fran_insatstyp, till, overgangar, personer FROM marts.stegforflyttningar"
        ).fetchall()
    }
    assert got == _naive(con, registrations, insatser)
