"""The marts as files: `<name>.sql` (the model) and `<name>.yml` (its dictionary entry) side by side.

The model's SELECT gives `period`, the mart's dimensions and its measures. `build_mart` adds the columns
every mart carries (period_typ, period_start, period_slut, uttagsdatum), gives every period at least its
all-`totalt` row where the grain allows it, and orders the rows, so no model repeats that. The YAML is the
one source of the DuckDB COMMENTs, the Dagster column schema and docs/data-dictionary.md.

A grain may hold a column of the mart's own (sjalvforsorjning's manader_efter_avslut, datakvalitet's kalla
and regel). Such a column declares in the YAML the `levels` every period shows; the all-`totalt` row is then
one row per level (per combination of levels), e.g. four rows, k = 3, 6, 12 and 18, for a period with no
avslut. A grain column without `levels` and without a `totalt` level (parallella_insatser_kombinationer's
pair of insatstyper) means the mart has no all-`totalt` row: its YAML says which rows it has. In an added
all-`totalt` row counts are 0 and other measures empty, unless a column declares its `empty` value
(insatser's årsplatser: 0 places, not unknown).

Breakdowns: a mart listed under `grupperade` in _gemensamma.yml has a twin, `marts.<name>_grupper`, with
the same columns plus `dimension` and `grupp` (the groups declared once, in staging.inskrivning_grupp).
Its model reads its levels from staging.inskrivning_niva or staging.insats_niva, which carry every group,
and returns `dimension` and `grupp` too ('totalt' for the mart's own rows). The model runs once; its
'totalt' rows become the mart and the others its `_grupper` table, so both rest on one computation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import duckdb
import yaml

_PACKAGE = "jobbtorg_pipeline.assets.marts"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    unit: str
    definition: str
    levels: tuple[Any, ...] = ()  # a grain column's values that every period shows (see the module doc)
    empty: Any = None  # its value in an all-`totalt` row the build adds (default: 0 for counts, else empty)


@dataclass(frozen=True)
class Mart:
    name: str
    description: str
    grain: tuple[str, ...]
    rows: str
    common: tuple[Column, ...]  # period, period_typ, period_start, period_slut, uttagsdatum
    dimensions: tuple[Column, ...]  # dimensions with a `totalt` level (jobbtorg, kon, regi, insatstyp)
    measures: tuple[Column, ...]
    sql: str
    grupper: tuple[str, ...] = ()  # the breakdown dimensions its model returns (a `grupperade` mart)
    grupper_av: str = ""  # for a `<mart>_grupper` table: the mart it breaks down, built with it

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.common + self.dimensions + self.measures

    @property
    def rows_text(self) -> str:
        """Which rows the mart has: the YAML's words, and the all-`totalt` row when the build adds it."""
        if not self.fills_empty_periods:
            return self.rows
        levelled = [c for c in self.levelled if tuple(c.levels) != ("totalt",)]
        if not levelled:
            return (
                f"{self.rows.rstrip('.')}; every period has at least its all-`totalt` row (zeros and empty "
                "shares where nothing happened)."
            )
        if len(levelled) == 1:
            c = levelled[0]
            each = f"one for each {c.name}: {', '.join(f'`{v}`' for v in c.levels)}"
        else:
            each = "one for each combination of " + " and ".join(
                f"{c.name} ({', '.join(f'`{v}`' for v in c.levels)})" for c in levelled
            )
        return (
            f"{self.rows.rstrip('.')}; every period has at least its all-`totalt` rows, {each} (zeros and "
            "empty shares where nothing happened)."
        )

    @property
    def levelled(self) -> tuple[Column, ...]:
        """The mart's own grain columns with declared `levels` (e.g. manader_efter_avslut: 3, 6, ..., 48)."""
        return tuple(c for c in self.measures if c.name in self.grain and c.levels)

    @property
    def fills_empty_periods(self) -> bool:
        """Every period gets its all-`totalt` row(s) when every grain column after `period` is a dimension
        with a `totalt` level or a column of the mart's own with declared `levels`."""
        if self.grupper_av:  # a group has rows only where it has data, as the mart under a jobbtorg
            return False
        filled = [d.name for d in self.dimensions] + [c.name for c in self.levelled]
        return bool(filled) and sorted(filled) == sorted(self.grain[1:])


def _read(name: str) -> str:
    return resources.files(_PACKAGE).joinpath(name).read_text(encoding="utf-8")


