"""Apply the row rules: every raw row is either approved or quarantined with its rule ids and reasons.

One set-based pass per source: the typed rows get a list of the rules they break; rows with an empty list
are approved, the others go to `staging.karantan` (one row per broken rule) together with the lines the
CSV reader rejected. Row accounting (rows read = approved + quarantined) is checked in `quality/checks.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from jobbtorg_pipeline.quality.rules import ID_COLUMN, REJECTED_LINE_RULE, RowRule, extra_lines, rules_for
from jobbtorg_pipeline.quality.typing import register_typing_macros, typed_select
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
-- the lines of the file the row holds: more than one when an unclosed quote joined lines into it
ALTER TABLE staging.karantan ADD COLUMN IF NOT EXISTS rader BIGINT;
"""


@dataclass(frozen=True)
class SplitCounts:
    read: int  # data rows parsed plus lines rejected by the CSV reader
    approved: int
    quarantined: int  # distinct source rows (a row breaking two rules counts once)
    per_rule: dict[str, int]


def _judged_sql(kalla: str, flags: str, reasons: str) -> str:
    """Typed rows with what the rules need beyond the row itself, and the rules each row breaks.

    Duplicated ids are found by grouping the raw ids, and only those few rows are typed a second time to
    be compared and numbered: a window over every row (25M payments) cost more than the typing itself.
    The result is narrow (typed columns, where the row came from, the rules it breaks); the raw text of a
    quarantined row is fetched from `raw` for that row alone.
    """
    id_col = ID_COLUMN[kalla]
    identity = ", ".join(f"coalesce({c}::VARCHAR, _ratt.{c})" for c in COLUMNS[kalla])
    duplicated = (
        f"txt(r.{id_col}) IN (SELECT txt({id_col}) FROM raw.{kalla} WHERE txt({id_col}) IS NOT NULL "
        f"GROUP BY txt({id_col}) HAVING count(*) > 1)"
    )
    registration = ""
    if kalla == "insatser":
        # EXISTS, never `IN (SELECT ...)`: one registration with an empty id makes `x IN (...)` NULL
        # instead of false, and the insats of a missing registration would be neither staged nor
        # quarantined.
        registration = """,
            EXISTS (SELECT 1 FROM raw.inskrivningar AS ri
                    WHERE txt(ri.inskrivning_id) = t.inskrivning_id) AS _inskrivning_finns,
            EXISTS (SELECT 1 FROM staging.inskrivningar AS si
                    WHERE si.inskrivning_id = t.inskrivning_id) AS _inskrivning_godkand"""
    return f"""
        WITH dubbletter AS (
            SELECT _fil, _radnr,
                   row_number() OVER (PARTITION BY {id_col} ORDER BY _fil, _radnr) AS nr,
                   count(*) OVER (PARTITION BY {id_col}) AS antal,
                   count(DISTINCT hash({identity})) OVER (PARTITION BY {id_col}) > 1 AS konflikt
            FROM ({typed_select(kalla, duplicated)})
        ),
        med_kontext AS (
            SELECT t.*,
                   coalesce(d.nr, 1) AS _dubblett_nr,
                   coalesce(d.antal, 1) AS _dubblett_antal,
                   coalesce(d.konflikt, false) AS _dubblett_konflikt{registration}
            FROM ({typed_select(kalla)}) AS t
            LEFT JOIN dubbletter AS d ON d._fil = t._fil AND d._radnr = t._radnr
        )
        SELECT {", ".join(COLUMNS[kalla])}, _fil, _radnr, _uttagsdatum,
               list_filter({flags}, lambda x: x IS NOT NULL) AS _regler,
               list_filter({reasons}, lambda x: x IS NOT NULL) AS _orsaker
        FROM med_kontext
    """


def _broken(rules: tuple[RowRule, ...]) -> tuple[str, str]:
    """SQL lists of the ids and of the reasons of the rules a row breaks (NULL for each rule it keeps)."""
    flags = ", ".join(f"CASE WHEN coalesce(({r.breaks}), false) THEN '{r.qualified_id}' END" for r in rules)
    reasons = ", ".join(f"CASE WHEN coalesce(({r.breaks}), false) THEN {r.reason} END" for r in rules)
    return f"[{flags}]", f"[{reasons}]"


def split(con: duckdb.DuckDBPyConnection, kalla: str) -> str:
    """Judge every raw row of a source and write its quarantine rows; returns a SELECT of the approved,
    typed rows (with `_fil`, `_radnr`) for the staging step, which then calls `drop_judged`."""
    register_typing_macros(con)
    con.execute(KARANTAN_DDL)
    rules = rules_for(kalla)
    flags, reasons = _broken(rules)
    exclusive = tuple(r for r in rules if r.exclusive)
    if exclusive:  # a row breaking an exclusive rule is quarantined under it alone
        only = " OR ".join(f"coalesce(({r.breaks}), false)" for r in exclusive)
        only_flags, only_reasons = _broken(exclusive)
        flags = f"CASE WHEN {only} THEN {only_flags} ELSE {flags} END"
        reasons = f"CASE WHEN {only} THEN {only_reasons} ELSE {reasons} END"
    con.execute(f"CREATE OR REPLACE TABLE staging._bedomda_{kalla} AS {_judged_sql(kalla, flags, reasons)}")
    con.execute("DELETE FROM staging.karantan WHERE kalla = ?", [kalla])
    raw_columns = ", ".join(f"{c} := txt(r.{c})" for c in COLUMNS[kalla])
    lines = extra_lines("r", kalla)
    con.execute(
        f"""
        INSERT INTO staging.karantan
            (kalla, fil, radnr, rad, post_id, regel, orsak, radinnehall, uttagsdatum, rader)
        SELECT '{kalla}', b._fil, b._radnr, NULL, txt(r.{ID_COLUMN[kalla]}), unnest(b._regler),
               unnest(b._orsaker), to_json(struct_pack({raw_columns}))::VARCHAR, b._uttagsdatum, 1 + {lines}
        FROM staging._bedomda_{kalla} AS b
        JOIN raw.{kalla} AS r ON r._fil = b._fil AND r._radnr = b._radnr
        WHERE len(b._regler) > 0
        ORDER BY b._fil, b._radnr
        """
    )
    con.execute(
        """
        INSERT INTO staging.karantan
            (kalla, fil, radnr, rad, post_id, regel, orsak, radinnehall, uttagsdatum, rader)
        SELECT kalla, fil, NULL, rad, NULL, kalla || '.' || ?, felmeddelande,
               to_json({'rad': radtext})::VARCHAR, (SELECT uttagsdatum FROM raw.uttag), rader
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
