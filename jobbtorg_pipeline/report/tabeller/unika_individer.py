"""Unika individer per jobbtorg (inskrivna, nya, avslutade and what the last avslut was to) and by kön:
the answer on long-term statistics (arbetsmarknadsnämnden 2016-02-02, ärende 11) counts persons, not
registrations. From marts.unika_individer."""

from __future__ import annotations

import duckdb

from jobbtorg_pipeline.report.disclosure import Relation, sums_to
from jobbtorg_pipeline.report.tabell import (
    Chart,
    ReportTable,
    column_sums,
    jobbtorg_levels,
    keyed,
    kon_levels,
    make_grid,
    orderings,
    query_rows,
    stat,
)


def _per_jobbtorg(con: duckdb.DuckDBPyConnection, period: str) -> tuple[list[ReportTable], list[Relation]]:
    """Per jobbtorg, with the avslut by what the last one was to."""
    built: list[ReportTable] = []
    relations: list[Relation] = []
    jobbtorg = jobbtorg_levels(con)
    details = jobbtorg[:-1]
    # unika individer per jobbtorg
    records = keyed(
        query_rows(con, "FROM marts.unika_individer WHERE period = ? AND kon = 'totalt'", [period]),
        "jobbtorg",
    )
    groups = ["avslut_arbete", "avslut_studier", "avslut_aterremiss", "avslut_ovrigt", "avslut_orsak_saknas"]
    unika, labels, units = make_grid(
        "unika_individer",
        records,
        jobbtorg,
        {
            "inskrivna": ("Inskrivna", "antal"),
            "nyinskrivna": ("Nyinskrivna", "antal"),
            "avslutade": ("Avslutade", "antal"),
            "avslut_arbete": ("varav arbete", "antal"),
            "avslut_studier": ("varav studier", "antal"),
            "avslut_aterremiss": ("varav återremiss", "antal"),
            "avslut_ovrigt": ("varav övrigt", "antal"),
            "avslut_orsak_saknas": ("varav orsak saknas", "antal"),
        },
        lambda r, c: stat("unika_individer", c, jobbtorg=r, kon="totalt"),
        total_columns=["avslutade"],
    )
    for r in jobbtorg:
        relations.append(
            sums_to(unika.key(r, "avslutade"), [unika.key(r, g) for g in groups], "avslut efter grupp")
        )
    relations += column_sums(
        unika, details, "totalt", ["inskrivna", "nyinskrivna", "avslutade"], "jobbtorg", exact=False
    )
    relations += column_sums(
        unika, details, "totalt", groups, "jobbtorg, sista avslut", exact=False, nested=False
    )
    relations += orderings(unika, [("nyinskrivna", "inskrivna"), ("avslutade", "inskrivna")], "unika")
    built.append(
        ReportTable(
            "unika_individer",
            "Unika individer: inskrivna, nya och avslutade",
            "Hur många unika individer var inskrivna, hur många avslutades och vad avslutades de till? (ärende 2016)",
            "Personer räknas en gång per period, även om de skrivits in flera gånger. En person som stått "
            "under två jobbtorg räknas en gång i totalt. Avslutade fördelas efter orsaken till personens sista "
            "avslut i perioden; arbete = osubventionerat eller subventionerat arbete, övrigt = flytt, sjukdom, "
            "föräldraledighet, annan.",
            "unika_individer",
            "Jobbtorg",
            labels,
            units,
            unika,
            Chart("avslutade", details, "antal"),
        )
    )

    return built, relations


def _per_kon(con: duckdb.DuckDBPyConnection, period: str) -> tuple[list[ReportTable], list[Relation]]:
    """For the city, by kön."""
    built: list[ReportTable] = []
    relations: list[Relation] = []
    records_kon = query_rows(
        con, "FROM marts.unika_individer WHERE period = ? AND jobbtorg = 'totalt'", [period]
    )
    kon = kon_levels(records_kon, ["inskrivna"])
    grid, labels, units = make_grid(
        "unika_individer_kon",
        keyed(records_kon, "kon"),
        [*kon, "totalt"],
        {
            "inskrivna": ("Inskrivna", "antal"),
            "nyinskrivna": ("Nyinskrivna", "antal"),
            "avslutade": ("Avslutade", "antal"),
        },
        lambda r, c: stat("unika_individer", c, jobbtorg="totalt", kon=r),
    )
    relations += column_sums(
        grid, kon, "totalt", ["inskrivna", "nyinskrivna", "avslutade"], "kön", exact=True
    )
    relations += orderings(
        grid, [("nyinskrivna", "inskrivna"), ("avslutade", "inskrivna")], "unika efter kön"
    )
    built.append(
        ReportTable(
            "unika_individer_kon",
            "Inskrivna, nya och avslutade efter kön",
            "Hur fördelar sig deltagarna på kvinnor och män?",
            "Kön enligt personens senast registrerade kön, annars enligt personnumret.",
            "unika_individer",
            "Kön",
            labels,
            units,
            grid,
        )
    )
    return built, relations


def tabell(
    con: duckdb.DuckDBPyConnection, period: str, threshold: int, tables: dict[str, ReportTable]
) -> tuple[list[ReportTable], list[Relation]]:
    made = [_per_jobbtorg(con, period), _per_kon(con, period)]
    return [t for found, _ in made for t in found], [r for _, related in made for r in related]