@cache
def load_marts() -> tuple[Mart, ...]:
    shared = yaml.safe_load(_read("_gemensamma.yml"))
    common = tuple(Column(**c) for c in shared["columns"])
    dimension_docs = shared["dimensions"]
    names = shared["marts"]
    grupper = tuple(shared["grupper"])
    grupperade = shared["grupperade"]
    stray = sorted(set(grupperade) - set(names))
    assert not stray, f"_gemensamma.yml breaks down {stray}, which are not marts"
    on_disk = {
        p.name.removesuffix(".yml")
        for p in resources.files(_PACKAGE).iterdir()
        if p.name.endswith(".yml") and not p.name.startswith("_")
    }
    assert on_disk == set(names), f"_gemensamma.yml lists {names}, the folder holds {sorted(on_disk)}"
    marts = []
    for name in names:
        doc = yaml.safe_load(_read(f"{name}.yml"))
        assert doc["name"] == name, f"{name}.yml names itself {doc['name']}"
        own = tuple(Column(**{**c, "levels": tuple(c.get("levels", ()))}) for c in doc["columns"])
        own_names = {c.name for c in own}
        grain = tuple(doc["grain"])
        stray = [c.name for c in own if c.levels and c.name not in grain]
        assert not stray, f"{name}.yml gives levels to {stray}, which are not in its grain"
        dims = tuple(Column(name=d, **dimension_docs[d]) for d in grain[1:] if d not in own_names)
        m = Mart(
            name=name,
            description=" ".join(doc["description"].split()),
            grain=grain,
            rows=doc["rows"],
            common=common,
            dimensions=dims,
            measures=own,
            sql=_read(f"{name}.sql"),
            grupper=grupper if name in grupperade else (),
        )
        marts.append(m)
        if m.grupper:
            marts.append(_grupper_mart(m, dimension_docs, shared["grupper_beskrivning"]))
    return tuple(marts)


def _grupper_mart(m: Mart, dimension_docs: dict[str, dict[str, str]], text: str) -> Mart:
    """`marts.<mart>_grupper`: the mart's columns and rows per group, under `dimension` and `grupp`."""
    keys = tuple(Column(name=d, **dimension_docs[d]) for d in ("dimension", "grupp"))
    own = ", ".join(m.grain[1:])
    return Mart(
        name=f"{m.name}_grupper",
        description=" ".join(text.format(mart=m.name).split()),
        grain=(m.grain[0], "dimension", "grupp", *m.grain[1:]),
        rows=f"Every (period, dimension, grupp, {own}) where the group has data in the period, by the rule "
        f"of marts.{m.name}'s rows; a group without data in a period has no row (no zero row). The rows "
        f"where the group would be `totalt` are marts.{m.name} itself and are not repeated.",
        common=m.common,
        dimensions=keys + m.dimensions,
        measures=m.measures,
        sql=m.sql,
        grupper_av=m.name,
    )


def mart(name: str) -> Mart:
    return next(m for m in load_marts() if m.name == name)


def build_sql(m: Mart, modell: str | None = None) -> str:
    """The statement that materialises `m` from its model's rows (by default its own SQL)."""
    modell = m.sql if modell is None else modell
    dims = [d.name for d in m.dimensions]
    own = [c.name for c in m.measures]
    fill = ""
    if m.fills_empty_periods:
        # Every period's all-`totalt` row, once per level of each levelled grain column, where the model has
        # none: counts 0, everything else (shares, means) empty.
        keys_out = [f"'totalt' AS {d}" for d in dims] + [f"l_{c.name}.{c.name}" for c in m.levelled]
        defaults = [
            f"{_value(c.empty) if c.empty is not None else '0' if c.type == 'BIGINT' else 'NULL'}::{c.type}"
            f" AS {c.name}"
            for c in m.measures
            if c.name not in m.grain
        ]
        levels = "".join(
            f" CROSS JOIN (VALUES {', '.join(f'({_value(v)}::{c.type})' for v in c.levels)}) "
            f"AS l_{c.name}({c.name})"
            for c in m.levelled
        )
        present = " AND ".join(
            ["x.period = p.period"]
            + [f"x.{d} = 'totalt'" for d in dims]
            + [f"x.{c.name} = l_{c.name}.{c.name}" for c in m.levelled]
        )
        fill = f"""
            UNION ALL BY NAME
            SELECT p.period, {", ".join(keys_out + defaults)}
            FROM staging.perioder AS p{levels}
            WHERE NOT EXISTS (SELECT 1 FROM modell AS x WHERE {present})
        """
    declared = "[" + ", ".join(_literal(g) for g in load_group_dimensions()) + "]"
    order = ", ".join(
        [
            f"list_position({declared}, f.{d})" if d == "dimension" else f"(f.{d} = 'totalt') DESC, f.{d}"
            for d in dims
        ]
        + [f"f.{c}" for c in own if c in m.grain]
    )
    measures = ", ".join(
        f"CAST(f.{c.name} AS {c.type}) AS {c.name}" for c in m.measures if c.name not in m.grain
    )
    keys = ", ".join([f"f.{d}" for d in dims] + [f"f.{c}" for c in own if c in m.grain])
    return f"""
        CREATE OR REPLACE TABLE marts.{m.name} AS
        WITH modell AS ({modell}),
        fylld AS (SELECT * FROM modell {fill})
        SELECT f.period, p.period_typ, p.period_start, p.period_slut, u.uttagsdatum, {keys}, {measures}
        FROM fylld AS f
        JOIN staging.perioder AS p USING (period)
        CROSS JOIN raw.uttag AS u
        ORDER BY p.period_start, p.period_slut DESC, {order}
    """


