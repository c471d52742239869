"""Försörjningsstöd per person before registration and 2 and 8 months after avslut, for the city (the
founding decision of 2007 measured -56 % two months after). From marts.forsorjningsstod_fore_efter."""

from __future__ import annotations

import duckdb

from jobbtorg_pipeline.report.disclosure import NOT_YET, Derived, Relation, at_most
from jobbtorg_pipeline.report.tabell import (
    ReportTable,
    keyed,
    make_grid,
    mark_not_yet,
    query_rows,
    stat,
)


def tabell(
    con: duckdb.DuckDBPyConnection, period: str, threshold: int, tables: dict[str, ReportTable]
) -> tuple[list[ReportTable], list[Relation]]:
    built: list[ReportTable] = []
    relations: list[Relation] = []
    unika = tables["unika_individer"].grid
    rows = query_rows(
        con,
        """
        SELECT 'månad +2' AS efter, uppfoljningsbara_2_man AS personer, fore_sek_per_manad_2_man AS fore,
               efter_2_man_sek AS efter_sek, forandring_2_man_procent AS forandring
        FROM marts.forsorjningsstod_fore_efter WHERE period = ? AND jobbtorg = 'totalt' AND kon = 'totalt'
        UNION ALL
        SELECT 'månad +8', uppfoljningsbara_8_man, fore_sek_per_manad_8_man, efter_8_man_sek,
               forandring_8_man_procent
        FROM marts.forsorjningsstod_fore_efter WHERE period = ? AND jobbtorg = 'totalt' AND kon = 'totalt'
        """,
        [period, period],
    )
    grid, labels, units = make_grid(
        "forsorjningsstod_fore_efter",
        keyed(rows, "efter"),
        [str(r["efter"]) for r in rows],
        {
            "personer": ("Personer", "antal"),
            "fore": ("Före, kr per månad", "sek"),
            "efter_sek": ("Efter, kr", "sek"),
            "forandring": ("Förändring, %", "procent"),
        },
        lambda r, c: stat("forsorjningsstod_fore_efter", c, jobbtorg="totalt", kon="totalt", efter=r),
        total_rows=(),
        derived={c: Derived("personer") for c in ("fore", "efter_sek", "forandring")},
    )
    for r in grid.rows:  # of those who ended in the period
        relations.append(at_most(grid.key(r, "personer"), unika.key("totalt", "avslutade"), "före och efter"))
    mark_not_yet(grid, unika.values[("totalt", "avslutade")], "personer", ["fore", "efter_sek", "forandring"])
    built.append(
        ReportTable(
            "forsorjningsstod_fore_efter",
            "Försörjningsstöd före och efter",
            "Minskar kostnaderna för försörjningsstöd efter Jobbtorg? (2007: -56 % två månader efter avslut)",
            "Genomsnittligt nettoutbetalt försörjningsstöd per person: per månad under de tre månaderna före "
            "inskrivningsmånaden, och månad +2 och +8 efter avslutsmånaden, för dem som avslutades i perioden "
            "och vars månader finns i de levererade utbetalningarna. "
            f"{NOT_YET.capitalize()}: ingen av dem kan följas upp än (månaden har inte kommit, eller dess "
            "utbetalningar är inte levererade).",
            "forsorjningsstod_fore_efter",
            "Efter avslut",
            labels,
            units,
            grid,
        )
    )
    return built, relations
