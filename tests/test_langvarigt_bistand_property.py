"""marts.langvarigt_bistand equals a naive reading of its definition on random small data.

The mart SQL runs on hand-fed staging tables in an in-memory DuckDB (no Dagster). The naive version takes
each period, each level (a jobbtorg, and `totalt` over all registrations) and each person one by one: the
registration of their last avslut in the period, its two 12-month windows, and a count of the months with
net försörjningsstöd above 0. Registrations and payments are dense enough that persons with 9, 10 and 12
months, windows at the edges of the delivered months, and re-registrations are common.
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

UTTAG = date(2020, 3, 10)
FIRST_MONTH = date(2016, 6, 1)  # payments may be given for months from here, 48 of them
JOBBTORG = ("Jobbtorg Järva", "Jobbtorg Sydost")
KON = ("kvinnor", "män")

registration = st.tuples(
    st.integers(0, 2),  # person
    st.sampled_from(JOBBTORG),
    st.integers(0, 700),  # inskrivningsdatum: days after 2018-01-01
    st.one_of(st.none(), st.integers(0, 200)),  # length in days; None = open
)
payments = st.lists(st.sampled_from([None, 0, -50, 700, 700, 700, 700]), min_size=48, max_size=48)


def _month(n: int) -> date:
    y, m = divmod(FIRST_MONTH.month - 1 + n, 12)
    return date(FIRST_MONTH.year + y, m + 1, 1)


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    return date(d.year + y, m + 1, 1)


def _data(regs, paid):
    registrations = []
    for n, (person, jobbtorg, start, length) in enumerate(regs):
        inskrivning = date(2018, 1, 1) + timedelta(days=start)
        avslut = None if length is None else min(inskrivning + timedelta(days=length), UTTAG)
        registrations.append((f"R{n}", person, jobbtorg, inskrivning, avslut))
    netto = {
        (person, _month(i)): amount
        for person, amounts in enumerate(paid)
        for i, amount in enumerate(amounts)
        if amount is not None
    }
    return registrations, netto


def _build(registrations, netto, delivered) -> duckdb.DuckDBPyConnection:
    con = hand_fed(UTTAG)
    con.execute(
        "CREATE TABLE staging.inskrivningar (inskrivning_id VARCHAR, person_key UHUGEINT, jobbtorg VARCHAR, "
        "inskrivningsdatum DATE, avslutsdatum DATE, avslutsorsak VARCHAR, avslutsgrupp VARCHAR)"
    )
    con.executemany(
        "INSERT INTO staging.inskrivningar VALUES (?, ?, ?, ?, ?, 'annan', 'ovrigt')", registrations
    )
    con.execute("CREATE TABLE staging.insatser (startdatum DATE)")
    con.execute(
        "CREATE TABLE staging.personer AS SELECT DISTINCT person_key, "
        "CASE WHEN person_key % 2 = 0 THEN 'kvinnor' ELSE 'män' END AS kon FROM staging.inskrivningar"
    )
    con.execute(
        "CREATE TABLE staging.forsorjningsstod_manad (person_key UHUGEINT, manad DATE, netto DECIMAL)"
    )
    if netto:
        con.executemany(
            "INSERT INTO staging.forsorjningsstod_manad VALUES (?, ?, ?)",
            [(p, m, a) for (p, m), a in netto.items()],
        )
    con.execute(
        "CREATE TABLE staging.utbetalningsmanader AS SELECT ?::DATE AS forsta_manad, ?::DATE AS sista_manad",
        list(delivered),
    )
    # the mart counts only the registrations' own levels, not the breakdown groups: the group table, where the
    # levels read it, holds only the (`totalt`, `totalt`) row of each registration
    con.execute(
        "CREATE TABLE staging.inskrivning_grupp AS "
        "SELECT inskrivning_id, 'totalt' AS dimension, 'totalt' AS grupp FROM staging.inskrivningar"
    )
    for model in ("perioder", "inskrivning_period", "inskrivning_niva"):
        build_sql_model(con, model)
    # no groups: nobody is in one (no group row to copy) or in two (no group row to compute)
    con.execute(
        "CREATE TABLE staging.person_grupp AS "
        "SELECT period, person_key, dimension, grupp FROM staging.inskrivning_niva WHERE false"
    )
    con.execute(
        "CREATE TABLE staging.inskrivning_grupp_delad AS "
        "SELECT period, inskrivning_id, dimension, grupp FROM staging.inskrivning_niva WHERE false"
    )
    for model in ("inskrivning_niva_egen", "avslut_kohort"):
        build_sql_model(con, model)
    build_mart(con, mart("langvarigt_bistand"))
    return con


def _naive(con, registrations, netto, delivered):
    first, last = delivered
    periods = con.execute("SELECT period, period_start, period_slut FROM staging.perioder").fetchall()
    cells: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0] * 5)
    for period, start, slut in periods:
        cells[(period, "totalt", "totalt")]  # every period has its all-totalt row
        for level in (*JOBBTORG, "totalt"):
            persons: dict[int, list] = defaultdict(list)
            for reg in registrations:
                _, person, jobbtorg, inskrivning, avslut = reg
                if (
                    level in (jobbtorg, "totalt")
                    and inskrivning <= slut
                    and (avslut is None or avslut >= start)
                ):
                    persons[person].append(reg)
            for person, regs in persons.items():
                ended = [r for r in regs if r[4] is not None and start <= r[4] <= slut]
                counts = [0] * 5
                if ended:
                    last_reg = max(ended, key=lambda r: (r[4], r[0]))
                    before = [_add_months(last_reg[3].replace(day=1), -k) for k in range(1, 13)]
                    after = [_add_months(last_reg[4].replace(day=1), k) for k in range(1, 13)]
                    counts[0] = 1
                    for window, at in ((before, 1), (after, 3)):
                        if first <= min(window) and max(window) <= last:
                            counts[at] = 1
                            months = sum(1 for m in window if netto.get((person, m), 0) > 0)
                            counts[at + 1] = int(months >= 10)
                kon = KON[person % 2]
                for key in ((period, level, kon), (period, level, "totalt")):
                    cells[key] = [a + b for a, b in zip(cells[key], counts, strict=True)]
    return {k: tuple(v) for k, v in cells.items()}


def _index(d: date) -> int:
    return (d.year - FIRST_MONTH.year) * 12 + d.month - FIRST_MONTH.month


@st.composite
def scenario(draw):
    """Registrations, payments, and a delivered range whose ends often fall on a window's first or last
    month (or one month beside it), where followability is decided."""
    regs = draw(st.lists(registration, min_size=1, max_size=6))
    paid = draw(st.lists(payments, min_size=3, max_size=3))
    registrations, _ = _data(regs, paid)
    starts = [_index(r[3]) - 12 for r in registrations]
    ends = [_index(r[4]) + 12 for r in registrations if r[4] is not None]
    first = draw(st.one_of(st.integers(0, 20), st.sampled_from(starts)))
    first += draw(st.sampled_from((-1, 0, 1)))
    last = draw(st.one_of(st.integers(28, 60), *([st.sampled_from(ends)] if ends else [])))
    last += draw(st.sampled_from((-1, 0, 1)))
    return regs, paid, max(first, 0), max(last, first + 1)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario())
def test_the_mart_equals_the_naive_definition(case):
    regs, paid, first, last = case
    registrations, netto = _data(regs, paid)
    delivered = (_month(first), _month(last))
    con = _build(registrations, netto, delivered)
    got = {
        (p, j, k): (a, uf, lf, ue, le)
        for p, j, k, a, uf, lf, ue, le in con.execute(
            "SELECT period, jobbtorg, kon, avslutade, uppfoljningsbara_fore, langvariga_fore, "
            "uppfoljningsbara_efter, langvariga_efter FROM marts.langvarigt_bistand"
        ).fetchall()
    }
    assert got == _naive(con, registrations, netto, delivered)
    shares = con.execute(
        "SELECT count(*) FROM marts.langvarigt_bistand WHERE andel_langvariga_fore IS DISTINCT FROM "
        "langvariga_fore / nullif(uppfoljningsbara_fore, 0) OR andel_langvariga_efter IS DISTINCT FROM "
        "langvariga_efter / nullif(uppfoljningsbara_efter, 0)"
    ).fetchone()[0]
    assert shares == 0
