"""The tertial report's tables: the questions the city's documents ask, answered from the published marts.

Each table is built from the analysts' file (aggregates only), for one period, and then goes through
disclosure control (`disclosure.py`) before anything is rendered. The texts are Swedish: the report goes
to the labour-market committee. The full definitions are in docs/data-dictionary.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from jobbtorg_pipeline.report.disclosure import Grid

KON = ("kvinnor", "män", "okänt")


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
    units: dict[str, str]  # column -> antal | andel | sek | dagar | procent
    grid: Grid
    chart: Chart | None = None


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = con.cursor()
    cursor.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _ordered(keys: list[str], first: tuple[str, ...] = ()) -> list[str]:
    """Detail rows in a stable order, `totalt` last."""
    detail = [k for k in first if k in keys] + sorted(k for k in keys if k not in first and k != "totalt")
    return detail + (["totalt"] if "totalt" in keys else [])


def _table(
    rows: list[dict[str, Any]],
    key: str,
    columns: dict[str, tuple[str, str]],
    *,
    first: tuple[str, ...] = (),
    column_sums: list[tuple[str, list[str]]] | None = None,
    derived: dict[str, tuple[str, ...]] | None = None,
) -> tuple[Grid, dict[str, str], dict[str, str]]:
    names = _ordered([str(r[key]) for r in rows], first)
    counts = [c for c, (_, unit) in columns.items() if unit == "antal"]
    values = {(str(r[key]), c): r.get(c) for r in rows for c in columns}
    for name in names:  # a combination the mart has no row for is a count of 0
        for c in counts:
            if values.get((name, c)) is None:
                values[(name, c)] = 0
    if "okänt" in columns and not any(values.get((n, "okänt")) for n in names):
        columns = {c: v for c, v in columns.items() if c != "okänt"}  # no one of unknown kön: no column
        counts = [c for c in counts if c != "okänt"]
        column_sums = [(t, [d for d in ds if d != "okänt"]) for t, ds in column_sums or []]
    grid = Grid(
        rows=names,
        columns=list(columns),
        values=values,
        count_columns=counts,
        total_row="totalt" if "totalt" in names else None,
        column_sums=column_sums or [],
        derived=derived or {},
    )
    return (
        grid,
        {c: label for c, (label, _) in columns.items()},
        {c: unit for c, (_, unit) in columns.items()},
    )


def build_tables(con: duckdb.DuckDBPyConnection, period: str) -> list[ReportTable]:
    """Every table of the report for `period` ('2019-T2' or '2019'), before disclosure control."""
    tables: list[ReportTable] = []

    rows = _rows(con, "FROM marts.unika_individer WHERE period = ? AND kon = 'totalt'", [period])
    groups = ["avslut_arbete", "avslut_studier", "avslut_aterremiss", "avslut_ovrigt", "avslut_orsak_saknas"]
    grid, labels, units = _table(
        rows,
        "jobbtorg",
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
        column_sums=[("avslutade", groups)],
    )
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
            grid,
            Chart("avslutade", grid.rows[:-1] if grid.total_row else grid.rows, "antal"),
        )
    )

    rows = _rows(con, "FROM marts.unika_individer WHERE period = ? AND jobbtorg = 'totalt'", [period])
    grid, labels, units = _table(
        rows,
        "kon",
        {
            "inskrivna": ("Inskrivna", "antal"),
            "nyinskrivna": ("Nyinskrivna", "antal"),
            "avslutade": ("Avslutade", "antal"),
        },
        first=KON,
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

    rows = _rows(con, "FROM marts.aterremisser WHERE period = ? AND kon = 'totalt'", [period])
    grid, labels, units = _table(
        rows,
        "jobbtorg",
        {
            "avslutade": ("Avslutade", "antal"),
            "aterremitterade": ("Återremitterade", "antal"),
            "andel_aterremitterade": ("Andel återremitterade", "andel"),
            "aterkom_inom_365_dagar": ("Kom tillbaka inom ett år", "antal"),
        },
        derived={"andel_aterremitterade": ("aterremitterade", "avslutade")},
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
            Chart("andel_aterremitterade", grid.rows, "andel"),
        )
    )

    rows = _rows(con, "FROM marts.parallella_insatser WHERE period = ? AND kon = 'totalt'", [period])
    for row in rows:
        row["andel_parallella"] = (
            row["personer_med_parallella_insatser"] / row["personer_med_insats"]
            if row["personer_med_insats"]
            else None
        )
    grid, labels, units = _table(
        rows,
        "jobbtorg",
        {
            "personer_med_insats": ("Personer med insats", "antal"),
            "personer_med_parallella_insatser": ("med parallella insatser", "antal"),
            "andel_parallella": ("Andel parallella", "andel"),
            "insatser": ("Insatser", "antal"),
            "max_samtidiga_insatser": ("Flest samtidiga (en person)", "hogst"),
        },
        derived={
            "andel_parallella": ("personer_med_parallella_insatser", "personer_med_insats"),
            "max_samtidiga_insatser": ("personer_med_parallella_insatser",),
        },
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
            grid,
            Chart("andel_parallella", grid.rows, "andel"),
        )
    )

    rows = _rows(
        con,
        """
        SELECT insatstyp_a || ' + ' || insatstyp_b AS par, personer
        FROM marts.parallella_insatser_kombinationer WHERE period = ?
        ORDER BY personer DESC, par LIMIT 10
        """,
        [period],
    )
    grid, labels, units = _table(rows, "par", {"personer": ("Personer", "antal")})
    grid.rows = [str(r["par"]) for r in rows]  # most common first, as ranked
    tables.append(
        ReportTable(
            "vanligaste_kombinationer",
            "De vanligaste kombinationerna av parallella insatser",
            "Vilka insatser går samtidigt?",
            "Par av insatstyper som samma person hade igång samma dag i perioden, de tio vanligaste.",
            "parallella_insatser_kombinationer",
            "Insatser",
            labels,
            units,
            grid,
        )
    )

    rows = _rows(
        con,
        """
        SELECT regi || '|' || kon AS nyckel, regi, kon, paborjade, deltagare
        FROM marts.arbetstraning_deltagare WHERE period = ?
        """,
        [period],
    )
    by_regi: dict[str, dict[str, Any]] = {}
    for row in rows:
        by_regi.setdefault(row["regi"], {"regi": row["regi"]})[row["kon"]] = row["paborjade"]
    kon_columns = {k: (k.capitalize() if k != "män" else "Män", "antal") for k in (*KON, "totalt")}
    grid, labels, units = _table(
        list(by_regi.values()),
        "regi",
        kon_columns,
        first=("egen", "extern"),
        column_sums=[("totalt", list(KON))],
    )
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
            Chart("totalt", [r for r in grid.rows if r != "totalt"], "antal"),
        )
    )

    rows = _rows(con, "FROM marts.arbetstraning_resultat WHERE period = ? AND kon = 'totalt'", [period])
    parts = ["arbete_eller_studier", "fortsatt_inskrivna", "aterremitterade", "ovrigt"]
    grid, labels, units = _table(
        rows,
        "regi",
        {
            "avslutat_arbetstraning": ("Avslutat arbetsträning", "antal"),
            "arbete_eller_studier": ("Arbete eller studier", "antal"),
            "fortsatt_inskrivna": ("Fortsatt inskrivna", "antal"),
            "aterremitterade": ("Återremitterade", "antal"),
            "ovrigt": ("Övrigt", "antal"),
            "andel_arbete_eller_studier": ("Andel arbete eller studier", "andel"),
            "andel_fortsatt_inskrivna": ("Andel fortsatt inskrivna", "andel"),
            "andel_aterremitterade": ("Andel återremitterade", "andel"),
        },
        first=("egen", "extern"),
        column_sums=[("avslutat_arbetstraning", parts)],
        derived={
            "andel_arbete_eller_studier": ("arbete_eller_studier", "avslutat_arbetstraning"),
            "andel_fortsatt_inskrivna": ("fortsatt_inskrivna", "avslutat_arbetstraning"),
            "andel_aterremitterade": ("aterremitterade", "avslutat_arbetstraning"),
        },
    )
    tables.append(
        ReportTable(
            "arbetstraning_resultat",
            "Resultat efter arbetsträning",
            "Vad hände med dem som avslutade arbetsträning? (2018: 24 % arbete eller studier, 27 % fortsatt "
            "inskrivna, 33 % återremitterade)",
            "Personer vars arbetsträning avslutades i perioden (den sista om flera), efter hur den inskrivning "
            "som arbetsträningen hörde till står vid uttagsdatum: avslutad till arbete eller studier, "
            "fortfarande öppen, återremitterad eller avslutad av annat skäl.",
            "arbetstraning_resultat",
            "Regi",
            labels,
            units,
            grid,
            Chart("andel_arbete_eller_studier", grid.rows, "andel"),
        )
    )

    rows = _rows(
        con,
        """
        SELECT manader_efter_avslut::VARCHAR || ' mån' AS efter, avslutade, uppfoljningsbara, sjalvforsorjande,
               andel_sjalvforsorjande
        FROM marts.sjalvforsorjning WHERE period = ? AND jobbtorg = 'totalt' AND kon = 'totalt'
        ORDER BY manader_efter_avslut
        """,
        [period],
    )
    grid, labels, units = _table(
        rows,
        "efter",
        {
            "avslutade": ("Avslutade", "antal"),
            "uppfoljningsbara": ("Kan följas upp", "antal"),
            "sjalvforsorjande": ("Självförsörjande", "antal"),
            "andel_sjalvforsorjande": ("Andel självförsörjande", "andel"),
        },
        derived={"andel_sjalvforsorjande": ("sjalvforsorjande", "uppfoljningsbara")},
    )
    grid.rows = [str(r["efter"]) for r in rows]
    tables.append(
        ReportTable(
            "sjalvforsorjning",
            "Självförsörjning 3-18 månader efter avslut",
            "Leder Jobbtorg till varaktig självförsörjning? (ärende 2016: mäts upp till 18 månader efter avslut)",
            "Av dem som avslutades i perioden: andelen utan nettoutbetalt försörjningsstöd (återkrav avräknade, "
            "övrigt bistånd ej medräknat) den månad som ligger 3, 6, 12 och 18 månader efter avslutsmånaden. "
            "Bara personer vars uppföljningsmånad finns i de levererade utbetalningarna räknas.",
            "sjalvforsorjning",
            "Efter avslut",
            labels,
            units,
            grid,
            Chart("andel_sjalvforsorjande", grid.rows, "andel"),
        )
    )

    rows = _rows(con, "FROM marts.processen WHERE period = ?", [period])
    grid, labels, units = _table(
        rows,
        "jobbtorg",
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
        derived={
            "andel_aktivitetsplan_inom_5_dagar": (
                "aktivitetsplan_inom_5_dagar",
                "nya_registreringar_kvar_dag_5",
            ),
            "median_dagar_till_aktivitetsplan": ("nya_registreringar_kvar_dag_5",),
        },
    )
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
            Chart("andel_aktivitetsplan_inom_5_dagar", grid.rows, "andel"),
        )
    )

    rows = _rows(con, "FROM marts.kolada_resultat_vid_avslut WHERE period = ? AND kon = 'totalt'", [period])
    grid, labels, units = _table(
        rows,
        "jobbtorg",
        {
            "avslutade": ("Avslutade", "antal"),
            "arbete": ("Arbete", "antal"),
            "studier": ("Studier", "antal"),
            "kommunal_anstallning": ("Kommunal anställning (räknas ej)", "antal"),
            "arbete_eller_studier": ("Arbete eller studier", "antal"),
            "andel_arbete_eller_studier": ("Andel arbete eller studier", "andel"),
        },
        derived={"andel_arbete_eller_studier": ("arbete_eller_studier", "avslutade")},
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
            "månad och att studierna ger rätt till studiemedel kan inte kontrolleras.",
            "kolada_resultat_vid_avslut",
            "Jobbtorg",
            labels,
            units,
            grid,
            Chart("andel_arbete_eller_studier", grid.rows, "andel"),
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
    grid, labels, units = _table(
        rows,
        "efter",
        {
            "personer": ("Personer", "antal"),
            "fore": ("Före, kr per månad", "sek"),
            "efter_sek": ("Efter, kr", "sek"),
            "forandring": ("Förändring, %", "procent"),
        },
        derived={"fore": ("personer",), "efter_sek": ("personer",), "forandring": ("personer",)},
    )
    grid.rows = [str(r["efter"]) for r in rows]
    tables.append(
        ReportTable(
            "forsorjningsstod_fore_efter",
            "Försörjningsstöd före och efter",
            "Minskar kostnaderna för försörjningsstöd efter Jobbtorg? (2007: -56 % två månader efter avslut)",
            "Genomsnittligt nettoutbetalt försörjningsstöd per person: per månad under de tre månaderna före "
            "inskrivningsmånaden, och månad +2 och +8 efter avslutsmånaden, för dem som avslutades i perioden "
            "och vars månader finns i de levererade utbetalningarna.",
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
    grid, labels, units = _table(
        rows,
        "kalla",
        {
            "rader_lasta": ("Rader i uttagen", "antal"),
            "rader_i_karantan": ("Rader i karantän", "antal"),
            "andel_i_karantan": ("Andel i karantän", "andel"),
        },
        first=("inskrivningar", "insatser", "utbetalningar"),
        derived={"andel_i_karantan": ("rader_i_karantan", "rader_lasta")},
    )
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
            grid,
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
    grid, labels, units = _table(rows, "regel", {"rader_i_karantan": ("Rader i karantän", "antal")})
    tables.append(
        ReportTable(
            "datakvalitet_regler",
            "Datakvalitet per JUST-regel",
            "Vilka regler bryts?",
            "Rader i karantän per regel (en rad kan bryta mot flera regler). Tom när inga rader bröt mot någon regel.",
            "datakvalitet",
            "Regel",
            labels,
            units,
            grid,
        )
    )
    return tables
