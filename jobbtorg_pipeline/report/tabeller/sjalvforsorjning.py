"""Self-sufficiency 3-48 months after avslut, for the city (the answer on long-term statistics,
arbetsmarknadsnämnden 2016-02-02, ärende 11: followed up to four years). From marts.sjalvforsorjning;
a month that cannot be followed yet is marked as not yet known."""

from __future__ import annotations

import duckdb

from jobbtorg_pipeline.report.disclosure import NOT_YET, Derived, Relation
from jobbtorg_pipeline.report.tabell import (
    Chart,
    ReportTable,
    keyed,
    make_grid,
    mark_not_yet,
    orderings,
    query_rows,
    stat,
)


def tabell(
    con: duckdb.DuckDBPyConnection, period: str, threshold: int, tables: dict[str, ReportTable]
) -> tuple[list[ReportTable], list[Relation]]:
    built: list[ReportTable] = []
    relations: list[Relation] = []
    rows = query_rows(
        con,
        """
        SELECT manader_efter_avslut::VARCHAR || ' mån' AS efter, manader_efter_avslut AS manader, avslutade,
               uppfoljningsbara, sjalvforsorjande, andel_sjalvforsorjande
        FROM marts.sjalvforsorjning WHERE period = ? AND jobbtorg = 'totalt' AND kon = 'totalt'
        ORDER BY manader_efter_avslut
        """,
        [period],
    )
    grid, labels, units = make_grid(
        "sjalvforsorjning",
        keyed(rows, "efter"),
        [str(r["efter"]) for r in rows],
        {
            "avslutade": ("Avslutade", "antal"),
            "uppfoljningsbara": ("Kan följas upp", "antal"),
            "sjalvforsorjande": ("Självförsörjande", "antal"),
            "andel_sjalvforsorjande": ("Andel självförsörjande", "andel"),
        },
        lambda r, c: stat("sjalvforsorjning", c, jobbtorg="totalt", kon="totalt", manader=r.split()[0]),
        total_rows=(),
        derived={"andel_sjalvforsorjande": Derived("uppfoljningsbara", "sjalvforsorjande")},
    )
    for r in grid.rows:
        mark_not_yet(grid, grid.values[(r, "avslutade")], "uppfoljningsbara", ["andel_sjalvforsorjande"], [r])
    relations += orderings(
        grid,
        [("uppfoljningsbara", "avslutade"), ("sjalvforsorjande", "uppfoljningsbara")],
        "självförsörjning",
    )
    built.append(
        ReportTable(
            "sjalvforsorjning",
            "Självförsörjning 3-48 månader efter avslut",
            "Leder Jobbtorg till varaktig självförsörjning? (ärende 2016: följs upp till 4 år efter avslut)",
            "Av dem som avslutades i perioden: andelen utan nettoutbetalt försörjningsstöd (återkrav avräknade, "
            "övrigt bistånd ej medräknat) den månad som ligger 3, 6, 12, 18, 24, 36 och 48 månader efter "
            "avslutsmånaden. "
            "Bara personer vars uppföljningsmånad finns i de levererade utbetalningarna räknas. "
            f"{NOT_YET.capitalize()}: ingen av dem kan följas upp än (uppföljningsmånaden har inte kommit, "
            "eller dess utbetalningar är inte levererade).",
            "sjalvforsorjning",
            "Efter avslut",
            labels,
            units,
            grid,
            Chart("andel_sjalvforsorjande", grid.rows, "andel"),
        )
    )
    return built, relations
