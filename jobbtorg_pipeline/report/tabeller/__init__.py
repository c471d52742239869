"""The report's tables by målgrupp and of insatser, one module each: its query, its words and the
relations a reader knows between its figures and the rest of the report (so that disclosure control
protects them together with every other table).

Each module has `tabell(con, period, threshold, tables)`: `tables` are the report's tables built before
it (by id), whose statistics it may share or relate to; it returns its table(s) and relations.
"""

from __future__ import annotations

import duckdb

from jobbtorg_pipeline.report.content import ReportTable
from jobbtorg_pipeline.report.disclosure import Relation
from jobbtorg_pipeline.report.tabeller import insatser, insatser_resultat, malgrupp, stegforflyttningar

MODULER = (malgrupp, insatser, insatser_resultat, stegforflyttningar)


def build(
    con: duckdb.DuckDBPyConnection, period: str, threshold: int, tables: list[ReportTable]
) -> tuple[list[ReportTable], list[Relation]]:
    """The tables of every module, in order, and their relations."""
    built: list[ReportTable] = []
    relations: list[Relation] = []
    for modul in MODULER:
        new, related = modul.tabell(con, period, threshold, {t.id: t for t in [*tables, *built]})
        built += new
        relations += related
    return built, relations
