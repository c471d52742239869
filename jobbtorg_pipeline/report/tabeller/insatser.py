"""Deltagare and årsplatser per insatstyp, and in egen and extern regi (the answer on arbetsträning,
arbetsmarknadsnämnden 2019-11-26, ärende 6: the city has no fixed number of places, and egen regi "har haft
en relativt låg beläggning av årsplatser").

From marts.insatser over all jobbtorg and both kön. Deltagare are persons: one with insatser of two types,
or in both regi, counts once in the total, so the parts add up to at least the total. Årsplatser are
places, not persons, and add up exactly. They are shown only where no reader can tell from them whether
a hidden count of deltagare is 0 (the disclosure control's additive measures).

Three tables: per insatstyp, and per regi for arbetsträning (the committee's question) and for all
insatser. Every insatstyp by regi would be a table of mostly small counts, costly to protect and mostly
hidden; the analysts' file holds it.
"""

from __future__ import annotations

from typing import Any

import duckdb

from jobbtorg_pipeline.report.disclosure import Key, Relation
from jobbtorg_pipeline.report.tabell import (
    LABELS,
    Chart,
    ReportTable,
    column_sums,
    insatstyp_label,
    insatstyper,
    make_grid,
    query_rows,
    stat,
)

REGI = ("egen", "extern", "totalt")
COLUMNS = {"deltagare": ("Deltagare", "antal"), "arsplatser": ("Årsplatser", "platser")}
DEFINITION = (
    "Deltagare: personer med en insats som pågått under perioden (påbörjad senast periodens sista dag och "
    "avslutad tidigast dess första dag, eller pågående vid uttagsdatum). Årsplatser: insatsernas dagar "
    "under perioden delat med periodens antal dagar (fram till uttagsdatum för en pågående period), alltså "
    "hur många platser som i genomsnitt var upptagna samtidigt; en person med två insatser samtidigt tar "
    "två platser. Årsplatserna summerar exakt; de döljs tillsammans med antalet deltagare de bygger på, och "
    "i så många rader att ingen dold siffra kan räknas fram ur de andra."
)


def deltagare(insatstyp: str, regi: str) -> Key:
    """The statistic of a deltagare count. Two are shown in other tables under another mart's name: all
    persons with an insats (parallella insatser) and arbetsträning's deltagare (per regi)."""
    if insatstyp == "totalt" and regi == "totalt":
        return stat("parallella_insatser", "personer_med_insats", jobbtorg="totalt", kon="totalt")
    if insatstyp == "arbetstraning":
        return stat("arbetstraning_deltagare", "deltagare", regi=regi, kon="totalt")
    return stat("insatser", "deltagare", insatstyp=insatstyp, regi=regi, jobbtorg="totalt", kon="totalt")


def _figures(con: duckdb.DuckDBPyConnection, period: str) -> dict[tuple[str, str], dict[str, Any]]:
    """(insatstyp, regi) -> deltagare and årsplatser; no row where nothing was active (0 and 0.0)."""
    return {
        (r["insatstyp"], r["regi"]): r
        for r in query_rows(
            con,
            "SELECT insatstyp, regi, deltagare, arsplatser FROM marts.insatser "
            "WHERE period = ? AND jobbtorg = 'totalt' AND kon = 'totalt'",
            [period],
        )
    }


def _table(
    name: str, figures: dict[tuple[str, str], dict[str, Any]], rows: dict[str, tuple[str, str]]
) -> tuple[Any, dict[str, str], dict[str, str], list[Relation]]:
    """A grid of deltagare and årsplatser, a row per (insatstyp, regi) of `rows`, the last row the
    total of the others, with årsplatser as the additive measure of deltagare."""
    records = {i: {"deltagare": 0, "arsplatser": 0.0, **figures.get(r, {})} for i, r in rows.items()}
    grid, labels, units = make_grid(name, records, list(rows), COLUMNS, lambda r, c: deltagare(*rows[r]))
    grid.measures = {"arsplatser": "deltagare"}
    grid.measure_groups = [("arsplatser",)]
    *details, total = rows
    relations = column_sums(grid, details, total, ["deltagare"], name, exact=False)
    return grid, labels, units, relations


def tabell(
    con: duckdb.DuckDBPyConnection, period: str, threshold: int, tables: dict[str, ReportTable]
) -> tuple[list[ReportTable], list[Relation]]:
    figures = _figures(con, period)
    typer = insatstyper(con, "insatser")
    grid, labels, units, relations = _table("insatser", figures, {t: (t, "totalt") for t in typer})
    per_typ = ReportTable(
        "insatser",
        "Deltagare och årsplatser per insatstyp",
        "Hur många deltar i de olika insatserna, och hur många platser tar de i anspråk? (ärende 2019: "
        "staden har inget fast antal platser)",
        DEFINITION + " En person med insatser av flera typer räknas en gång i totalt, så typerna summerar "
        "till minst totalt.",
        "insatser",
        "Insatstyp",
        labels,
        units,
        grid,
        Chart("arsplatser", typer[:-1], "platser"),
        row_labels={t: insatstyp_label(t) for t in typer[:-1]},
    )
    built = [per_typ]
    for insatstyp, name, title, question in (
        (
            "arbetstraning",
            "arbetstraning_regi",
            "Arbetsträning: deltagare och årsplatser i egen och extern regi",
            "Hur många platser i arbetsträning användes i egen regi och hos upphandlade anordnare? "
            "(ärende 2019: egen regi har haft en relativt låg beläggning av årsplatser)",
        ),
        (
            "totalt",
            "insatser_regi",
            "Alla insatser: deltagare och årsplatser i egen och extern regi",
            "Hur fördelar sig insatserna på stadens egen regi och upphandlade anordnare?",
        ),
    ):
        grid, labels, units, related = _table(name, figures, {r: (insatstyp, r) for r in REGI})
        relations += related
        built.append(
            ReportTable(
                name,
                title,
                question,
                DEFINITION + " En person med insatser i båda regiformerna räknas en gång i totalt.",
                "insatser",
                "Regi",
                labels,
                units,
                grid,
                row_labels={r: LABELS[r] for r in REGI},
            )
        )
    return built, relations
