"""Data quality: source rows in the period and how many the JUST-team rules quarantined, per source and
per rule. From marts.datakvalitet. Always the report's last tables."""

from __future__ import annotations

import duckdb

from jobbtorg_pipeline.report.disclosure import Derived, Grid, Relation, at_most
from jobbtorg_pipeline.report.tabell import (
    KALLOR,
    OVRIGA_REGLER,
    ReportTable,
    column_sums,
    keyed,
    make_grid,
    orderings,
    query_rows,
    stat,
)


def rule_source(regel: str) -> str | None:
    """The source a quarantine rule belongs to: `utbetalningar.belopp_tal` -> `utbetalningar` (the ids
    in staging.karantan are qualified so, `<kalla>.felaktig_rad` included); None for anything else."""
    kalla = regel.split(".", 1)[0]
    return kalla if "." in regel and kalla in KALLOR else None


def _per_kalla(con: duckdb.DuckDBPyConnection, period: str) -> tuple[list[ReportTable], list[Relation]]:
    """Rows read and quarantined per source."""
    built: list[ReportTable] = []
    relations: list[Relation] = []
    rows = query_rows(
        con,
        """
        SELECT kalla, sum(rader_lasta)::BIGINT AS rader_lasta, sum(rader_i_karantan)::BIGINT AS rader_i_karantan,
               sum(rader_i_karantan) / nullif(sum(rader_lasta), 0) AS andel_i_karantan
        FROM marts.datakvalitet WHERE period = ? AND jobbtorg = 'totalt' AND regel = 'totalt'
        GROUP BY kalla
        """,
        [period],
    )
    kvalitet, labels, units = make_grid(
        "datakvalitet",
        keyed(rows, "kalla"),
        [*KALLOR, "totalt"],
        {
            "rader_lasta": ("Rader i uttagen", "antal"),
            "rader_i_karantan": ("Rader i karantän", "antal"),
            "andel_i_karantan": ("Andel i karantän", "andel"),
        },
        lambda r, c: stat("datakvalitet", c, kalla=r),
        derived={"andel_i_karantan": Derived("rader_lasta", "rader_i_karantan")},
    )
    for c in ("rader_lasta", "rader_i_karantan"):  # rows of the three sources: the total is their sum
        kvalitet.values[("totalt", c)] = sum(kvalitet.values[(k, c)] for k in KALLOR)
    lasta, karantan = (
        kvalitet.values[("totalt", "rader_lasta")],
        kvalitet.values[("totalt", "rader_i_karantan")],
    )
    kvalitet.values[("totalt", "andel_i_karantan")] = karantan / lasta if lasta else None
    relations += column_sums(
        kvalitet, KALLOR, "totalt", ["rader_lasta", "rader_i_karantan"], "källor", exact=True
    )
    relations += orderings(kvalitet, [("rader_i_karantan", "rader_lasta")], "karantän")
    built.append(
        ReportTable(
            "datakvalitet",
            "Datakvalitet: rader som inte räknas",
            "Går statistiken att lita på? (JUST-teamets uppdrag)",
            "Rader i uttagen (med datum i perioden) och hur många av dem som bröt mot en JUST-regel och därför "
            "hamnade i karantän i stället för i statistiken. Reglerna beskrivs i docs/just-rules.md.",
            "datakvalitet",
            "Källa",
            labels,
            units,
            kvalitet,
        )
    )

    return built, relations


def _per_regel(
    con: duckdb.DuckDBPyConnection, period: str, threshold: int, kvalitet: Grid
) -> tuple[list[ReportTable], list[Relation]]:
    """Rows quarantined per rule, the rules under the threshold together."""
    built: list[ReportTable] = []
    relations: list[Relation] = []
    rows = query_rows(
        con,
        """
        SELECT regel, sum(rader_i_karantan)::BIGINT AS rader_i_karantan
        FROM marts.datakvalitet WHERE period = ? AND jobbtorg = 'totalt' AND regel <> 'totalt'
        GROUP BY regel ORDER BY regel
        """,
        [period],
    )
    shown = [str(r["regel"]) for r in rows if r["rader_i_karantan"] >= threshold]
    records = keyed(rows, "regel")
    records[OVRIGA_REGLER] = {
        "rader_i_karantan": sum(r["rader_i_karantan"] for r in rows if str(r["regel"]) not in shown)
    }
    grid, labels, units = make_grid(
        "datakvalitet_regler",
        records,
        [*shown, OVRIGA_REGLER],
        {"rader_i_karantan": ("Rader i karantän", "antal")},
        lambda r, c: stat("datakvalitet", c, regel=r),
        total_rows=(),
    )
    for r in shown:  # a rule's rows are quarantined rows of its source, which its id names first
        kalla = rule_source(r)
        relations.append(
            at_most(
                grid.key(r, "rader_i_karantan"),
                kvalitet.key(kalla, "rader_i_karantan")
                if kalla
                else kvalitet.key("totalt", "rader_i_karantan"),
                "regel",
            )
        )
    relations.append(
        at_most(
            grid.key(OVRIGA_REGLER, "rader_i_karantan"), kvalitet.key("totalt", "rader_i_karantan"), "regler"
        )
    )
    relations.append(  # every quarantined row broke at least one rule
        at_most(
            kvalitet.key("totalt", "rader_i_karantan"),
            [grid.key(r, "rader_i_karantan") for r in grid.rows],
            "regler",
        )
    )
    built.append(
        ReportTable(
            "datakvalitet_regler",
            "Datakvalitet per JUST-regel",
            "Vilka regler bryts?",
            "Rader i karantän per regel (en rad kan bryta mot flera regler). Regler som färre än "
            f"{threshold} rader bröt mot redovisas tillsammans som övriga regler.",
            "datakvalitet",
            "Regel",
            labels,
            units,
            grid,
            row_labels={OVRIGA_REGLER: "Övriga regler"},
        )
    )
    return built, relations


def tabell(
    con: duckdb.DuckDBPyConnection, period: str, threshold: int, tables: dict[str, ReportTable]
) -> tuple[list[ReportTable], list[Relation]]:
    made = [_per_kalla(con, period)]
    made.append(_per_regel(con, period, threshold, made[0][0][0].grid))
    return [t for found, _ in made for t in found], [r for _, related in made for r in related]
