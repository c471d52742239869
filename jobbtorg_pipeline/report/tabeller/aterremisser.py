"""Återremisser per jobbtorg and those who came back within a year (arbetsmarknadsnämnden 2019-11-26,
ärende 6). From marts.aterremisser; an avslut for återremiss in the headline table is one here too."""

from __future__ import annotations

import duckdb

from jobbtorg_pipeline.report.disclosure import Derived, Relation, at_most
from jobbtorg_pipeline.report.tabell import (
    Chart,
    ReportTable,
    column_sums,
    jobbtorg_levels,
    keyed,
    make_grid,
    orderings,
    query_rows,
    stat,
)


def tabell(
    con: duckdb.DuckDBPyConnection, period: str, threshold: int, tables: dict[str, ReportTable]
) -> tuple[list[ReportTable], list[Relation]]:
    built: list[ReportTable] = []
    relations: list[Relation] = []
    jobbtorg = jobbtorg_levels(con)
    details = jobbtorg[:-1]
    unika = tables["unika_individer"].grid
    records = keyed(
        query_rows(con, "FROM marts.aterremisser WHERE period = ? AND kon = 'totalt'", [period]), "jobbtorg"
    )
    grid, labels, units = make_grid(
        "aterremisser",
        records,
        jobbtorg,
        {
            "avslutade": ("Avslutade", "antal"),
            "aterremitterade": ("Återremitterade", "antal"),
            "andel_aterremitterade": ("Andel återremitterade", "andel"),
            "aterkom_inom_365_dagar": ("Kom tillbaka inom ett år", "antal"),
        },
        lambda r, c: stat("aterremisser", c, jobbtorg=r, kon="totalt"),
        derived={"andel_aterremitterade": Derived("avslutade", "aterremitterade")},
    )
    relations += column_sums(grid, details, "totalt", ["aterremitterade"], "jobbtorg", exact=False)
    relations += column_sums(  # the first återremiss over all jobbtorg may be another than at one
        grid, details, "totalt", ["aterkom_inom_365_dagar"], "jobbtorg", exact=False, nested=False
    )
    relations += orderings(
        grid,
        [("aterremitterade", "avslutade"), ("aterkom_inom_365_dagar", "aterremitterade")],
        "återremisser",
    )
    for r in jobbtorg:  # a last avslut for återremiss is an avslut for återremiss in the period
        relations.append(
            at_most(unika.key(r, "avslut_aterremiss"), grid.key(r, "aterremitterade"), "återremiss")
        )
    built.append(
        ReportTable(
            "aterremisser",
            "Återremisser och de som kom tillbaka",
            "Hur många skickades tillbaka till stadsdelsförvaltningen, och hur många kom tillbaka till "
            "Jobbtorg? (ärende 2019)",
            "Återremitterade: personer med ett avslut för återremiss i perioden. Kom tillbaka: av dem, personer "
            "vars nästa inskrivning (vid något jobbtorg) kom 1-365 dagar efter den första återremissen. Senaste "
            "perioderna har haft mindre än ett år på sig.",
            "aterremisser",
            "Jobbtorg",
            labels,
            units,
            grid,
            Chart("andel_aterremitterade", jobbtorg, "andel"),
        )
    )
    return built, relations
