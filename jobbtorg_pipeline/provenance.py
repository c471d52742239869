"""What every table of the internal database was built from, and how the blocking checks judged it.

A blocked run leaves the internal database half new (Dagster writes the checked asset before its check
fails), and a run may be started for a part of the graph only (`jobbtorg run --select ...`). So whether
the marts may be published is not a matter of which command started the run: every load of the sources
gets an id, every table records the loads it rests on (`kvalitet.ursprung`, the union of its inputs'),
every blocking check records its outcome for the loads it judged (`kvalitet.kontrollutfall`), and the
publish step publishes only marts that rest on one load of each source, every blocking check of which
passed (`refusal`).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import duckdb

DDL = """
CREATE SCHEMA IF NOT EXISTS kvalitet;
CREATE TABLE IF NOT EXISTS kvalitet.laddningar (
    laddning VARCHAR, grupp VARCHAR, beskrivning VARCHAR, run_id VARCHAR, laddad TIMESTAMP);
CREATE TABLE IF NOT EXISTS kvalitet.ursprung (
    tabell VARCHAR, laddningar VARCHAR[], run_id VARCHAR, byggd TIMESTAMP);
CREATE TABLE IF NOT EXISTS kvalitet.kontrollutfall (
    tillgang VARCHAR, kontroll VARCHAR, laddningar VARCHAR[], passed BOOLEAN, beskrivning VARCHAR,
    run_id VARCHAR, tid TIMESTAMP);
