"""Kolada's key figure per jobbtorg: the share of those who ended whose last avslut was to arbete or
studier. From marts.kolada_resultat_vid_avslut; kommunal anställning per jobbtorg is withheld (see the
table's definition)."""

from __future__ import annotations

import duckdb

from jobbtorg_pipeline.report.disclosure import Derived, Relation, sums_to
from jobbtorg_pipeline.report.tabell import (
    Chart,
    ReportTable,
    column_sums,
    jobbtorg_levels,
    keyed,
    make_grid,
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
    grid, labels, units = make_grid(
        "kolada",
        keyed(
            query_rows(
                con, "FROM marts.kolada_resultat_vid_avslut WHERE period = ? AND kon = 'totalt'", [period]
            ),
            "jobbtorg",
        ),
        jobbtorg,
        {
            "avslutade": ("Avslutade", "antal"),
            "arbete": ("Arbete", "antal"),
            "studier": ("Studier", "antal"),
            "kommunal_anstallning": ("Kommunal anställning (räknas ej)", "antal"),
            "arbete_eller_studier": ("Arbete eller studier", "antal"),
            "andel_arbete_eller_studier": ("Andel arbete eller studier", "andel"),
        },
        lambda r, c: stat("kolada_resultat_vid_avslut", c, jobbtorg=r, kon="totalt"),
        total_columns=["avslutade", "arbete_eller_studier"],
        derived={"andel_arbete_eller_studier": Derived("avslutade", "arbete_eller_studier")},
    )
    # kommunal anställning per jobbtorg is not shown, but a reader can work it out (avslut till arbete
    # minus arbete): withheld, and protected like a shown count when it is small
    grid.withheld = {(r, "kommunal_anstallning") for r in details}
    for r in jobbtorg:
        relations.append(
            sums_to(
                grid.key(r, "arbete_eller_studier"), [grid.key(r, "arbete"), grid.key(r, "studier")], "kolada"
            )
        )
        relations.append(  # an avslut for work is regular work or a municipal employment
            sums_to(
                unika.key(r, "avslut_arbete"),
                [grid.key(r, "arbete"), grid.key(r, "kommunal_anstallning")],
                "arbete = reguljärt + kommunalt",
            )
        )
    relations += column_sums(
        grid,
        details,
        "totalt",
        ["arbete", "kommunal_anstallning", "arbete_eller_studier"],
        "jobbtorg, sista avslut",
        exact=False,
        nested=False,
    )
    built.append(
        ReportTable(
            "kolada",
            "Kolada: resultat vid avslut",
            "Hur stor andel av dem som avslutades gick till arbete eller studier (Koladas nyckeltal)?",
            "Andel av de avslutade vars sista avslut var till arbete på den reguljära arbetsmarknaden "
            "(osubventionerat eller subventionerat) eller studier. En kommunal arbetsmarknadsanställning, som "
            "en visstidsanställning, räknas inte som arbete: ett avslut till subventionerat arbete medan eller "
            "inom 30 dagar efter en visstidsanställning räknas som kommunal anställning (en uppskattning); "
            "osubventionerat arbete räknas alltid som arbete. Koladas krav att anställningen varat minst en "
            "månad och att studierna ger rätt till studiemedel kan inte kontrolleras. Kommunal anställning "
            "redovisas bara för hela staden: per jobbtorg är den så liten att den bara skulle behöva "
            "döljas. Den går ändå att räkna ut som avslut till arbete minus arbete, så där den är liten döljs "
            "också någon av de siffror den följer av.",
            "kolada_resultat_vid_avslut",
            "Jobbtorg",
            labels,
            units,
            grid,
            Chart("andel_arbete_eller_studier", jobbtorg, "andel"),
        )
    )
    return built, relations
