"""The period rule is written twice, in Python (`jobbtorg_pipeline/perioder.py`: the schedule's tag, the
report's periods, `--period`) and in SQL (`staging.perioder`: the marts' periods). Held equal here: for
every day of several years, the SQL's year and tertial holding it carry the names Python gives it."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import duckdb
import pytest

from jobbtorg_pipeline.assets.staging.build import build_sql_model
from jobbtorg_pipeline.perioder import PERIOD, previous_tertial, tertial


def _perioder(first: date, uttag: date) -> list[tuple[str, str, date, date]]:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA raw; CREATE SCHEMA staging")
    con.execute("CREATE TABLE raw.uttag AS SELECT ?::DATE AS uttagsdatum", [uttag])
    con.execute("CREATE TABLE staging.inskrivningar AS SELECT ?::DATE AS inskrivningsdatum", [first])
    con.execute("CREATE TABLE staging.insatser AS SELECT NULL::DATE AS startdatum")
    build_sql_model(con, "perioder")
    return con.execute(
        "SELECT period, period_typ, period_start, period_slut FROM staging.perioder"
    ).fetchall()


@pytest.mark.parametrize(
    ("first", "uttag"),
    [
        (date(2016, 12, 31), date(2020, 10, 1)),  # first data on a year's last day
        (date(2017, 5, 1), date(2019, 8, 31)),  # a tertial's first day, another's last
        (date(2018, 4, 30), date(2018, 5, 1)),  # two days, two tertials
        (date(2020, 2, 29), date(2020, 2, 29)),  # one leap day
    ],
)
def test_the_marts_periods_are_those_python_names_and_cover_each_day_once(first, uttag):
    rows = _perioder(first, uttag)
    assert all(PERIOD.match(name) for name, *_ in rows)
    day = first
    while day <= uttag:
        holding = {typ: name for name, typ, start, end in rows if start <= day <= end}
        assert holding == {"ar": str(day.year), "tertial": tertial(day)}, day
        day += timedelta(days=1)
    tertials = [name for name, typ, *_ in rows if typ == "tertial"]
    assert tertials[0] == tertial(first) and tertials[-1] == tertial(uttag)
    assert all(previous_tertial(b) == a for a, b in pairwise(tertials))
    one = timedelta(days=1)
    for name, typ, start, end in rows:  # whole periods, even where the data begin or end inside one
        if typ == "ar":
            assert (start, end) == (date(int(name), 1, 1), date(int(name), 12, 31))
        else:
            assert tertial(start) == tertial(end) == name != tertial(start - one) != tertial(end + one)
