"""Arbetsträning in egen and extern regi: who began, what became of those who ended, and those who ended
by kön (arbetsmarknadsnämnden 2019-11-26, ärende 6). From marts.arbetstraning_deltagare and
marts.arbetstraning_resultat."""

from __future__ import annotations

from typing import Any

import duckdb

from jobbtorg_pipeline.report.disclosure import Derived, Relation, sums_to
from jobbtorg_pipeline.report.tabell import (
    LABELS,
    REGI,
    Chart,
    ReportTable,
    column_sums,
    keyed,
    kon_levels,
    make_grid,
    query_rows,
    stat,
)


def _paborjade(con: duckdb.DuckDBPyConnection, period: str) -> tuple[list[ReportTable], list[Relation]]:
    """Who began arbetsträning, by regi and kön."""
    built: list[ReportTable] = []
    relations: list[Relation] = []
    rows = query_rows(con, "FROM marts.arbetstraning_deltagare WHERE period = ?", [period])
    kon = kon_levels(rows, ["paborjade"])
    by_regi: dict[str, dict[str, Any]] = {}
    for row in rows:
        by_regi.setdefault(row["regi"], {})[row["kon"]] = row["paborjade"]
    grid, labels, units = make_grid(
        "arbetstraning_paborjade",
        by_regi,
        [*REGI, "totalt"],
        {k: (LABELS[k], "antal") for k in (*kon, "totalt")},
        lambda r, c: stat("arbetstraning_deltagare", "paborjade", regi=r, kon=c),
        total_columns=["totalt"],
    )
    for r in grid.rows:
        relations.append(sums_to(grid.key(r, "totalt"), [grid.key(r, k) for k in kon], "kön"))
    relations += column_sums(grid, REGI, "totalt", [*kon, "totalt"], "regi", exact=False)
    built.append(
        ReportTable(
            "arbetstraning_paborjade",
            "Personer som påbörjat arbetsträning, egen och extern regi",
            "Hur många påbörjade arbetsträning i egen regi och hos upphandlad anordnare? (ärende 2019)",
            "Personer med en arbetsträning (insatstyp arbetstraning) med startdatum i perioden. Egen regi: "
            "stadens egna, skyddade arbetsplatser; extern regi: upphandlad, på den reguljära arbetsmarknaden. "
            "En person med båda räknas en gång i totalt.",
            "arbetstraning_deltagare",
            "Regi",
            labels,
            units,
            grid,
            Chart("totalt", list(REGI), "antal"),
        )
    )

    return built, relations