"""

# The groups of sources read together: the case system's snapshot (registrations and insatser, and the
# uttagsdatum) and the payments.
CASE_SYSTEM = "arendesystem"
PAYMENTS = "utbetalningar"


def _group(load: str) -> str:
    return load.split(":", 1)[0]


def record_load(
    con: duckdb.DuckDBPyConnection,
    group: str,
    tables: Iterable[str],
    description: str,
    run_id: str,
    content: Iterable[str] | None = None,
) -> str:
    """A load of `group` into the raw `tables`: its id, recorded as what those tables rest on.

    `content` says what was read (the code's version, each file and its checksum): reading exactly that
    again gives the same id, so a run launched by the daemon or the UI and a `jobbtorg run` that read the
    same extract while their steps took turns rest on one load, not on two that refuse to be published
    together. Without it (a file that could not be read has no checksum) every load is new."""
    con.execute(DDL)
    if content is None:
        load = f"{group}:{uuid.uuid4().hex[:16]}"
    else:
        digest = hashlib.sha256("\n".join(content).encode()).hexdigest()
        load = f"{group}:{digest[:16]}"
    con.execute("DELETE FROM kvalitet.laddningar WHERE laddning = ?", [load])  # read again: now
    con.execute(
        "INSERT INTO kvalitet.laddningar VALUES (?, ?, ?, ?, now()::TIMESTAMP)",
        [load, group, description, run_id],
    )
    for table in tables:
        _set(con, table, [load], run_id)
    return load


def forget(con: duckdb.DuckDBPyConnection, tables: Iterable[str]) -> None:
    """The tables are about to be replaced: until the new load is recorded they rest on nothing known."""
    con.execute(DDL)
    con.execute("DELETE FROM kvalitet.ursprung WHERE list_contains(?, tabell)", [list(tables)])


def loads_of(con: duckdb.DuckDBPyConnection, tables: Iterable[str]) -> list[str]:
    """The loads the tables rest on together (a table with no record contributes none)."""
    con.execute(DDL)
    names = list(tables)
    if not names:
        return []
    (loads,) = con.execute(
        "SELECT list_sort(list_distinct(flatten(list(laddningar)))) FROM kvalitet.ursprung "
        "WHERE list_contains(?, tabell)",
        [names],
    ).fetchone()
    return list(loads or [])


def record_built(con: duckdb.DuckDBPyConnection, table: str, inputs: Iterable[str], run_id: str) -> list[str]:
    """`table` was just built from `inputs` (schema.name): it rests on what they rest on."""
    loads = loads_of(con, inputs)
    _set(con, table, loads, run_id)
    return loads


def _set(con: duckdb.DuckDBPyConnection, table: str, loads: list[str], run_id: str) -> None:
    con.execute("DELETE FROM kvalitet.ursprung WHERE tabell = ?", [table])
    con.execute(
        "INSERT INTO kvalitet.ursprung VALUES (?, ?, ?, now()::TIMESTAMP)", [table, sorted(loads), run_id]
    )


def record_outcome(
    con: duckdb.DuckDBPyConnection,
    asset: str,
    check: str,
    loads: Sequence[str],
    passed: bool,
    description: str,
    run_id: str,
) -> None:
    con.execute(DDL)
    con.execute(
        "INSERT INTO kvalitet.kontrollutfall VALUES (?, ?, ?, ?, ?, ?, now()::TIMESTAMP)",
        [asset, check, sorted(loads), passed, description, run_id],
    )


class NotPublishable(RuntimeError):
    """The marts do not rest on one extract that passed every blocking check: nothing is published."""


@dataclass(frozen=True)
class BlockingCheck:
    asset: str  # e.g. staging/utbetalningar
    check: str
    groups: tuple[str, ...]  # the source groups it judges


def refusal(
    con: duckdb.DuckDBPyConnection, tables: Sequence[str], checks: Sequence[BlockingCheck]
) -> str | None:
    """Why `tables` (schema.name) must not be published, in words; None when they may be.

    They may when together they rest on exactly one load of each source group (the case system's among
    them), every table has a record, and every blocking check passed on those very loads when last run.
    """
    con.execute(DDL)
    rows = dict(
        con.execute(
            "SELECT tabell, laddningar FROM kvalitet.ursprung WHERE list_contains(?, tabell)", [list(tables)]
        ).fetchall()
    )
    unknown = [t for t in tables if t not in rows]
    if unknown:
        return (
            f"it is not known which extract {_listed(unknown)} were built from (built by an older version, "
            "or their step failed): run the whole pipeline (`jobbtorg run`)"
        )
    loads = sorted({load for table_loads in rows.values() for load in table_loads})
    by_group: dict[str, list[str]] = {}
    for load in loads:
        by_group.setdefault(_group(load), []).append(load)
    described = _descriptions(con, loads)
    mixed = {g: ls for g, ls in by_group.items() if len(ls) > 1}
    if mixed:
        parts = []
        for _, group_loads in sorted(mixed.items()):
            for load in group_loads:
                built = sorted(t for t, table_loads in rows.items() if load in table_loads)
                parts.append(f"{_listed(built)} from {described.get(load, load)}")
        return (
            "the marts were built from different extracts (a run stopped part way, or a run of part of the "
            "pipeline): " + "; ".join(parts) + ". Run the whole pipeline (`jobbtorg run`)"
        )
    if CASE_SYSTEM not in by_group:
        return "the marts rest on no case-system snapshot: run the whole pipeline (`jobbtorg run`)"
    for check in checks:
        wanted = sorted(load for load in loads if _group(load) in check.groups)
        row = con.execute(
            "SELECT passed, beskrivning FROM kvalitet.kontrollutfall "
            "WHERE tillgang = ? AND kontroll = ? AND laddningar = ? ORDER BY tid DESC LIMIT 1",
            [check.asset, check.check, wanted],
        ).fetchone()
        what = " and ".join(described.get(load, load) for load in wanted)
        if row is None:
            return (
                f"the blocking check {check.asset}:{check.check} has not judged the extract the marts were "
                f"built from ({what}): run the whole pipeline (`jobbtorg run`)"
            )
        if not row[0]:
            return (
                f"the marts were built from an extract that the blocking check {check.asset}:{check.check} "
                f"stopped ({what}): {row[1]}"
            )
    return None


def ensure_publishable(
    con: duckdb.DuckDBPyConnection, tables: Sequence[str], checks: Sequence[BlockingCheck], what: str
) -> list[str]:
    """The loads `tables` rest on; raises NotPublishable, saying why, when they must not be published."""
    why = refusal(con, tables, checks)
    if why:
        raise NotPublishable(f"{what} was not changed: {why}")
    return loads_of(con, tables)


def _descriptions(con: duckdb.DuckDBPyConnection, loads: list[str]) -> dict[str, str]:
    if not loads:
        return {}
    return dict(
        con.execute(
            "SELECT laddning, beskrivning || ', read ' || strftime(laddad, '%Y-%m-%d %H:%M:%S') "
            "FROM kvalitet.laddningar WHERE list_contains(?, laddning)",
            [loads],
        ).fetchall()
    )


def _listed(tables: Sequence[str], most: int = 4) -> str:
    shown = ", ".join(tables[:most])
    return shown + (f" and {len(tables) - most} more" if len(tables) > most else "")


# The publish ledger: the extract files behind each published analysts' file. Written by the publish
# step; read by the truncation and snapshot-age checks (their baseline) and by a report's manifest.
PUBLISHED_DDL = """
CREATE SCHEMA IF NOT EXISTS kvalitet;
CREATE TABLE IF NOT EXISTS kvalitet.publicerade_filer (
    run_id VARCHAR, publicerad TIMESTAMP, uttagsdatum DATE,
    kalla VARCHAR, fil VARCHAR, manad VARCHAR, rader BIGINT, sha256 VARCHAR);
ALTER TABLE kvalitet.publicerade_filer ADD COLUMN IF NOT EXISTS analysfil_sha256 VARCHAR;
"""


def record_published(con: duckdb.DuckDBPyConnection, run_id: str, analysfil_sha256: str) -> None:
    """Remember what is being published: the truncation check's baseline for the next run, and the
    extract files behind the analysts' file whose SHA-256 is `analysfil_sha256` (a report's manifest)."""
    con.execute(PUBLISHED_DDL)
    con.execute(
        """
        INSERT INTO kvalitet.publicerade_filer
            (run_id, publicerad, uttagsdatum, kalla, fil, manad, rader, sha256, analysfil_sha256)
        SELECT ?, now()::TIMESTAMP, (SELECT uttagsdatum FROM raw.uttag), kalla, fil, manad, rader + avvisade,
               sha256, ?
        FROM raw.filer WHERE status = 'last'
        """,
        [run_id, analysfil_sha256],
    )


def published_uttagsdatum(con: duckdb.DuckDBPyConnection) -> date | None:
    """The uttagsdatum of the last published run, or None before the first publication."""
    con.execute(PUBLISHED_DDL)
    row = con.execute("SELECT arg_max(uttagsdatum, publicerad) FROM kvalitet.publicerade_filer").fetchone()
    return row[0] if row else None