def build_mart(con: duckdb.DuckDBPyConnection, m: Mart) -> dict[str, int]:
    """Materialise one mart in the internal database, and its `_grupper` table when it has one (one run of
    the model for both); returns the row count of each table built."""
    if m.grupper_av:
        raise ValueError(f"marts.{m.name} is built with marts.{m.grupper_av}")
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    if not m.grupper:
        con.execute(build_sql(m))
        return {m.name: _checked(con, m)}
    g = mart(f"{m.name}_grupper")
    modell = f"temp.modell_{m.name}"
    con.execute(f"CREATE OR REPLACE TEMP TABLE modell_{m.name} AS {m.sql}")
    try:
        found = {r[0] for r in con.execute(f"SELECT DISTINCT dimension FROM {modell}").fetchall()}
        unknown = found - {"totalt", *m.grupper}
        if unknown:
            raise AssertionError(f"marts.{m.name}'s model returns undeclared dimensions {sorted(unknown)}")
        con.execute(
            build_sql(m, f"SELECT * EXCLUDE (dimension, grupp) FROM {modell} WHERE dimension = 'totalt'")
        )
        con.execute(build_sql(g, f"SELECT * FROM {modell} WHERE dimension <> 'totalt'"))
    finally:
        con.execute(f"DROP TABLE IF EXISTS {modell}")
    return {m.name: _checked(con, m), g.name: _checked(con, g)}


def _checked(con: duckdb.DuckDBPyConnection, m: Mart) -> int:
    got = [r[0] for r in con.execute(f"DESCRIBE marts.{m.name}").fetchall()]
    wanted = [c.name for c in m.columns]
    if got != wanted:
        raise AssertionError(f"marts.{m.name} has columns {got}, its dictionary says {wanted}")
    return int(con.execute(f"SELECT count(*) FROM marts.{m.name}").fetchone()[0])


@cache
def group_definitions() -> dict[str, str]:
    """The breakdown dimensions (malgrupp, stadsdel, aldersgrupp) and their definitions, in table order."""
    return dict(yaml.safe_load(_read("_gemensamma.yml"))["grupper"])


def load_group_dimensions() -> tuple[str, ...]:
    return tuple(group_definitions())


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _value(v: Any) -> str:
    """A level from the YAML as a SQL literal: numbers as they are, text quoted."""
    if isinstance(v, bool) or not isinstance(v, int | float | str):
        raise TypeError(f"a level must be a number or text, not {v!r}")
    return _literal(v) if isinstance(v, str) else str(v)


def comment_statements(
    m: Mart, schema: str = "marts", description: str | None = None, columns: tuple[Column, ...] | None = None
) -> list[str]:
    """COMMENT ON TABLE/COLUMN statements from the dictionary, for the published file (by default for the
    mart itself; another schema repeating it gives its own description and columns)."""
    table = f"{description or m.description} Rows: {m.rows_text}"
    statements = [f"COMMENT ON TABLE {schema}.{m.name} IS {_literal(table)}"]
    for c in columns or m.columns:
        statements.append(
            f"COMMENT ON COLUMN {schema}.{m.name}.{c.name} IS {_literal(f'{c.definition} Unit: {c.unit}.')}"
        )
    return statements
