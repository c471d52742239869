"""The tertial report's tables: the questions the city's documents ask, answered from the marts.

`build_tables` builds every table of `tabeller/` for one period (aggregates only) with the relations a
reader knows between their statistics, and sets the headline tables beside the same period a year
earlier. The full definitions are in docs/data-dictionary.md.
"""

from __future__ import annotations

import duckdb

from jobbtorg_pipeline.report import tabeller
from jobbtorg_pipeline.report.disclosure import Derived, Key, Relation, linear
from jobbtorg_pipeline.report.tabell import ReportTable


def build_tables(
    con: duckdb.DuckDBPyConnection, period: str, threshold: int, *, previous_year: bool = True
) -> tuple[list[ReportTable], list[Relation]]:
    """Every table of the report for `period` ('2019-T2' or '2019'), before disclosure control, and the
    relations between their statistics that a reader knows; with `previous_year`, the headline tables
    get the same period a year earlier beside them."""
    tables, relations = tabeller.build(con, period, threshold)
    earlier = year_earlier(period)
    if (
        previous_year
        and con.execute("SELECT count(*) FROM marts.unika_individer WHERE period = ?", [earlier]).fetchone()[
            0
        ]
    ):
        relations += _add_previous_year(tables, *tabeller.build(con, earlier, threshold), earlier)
    return tables, relations


def year_earlier(period: str) -> str:
    """The same period a year earlier: 2020-T2 -> 2019-T2, 2020 -> 2019."""
    return f"{int(period[:4]) - 1}{period[4:]}"


# The headline tables and the columns shown again for the same period a year earlier.
PREVIOUS_YEAR = {
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


def _add_previous_year(
    tables: list[ReportTable],
    earlier_tables: list[ReportTable],
    earlier_relations: list[Relation],
    earlier: str,
) -> list[Relation]:
    """Add the PREVIOUS_YEAR columns (headed with the earlier period) to the headline tables; the
    relations among the earlier statistics they show, for disclosure control over both years at once.

    The earlier statistics get keys of their own (`period=<earlier>` first), so a figure of last year is
    one statistic wherever it appears; a relation of last year's report that names a statistic not shown
    here is left out (the reader of this report does not have it)."""
    by_id = {t.id: t for t in earlier_tables}

    def earlier_key(key: Key) -> Key:
        return (f"period={earlier}", *key)

    shown: set[Key] = set()
    for table in tables:
        columns = PREVIOUS_YEAR.get(table.id)
        if not columns or table.id not in by_id:
            continue
        before, grid = by_id[table.id].grid, table.grid
        for c in columns:
            new = f"{c}_fjol"
            grid.columns.append(new)
            table.labels[new] = f"{table.labels[c]} {earlier}"
            table.units[new] = table.units[c]
            counted = c in grid.count_columns
            for r in grid.rows:
                value = before.values.get((r, c)) if r in before.rows else None
                grid.values[(r, new)] = 0 if value is None and counted else value
                if counted:
                    grid.keys[(r, new)] = earlier_key(before.key(r, c))
                    shown.add(grid.keys[(r, new)])
            if counted:
                grid.count_columns.append(new)
                if c in grid.total_columns:
                    grid.total_columns.add(new)
            if c in grid.measures:
                grid.measures[new] = f"{grid.measures[c]}_fjol"
            if c in grid.derived:
                rests_on = grid.derived[c]
                grid.derived[new] = Derived(
                    f"{rests_on.denominator}_fjol",
                    f"{rests_on.numerator}_fjol" if rests_on.numerator else None,
                )
        grid.measure_groups += [
            tuple(f"{c}_fjol" for c in group)
            for group in list(grid.measure_groups)
            if all(c in columns for c in group)
        ]
        table.definition += (
            f" Kolumnerna märkta {earlier} visar samma period ett år tidigare; röjandekontrollen omfattar "
            "båda åren tillsammans, så att ingen dold siffra kan räknas fram ur det andra årets siffror."
        )
    return [
        linear([(earlier_key(k), c) for k, c in r.terms], r.sense, f"{r.why} ({earlier})")
        for r in earlier_relations
        if all(earlier_key(k) in shown for k, _ in r.terms)
    ]
