"""Parallel insatser per jobbtorg and the most common pairs (results and follow-up,
arbetsmarknadsnämnden 2017, AMN 2017-0090-01.02: parallel insatser may mean duplicated work). From
marts.parallella_insatser and marts.parallella_insatser_kombinationer."""

from __future__ import annotations

import itertools

import duckdb

from jobbtorg_pipeline.report.disclosure import Derived, Grid, Relation, at_most
from jobbtorg_pipeline.report.tabell import (
    Chart,
    ReportTable,
    column_sums,
    insatstyp_label,
    jobbtorg_levels,
    keyed,
    make_grid,
    orderings,
    query_rows,
    stat,
)


def _per_jobbtorg(con: duckdb.DuckDBPyConnection, period: str) -> tuple[list[ReportTable], list[Relation]]:
    """Persons with parallel insatser per jobbtorg."""
    built: list[ReportTable] = []
    relations: list[Relation] = []
    jobbtorg = jobbtorg_levels(con)
    details = jobbtorg[:-1]
    rows = query_rows(con, "FROM marts.parallella_insatser WHERE period = ? AND kon = 'totalt'", [period])
    for row in rows:
        row["andel_parallella"] = (
            row["personer_med_parallella_insatser"] / row["personer_med_insats"]
            if row["personer_med_insats"]
            else None
        )
    parallella, labels, units = make_grid(
        "parallella_insatser",
        keyed(rows, "jobbtorg"),
        jobbtorg,
        {
            "personer_med_insats": ("Personer med insats", "antal"),
            "personer_med_parallella_insatser": ("med parallella insatser", "antal"),
            "andel_parallella": ("Andel parallella", "andel"),
            "insatser": ("Insatser", "antal"),
        },
        lambda r, c: stat("parallella_insatser", c, jobbtorg=r, kon="totalt"),
        derived={"andel_parallella": Derived("personer_med_insats", "personer_med_parallella_insatser")},
    )
    persons = ["personer_med_insats", "personer_med_parallella_insatser"]
    relations += column_sums(parallella, details, "totalt", persons[:1], "jobbtorg", exact=False)
    relations += column_sums(
        parallella, details, "totalt", persons[1:], "jobbtorg", exact=False, total_within_sum=False
    )
    relations += column_sums(parallella, details, "totalt", ["insatser"], "jobbtorg, insatser", exact=True)
    relations += orderings(
        parallella, [("personer_med_parallella_insatser", "personer_med_insats")], "parallella"
    )
    for r in jobbtorg:  # everyone with an insats has one; everyone with parallel ones has two
        relations.append(
            at_most(
                [parallella.key(r, p) for p in persons], parallella.key(r, "insatser"), "insatser per person"
            )
        )
    built.append(
        ReportTable(
            "parallella_insatser",
            "Parallella insatser",
            "Hur många står i två insatser samtidigt? Parallella insatser kan innebära dubbelarbete (ärende 2017).",
            "Personer som någon dag i perioden hade två eller fler insatser igång samtidigt (start- och slutdag "
            "räknas). Under totalt kan insatser vid olika jobbtorg överlappa varandra.",
            "parallella_insatser",
            "Jobbtorg",
            labels,
            units,
            parallella,
            Chart("andel_parallella", jobbtorg, "andel"),
        )
    )

    return built, relations


def _kombinationer(
    con: duckdb.DuckDBPyConnection, period: str, threshold: int, parallella: Grid
) -> tuple[list[ReportTable], list[Relation]]:
    """The ten most common pairs, from the threshold up."""
    built: list[ReportTable] = []
    relations: list[Relation] = []
    rows = query_rows(
        con,
        """
        SELECT insatstyp_a || '+' || insatstyp_b AS par, insatstyp_a, insatstyp_b, personer
        FROM marts.parallella_insatser_kombinationer WHERE period = ? AND personer >= ?
        ORDER BY personer DESC, par LIMIT 10
        """,
        [period, threshold],
    )
    pairs = [str(r["par"]) for r in rows]  # most common first, as ranked
    grid, labels, units = make_grid(
        "vanligaste_kombinationer",
        keyed(rows, "par"),
        pairs,
        {"personer": ("Personer", "antal")},
        lambda r, c: stat("parallella_insatser_kombinationer", c, par=r),
        total_rows=(),
    )
    for upper, lower in itertools.pairwise(pairs):  # the ranking: each at most the one above
        relations.append(at_most(grid.key(lower, "personer"), grid.key(upper, "personer"), "rangordning"))
    for p in pairs:
        relations.append(
            at_most(
                grid.key(p, "personer"), parallella.key("totalt", "personer_med_parallella_insatser"), "par"
            )
        )
    built.append(
        ReportTable(
            "vanligaste_kombinationer",
            "De vanligaste kombinationerna av parallella insatser",
            "Vilka insatser går samtidigt?",
            "Par av insatstyper som samma person hade igång samma dag i perioden, de tio vanligaste. Par som "
            f"färre än {threshold} personer hade redovisas inte.",
            "parallella_insatser_kombinationer",
            "Insatser",
            labels,
            units,
            grid,
            row_labels={
                str(r["par"]): f"{insatstyp_label(r['insatstyp_a'])} + {insatstyp_label(r['insatstyp_b'])}"
                for r in rows
            },
        )
    )
    return built, relations


def tabell(
    con: duckdb.DuckDBPyConnection, period: str, threshold: int, tables: dict[str, ReportTable]
) -> tuple[list[ReportTable], list[Relation]]:
    made = [_per_jobbtorg(con, period)]
    made.append(_kombinationer(con, period, threshold, made[0][0][0].grid))
    return [t for found, _ in made for t in found], [r for _, related in made for r in related]
