"""The tertial report's tables: the questions the city's documents ask, answered from the marts.

Each table is built from the marts (aggregates only), for one period. Every count cell names the
statistic it shows (`stat`), and `build_tables` declares what a reader knows about how the statistics
hang together (`Relation`s: sums, sums across tables, orderings), so that disclosure control
(`disclosure.py`) can protect the report as a whole. The texts are Swedish: the report goes to the
labour-market committee. The full definitions are in docs/data-dictionary.md.
"""

from __future__ import annotations

import itertools
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
    linear,
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


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = con.cursor()
    cursor.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _grid(
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


def _by(records: list[dict[str, Any]], column: str) -> dict[str, dict[str, Any]]:
    return {str(r[column]): r for r in records}


def _column_sums(
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


def _orderings(grid: Grid, pairs: Sequence[tuple[str, str]], why: str) -> list[Relation]:
    """On every row: part <= whole, for each (part column, whole column)."""
    return [
        at_most(grid.key(r, p), grid.key(r, w), f"{why}: {p} <= {w}") for r in grid.rows for p, w in pairs
    ]


def _not_yet(
    grid: Grid, ended: int | None, followed: str, columns: Sequence[str], rows: Sequence[str] | None = None
) -> None:
    """Mark follow-up figures that cannot be known yet: persons ended, none of them followable."""
    for r in grid.rows if rows is None else rows:
        if ended and not grid.values.get((r, followed)):
            for c in columns:
                grid.values[(r, c)] = NOT_YET


def _jobbtorg(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every jobbtorg of the marts (any period), so that a row's presence says nothing about its counts."""
    found = con.execute(
        "SELECT DISTINCT jobbtorg FROM marts.unika_individer WHERE jobbtorg <> 'totalt' ORDER BY 1"
    ).fetchall()
    return [r[0] for r in found] + ["totalt"]


def _kon(records: list[dict[str, Any]], counts: Sequence[str]) -> list[str]:
    """Kvinnor, män, and okänt kön only when someone of unknown kön is counted (else its zeros go)."""
    unknown = any(r.get(c) for r in records if r.get("kon") == "okänt" for c in counts)
    return [k for k in KON if k != "okänt" or unknown]


MEDIAN_BASE = "aktivitetsplaner_kvar_dag_5"  # processen's median is taken over these


def rule_source(regel: str) -> str | None:
    """The source a quarantine rule belongs to: `utbetalningar.belopp_tal` -> `utbetalningar` (the ids
    in staging.karantan are qualified so, `<kalla>.felaktig_rad` included); None for anything else."""
    kalla = regel.split(".", 1)[0]
    return kalla if "." in regel and kalla in KALLOR else None


def build_tables(
    con: duckdb.DuckDBPyConnection, period: str, threshold: int, *, previous_year: bool = True
) -> tuple[list[ReportTable], list[Relation]]:
    """Every table of the report for `period` ('2019-T2' or '2019'), before disclosure control, and the
    relations between their statistics that a reader knows; with `previous_year`, the headline tables
    get the same period a year earlier beside them."""
    tables, relations = _build_tables(con, period, threshold)
    earlier = year_earlier(period)
    if (
        previous_year
        and con.execute("SELECT count(*) FROM marts.unika_individer WHERE period = ?", [earlier]).fetchone()[
            0
        ]
    ):
        relations += _add_previous_year(tables, *_build_tables(con, earlier, threshold), earlier)
    return tables, relations


def year_earlier(period: str) -> str:
    """The same period a year earlier: 2020-T2 -> 2019-T2, 2020 -> 2019."""
    return f"{int(period[:4]) - 1}{period[4:]}"


# The headline tables and the columns shown again for the same period a year earlier.
PREVIOUS_YEAR = {
    "unika_individer": ["inskrivna", "avslutade"],
    "kolada": ["avslutade", "arbete_eller_studier", "andel_arbete_eller_studier"],
    "arbetstraning_resultat": [
        "avslutat_arbetstraning",
        "arbete_eller_studier",
        "andel_arbete_eller_studier",
    ],
    "sjalvforsorjning": ["uppfoljningsbara", "sjalvforsorjande", "andel_sjalvforsorjande"],
    "insatser": ["deltagare", "arsplatser"],
    "arbetstraning_regi": ["deltagare", "arsplatser"],
    "insatser_regi": ["deltagare", "arsplatser"],
}


def _add_previous_year(
    tables: list[ReportTable],
    earlier_tables: list[ReportTable],
    earlier_relations: list[Relation],
    earlier: str,
) -> list[Relation]:
    """Add the PREVIOUS_YEAR columns (headed with the earlier period) to the headline tables; the
    relations among the earlier statistics they show, for disclosure control over both years at once.

    The earlier statistics get keys of their own (`period=<earlier>` first), so a figure of last year is
    one statistic wherever it appears; a relation of last year's report that names a statistic not shown
    here is left out (the reader of this report does not have it)."""
    by_id = {t.id: t for t in earlier_tables}

    def earlier_key(key: Key) -> Key:
        return (f"period={earlier}", *key)

    shown: set[Key] = set()
    for table in tables:
        columns = PREVIOUS_YEAR.get(table.id)
        if not columns or table.id not in by_id:
            continue
        before, grid = by_id[table.id].grid, table.grid
        for c in columns:
            new = f"{c}_fjol"
            grid.columns.append(new)
            table.labels[new] = f"{table.labels[c]} {earlier}"
            table.units[new] = table.units[c]
            counted = c in grid.count_columns
            for r in grid.rows:
                value = before.values.get((r, c)) if r in before.rows else None
                grid.values[(r, new)] = 0 if value is None and counted else value
                if counted:
                    grid.keys[(r, new)] = earlier_key(before.key(r, c))
                    shown.add(grid.keys[(r, new)])
            if counted:
                grid.count_columns.append(new)
                if c in grid.total_columns:
                    grid.total_columns.add(new)
            if c in grid.measures:
                grid.measures[new] = f"{grid.measures[c]}_fjol"
            if c in grid.derived:
                rests_on = grid.derived[c]
                grid.derived[new] = Derived(
                    f"{rests_on.denominator}_fjol",
                    f"{rests_on.numerator}_fjol" if rests_on.numerator else None,
                )
        grid.measure_groups += [
            tuple(f"{c}_fjol" for c in group)
            for group in list(grid.measure_groups)
            if all(c in columns for c in group)
        ]
        table.definition += (
            f" Kolumnerna märkta {earlier} visar samma period ett år tidigare; röjandekontrollen omfattar "
            "båda åren tillsammans, så att ingen dold siffra kan räknas fram ur det andra årets siffror."
        )
    return [
        linear([(earlier_key(k), c) for k, c in r.terms], r.sense, f"{r.why} ({earlier})")
        for r in earlier_relations
        if all(earlier_key(k) in shown for k, _ in r.terms)
    ]


def _build_tables(
    con: duckdb.DuckDBPyConnection, period: str, threshold: int
) -> tuple[list[ReportTable], list[Relation]]:
    tables: list[ReportTable] = []
    relations: list[Relation] = []
    jobbtorg = _jobbtorg(con)
    details = jobbtorg[:-1]

    # unika individer per jobbtorg
    records = _by(
        _rows(con, "FROM marts.unika_individer WHERE period = ? AND kon = 'totalt'", [period]), "jobbtorg"
    )
    groups = ["avslut_arbete", "avslut_studier", "avslut_aterremiss", "avslut_ovrigt", "avslut_orsak_saknas"]
    unika, labels, units = _grid(
        "unika_individer",
        records,
        jobbtorg,
        {
            "inskrivna": ("Inskrivna", "antal"),
            "nyinskrivna": ("Nyinskrivna", "antal"),
            "avslutade": ("Avslutade", "antal"),
            "avslut_arbete": ("varav arbete", "antal"),
            "avslut_studier": ("varav studier", "antal"),
            "avslut_aterremiss": ("varav återremiss", "antal"),
            "avslut_ovrigt": ("varav övrigt", "antal"),
            "avslut_orsak_saknas": ("varav orsak saknas", "antal"),
        },
        lambda r, c: stat("unika_individer", c, jobbtorg=r, kon="totalt"),
        total_columns=["avslutade"],
    )
    for r in jobbtorg:
        relations.append(
            sums_to(unika.key(r, "avslutade"), [unika.key(r, g) for g in groups], "avslut efter grupp")
        )
    relations += _column_sums(
        unika, details, "totalt", ["inskrivna", "nyinskrivna", "avslutade"], "jobbtorg", exact=False
    )
    relations += _column_sums(
        unika, details, "totalt", groups, "jobbtorg, sista avslut", exact=False, nested=False
    )
    relations += _orderings(unika, [("nyinskrivna", "inskrivna"), ("avslutade", "inskrivna")], "unika")
    tables.append(
        ReportTable(
            "unika_individer",
            "Unika individer: inskrivna, nya och avslutade",
            "Hur många unika individer var inskrivna, hur många avslutades och vad avslutades de till? (ärende 2016)",
            "Personer räknas en gång per period, även om de skrivits in flera gånger. En person som stått "
            "under två jobbtorg räknas en gång i totalt. Avslutade fördelas efter orsaken till personens sista "
            "avslut i perioden; arbete = osubventionerat eller subventionerat arbete, övrigt = flytt, sjukdom, "
            "föräldraledighet, annan.",
            "unika_individer",
            "Jobbtorg",
            labels,
            units,
            unika,
            Chart("avslutade", details, "antal"),
        )
    )

    records_kon = _rows(con, "FROM marts.unika_individer WHERE period = ? AND jobbtorg = 'totalt'", [period])
    kon = _kon(records_kon, ["inskrivna"])
    grid, labels, units = _grid(
        "unika_individer_kon",
        _by(records_kon, "kon"),
        [*kon, "totalt"],
        {
            "inskrivna": ("Inskrivna", "antal"),
            "nyinskrivna": ("Nyinskrivna", "antal"),
            "avslutade": ("Avslutade", "antal"),
        },
        lambda r, c: stat("unika_individer", c, jobbtorg="totalt", kon=r),
    )
    relations += _column_sums(
        grid, kon, "totalt", ["inskrivna", "nyinskrivna", "avslutade"], "kön", exact=True
    )
    relations += _orderings(
        grid, [("nyinskrivna", "inskrivna"), ("avslutade", "inskrivna")], "unika efter kön"
    )
    tables.append(
        ReportTable(
            "unika_individer_kon",
            "Inskrivna, nya och avslutade efter kön",
            "Hur fördelar sig deltagarna på kvinnor och män?",
            "Kön enligt personens senast registrerade kön, annars enligt personnumret.",
            "unika_individer",
            "Kön",
            labels,
            units,
            grid,
        )
    )

    records = _by(
        _rows(con, "FROM marts.aterremisser WHERE period = ? AND kon = 'totalt'", [period]), "jobbtorg"
    )
    grid, labels, units = _grid(
        "aterremisser",
        records,
        jobbtorg,
        {
            "avslutade": ("Avslutade", "antal"),
            "aterremitterade": ("Återremitterade", "antal"),
            "andel_aterremitterade": ("Andel återremitterade", "andel"),
            "aterkom_inom_365_dagar": ("Kom tillbaka inom ett år", "antal"),
        },
        lambda r, c: stat("aterremisser", c, jobbtorg=r, kon="totalt"),
        derived={"andel_aterremitterade": Derived("avslutade", "aterremitterade")},
    )
    relations += _column_sums(grid, details, "totalt", ["aterremitterade"], "jobbtorg", exact=False)
    relations += _column_sums(  # the first återremiss over all jobbtorg may be another than at one
        grid, details, "totalt", ["aterkom_inom_365_dagar"], "jobbtorg", exact=False, nested=False
    )
    relations += _orderings(
        grid,
        [("aterremitterade", "avslutade"), ("aterkom_inom_365_dagar", "aterremitterade")],
        "återremisser",
    )
    for r in jobbtorg:  # a last avslut for återremiss is an avslut for återremiss in the period
        relations.append(
            at_most(unika.key(r, "avslut_aterremiss"), grid.key(r, "aterremitterade"), "återremiss")
        )
    tables.append(
        ReportTable(
            "aterremisser",
            "Återremisser och de som kom tillbaka",
            "Hur många skickades tillbaka till stadsdelsförvaltningen, och hur många kom tillbaka till "
            "Jobbtorg? (ärende 2019)",
            "Återremitterade: personer med ett avslut för återremiss i perioden. Kom tillbaka: av dem, personer "
            "vars nästa inskrivning (vid något jobbtorg) kom 1-365 dagar efter den första återremissen. Senaste "
            "perioderna har haft mindre än ett år på sig.",
            "aterremisser",
            "Jobbtorg",
            labels,
            units,
            grid,
            Chart("andel_aterremitterade", jobbtorg, "andel"),
        )
    )

    rows = _rows(con, "FROM marts.parallella_insatser WHERE period = ? AND kon = 'totalt'", [period])
    for row in rows:
        row["andel_parallella"] = (
            row["personer_med_parallella_insatser"] / row["personer_med_insats"]
            if row["personer_med_insats"]
            else None
        )
    parallella, labels, units = _grid(
        "parallella_insatser",
        _by(rows, "jobbtorg"),
        jobbtorg,
        {
            "personer_med_insats": ("Personer med insats", "antal"),
            "personer_med_parallella_insatser": ("med parallella insatser", "antal"),
            "andel_parallella": ("Andel parallella", "andel"),
            "insatser": ("Insatser", "antal"),
        },
        lambda r, c: stat("parallella_insatser", c, jobbtorg=r, kon="totalt"),
        derived={"andel_parallella": Derived("personer_med_insats", "personer_med_parallella_insatser")},
    )
    persons = ["personer_med_insats", "personer_med_parallella_insatser"]
    relations += _column_sums(parallella, details, "totalt", persons[:1], "jobbtorg", exact=False)
    relations += _column_sums(
        parallella, details, "totalt", persons[1:], "jobbtorg", exact=False, total_within_sum=False
    )
    relations += _column_sums(parallella, details, "totalt", ["insatser"], "jobbtorg, insatser", exact=True)
    relations += _orderings(
        parallella, [("personer_med_parallella_insatser", "personer_med_insats")], "parallella"
    )
    for r in jobbtorg:  # everyone with an insats has one; everyone with parallel ones has two
        relations.append(
            at_most(
                [parallella.key(r, p) for p in persons], parallella.key(r, "insatser"), "insatser per person"
            )
        )
    tables.append(
        ReportTable(
            "parallella_insatser",
            "Parallella insatser",
            "Hur många står i två insatser samtidigt? Parallella insatser kan innebära dubbelarbete (ärende 2017).",
            "Personer som någon dag i perioden hade två eller fler insatser igång samtidigt (start- och slutdag "
            "räknas). Under totalt kan insatser vid olika jobbtorg överlappa varandra.",
            "parallella_insatser",
            "Jobbtorg",
            labels,
            units,
            parallella,
            Chart("andel_parallella", jobbtorg, "andel"),
        )
    )

    rows = _rows(
        con,
        """
        SELECT insatstyp_a || '+' || insatstyp_b AS par, insatstyp_a, insatstyp_b, personer
        FROM marts.parallella_insatser_kombinationer WHERE period = ? AND personer >= ?
        ORDER BY personer DESC, par LIMIT 10
        """,
        [period, threshold],
    )
    pairs = [str(r["par"]) for r in rows]  # most common first, as ranked
    grid, labels, units = _grid(
        "vanligaste_kombinationer",
        _by(rows, "par"),
        pairs,
        {"personer": ("Personer", "antal")},
        lambda r, c: stat("parallella_insatser_kombinationer", c, par=r),
        total_rows=(),
    )
    for upper, lower in itertools.pairwise(pairs):  # the ranking: each at most the one above
        relations.append(at_most(grid.key(lower, "personer"), grid.key(upper, "personer"), "rangordning"))
    for p in pairs:
        relations.append(
            at_most(
                grid.key(p, "personer"), parallella.key("totalt", "personer_med_parallella_insatser"), "par"
            )
        )
    tables.append(
        ReportTable(
            "vanligaste_kombinationer",
            "De vanligaste kombinationerna av parallella insatser",
            "Vilka insatser går samtidigt?",
            "Par av insatstyper som samma person hade igång samma dag i perioden, de tio vanligaste. Par som "
            f"färre än {threshold} personer hade redovisas inte.",
            "parallella_insatser_kombinationer",
            "Insatser",
            labels,
            units,
            grid,
            row_labels={
                str(r["par"]): f"{_insatstyp(r['insatstyp_a'])} + {_insatstyp(r['insatstyp_b'])}"
                for r in rows
            },
        )
    )

    rows = _rows(con, "FROM marts.arbetstraning_deltagare WHERE period = ?", [period])
    kon = _kon(rows, ["paborjade"])
    by_regi: dict[str, dict[str, Any]] = {}
    for row in rows:
        by_regi.setdefault(row["regi"], {})[row["kon"]] = row["paborjade"]
    grid, labels, units = _grid(
        "arbetstraning_paborjade",
        by_regi,
        [*REGI, "totalt"],
        {k: (LABELS[k], "antal") for k in (*kon, "totalt")},
        lambda r, c: stat("arbetstraning_deltagare", "paborjade", regi=r, kon=c),
        total_columns=["totalt"],
    )
    for r in grid.rows:
        relations.append(sums_to(grid.key(r, "totalt"), [grid.key(r, k) for k in kon], "kön"))
    relations += _column_sums(grid, REGI, "totalt", [*kon, "totalt"], "regi", exact=False)
    tables.append(
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

    results = _rows(con, "FROM marts.arbetstraning_resultat WHERE period = ?", [period])
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
    grid, labels, units = _grid(
        "arbetstraning_resultat",
        _by([r for r in results if r["kon"] == "totalt"], "regi"),
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
    relations += _column_sums(grid, REGI, "totalt", ["avslutat_arbetstraning"], "regi", exact=False)
    relations += _column_sums(grid, REGI, "totalt", parts, "regi", exact=False, nested=False)
    result_definition = (
        "Personer vars arbetsträning avslutades i perioden (den sista om flera), efter hur den inskrivning "
        "som arbetsträningen hörde till står vid uttagsdatum: avslutad till arbete eller studier, "
        "fortfarande öppen, återremitterad eller avslutad av annat skäl."
    )
    tables.append(
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

    # kön for the number who ended only: its totalt column is the results table's avslutat_arbetstraning
    kon = _kon(results, ["avslutat_arbetstraning"])
    ended: dict[str, dict[str, Any]] = {}
    for row in results:
        ended.setdefault(row["regi"], {})[row["kon"]] = row["avslutat_arbetstraning"]
    grid, labels, units = _grid(
        "arbetstraning_avslutade_kon",
        ended,
        [*REGI, "totalt"],
        {k: (LABELS[k], "antal") for k in (*kon, "totalt")},
        lambda r, c: stat("arbetstraning_resultat", "avslutat_arbetstraning", regi=r, kon=c),
        total_columns=["totalt"],
    )
    for r in grid.rows:
        relations.append(sums_to(grid.key(r, "totalt"), [grid.key(r, k) for k in kon], "kön"))
    relations += _column_sums(grid, REGI, "totalt", kon, "regi", exact=False)
    tables.append(
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

    rows = _rows(
        con,
        """
        SELECT manader_efter_avslut::VARCHAR || ' mån' AS efter, manader_efter_avslut AS manader, avslutade,
               uppfoljningsbara, sjalvforsorjande, andel_sjalvforsorjande
        FROM marts.sjalvforsorjning WHERE period = ? AND jobbtorg = 'totalt' AND kon = 'totalt'
        ORDER BY manader_efter_avslut
        """,
        [period],
    )
    grid, labels, units = _grid(
        "sjalvforsorjning",
        _by(rows, "efter"),
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
        _not_yet(grid, grid.values[(r, "avslutade")], "uppfoljningsbara", ["andel_sjalvforsorjande"], [r])
    relations += _orderings(
        grid,
        [("uppfoljningsbara", "avslutade"), ("sjalvforsorjande", "uppfoljningsbara")],
        "självförsörjning",
    )
    tables.append(
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

    records = _by(_rows(con, "FROM marts.processen WHERE period = ?", [period]), "jobbtorg")
    grid, labels, units = _grid(
        "processen",
        records,
        jobbtorg,
        {
            "nya_registreringar": ("Nya inskrivningar", "antal"),
            "nya_registreringar_kvar_dag_5": ("varav kvar dag 5", "antal"),
            "aktivitetsplan_inom_5_dagar": ("Aktivitetsplan inom 5 dagar", "antal"),
            "andel_aktivitetsplan_inom_5_dagar": ("Andel inom 5 dagar", "andel"),
            "median_dagar_till_aktivitetsplan": ("Median dagar till plan", "dagar"),
            "personer_inskrivna_over_18_manader": ("Inskrivna över 18 månader", "antal"),
            "insatser_utan_planerat_slut": ("Insatser utan planerat slut", "antal"),
            "insatser_langre_an_6_manader": ("Insatser längre än 6 månader", "antal"),
        },
        lambda r, c: stat("processen", c, jobbtorg=r),
        derived={
            "andel_aktivitetsplan_inom_5_dagar": Derived(
                "nya_registreringar_kvar_dag_5", "aktivitetsplan_inom_5_dagar"
            ),
            "median_dagar_till_aktivitetsplan": Derived(MEDIAN_BASE),
        },
    )
    for r in jobbtorg:  # what the median is taken over: judged against the threshold, never shown
        grid.values[(r, MEDIAN_BASE)] = records.get(r, {}).get(MEDIAN_BASE) or 0
    counted = [
        "nya_registreringar",
        "nya_registreringar_kvar_dag_5",
        "aktivitetsplan_inom_5_dagar",
        "insatser_utan_planerat_slut",
        "insatser_langre_an_6_manader",
    ]
    relations += _column_sums(
        grid, details, "totalt", counted, "jobbtorg, inskrivningar och insatser", exact=True
    )
    relations += _column_sums(
        grid, details, "totalt", ["personer_inskrivna_over_18_manader"], "jobbtorg", exact=False
    )
    relations += _orderings(
        grid,
        [
            ("aktivitetsplan_inom_5_dagar", "nya_registreringar_kvar_dag_5"),
            ("nya_registreringar_kvar_dag_5", "nya_registreringar"),
        ],
        "processen",
    )
    for r in jobbtorg:  # still registered at the period's reference day: registered in the period
        relations.append(
            at_most(
                grid.key(r, "personer_inskrivna_over_18_manader"), unika.key(r, "inskrivna"), "18 månader"
            )
        )
        for c in (
            "insatser_utan_planerat_slut",
            "insatser_langre_an_6_manader",
        ):  # insatser active in the period
            relations.append(at_most(grid.key(r, c), parallella.key(r, "insatser"), "insatser"))
    tables.append(
        ReportTable(
            "processen",
            "Processen: aktivitetsplan, tid i insats och tid inskriven",
            "Får den som skrivs in en aktivitetsplan inom 5 dagar, är insatserna tidsbegränsade och deltar "
            "ingen längre än 18 månader? (beslutet 2007)",
            "Nya inskrivningar i perioden (minst 5 dagar före uttagsdatum); av dem som fortfarande var kvar dag 5 "
            "(inte avslutade före dag 5, eller med plan senast dag 5): hur många fick en aktivitetsplan inom 5 "
            "dagar (en plan daterad före inskrivningen räknas som dag 0); personer med en pågående inskrivning "
            "som börjat mer än 18 månader före periodens sista dag eller uttagsdatum (räknat per sammanhängande "
            "inskrivning); insatser igång i perioden utan planerat slutdatum eller som pågått mer än 6 månader.",
            "processen",
            "Jobbtorg",
            labels,
            units,
            grid,
            Chart("andel_aktivitetsplan_inom_5_dagar", jobbtorg, "andel"),
        )
    )

    grid, labels, units = _grid(
        "kolada",
        _by(
            _rows(con, "FROM marts.kolada_resultat_vid_avslut WHERE period = ? AND kon = 'totalt'", [period]),
            "jobbtorg",
        ),
        jobbtorg,
        {
            "avslutade": ("Avslutade", "antal"),
            "arbete": ("Arbete", "antal"),
            "studier": ("Studier", "antal"),
            "kommunal_anstallning": ("Kommunal anställning (räknas ej)", "antal"),
            "arbete_eller_studier": ("Arbete eller studier", "antal"),
            "andel_arbete_eller_studier": ("Andel arbete eller studier", "andel"),
        },
        lambda r, c: stat("kolada_resultat_vid_avslut", c, jobbtorg=r, kon="totalt"),
        total_columns=["avslutade", "arbete_eller_studier"],
        derived={"andel_arbete_eller_studier": Derived("avslutade", "arbete_eller_studier")},
    )
    # kommunal anställning per jobbtorg is not shown, but a reader can work it out (avslut till arbete
    # minus arbete): withheld, and protected like a shown count when it is small
    grid.withheld = {(r, "kommunal_anstallning") for r in details}
    for r in jobbtorg:
        relations.append(
            sums_to(
                grid.key(r, "arbete_eller_studier"), [grid.key(r, "arbete"), grid.key(r, "studier")], "kolada"
            )
        )
        relations.append(  # an avslut for work is regular work or a municipal employment
            sums_to(
                unika.key(r, "avslut_arbete"),
                [grid.key(r, "arbete"), grid.key(r, "kommunal_anstallning")],
                "arbete = reguljärt + kommunalt",
            )
        )
    relations += _column_sums(
        grid,
        details,
        "totalt",
        ["arbete", "kommunal_anstallning", "arbete_eller_studier"],
        "jobbtorg, sista avslut",
        exact=False,
        nested=False,
    )
    tables.append(
        ReportTable(
            "kolada",
            "Kolada: resultat vid avslut",
            "Hur stor andel av dem som avslutades gick till arbete eller studier (Koladas nyckeltal)?",
            "Andel av de avslutade vars sista avslut var till arbete på den reguljära arbetsmarknaden "
            "(osubventionerat eller subventionerat) eller studier. En kommunal arbetsmarknadsanställning, som "
            "en visstidsanställning, räknas inte som arbete: ett avslut till subventionerat arbete medan eller "
            "inom 30 dagar efter en visstidsanställning räknas som kommunal anställning (en uppskattning); "
            "osubventionerat arbete räknas alltid som arbete. Koladas krav att anställningen varat minst en "
            "månad och att studierna ger rätt till studiemedel kan inte kontrolleras. Kommunal anställning "
            "redovisas bara för hela staden: per jobbtorg är den så liten att den bara skulle behöva "
            "döljas. Den går ändå att räkna ut som avslut till arbete minus arbete, så där den är liten döljs "
            "också någon av de siffror den följer av.",
            "kolada_resultat_vid_avslut",
            "Jobbtorg",
            labels,
            units,
            grid,
            Chart("andel_arbete_eller_studier", jobbtorg, "andel"),
        )
    )

    rows = _rows(
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
    grid, labels, units = _grid(
        "forsorjningsstod_fore_efter",
        _by(rows, "efter"),
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
    _not_yet(grid, unika.values[("totalt", "avslutade")], "personer", ["fore", "efter_sek", "forandring"])
    tables.append(
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

    rows = _rows(
        con,
        """
        SELECT kalla, sum(rader_lasta)::BIGINT AS rader_lasta, sum(rader_i_karantan)::BIGINT AS rader_i_karantan,
               sum(rader_i_karantan) / nullif(sum(rader_lasta), 0) AS andel_i_karantan
        FROM marts.datakvalitet WHERE period = ? AND jobbtorg = 'totalt' AND regel = 'totalt'
        GROUP BY kalla
        """,
        [period],
    )
    kvalitet, labels, units = _grid(
        "datakvalitet",
        _by(rows, "kalla"),
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
    relations += _column_sums(
        kvalitet, KALLOR, "totalt", ["rader_lasta", "rader_i_karantan"], "källor", exact=True
    )
    relations += _orderings(kvalitet, [("rader_i_karantan", "rader_lasta")], "karantän")
    tables.append(
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

    rows = _rows(
        con,
        """
        SELECT regel, sum(rader_i_karantan)::BIGINT AS rader_i_karantan
        FROM marts.datakvalitet WHERE period = ? AND jobbtorg = 'totalt' AND regel <> 'totalt'
        GROUP BY regel ORDER BY regel
        """,
        [period],
    )
    shown = [str(r["regel"]) for r in rows if r["rader_i_karantan"] >= threshold]
    records = _by(rows, "regel")
    records[OVRIGA_REGLER] = {
        "rader_i_karantan": sum(r["rader_i_karantan"] for r in rows if str(r["regel"]) not in shown)
    }
    grid, labels, units = _grid(
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
    tables.append(
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
    from jobbtorg_pipeline.report import tabeller  # its modules build on this one's helpers

    more, related = tabeller.build(con, period, threshold, tables)
    at = next(i for i, t in enumerate(tables) if t.id == "datakvalitet")  # data quality stays last
    tables[at:at] = more
    return tables, relations + related


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


def _insatstyp(code: str) -> str:
    return INSATSTYPER.get(code, code.replace("_", " ").capitalize())
