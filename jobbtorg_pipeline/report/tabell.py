"""The pieces every table of the committee report is made of: the words shown (Swedish: the report goes
to the labour-market committee), the key of a statistic (`stat`), a table (`ReportTable`) and the helpers
that build its grid from a mart and declare what a reader knows about how its figures hang together
(`Relation`s: sums, orderings), so that disclosure control (`disclosure.py`) can protect the report as
a whole. The tables themselves are in `tabeller/`, one module per subject.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb

from jobbtorg_pipeline.report.disclosure import (
    NOT_YET,
    Derived,
    Grid,
    Key,
    Relation,
    at_most,
    sums_to,
)

KON = ("kvinnor", "män", "okänt")
REGI = ("egen", "extern")
KALLOR = ("inskrivningar", "insatser", "utbetalningar")
LABELS = {
    "totalt": "Totalt",
    "kvinnor": "Kvinnor",
    "män": "Män",
    "okänt": "Okänt kön",
    "egen": "Egen regi",
    "extern": "Extern regi",
    "inskrivningar": "Inskrivningar",
    "insatser": "Insatser",
    "utbetalningar": "Utbetalningar",
}
INSATSTYPER = {
    "kartlaggning": "Kartläggning",
    "vagledning": "Studie- och yrkesvägledning",
    "coachning": "Coachning",
    "jobbsok": "Jobbsök",
    "matchning": "Matchning",
    "forberedande": "Förberedande insatser",
    "arbetstraning": "Arbetsträning",
    "praktik": "Praktik",
    "sfi": "SFI",
    "yrkesutbildning": "Yrkesutbildning",
    "validering": "Validering",
    "visstidsanstallning": "Visstidsanställning",
    "supported_employment": "Supported Employment",
    "ips": "IPS",
    "starta_eget": "Starta eget",
}
OVRIGA_REGLER = "övriga regler"

# The same statistic under two names: one key, so one decision (shown or hidden) wherever it appears.
# Each holds by the marts' definitions (assets/marts/*.sql): every one of these marts counts, per level of
# staging.inskrivning_niva, the persons with an avslutad_i_perioden registration, and kolada's `studier`
# is the group of the same last avslut (latest avslutsdatum, then highest inskrivning_id) as unika's.
SAME_STATISTIC = {
    ("aterremisser", "avslutade"): ("unika_individer", "avslutade"),
    ("kolada_resultat_vid_avslut", "avslutade"): ("unika_individer", "avslutade"),
    ("kolada_resultat_vid_avslut", "studier"): ("unika_individer", "avslut_studier"),
    ("sjalvforsorjning", "avslutade"): ("unika_individer", "avslutade"),  # the same for every month
}


def stat(mart: str, measure: str, **dims: str) -> Key:
    """The canonical key of a statistic: (mart, dimension=value..., measure), after SAME_STATISTIC."""
    target = SAME_STATISTIC.get((mart, measure))
    if target:
        mart, measure = target
        dims = {d: v for d, v in dims.items() if d in ("jobbtorg", "kon")}
    return (mart, *(f"{d}={v}" for d, v in sorted(dims.items())), measure)


@dataclass
class Chart:
    column: str  # the column drawn
    rows: list[str]  # the rows drawn, in order
    unit: str  # "antal" or "andel"


@dataclass
class ReportTable:
    id: str
    title: str
    question: str  # the question in the city's documents this table answers
    definition: str  # the definition, one click away in the report
    source: str  # the mart it comes from
    row_header: str
    labels: dict[str, str]  # column -> heading
    units: dict[str, str]  # column -> antal | andel | sek | dagar | procent | platser
    grid: Grid
    chart: Chart | None = None
    row_labels: dict[str, str] = field(default_factory=dict)  # row -> what the reader sees

    def row_label(self, row: str) -> str:
        return self.row_labels.get(row, LABELS.get(row, row))


def query_rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = con.cursor()
    cursor.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def make_grid(
    name: str,
    records: dict[str, dict[str, Any]],
    rows: list[str],
    columns: dict[str, tuple[str, str]],
    key: Callable[[str, str], Key],
    *,
    total_rows: Sequence[str] = ("totalt",),
    total_columns: Sequence[str] = (),
    derived: dict[str, Derived] | None = None,
) -> tuple[Grid, dict[str, str], dict[str, str]]:
    """A table of `rows` (every one shown, also when the mart has no row for it: its counts are 0)."""
    counts = [c for c, (_, unit) in columns.items() if unit == "antal"]
    values: dict[tuple[str, str], Any] = {}
    for row in rows:
        record = records.get(row, {})
        for c in columns:
            value = record.get(c)
            values[(row, c)] = 0 if value is None and c in counts else value
    grid = Grid(
        rows=rows,
        columns=list(columns),
        values=values,
        count_columns=counts,
        name=name,
        keys={(r, c): key(r, c) for r in rows for c in counts},
        total_rows={r for r in rows if r in total_rows},
        total_columns=set(total_columns),
        derived=derived or {},
    )
    return (
        grid,
        {c: label for c, (label, _) in columns.items()},
        {c: unit for c, (_, unit) in columns.items()},
    )


def keyed(records: list[dict[str, Any]], column: str) -> dict[str, dict[str, Any]]:
    return {str(r[column]): r for r in records}


def column_sums(
    grid: Grid,
    details: Sequence[str],
    total: str,
    columns: Sequence[str],
    why: str,
    *,
    exact: bool,
    nested: bool = True,
    total_within_sum: bool = True,
) -> list[Relation]:
    """Each column: the detail rows sum to the total row (nearly, when `exact` is False: persons under
    two jobbtorg or regi are one person in the total). `nested`: a person counted in a detail row is
    counted in the total row too (not so for a person's last avslut, which differs between levels).
    `total_within_sum`: everyone in the total row is in some detail row (not so for parallel insatser:
    one insats at each of two jobbtorg are parallel only in the total)."""
    relations = []
    for c in columns:
        parts = [grid.key(r, c) for r in details]
        relations.append(
            sums_to(grid.key(total, c), parts, f"{why}: {c}", exact=exact, total_within_sum=total_within_sum)
        )
        if not exact and nested:
            relations += [at_most(p, grid.key(total, c), f"{why}: {c} del <= totalt") for p in parts]
    return relations


def orderings(grid: Grid, pairs: Sequence[tuple[str, str]], why: str) -> list[Relation]:
    """On every row: part <= whole, for each (part column, whole column)."""
    return [
        at_most(grid.key(r, p), grid.key(r, w), f"{why}: {p} <= {w}") for r in grid.rows for p, w in pairs
    ]


def mark_not_yet(
    grid: Grid, ended: int | None, followed: str, columns: Sequence[str], rows: Sequence[str] | None = None
) -> None:
    """Mark follow-up figures that cannot be known yet: persons ended, none of them followable."""
    for r in grid.rows if rows is None else rows:
        if ended and not grid.values.get((r, followed)):
            for c in columns:
                grid.values[(r, c)] = NOT_YET


def jobbtorg_levels(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every jobbtorg of the marts (any period), so that a row's presence says nothing about its counts."""
    found = con.execute(
        "SELECT DISTINCT jobbtorg FROM marts.unika_individer WHERE jobbtorg <> 'totalt' ORDER BY 1"
    ).fetchall()
    return [r[0] for r in found] + ["totalt"]


def kon_levels(records: list[dict[str, Any]], counts: Sequence[str]) -> list[str]:
    """Kvinnor, män, and okänt kön only when someone of unknown kön is counted (else its zeros go)."""
    unknown = any(r.get(c) for r in records if r.get("kon") == "okänt" for c in counts)
    return [k for k in KON if k != "okänt" or unknown]


def insatstyper(con: duckdb.DuckDBPyConnection, mart: str, column: str = "insatstyp") -> list[str]:
    """Every insatstyp in `column` of `marts.<mart>` (any period), in the code list's order, then
    `totalt`: a row's presence says nothing about its counts."""
    found = {
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT {column} FROM marts.{mart} WHERE {column} <> 'totalt'"
        ).fetchall()
    }
    return [t for t in INSATSTYPER if t in found] + sorted(found - set(INSATSTYPER)) + ["totalt"]


def insatstyp_label(code: str) -> str:
    return INSATSTYPER.get(code, code.replace("_", " ").capitalize())
