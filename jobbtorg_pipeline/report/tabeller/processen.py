"""The process per jobbtorg: aktivitetsplan within 5 days, insatser without an end or longer than 6
months, persons registered over 18 months (the founding decision "Inrättande av Jobbtorg i Stockholm",
kommunfullmäktige 2007). From marts.processen; the median's base is judged, never shown."""

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

MEDIAN_BASE = "aktivitetsplaner_kvar_dag_5"  # processen's median is taken over these


def tabell(
    con: duckdb.DuckDBPyConnection, period: str, threshold: int, tables: dict[str, ReportTable]
) -> tuple[list[ReportTable], list[Relation]]:
    built: list[ReportTable] = []
    relations: list[Relation] = []
    jobbtorg = jobbtorg_levels(con)
    details = jobbtorg[:-1]
    unika = tables["unika_individer"].grid
    parallella = tables["parallella_insatser"].grid
    records = keyed(query_rows(con, "FROM marts.processen WHERE period = ?", [period]), "jobbtorg")
    grid, labels, units = make_grid(
        "processen",
        records,
        jobbtorg,
        {
            "nya_registreringar": ("Nya inskrivningar", "antal"),
            "nya_registreringar_kvar_dag_5": ("varav kvar dag 5", "antal"),
            "aktivitetsplan_inom_5_dagar": ("Aktivitetsplan inom 5 dagar", "antal"),
            "andel_aktivitetsplan_inom_5_dagar": ("Andel inom 5 dagar", "andel"),
            "median_dagar_till_aktivitetsplan": ("Median dagar till plan", "dagar"),
            "personer_inskrivna_over_18_manader": ("Inskrivna över 18 månader", "antal"),
            "insatser_utan_planerat_slut": ("Insatser utan planerat slut", "antal"),
            "insatser_langre_an_6_manader": ("Insatser längre än 6 månader", "antal"),
        },
        lambda r, c: stat("processen", c, jobbtorg=r),
        derived={
            "andel_aktivitetsplan_inom_5_dagar": Derived(
                "nya_registreringar_kvar_dag_5", "aktivitetsplan_inom_5_dagar"
            ),
            "median_dagar_till_aktivitetsplan": Derived(MEDIAN_BASE),
        },
    )
    for r in jobbtorg:  # what the median is taken over: judged against the threshold, never shown
        grid.values[(r, MEDIAN_BASE)] = records.get(r, {}).get(MEDIAN_BASE) or 0
    counted = [
        "nya_registreringar",
        "nya_registreringar_kvar_dag_5",
        "aktivitetsplan_inom_5_dagar",
        "insatser_utan_planerat_slut",
        "insatser_langre_an_6_manader",
    ]
    relations += column_sums(
        grid, details, "totalt", counted, "jobbtorg, inskrivningar och insatser", exact=True
    )
    relations += column_sums(
        grid, details, "totalt", ["personer_inskrivna_over_18_manader"], "jobbtorg", exact=False
    )
    relations += orderings(
        grid,
        [
            ("aktivitetsplan_inom_5_dagar", "nya_registreringar_kvar_dag_5"),
            ("nya_registreringar_kvar_dag_5", "nya_registreringar"),
        ],
        "processen",
    )
    for r in jobbtorg:  # still registered at the period's reference day: registered in the period
        relations.append(
            at_most(
                grid.key(r, "personer_inskrivna_over_18_manader"), unika.key(r, "inskrivna"), "18 månader"
            )
        )
        for c in (
            "insatser_utan_planerat_slut",
            "insatser_langre_an_6_manader",
        ):  # insatser active in the period
            relations.append(at_most(grid.key(r, c), parallella.key(r, "insatser"), "insatser"))
    built.append(
        ReportTable(
            "processen",
            "Processen: aktivitetsplan, tid i insats och tid inskriven",
            "Får den som skrivs in en aktivitetsplan inom 5 dagar, är insatserna tidsbegränsade och deltar "
            "ingen längre än 18 månader? (beslutet 2007)",
            "Nya inskrivningar i perioden (minst 5 dagar före uttagsdatum); av dem som fortfarande var kvar dag 5 "
            "(inte avslutade före dag 5, eller med plan senast dag 5): hur många fick en aktivitetsplan inom 5 "
            "dagar (en plan daterad före inskrivningen räknas som dag 0); personer med en pågående inskrivning "
            "som börjat mer än 18 månader före periodens sista dag eller uttagsdatum (räknat per sammanhängande "
            "inskrivning); insatser igång i perioden utan planerat slutdatum eller som pågått mer än 6 månader.",
            "processen",
            "Jobbtorg",
            labels,
            units,
            grid,
            Chart("andel_aktivitetsplan_inom_5_dagar", jobbtorg, "andel"),
        )
    )
    return built, relations
