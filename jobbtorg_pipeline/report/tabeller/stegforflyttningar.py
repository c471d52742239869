"""Stegförflyttningar: what came next within 90 days after an insats ended, the aspirants' stepwise movement
that arbetsmarknadsnämnden asked to make visible (the answer on long-term statistics, 2016-02-02,
ärende 11).

From marts.stegforflyttningar, counted in transitions (insatser that ended), which add up both ways: each
ended insats has one insatstyp and one next step. A next insats of any type is one column here (the marts
hold the type); its parts are not shown.
"""

from __future__ import annotations

from typing import Any

import duckdb

from jobbtorg_pipeline.report.disclosure import Key, Relation, sums_to
from jobbtorg_pipeline.report.tabell import (
    Chart,
    ReportTable,
    insatstyp_label,
    insatstyper,
    make_grid,
    query_rows,
    stat,
)

STEG = {
    "ny_insats": "Ny insats",
    "arbete_eller_studier": "Avslut till arbete eller studier",
    "aterremiss": "Återremiss",
    "annat_avslut": "Annat avslut",
    "inget_inom_90_dagar": "Inget inom 90 dagar",
    "inget_annu": "Ännu inget (90 dagar har inte gått)",
}
# the marts' next steps in each of these; every other next step is an insatstyp, a new insats
SAMMANSLAGNA = {
    "arbete": "arbete_eller_studier",
    "studier": "arbete_eller_studier",
    "aterremiss": "aterremiss",
    "ovrigt": "annat_avslut",
    "saknas": "annat_avslut",
    "inget_inom_90_dagar": "inget_inom_90_dagar",
    "inget_annu": "inget_annu",
}
AVSLUT = ("arbete_eller_studier", "aterremiss", "annat_avslut")
# per insatstyp the avslut in one column: split three ways the counts are mostly too small to show
MATRIS = {
    "ny_insats": "Ny insats",
    "avslut": "Avslut",
    "inget_inom_90_dagar": "Inget inom 90 dagar",
    "inget_annu": "Ännu inget",
    "totalt": "Avslutade insatser",
}


def key(row: str, column: str) -> Key:
    return stat("stegforflyttningar", "overgangar", fran_insatstyp=row, till=column)


def tabell(
    con: duckdb.DuckDBPyConnection, period: str, threshold: int, tables: dict[str, ReportTable]
) -> tuple[list[ReportTable], list[Relation]]:
    rows = insatstyper(con, "stegforflyttningar", "fran_insatstyp")
    details = rows[:-1]
    records: dict[str, dict[str, Any]] = {}
    for r in query_rows(
        con,
        """
        SELECT fran_insatstyp,
               coalesce(map_extract_value(?::MAP(VARCHAR, VARCHAR), till), 'ny_insats') AS steg,
               sum(overgangar) AS overgangar
        FROM marts.stegforflyttningar
        WHERE period = ? AND till <> 'totalt'
        GROUP BY ALL
        """,
        [SAMMANSLAGNA, period],
    ):
        records.setdefault(r["fran_insatstyp"], {})[r["steg"]] = r["overgangar"]
    for record in records.values():
        record["avslut"] = sum(record.get(s, 0) for s in AVSLUT)
        record["totalt"] = sum(record.get(s, 0) for s in STEG)
    grid, labels, units = make_grid(
        "stegforflyttningar",
        records,
        rows,
        {c: (label, "antal") for c, label in MATRIS.items()},
        key,
        total_columns=["totalt"],
    )
    steps = [c for c in MATRIS if c != "totalt"]
    relations = [  # each ended insats has one next step, and one insatstyp
        sums_to(grid.key(r, "totalt"), [grid.key(r, s) for s in steps], "nästa steg") for r in rows
    ]
    relations += [
        sums_to(grid.key("totalt", c), [grid.key(r, c) for r in details], "insatstyp, övergångar")
        for c in MATRIS
    ]
    relations.append(sums_to(key("totalt", "avslut"), [key("totalt", s) for s in AVSLUT], "avslut"))
    matrix = ReportTable(
        "stegforflyttningar",
        "Stegförflyttningar: nästa steg efter en avslutad insats",
        "Vad händer efter en insats? (ärende 2016: synliggör deltagarnas stegförflyttningar)",
        "Insatser som avslutades i perioden, efter vad som kom därnäst för personen inom 90 dagar: en ny "
        "insats (den som påbörjades först, från slutdagen till 90 dagar efter; en insats som började före "
        "slutdagen pågick parallellt och räknas inte), eller inskrivningens avslut, det som kom först; en "
        "ny insats och ett avslut samma dag räknas som ny insats. Inget inom 90 dagar: dagarna har gått "
        "utan något av dem. Ännu inget: 90 dagar har inte gått vid uttagsdatum. Räknat i insatser, inte "
        "personer: en person som avslutat två insatser räknas två gånger. Avsluten efter orsak, för alla "
        "insatstyper, står i tabellen nedan.",
        "stegforflyttningar",
        "Avslutad insats",
        labels,
        units,
        grid,
        row_labels={t: insatstyp_label(t) for t in details},
    )

    overall = records.get("totalt", {})
    grid, labels, units = make_grid(
        "stegforflyttningar_totalt",
        {s: {"overgangar": overall.get(s, 0)} for s in STEG},
        list(STEG),
        {"overgangar": ("Avslutade insatser", "antal")},
        lambda r, c: key("totalt", r),
        total_rows=(),
    )
    chart = ReportTable(
        "stegforflyttningar_totalt",
        "Nästa steg efter en avslutad insats, alla insatstyper",
        "Hur många insatser följs av ett nytt steg, och vilket?",
        "Raden Totalt i tabellen ovan, med avsluten efter orsak: arbete eller studier (osubventionerat "
        "eller subventionerat arbete, studier), återremiss, och annat avslut (flytt, sjukdom, "
        "föräldraledighet, annan orsak, eller orsak saknas).",
        "stegforflyttningar",
        "Nästa steg",
        labels,
        units,
        grid,
        Chart("overgangar", list(STEG), "antal"),
        row_labels=STEG,
    )
    return [matrix, chart], relations
