"""The vectorised personnummer check in SQL agrees with the `personnummer` package (the oracle).

Numbers are generated in bulk (valid ones, and corrupted ones: wrong check digit, impossible dates,
serial 000, samordningsnummer, every format) and judged in one SQL query each; the oracle is asked per
number, which is fine in a test.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from personnummer import personnummer as oracle

from jobbtorg_pipeline.personnummer import register_personnummer_macros
from tests.support.sourcebuilder import luhn_digit

TODAY_YEAR = date.today().year  # the oracle judges 10-digit numbers against today's year


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    register_personnummer_macros(con)
    yield con
    con.close()


def _judge(con: duckdb.DuckDBPyConnection, values: list[str]) -> list[tuple[str | None, str | None]]:
    con.execute("CREATE OR REPLACE TEMP TABLE nummer (i INTEGER, v VARCHAR)")
    con.executemany("INSERT INTO nummer VALUES (?, ?)", list(enumerate(values)))
    return con.execute(
        "SELECT pnr_fel(v, ?), pnr12(v, ?) FROM nummer ORDER BY i", [TODAY_YEAR, TODAY_YEAR]
    ).fetchall()


def _random_number(rng: random.Random) -> str:
    born = date(1900, 1, 1) + timedelta(days=rng.randrange(0, 125 * 365))
    day = born.day + (60 if rng.random() < 0.2 else 0)
    serial = rng.randrange(0, 1000)
    nine = f"{born:%y%m}{day:02d}{serial:03d}"
    check = luhn_digit(nine)
    if rng.random() < 0.3:
        check = (check + rng.randrange(1, 10)) % 10  # a wrong check digit
    ten = f"{nine}{check}"
    if rng.random() < 0.1:  # an impossible date: month 13 or day 32/92
        ten = (
            ten[:2] + "13" + ten[4:]
            if rng.random() < 0.5
            else ten[:4] + ("92" if day > 60 else "32") + ten[6:]
        )
    century = f"{born.year // 100}"
    age = TODAY_YEAR - born.year
    form = rng.choice(["12", "12-", "10", "10sep"])
    if form == "12":
        return f"{century}{ten}"
    if form == "12-":
        return f"{century}{ten[:6]}-{ten[6:]}"
    if form == "10":
        return ten
    return f"{ten[:6]}{'+' if age >= 100 else '-'}{ten[6:]}"


def test_agrees_with_the_oracle_on_many_numbers(con):
    rng = random.Random(20191001)
    values = [_random_number(rng) for _ in range(20_000)]
    judged = _judge(con, values)
    disagreements = []
    valid_count = 0
    for value, (fel, normalised) in zip(values, judged, strict=True):
        expected_valid = oracle.valid(value)
        valid_count += expected_valid
        if expected_valid != (fel is None):
            disagreements.append((value, fel, expected_valid))
        elif expected_valid and normalised != oracle.parse(value).format(long_format=True):
            disagreements.append((value, normalised, oracle.parse(value).format(long_format=True)))
    assert not disagreements[:20]
    assert 0.3 < valid_count / len(values) < 0.8  # both kinds were really tested


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789-+ ", min_size=0, max_size=14))
def test_agrees_with_the_oracle_on_arbitrary_text(con, value):
    fel, normalised = con.execute("SELECT pnr_fel(?, ?), pnr12(?, ?)", [value, TODAY_YEAR] * 2).fetchone()
    stripped = value.strip()
    expected = oracle.valid(stripped) if stripped else False
    assert (fel is None) == expected, (value, fel)
    if expected:
        assert normalised == oracle.parse(stripped).format(long_format=True)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "saknas"),
        ("", "saknas"),
        ("19800101-123", "format"),
        ("1980-01-01-1234", "format"),
        ("196001010005", "serienummer"),  # Luhn is right, but 000 is never issued
        ("198002300000", "serienummer"),
        ("19800230-1234", "datum"),  # 30 February
        ("19800192-1234", "datum"),  # samordningsnummer day 92 - 60 = 32
        ("19800101-1234", "kontrollsiffra"),
    ],
)
def test_reasons(con, value, reason):
    assert con.execute("SELECT pnr_fel(?, 2019)", [value]).fetchone()[0] == reason


def test_century_of_ten_digit_numbers_follows_the_reference_year(con):
    # 121212-1212 is valid; with '-' it is the younger person, with '+' 100 years older.
    rows = con.execute(
        "SELECT pnr12('121212-1212', 2019), pnr12('121212+1212', 2019), pnr12('1212121212', 2011)"
    ).fetchone()
    assert rows == ("201212121212", "191212121212", "191212121212")
