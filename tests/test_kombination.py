"""A person's kombination (their groups in every dimension where they are in one group, as one number)
holds exactly those groups: `staging.kombination_grupp` gives back each of them and nothing else.

Hand-built groups at the edges of the bit widths: a dimension with one group (1 bit), with seven
(3 bits: numbers 1 to 7) and with eight (4 bits: the eighth needs a bit more). Persons in one group of
every dimension, in two or more groups of some (no group there) and of all (no kombination at all).
"""

from __future__ import annotations

import duckdb
import pytest

from jobbtorg_pipeline.assets.staging.build import build_sql_model

GROUPS = {
    "a_en": ["x"],
    "b_sju": [f"g{i}" for i in range(1, 8)],
    "c_atta": [f"h{i}" for i in range(1, 9)],
}

# person -> their group per dimension, None: in two or more groups of it
PERSONS = {
    1: {"a_en": "x", "b_sju": "g7", "c_atta": "h8"},  # the highest number of each dimension
    2: {"a_en": "x", "b_sju": "g1", "c_atta": "h1"},
    3: {"a_en": None, "b_sju": "g4", "c_atta": "h8"},
    4: {"a_en": "x", "b_sju": None, "c_atta": None},
    5: {"a_en": None, "b_sju": None, "c_atta": None},  # split everywhere: no kombination
    6: {"a_en": "x", "b_sju": "g7", "c_atta": "h8"},  # as person 1: the same kombination
}


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA staging")
    con.execute(
        "CREATE TABLE staging.inskrivning_grupp (inskrivning_id VARCHAR, dimension VARCHAR, grupp VARCHAR)"
    )
    con.executemany(
        "INSERT INTO staging.inskrivning_grupp VALUES (?, ?, ?)",
        [(f"I{d}{g}", d, g) for d, groups in GROUPS.items() for g in groups]
        + [(f"I{d}", "totalt", "totalt") for d in GROUPS],
    )
    con.execute(
        "CREATE TABLE staging.person_grupp "
        "(period VARCHAR, person_key BIGINT, dimension VARCHAR, grupp VARCHAR)"
    )
    con.executemany(
        "INSERT INTO staging.person_grupp VALUES ('2019', ?, ?, ?)",
        [(p, d, g) for p, groups in PERSONS.items() for d, g in groups.items()],
    )
    for model in ("grupp_nummer", "person_kombination", "kombination_grupp"):
        build_sql_model(con, model)
    return con


def test_each_dimension_has_bits_of_its_own(con: duckdb.DuckDBPyConnection) -> None:
    bits = dict(
        con.execute(
            "SELECT DISTINCT dimension, bitar FROM staging.grupp_nummer ORDER BY dimension"
        ).fetchall()
    )
    assert bits == {"a_en": 1, "b_sju": 3, "c_atta": 4}
    assert con.execute(
        "SELECT max(grupp_nr) FROM staging.grupp_nummer WHERE dimension = 'c_atta'"
    ).fetchone() == (8,)


def test_a_kombination_gives_back_the_persons_groups_and_no_other(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        """
        SELECT k.person_key, g.dimension, g.grupp
        FROM staging.person_kombination AS k
        JOIN staging.kombination_grupp AS g USING (kombination)
        """
    ).fetchall()
    got: dict[int, dict[str, str]] = {}
    for person, dimension, grupp in rows:
        assert dimension not in got.setdefault(person, {}), f"person {person}: two groups of {dimension}"
        got[person][dimension] = grupp
    wanted = {p: {d: g for d, g in groups.items() if g} for p, groups in PERSONS.items()}
    assert got == {p: groups for p, groups in wanted.items() if groups}


def test_the_same_groups_are_the_same_kombination(con: duckdb.DuckDBPyConnection) -> None:
    kombination = dict(
        con.execute("SELECT person_key, kombination FROM staging.person_kombination").fetchall()
    )
    assert 5 not in kombination  # in two or more groups of every dimension
    assert kombination[1] == kombination[6]
    assert len({kombination[p] for p in (1, 2, 3, 4)}) == 4
