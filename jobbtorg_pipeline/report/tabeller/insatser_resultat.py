"""What became of those who ended an insats, per insatstyp: those who ended and the share to arbete or
studier, as arbetsträning's results table has them, so that every insats is followed up the same way (the
founding decision: the city's own and the procured insatser "ska utvärderas på samma sätt"; the 2017
statement on results and follow-up asks which insatser are effective).

From marts.insatser_resultat, both regi and kön together. The arbetsträning row is the same statistic as
the Totalt row of the arbetsträning results table. A person who ended insatser of two types counts in
each type's row and once in Totalt, under the outcome of their last insats: so each type's persons are
among the total's, but not each type's outcomes.
"""

from __future__ import annotations

from typing import Any

import duckdb

from jobbtorg_pipeline.report.disclosure import Derived, Key, Relation
from jobbtorg_pipeline.report.tabell import (
    Chart,
    ReportTable,
    column_sums,
    insatstyp_label,
    insatstyper,
    keyed,
    make_grid,
    orderings,
    query_rows,
    stat,
)


def key(row: str, column: str) -> Key:
    """The statistic of a cell; arbetsträning's is the arbetsträning results table's."""
    if row == "arbetstraning":
        measure = "avslutat_arbetstraning" if column == "avslutat_insats" else column
        return stat("arbetstraning_resultat", measure, regi="totalt", kon="totalt")
    return stat("insatser_resultat", column, insatstyp=row, regi="totalt", kon="totalt")


def tabell(
    con: duckdb.DuckDBPyConnection, period: str, threshold: int, tables: dict[str, ReportTable]
) -> tuple[list[ReportTable], list[Relation]]:
    rows = insatstyper(con, "insatser_resultat")
    details = rows[:-1]
    records: dict[str, dict[str, Any]] = keyed(
        query_rows(
            con,
            "FROM marts.insatser_resultat WHERE period = ? AND regi = 'totalt' AND kon = 'totalt'",
            [period],
        ),
        "insatstyp",
    )
    grid, labels, units = make_grid(
        "insatser_resultat",
        records,
        rows,
        {
            "avslutat_insats": ("Avslutade", "antal"),
            "arbete_eller_studier": ("Arbete eller studier", "antal"),
            "andel_arbete_eller_studier": ("Andel arbete eller studier", "andel"),
        },
        key,
        total_columns=["avslutat_insats"],
        derived={"andel_arbete_eller_studier": Derived("avslutat_insats", "arbete_eller_studier")},
    )
    relations = orderings(grid, [("arbete_eller_studier", "avslutat_insats")], "insatsresultat")
    relations += column_sums(grid, details, "totalt", ["avslutat_insats"], "insatstyp", exact=False)
    relations += column_sums(  # the outcome of each person's last insats: not nested in the total's
        grid,
        details,
        "totalt",
        ["arbete_eller_studier"],
        "insatstyp, sista insats",
        exact=False,
        nested=False,
    )
    table = ReportTable(
        "insatser_resultat",
        "Resultat efter insatstyp",
        "Vilka insatser leder till arbete eller studier? Alla insatser, i egen regi och upphandlade, följs "
        "upp på samma sätt (beslutet 2007; uttalandet 2017 om resultat och uppföljning)",
        "Personer vars insats av typen avslutades i perioden (den sista om flera), egen och extern regi "
        "tillsammans, och av dem de vars inskrivning (den som insatsen hörde till) vid uttagsdatum var "
        "avslutad till arbete (osubventionerat eller subventionerat) eller studier. En person som avslutat "
        "insatser av flera typer räknas i varje typ och en gång i totalt, efter sin sista insats. "
        "Arbetsträningens rad är densamma som raden Totalt i tabellen Resultat efter arbetsträning, som "
        "också visar de andra utfallen; analysfilen har dem för varje insatstyp (marts.insatser_resultat).",
        "insatser_resultat",
        "Insatstyp",
        labels,
        units,
        grid,
        Chart("andel_arbete_eller_studier", details, "andel"),
        row_labels={t: insatstyp_label(t) for t in details},
    )
    return [table], relations
