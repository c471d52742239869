"""The tertial report's tables: the questions the city's documents ask, answered from the marts.

`build_tables` builds every table of `tabeller/` for one period (aggregates only) with the relations a
reader knows between their statistics, and sets the headline tables beside the same period a year
earlier and, for a tertial, beside the year to date. The full definitions are in docs/data-dictionary.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import duckdb

from jobbtorg_pipeline.assets.marts import ar_hittills
from jobbtorg_pipeline.report import tabeller
from jobbtorg_pipeline.report.disclosure import Derived, Key, Relation, at_most, linear
from jobbtorg_pipeline.report.tabell import ReportTable

# The headline tables and the columns shown again for the same period a year earlier and for the year to
# date.
HEADLINE = {
    "unika_individer": ["inskrivna", "avslutade"],
    "kolada": ["avslutade", "arbete_eller_studier", "andel_arbete_eller_studier"],
    "arbetstraning_resultat": [
        "avslutat_arbetstraning",
        "arbete_eller_studier",
        "andel_arbete_eller_studier",
    ],
    "sjalvforsorjning": ["uppfoljningsbara", "sjalvforsorjande", "andel_sjalvforsorjande"],
    "insatser": ["deltagare", "arsplatser"],
    "arbetstraning_regi": ["deltagare", "arsplatser"],
    "insatser_regi": ["deltagare", "arsplatser"],
}
# Counts that can only grow from the tertial to the year to date, because they count the persons with
# something in the period and the tertial lies within the year to date: inskrivna, avslutade and deltagare,
# and the avslut to arbete or studier, decided by the person's last avslut (or ended arbetsträning) in the
# period, which for a person with one in the tertial lies in the tertial. A reader knows this; disclosure
# control is told.
GROWING = {"inskrivna", "avslutade", "deltagare", "avslutat_arbetstraning", "arbete_eller_studier"}
MONTHS = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


@dataclass(frozen=True)
class Beside:
    """Columns of other figures set beside the headline columns: their key tag, column suffix and words."""

    tag: str  # first element of the other figures' keys: a figure is one statistic wherever it appears
    suffix: str
    heading: str
    note: str


def build_tables(
    con: duckdb.DuckDBPyConnection, period: str, threshold: int, *, comparisons: bool = True
) -> tuple[list[ReportTable], list[Relation]]:
    """Every table of the report for `period` ('2019-T2' or '2019'), before disclosure control, and the
    relations between their statistics that a reader knows; with `comparisons`, the headline tables get
    the same period a year earlier beside them, and for a tertial the year to date."""
    tables, relations = tabeller.build(con, period, threshold)
    earlier = year_earlier(period)
    if comparisons and _has(con, "marts.unika_individer", earlier):
        beside = Beside(
            f"period={earlier}",
            "_fjol",
            earlier,
            f"Kolumnerna märkta {earlier} visar samma period ett år tidigare",
        )
        relations += _add_beside(tables, *tabeller.build(con, earlier, threshold), beside)
    if comparisons and "-T" in period:
        relations += _add_year_to_date(con, tables, period, threshold)
    for table in tables:
        if any(c.endswith(("_fjol", "_hittills")) for c in table.grid.columns):
            table.definition += (
                " Röjandekontrollen omfattar alla kolumnerna tillsammans, så att ingen dold siffra kan räknas "
                "fram ur de andra."
            )
    return tables, relations


def year_earlier(period: str) -> str:
    """The same period a year earlier: 2020-T2 -> 2019-T2, 2020 -> 2019."""
    return f"{int(period[:4]) - 1}{period[4:]}"


def _has(con: duckdb.DuckDBPyConnection, table: str, period: str) -> bool:
    try:
        return bool(con.execute(f"SELECT count(*) FROM {table} WHERE period = ?", [period]).fetchone()[0])
    except duckdb.CatalogException:
        return False  # an analysts' file published before the table existed


def _add_year_to_date(
    con: duckdb.DuckDBPyConnection, tables: list[ReportTable], period: str, threshold: int
) -> list[Relation]:
    """For T2 and T3, the year to date beside the headline columns (T1's is the tertial itself)."""
    slut = MONTHS[4 * int(period[-1]) - 1]
    year = period[:4]
    if period.endswith("T1"):
        for table in tables:
            if table.id in HEADLINE:
                table.definition += f" Året hittills (jan–apr {year}) är tertialet självt."
        return []
    if not _has(con, f"{ar_hittills.SCHEMA}.unika_individer", period):
        return []
    ytd_tables, ytd_relations = tabeller.build(_YearToDate(con), period, threshold, tabeller.HUVUDTABELLER)
    heading = f"jan–{slut} {year}"
    beside = Beside(
        f"{ar_hittills.SCHEMA}={period}",
        "_hittills",
        heading,
        f"Kolumnerna märkta {heading} visar året hittills, från 1 januari till tertialets sista dag; en "
        "person räknas en gång över hela tiden, så de är inte summan av årets tertial",
    )
    relations = _add_beside(tables, ytd_tables, ytd_relations, beside)
    for table in tables:
        grid = table.grid
        for c in HEADLINE.get(table.id, []):
            if c in GROWING and c in grid.count_columns and c + beside.suffix in grid.columns:
                relations += [
                    replace(
                        at_most(
                            grid.key(r, c), grid.key(r, c + beside.suffix), "året hittills rymmer tertialet"
                        ),
                        audit_only=True,
                    )
                    for r in grid.rows
                ]
    return relations


class _YearToDate:
    """A connection on which the tables' own queries of `marts.<table>` read `ar_hittills.<table>`, so they
    give the year to date unchanged. Only the year-to-date tables are there: a query of any other mart
    fails rather than mixing in a tertial's figures."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._con = con

    def execute(self, sql: str, parameters: object = None) -> duckdb.DuckDBPyConnection:
        return self._con.execute(re.sub(r"\bmarts\.", f"{ar_hittills.SCHEMA}.", sql), parameters)

    def cursor(self) -> _YearToDate:
        return _YearToDate(self._con.cursor())

    def __getattr__(self, name: str) -> object:
        return getattr(self._con, name)


def _add_beside(
    tables: list[ReportTable],
    other_tables: list[ReportTable],
    other_relations: list[Relation],
    beside: Beside,
) -> list[Relation]:
    """Add the HEADLINE columns of `other_tables` (headed with `beside.heading`) to the headline tables; the
    relations among the other statistics they show, for disclosure control over all of them at once.

    The other statistics get keys of their own (`beside.tag` first), so a figure of last year is one
    statistic wherever it appears; a relation of the other tables that names a statistic not shown here
    is left out (the reader of this report does not have it)."""
    by_id = {t.id: t for t in other_tables}

    def other_key(key: Key) -> Key:
        return (beside.tag, *key)

    shown: set[Key] = set()
    for table in tables:
        columns = HEADLINE.get(table.id)
        if not columns or table.id not in by_id:
            continue
        before, grid = by_id[table.id].grid, table.grid
        for c in columns:
            new = f"{c}{beside.suffix}"
            grid.columns.append(new)
            table.labels[new] = f"{table.labels[c]} {beside.heading}"
            table.units[new] = table.units[c]
            counted = c in grid.count_columns
            for r in grid.rows:
                value = before.values.get((r, c)) if r in before.rows else None
                grid.values[(r, new)] = 0 if value is None and counted else value
                if counted:
                    grid.keys[(r, new)] = other_key(before.key(r, c))
                    shown.add(grid.keys[(r, new)])
            if counted:
                grid.count_columns.append(new)
                if c in grid.total_columns:
                    grid.total_columns.add(new)
            if c in grid.measures:
                grid.measures[new] = f"{grid.measures[c]}{beside.suffix}"
            if c in grid.derived:
                rests_on = grid.derived[c]
                grid.derived[new] = Derived(
                    f"{rests_on.denominator}{beside.suffix}",
                    f"{rests_on.numerator}{beside.suffix}" if rests_on.numerator else None,
                )
        grid.measure_groups += [
            tuple(f"{c}{beside.suffix}" for c in group)
            for group in list(grid.measure_groups)
            if all(c in columns for c in group)
        ]
        table.definition += f" {beside.note}."
    return [
        linear([(other_key(k), c) for k, c in r.terms], r.sense, f"{r.why} ({beside.heading})")
        for r in other_relations
        if all(other_key(k) in shown for k, _ in r.terms)
    ]
