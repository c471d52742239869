"""Inskrivna, avslutade and their results by målgrupp (the founding decision: the key figures "i största
möjliga mån vara målgruppsrelaterade").

From marts.unika_individer_grupper and marts.kolada_resultat_vid_avslut_grupper (dimension `malgrupp`,
over all jobbtorg and both kön). A group is counted as the marts count a jobbtorg: a person under two
målgrupper in the period counts once in each and once in Totalt, so the groups add up to at least the
total (not exactly), and each group's figure is at most the total's. Every registration has a målgrupp
(`okänd` when none was recorded), so nobody in the total is outside every group. The share to arbete or
studier rests on each person's last avslut within the group, which may differ from their last avslut
over all groups: that column's groups need not contain the total's persons as subsets.
"""

from __future__ import annotations

from typing import Any

import duckdb

from jobbtorg_pipeline.report.disclosure import Derived, Key, Relation
from jobbtorg_pipeline.report.tabell import (
    ReportTable,
    column_sums,
    keyed,
    make_grid,
    orderings,
    query_rows,
    stat,
)

MALGRUPPER = {
    "fsst_arbetsloshet": "Försörjningsstöd, arbetslöshet",
    "fsst_annat": "Försörjningsstöd, andra skäl",
    "sfi": "SFI",
    "etablering": "Etablering",
    "ungdom": "Ungdomar 16-24 år",
    "funktionsnedsattning": "Funktionsnedsättning",
    "okänd": "Målgrupp saknas",
    "totalt": "Totalt",
}
PERSONER = ("inskrivna", "avslutade")


def grupper(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every målgrupp of the marts (any period), so that a row's presence says nothing about its counts."""
    found = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT grupp FROM marts.unika_individer_grupper WHERE dimension = 'malgrupp'"
        ).fetchall()
    }
    return [g for g in MALGRUPPER if g in found] + sorted(found - set(MALGRUPPER)) + ["totalt"]


def key(row: str, column: str) -> Key:
    """The statistic of a cell; the Totalt row is the statistic the report shows for the whole city."""
    mart = "kolada_resultat_vid_avslut" if column == "arbete_eller_studier" else "unika_individer"
    groups = {} if row == "totalt" else {"malgrupp": row}
    return stat(mart, column, jobbtorg="totalt", kon="totalt", **groups)


def tabell(
    con: duckdb.DuckDBPyConnection, period: str, threshold: int, tables: dict[str, ReportTable]
) -> tuple[list[ReportTable], list[Relation]]:
    rows = grupper(con)
    details = rows[:-1]
    found = query_rows(
        con,
        """
        SELECT u.grupp, u.inskrivna, u.avslutade, k.arbete_eller_studier, k.andel_arbete_eller_studier
        FROM marts.unika_individer_grupper AS u
        LEFT JOIN marts.kolada_resultat_vid_avslut_grupper AS k
          USING (period, jobbtorg, kon, dimension, grupp)
        WHERE u.period = ? AND u.jobbtorg = 'totalt' AND u.kon = 'totalt' AND u.dimension = 'malgrupp'
        UNION ALL
        SELECT 'totalt', u.inskrivna, u.avslutade, k.arbete_eller_studier, k.andel_arbete_eller_studier
        FROM marts.unika_individer AS u
        LEFT JOIN marts.kolada_resultat_vid_avslut AS k USING (period, jobbtorg, kon)
        WHERE u.period = ? AND u.jobbtorg = 'totalt' AND u.kon = 'totalt'
        """,
        [period, period],
    )
    records: dict[str, dict[str, Any]] = keyed(found, "grupp")
    grid, labels, units = make_grid(
        "malgrupp",
        records,
        rows,
        {
            "inskrivna": ("Inskrivna", "antal"),
            "avslutade": ("Avslutade", "antal"),
            "arbete_eller_studier": ("Avslutade till arbete eller studier", "antal"),
            "andel_arbete_eller_studier": ("Andel arbete eller studier", "andel"),
        },
        key,
        total_columns=["avslutade"],
        derived={"andel_arbete_eller_studier": Derived("avslutade", "arbete_eller_studier")},
    )
    relations = column_sums(grid, details, "totalt", list(PERSONER), "målgrupp", exact=False)
    relations += column_sums(  # each person's last avslut within the group: not nested in the total's
        grid, details, "totalt", ["arbete_eller_studier"], "målgrupp, sista avslut", exact=False, nested=False
    )
    relations += orderings(
        grid,
        [("avslutade", "inskrivna"), ("arbete_eller_studier", "avslutade")],
        "målgrupp",
    )
    table = ReportTable(
        "malgrupp",
        "Inskrivna, avslutade och resultat efter målgrupp",
        "Hur går det för de olika målgrupperna? (beslutet 2007: nyckeltalen ska i största möjliga mån vara "
        "målgruppsrelaterade)",
        "Målgrupp enligt inskrivningen. En person som under perioden haft inskrivningar i två målgrupper "
        "räknas en gång i varje och en gång i totalt, så målgrupperna summerar till minst totalt. Andel "
        "arbete eller studier: av de avslutade, andelen vars sista avslut i målgruppen var till arbete på "
        "den reguljära arbetsmarknaden eller studier (Koladas nyckeltal, som i tabellen Kolada: resultat "
        "vid avslut). Målgrupp saknas: inskrivningar utan registrerad målgrupp.",
        "unika_individer_grupper",
        "Målgrupp",
        labels,
        units,
        grid,
        row_labels={g: MALGRUPPER.get(g, g) for g in rows},
    )
    return [table], relations
