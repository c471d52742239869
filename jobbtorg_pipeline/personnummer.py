"""Personnummer and samordningsnummer in DuckDB SQL: parse, validate, normalise to 12 digits.

Set-based on purpose: 25M payment rows cannot go through a per-row Python call. The rules follow
Skatteverket and agree with the `personnummer` package (tested as an oracle in tests/test_personnummer.py):

- 10 or 12 digits, with or without `-` or `+` before the last four;
- a 10-digit number gets the century that makes the person younger than 100 in the reference year
  (`-`, or no separator) or 100 or older (`+`); the reference year is the uttagsdatum's, so the same
  extract always normalises the same way;
- the date must exist, with day - 60 for a samordningsnummer; the serial number 000 is never issued;
- the last digit is the Luhn check digit over the 10-digit form.

`pnr_fel(raw, ref_year)` gives the first reason a value is not valid (NULL when it is); `pnr12(raw,
ref_year)` gives the normalised `YYYYMMDDNNNC` (NULL when not valid).
"""

from __future__ import annotations

import duckdb

PATTERN = r"^(\d{2})?(\d{2})(\d{2})(\d{2})([-+]?)(\d{3})(\d)$"

# Reasons, in the order they are tested. Stable codes: they appear in quarantine rows.
REASONS = {
    "saknas": "personnummer saknas",
    "format": "inte 10 eller 12 siffror (med eller utan - eller +)",
    "serienummer": "serienumret 000 delas aldrig ut",
    "datum": "födelsedatumet finns inte (dag - 60 för samordningsnummer)",
    "kontrollsiffra": "kontrollsiffran stämmer inte (Luhn)",
}


def _luhn_sum() -> str:
    """Sum of the Luhn digit sums of YYMMDDNNN, as one SQL expression over the digits' code points."""
    digits = "d.yy || d.mm || d.dd || d.nnn"
    terms = []
    for i in range(1, 10):
        digit = f"(ord(substr({digits}, {i}, 1)) - 48)"
        terms.append(f"({digit} * 2) // 10 + ({digit} * 2) % 10" if i % 2 else digit)
    return "\n        + ".join(terms)


_LUHN_SUM = _luhn_sum()

_MACROS = f"""
CREATE OR REPLACE TEMP MACRO pnr_delar(raw) AS
    regexp_extract(trim(raw), '{PATTERN}', ['c', 'yy', 'mm', 'dd', 'sep', 'nnn', 'k']);

CREATE OR REPLACE TEMP MACRO pnr_helar(d, ref_year) AS
    CASE WHEN d.c <> '' THEN try_cast(d.c || d.yy AS INTEGER)
         ELSE (ref_year - CASE WHEN d.sep = '+' THEN 100 ELSE 0 END)
              - (((ref_year - CASE WHEN d.sep = '+' THEN 100 ELSE 0 END) - try_cast(d.yy AS INTEGER)) % 100)
    END;

CREATE OR REPLACE TEMP MACRO pnr_dag(d) AS
    try_cast(d.dd AS INTEGER) - CASE WHEN try_cast(d.dd AS INTEGER) > 60 THEN 60 ELSE 0 END;

CREATE OR REPLACE TEMP MACRO pnr_datum(d, ref_year) AS
    try_cast(printf('%04d-%s-%02d', pnr_helar(d, ref_year), d.mm, pnr_dag(d)) AS DATE);

-- Luhn over the nine digits YYMMDDNNN, unrolled (a lambda per row is 60 times slower):
-- weights 2, 1, 2, ...; add the digit sums of the products; the check digit is (10 - sum % 10) % 10
CREATE OR REPLACE TEMP MACRO pnr_luhn_ok(d) AS
    (10 - ({_LUHN_SUM}) % 10) % 10 = try_cast(d.k AS INTEGER);

CREATE OR REPLACE TEMP MACRO pnr_fel_delar(raw, d, ref_year) AS
    CASE WHEN raw IS NULL OR trim(raw) = '' THEN 'saknas'
         WHEN NOT regexp_full_match(trim(raw), '{PATTERN}') THEN 'format'
         WHEN d.nnn = '000' THEN 'serienummer'
         WHEN pnr_datum(d, ref_year) IS NULL THEN 'datum'
         WHEN NOT pnr_luhn_ok(d) THEN 'kontrollsiffra'
    END;

CREATE OR REPLACE TEMP MACRO pnr_fel(raw, ref_year) AS pnr_fel_delar(raw, pnr_delar(raw), ref_year);

CREATE OR REPLACE TEMP MACRO pnr12_delar(raw, d, ref_year) AS
    CASE WHEN pnr_fel_delar(raw, d, ref_year) IS NULL
         THEN printf('%04d', pnr_helar(d, ref_year)) || d.mm || d.dd || d.nnn || d.k END;

CREATE OR REPLACE TEMP MACRO pnr12(raw, ref_year) AS pnr12_delar(raw, pnr_delar(raw), ref_year);
"""


def register_personnummer_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Define the pnr_* macros for this connection."""
    con.execute(_MACROS)


def interpretation_sql(values: str, ref_year: str) -> str:
    """One row per distinct value of `values` (a query with one column `raw`): `raw` ('' for NULL),
    `pnr12` and `fel`. Each distinct number is parsed once and its parts materialised: the macros refer
    to the parts many times, and inlined they would re-run the regular expression for every reference.
    Join it back on `coalesce(<column>, '')`."""
    return f"""
        WITH pnr_varden AS MATERIALIZED (
            SELECT raw, pnr_delar(raw) AS d FROM (SELECT DISTINCT coalesce(raw, '') AS raw FROM ({values}))
        )
        SELECT raw, pnr12_delar(raw, d, {ref_year}) AS pnr12, pnr_fel_delar(raw, d, {ref_year}) AS fel
        FROM pnr_varden
    """


# Derived from a valid 12-digit number (these need no reference year).
FODELSEDATUM_SQL = (
    "make_date(substr({p}, 1, 4)::INTEGER, substr({p}, 5, 2)::INTEGER, "
    "substr({p}, 7, 2)::INTEGER - CASE WHEN substr({p}, 7, 2)::INTEGER > 60 THEN 60 ELSE 0 END)"
)
SAMORDNINGSNUMMER_SQL = "substr({p}, 7, 2)::INTEGER > 60"
# The second-to-last digit: odd for men, even for women.
KON_ENLIGT_PNR_SQL = "CASE WHEN substr({p}, 11, 1)::INTEGER % 2 = 1 THEN 'män' ELSE 'kvinnor' END"
