"""The report's tables, one module per subject: its query, its words and the relations a reader knows
between its figures and the rest of the report (so that disclosure control protects them together with
every other table).

Each module has `tabell(con, period, threshold, tables)`: `tables` are the report's tables built before
it (by id), whose statistics it may share or relate to; it returns its table(s) and relations. The
report shows them in the order of MODULER.
"""

from __future__ import annotations

import duckdb

from jobbtorg_pipeline.report.disclosure import Relation
from jobbtorg_pipeline.report.tabell import ReportTable
from jobbtorg_pipeline.report.tabeller import (
    arbetstraning,
    aterremisser,
    datakvalitet,
    forsorjningsstod_fore_efter,
    insatser,
    insatser_resultat,
    kolada,
    malgrupp,
    parallella_insatser,
    processen,
    sjalvforsorjning,
    stegforflyttningar,
    unika_individer,
)

MODULER = (
    unika_individer,
    aterremisser,
    parallella_insatser,
    arbetstraning,
    sjalvforsorjning,
    processen,
    kolada,
    forsorjningsstod_fore_efter,
    malgrupp,
    insatser,
    insatser_resultat,
    stegforflyttningar,
    datakvalitet,
)


# The modules of the headline tables: those set beside a year earlier and the year to date.
HUVUDTABELLER = (unika_individer, arbetstraning, sjalvforsorjning, kolada, insatser)


def build(
    con: duckdb.DuckDBPyConnection, period: str, threshold: int, moduler: tuple = MODULER
) -> tuple[list[ReportTable], list[Relation]]:
    """The tables of every module (or of `moduler`), in order, and their relations."""
    built: list[ReportTable] = []
    relations: list[Relation] = []
    for modul in moduler:
        new, related = modul.tabell(con, period, threshold, {t.id: t for t in built})
        built += new
        relations += related
    return built, relations
