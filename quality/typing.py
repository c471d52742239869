"""Typed, normalised columns for each source, as SQL over the raw text table.

A value that does not parse becomes NULL here while its text stays in the struct `_ratt`; the rules in
`quality/rules.py` compare the two to send such rows to quarantine with a reason. Codes are trimmed and
lower-cased (kön upper-cased) before they meet their code lists; personnummer become 12 digits.
"""

from __future__ import annotations

import duckdb

from jobbtorg_pipeline.personnummer import REASONS, interpretation_sql, register_personnummer_macros
from jobbtorg_pipeline.sources.contract import COLUMNS

_MACROS = r"""
CREATE OR REPLACE TEMP MACRO txt(x) AS nullif(trim(x), '');
CREATE OR REPLACE TEMP MACRO datum(x) AS
    CASE WHEN regexp_full_match(trim(x), '\d{4}-\d{2}-\d{2}') THEN try_cast(trim(x) AS DATE) END;
CREATE OR REPLACE TEMP MACRO tidpunkt(x) AS
    CASE WHEN regexp_full_match(trim(x), '\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?')
         THEN try_cast(trim(x) AS TIMESTAMP) END;
CREATE OR REPLACE TEMP MACRO manad(x) AS
    CASE WHEN regexp_full_match(trim(x), '\d{4}-(0[1-9]|1[0-2])') THEN try_cast(trim(x) || '-01' AS DATE) END;
-- A space between groups of three digits (also a no-break space, U+00A0 or U+202F, as spreadsheets and
-- Swedish number formats write it) is a thousands separator; anywhere else the text is no number.
CREATE OR REPLACE TEMP MACRO belopp_sek(x) AS
    CASE WHEN regexp_full_match(trim(x), '[-+]?(\d{1,3}([ \x{00A0}\x{202F}]\d{3})+|\d+)([.,]\d{1,2})?')
         THEN try_cast(replace(regexp_replace(trim(x), '[ \x{00A0}\x{202F}]', '', 'g'), ',', '.')
                       AS DECIMAL(15, 2))
    END;
-- A raw value quoted in a reason; one that looks like a personnummer (columns swapped) is not shown.
CREATE OR REPLACE TEMP MACRO citat(x) AS
    CASE WHEN regexp_matches(x, '\d{6}[-+]?\d{4}') THEN '(ett värde som liknar ett personnummer)'
         ELSE coalesce('''' || x || '''', '(tomt)') END;
"""


def register_typing_macros(con: duckdb.DuckDBPyConnection) -> None:
    register_personnummer_macros(con)
    con.execute(_MACROS)
    reasons = " ".join(f"WHEN '{code}' THEN '{text}'" for code, text in REASONS.items())
    con.execute(f"CREATE OR REPLACE TEMP MACRO pnr_fel_text(code) AS CASE code {reasons} END")


_TYPED: dict[str, dict[str, str]] = {
    "inskrivningar": {
        "inskrivning_id": "txt(inskrivning_id)",
        "personnummer": "_pnr.pnr12",
        "kon": "upper(txt(kon))",
        "stadsdel": "txt(stadsdel)",
        "jobbtorg": "txt(jobbtorg)",
        "malgrupp": "lower(txt(malgrupp))",
        "remissdatum": "datum(remissdatum)",
        "inskrivningsdatum": "datum(inskrivningsdatum)",
        "aktivitetsplan_datum": "datum(aktivitetsplan_datum)",
        "avslutsdatum": "datum(avslutsdatum)",
        "avslutsorsak": "lower(txt(avslutsorsak))",
        "andrad_tid": "tidpunkt(andrad_tid)",
    },
    "insatser": {
        "insats_id": "txt(insats_id)",
        "inskrivning_id": "txt(inskrivning_id)",
        "insatstyp": "lower(txt(insatstyp))",
        "regi": "lower(txt(regi))",
        "anordnare": "txt(anordnare)",
        "startdatum": "datum(startdatum)",
        "planerat_slutdatum": "datum(planerat_slutdatum)",
        "slutdatum": "datum(slutdatum)",
        "andrad_tid": "tidpunkt(andrad_tid)",
    },
    "utbetalningar": {
        "utbetalning_id": "txt(utbetalning_id)",
        "personnummer": "_pnr.pnr12",
        "hushall_id": "txt(hushall_id)",
        "stadsdel": "txt(stadsdel)",
        "avser_manad": "manad(avser_manad)",
        "utbetalningsdatum": "datum(utbetalningsdatum)",
        "belopp": "belopp_sek(belopp)",
        "bistandstyp": "lower(txt(bistandstyp))",
    },
}


def typed_select(kalla: str, where: str = "true") -> str:
    """SELECT of the typed row from `raw.<kalla>` (alias `r`, filtered by `where`) joined with
    `raw.uttag`: typed columns, `_ratt` (the raw text, blanks as NULL), `_uttagsdatum`, `_fil`, `_radnr`
    and, where a personnummer is read, `_pnr_fel`/`_pnr_fel_text`."""
    typed = _TYPED[kalla]
    assert tuple(typed) == COLUMNS[kalla], f"typing of {kalla} must follow docs/source-files.md"
    cols = [f"{expr} AS {name}" for name, expr in typed.items()]
    ratt = ", ".join(f"{c} := txt(r.{c})" for c in COLUMNS[kalla])
    extra, join = "", ""
    if "personnummer" in typed:
        extra = ", _pnr.fel AS _pnr_fel, pnr_fel_text(_pnr.fel) AS _pnr_fel_text"
        numbers = f"SELECT personnummer AS raw FROM raw.{kalla} AS r WHERE {where}"
        reference = "(SELECT year(uttagsdatum) FROM raw.uttag)"
        join = f"""JOIN ({interpretation_sql(numbers, reference)}) AS _pnr
                   ON _pnr.raw = coalesce(r.personnummer, '')"""
    return f"""
        SELECT {", ".join(cols)}, struct_pack({ratt}) AS _ratt, u.uttagsdatum AS _uttagsdatum,
               r._fil, r._radnr{extra}
        FROM raw.{kalla} AS r
        CROSS JOIN (SELECT uttagsdatum FROM raw.uttag) AS u
        {join}
        WHERE {where}
    """
