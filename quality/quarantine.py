"""Apply the row rules: every raw row is either approved or quarantined with its rule ids and reasons.

One set-based pass per source: the typed rows get a list of the rules they break; rows with an empty list
are approved, the others go to `staging.karantan` (one row per broken rule) together with the lines the
CSV reader rejected. Row accounting (rows read = approved + quarantined) is checked in `quality/checks.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from jobbtorg_pipeline.assets.staging.typing import register_typing_macros, typed_select
from jobbtorg_pipeline.quality.rules import ID_COLUMN, REJECTED_LINE_RULE, rules_for
from jobbtorg_pipeline.sources.contract import COLUMNS

KARANTAN_DDL = """
CREATE SCHEMA IF NOT EXISTS staging;
CREATE TABLE IF NOT EXISTS staging.karantan (
    kalla VARCHAR,       -- inskrivningar, insatser or utbetalningar
    fil VARCHAR,         -- the extract file, relative to the source folder
    radnr BIGINT,        -- the row's number among the file's parsed data rows (NULL for a rejected line)
    rad BIGINT,          -- the line number in the file, for a line the CSV reader rejected
    post_id VARCHAR,     -- the row's id as written (inskrivning_id, insats_id, utbetalning_id)
    regel VARCHAR,       -- the broken rule, e.g. inskrivningar.personnummer_giltigt
    orsak VARCHAR,       -- why, in words (never a personnummer)
    radinnehall VARCHAR, -- the raw row as JSON: restricted, internal layer only
    uttagsdatum DATE
);
"""


@dataclass(frozen=True)
class SplitCounts:
    read: int  # data rows parsed plus lines rejected by the CSV reader
    approved: int
    quarantined: int  # distinct source rows (a row breaking two rules counts once)
    per_rule: dict[str, int]


def _context(kalla: str) -> tuple[str, str]:
    """Extra columns a rule needs beyond the row itself: duplicate counts, the registration's fate."""
    id_col = ID_COLUMN[kalla]
    identity = ", ".join(f"coalesce({c}::VARCHAR, _ratt.{c})" for c in COLUMNS[kalla])
    columns = f"""
        CASE WHEN {id_col} IS NULL THEN 1
             ELSE row_number() OVER (PARTITION BY {id_col} ORDER BY _fil, _radnr) END AS _dubblett_nr,
        CASE WHEN {id_col} IS NULL THEN 1 ELSE count(*) OVER (PARTITION BY {id_col}) END AS _dubblett_antal,
        {id_col} IS NOT NULL
            AND count(DISTINCT hash({identity})) OVER (PARTITION BY {id_col}) > 1 AS _dubblett_konflikt
    """
    joins = ""
    if kalla == "insatser":
        columns += """,
        inskrivning_id IN (SELECT txt(inskrivning_id) FROM raw.inskrivningar) AS _inskrivning_finns,
        inskrivning_id IN (SELECT inskrivning_id FROM staging.inskrivningar) AS _inskrivning_godkand
        """
    return columns, joins


def split(con: duckdb.DuckDBPyConnection, kalla: str) -> str:
    """Judge every raw row of a source and write its quarantine rows; returns a SELECT of the approved,
    typed rows (with `_fil`, `_radnr`) for the staging step, which then calls `drop_judged`."""
    register_typing_macros(con)
    con.execute(KARANTAN_DDL)
    rules = rules_for(kalla)
    flags = ", ".join(f"CASE WHEN coalesce(({r.breaks}), false) THEN '{r.qualified_id}' END" for r in rules)
    reasons = ", ".join(f"CASE WHEN coalesce(({r.breaks}), false) THEN {r.reason} END" for r in rules)
    context, joins = _context(kalla)
    con.execute(
        f"""
        CREATE OR REPLACE TABLE staging._bedomda_{kalla} AS
        WITH typad AS ({typed_select(kalla)}),
        med_kontext AS (SELECT t.*, {context} FROM typad AS t {joins})
        SELECT *,
               list_filter([{flags}], lambda x: x IS NOT NULL) AS _regler,
               list_filter([{reasons}], lambda x: x IS NOT NULL) AS _orsaker
        FROM med_kontext
        """
    )
    con.execute("DELETE FROM staging.karantan WHERE kalla = ?", [kalla])
    con.execute(
        f"""
        INSERT INTO staging.karantan
        SELECT '{kalla}', _fil, _radnr, NULL, _ratt.{ID_COLUMN[kalla]}, unnest(_regler), unnest(_orsaker),
               to_json(_ratt)::VARCHAR, _uttagsdatum
        FROM staging._bedomda_{kalla} WHERE len(_regler) > 0
        ORDER BY _fil, _radnr
        """
    )
    con.execute(
        """
        INSERT INTO staging.karantan
        SELECT kalla, fil, NULL, rad, NULL, kalla || '.' || ?, feltyp || ': ' || felmeddelande,
               to_json({'rad': radtext})::VARCHAR, (SELECT uttagsdatum FROM raw.uttag)
        FROM raw.avvisade_rader WHERE kalla = ? ORDER BY fil, rad
        """,
        [REJECTED_LINE_RULE, kalla],
    )
    typed_columns = ", ".join(COLUMNS[kalla])
    return f"SELECT {typed_columns}, _fil, _radnr FROM staging._bedomda_{kalla} WHERE len(_regler) = 0"


def drop_judged(con: duckdb.DuckDBPyConnection, kalla: str) -> None:
    con.execute(f"DROP TABLE IF EXISTS staging._bedomda_{kalla}")


def counts(con: duckdb.DuckDBPyConnection, kalla: str) -> SplitCounts:
    """Rows read, approved and quarantined for one source, from the tables as they stand."""
    parsed = con.execute(f"SELECT count(*) FROM raw.{kalla}").fetchone()[0]
    rejected = con.execute("SELECT count(*) FROM raw.avvisade_rader WHERE kalla = ?", [kalla]).fetchone()[0]
    approved = con.execute(f"SELECT count(*) FROM staging.{kalla}").fetchone()[0]
    quarantined = con.execute(
        """
        SELECT count(DISTINCT (fil, radnr)) FILTER (WHERE radnr IS NOT NULL)
             + count(DISTINCT (fil, rad)) FILTER (WHERE radnr IS NULL)
        FROM staging.karantan WHERE kalla = ?
        """,
        [kalla],
    ).fetchone()[0]
    per_rule = dict(
        con.execute(
            "SELECT regel, count(*) FROM staging.karantan WHERE kalla = ? GROUP BY regel ORDER BY regel",
            [kalla],
        ).fetchall()
    )
    return SplitCounts(parsed + rejected, approved, quarantined, per_rule)