def _resultat(results: list[dict[str, Any]]) -> tuple[list[ReportTable], list[Relation]]:
    """What became of those who ended, by regi."""
    built: list[ReportTable] = []
    relations: list[Relation] = []
    parts = ["arbete_eller_studier", "fortsatt_inskrivna", "aterremitterade", "ovrigt"]
    result_columns = {
        "avslutat_arbetstraning": ("Avslutat arbetsträning", "antal"),
        "arbete_eller_studier": ("Arbete eller studier", "antal"),
        "fortsatt_inskrivna": ("Fortsatt inskrivna", "antal"),
        "aterremitterade": ("Återremitterade", "antal"),
        "ovrigt": ("Övrigt", "antal"),
        "andel_arbete_eller_studier": ("Andel arbete eller studier", "andel"),
        "andel_fortsatt_inskrivna": ("Andel fortsatt inskrivna", "andel"),
        "andel_aterremitterade": ("Andel återremitterade", "andel"),
    }
    result_shares = {
        "andel_arbete_eller_studier": Derived("avslutat_arbetstraning", "arbete_eller_studier"),
        "andel_fortsatt_inskrivna": Derived("avslutat_arbetstraning", "fortsatt_inskrivna"),
        "andel_aterremitterade": Derived("avslutat_arbetstraning", "aterremitterade"),
    }
    grid, labels, units = make_grid(
        "arbetstraning_resultat",
        keyed([r for r in results if r["kon"] == "totalt"], "regi"),
        [*REGI, "totalt"],
        result_columns,
        lambda r, c: stat("arbetstraning_resultat", c, regi=r, kon="totalt"),
        total_columns=["avslutat_arbetstraning"],
        derived=result_shares,
    )
    for r in grid.rows:  # everyone who ended had one of the four outcomes
        relations.append(
            sums_to(grid.key(r, "avslutat_arbetstraning"), [grid.key(r, p) for p in parts], "resultat")
        )
    relations += column_sums(grid, REGI, "totalt", ["avslutat_arbetstraning"], "regi", exact=False)
    relations += column_sums(grid, REGI, "totalt", parts, "regi", exact=False, nested=False)
    result_definition = (
        "Personer vars arbetsträning avslutades i perioden (den sista om flera), efter hur den inskrivning "
        "som arbetsträningen hörde till står vid uttagsdatum: avslutad till arbete eller studier, "
        "fortfarande öppen, återremitterad eller avslutad av annat skäl."
    )
    built.append(
        ReportTable(
            "arbetstraning_resultat",
            "Resultat efter arbetsträning",
            "Vad hände med dem som avslutade arbetsträning? (2018: 24 % arbete eller studier, 27 % fortsatt "
            "inskrivna, 33 % återremitterade)",
            result_definition + " Kvinnor och män tillsammans; antalet som avslutade efter kön står i "
            "tabellen nedan.",
            "arbetstraning_resultat",
            "Regi",
            labels,
            units,
            grid,
            Chart("andel_arbete_eller_studier", grid.rows, "andel"),
        )
    )

    return built, relations


def _avslutade_kon(results: list[dict[str, Any]]) -> tuple[list[ReportTable], list[Relation]]:
    """Those who ended, by regi and kön."""
    built: list[ReportTable] = []
    relations: list[Relation] = []
    # kön for the number who ended only: its totalt column is the results table's avslutat_arbetstraning
    kon = kon_levels(results, ["avslutat_arbetstraning"])
    ended: dict[str, dict[str, Any]] = {}
    for row in results:
        ended.setdefault(row["regi"], {})[row["kon"]] = row["avslutat_arbetstraning"]
    grid, labels, units = make_grid(
        "arbetstraning_avslutade_kon",
        ended,
        [*REGI, "totalt"],
        {k: (LABELS[k], "antal") for k in (*kon, "totalt")},
        lambda r, c: stat("arbetstraning_resultat", "avslutat_arbetstraning", regi=r, kon=c),
        total_columns=["totalt"],
    )
    for r in grid.rows:
        relations.append(sums_to(grid.key(r, "totalt"), [grid.key(r, k) for k in kon], "kön"))
    relations += column_sums(grid, REGI, "totalt", kon, "regi", exact=False)
    built.append(
        ReportTable(
            "arbetstraning_avslutade_kon",
            "Avslutad arbetsträning efter kön, egen och extern regi",
            "Hur många kvinnor och män avslutade arbetsträning i egen och i extern regi? (ärende 2019: en "
            "större andel kvinnor än män deltog i arbetsträningen i egen regi)",
            "Personer vars arbetsträning avslutades i perioden (den sista om flera), efter kön och regi; "
            "totalt är de avslutade i tabellen ovan. Kön enligt personens senast registrerade kön, annars "
            "enligt personnumret. Resultaten redovisas inte efter kön: delade på både kön och fyra utfall "
            "blir grupperna så små att de flesta siffrorna, och med dem resultaten för egen och extern "
            "regi, skulle behöva döljas.",
            "arbetstraning_resultat",
            "Regi",
            labels,
            units,
            grid,
        )
    )
    return built, relations


def tabell(
    con: duckdb.DuckDBPyConnection, period: str, threshold: int, tables: dict[str, ReportTable]
) -> tuple[list[ReportTable], list[Relation]]:
    results = query_rows(con, "FROM marts.arbetstraning_resultat WHERE period = ?", [period])
    made = [_paborjade(con, period), _resultat(results), _avslutade_kon(results)]
    return [t for found, _ in made for t in found], [r for _, related in made for r in related]
