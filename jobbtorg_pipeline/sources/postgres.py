"""The case system and the payments read from PostgreSQL (docs/source-files.md: tables `inskrivning`,
`insats`, `utbetalning` with the columns of the files).

Each table is streamed out with `COPY (SELECT * FROM t) TO STDOUT` as CSV in the contract's dialect and
read by the same loader as a delivered file, so a typed or a text column, a bad value or a missing
column are judged exactly as in a file (`sources/files.py`, the JUST-team rules). Registrations and
insatser are pulled in one REPEATABLE READ transaction, so they are one consistent moment of the case
system. The uttagsdatum is the day of the pull, in Stockholm.

The password comes from PGPASSWORD (libpq), never from the configuration the Dagster UI shows.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from jobbtorg_pipeline.sources.contract import ARENDESYSTEM_KALLOR
from jobbtorg_pipeline.sources.files import (
    CaseSystemLoad,
    LoadedFile,
    PaymentsLoad,
    create_raw_table,
    load_csv,
    transaction,
)
from jobbtorg_pipeline.sources.leverans import Snapshot, SourceError

TABLES = {"inskrivningar": "inskrivning", "insatser": "insats", "utbetalningar": "utbetalning"}
STOCKHOLM = ZoneInfo("Europe/Stockholm")
CONNECT_TIMEOUT = 10  # seconds: an unreachable server fails the run quickly and clearly


def describe(dsn: str) -> str:
    """The DSN without a password, for messages."""
    from psycopg2.extensions import parse_dsn

    try:
        parts = parse_dsn(dsn)
    except Exception:
        return "(an unreadable connection string)"
    return " ".join(f"{k}={v}" for k, v in parts.items() if k != "password")


@contextlib.contextmanager
def _connection(dsn: str) -> Iterator[object]:
    import psycopg2

    try:
        connection = psycopg2.connect(dsn, connect_timeout=CONNECT_TIMEOUT)
    except psycopg2.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SourceError(
            f"Cannot reach the case system's PostgreSQL ({describe(dsn)}): {first}. Nothing was read; the "
            "analysts' file is unchanged. The next run reads it once the server answers."
        ) from exc
    try:
        yield connection
    finally:
        connection.close()


def _pull_table(connection: object, table: str, target: Path) -> str | None:
    """Stream a table to a CSV file; None, or why it could not be read."""
    import psycopg2

    cursor = connection.cursor()  # type: ignore[attr-defined]
    try:
        cursor.execute("SAVEPOINT hamta")
        with target.open("w", encoding="utf-8", newline="") as out:
            cursor.copy_expert(
                f"COPY (SELECT * FROM \"{table}\") TO STDOUT WITH (FORMAT csv, HEADER, DELIMITER ';')", out
            )
        cursor.execute("RELEASE SAVEPOINT hamta")
    except psycopg2.Error as exc:
        cursor.execute("ROLLBACK TO SAVEPOINT hamta")
        return f"table {table} could not be read: {str(exc).strip().splitlines()[0]}"
    return None


def _pull(
    con: duckdb.DuckDBPyConnection, dsn: str, work_dir: Path, sources: tuple[str, ...]
) -> list[LoadedFile]:
    loaded = []
    with _connection(dsn) as connection, tempfile.TemporaryDirectory(dir=work_dir, prefix="pg-") as tmp:
        connection.set_session(isolation_level="REPEATABLE READ", readonly=True)  # type: ignore[attr-defined]
        for kalla in sources:
            table = TABLES[kalla]
            create_raw_table(con, kalla)
            target = Path(tmp) / f"{table}.csv"
            problem = _pull_table(connection, table, target)
            label = f"postgres:{table}"
            if problem:
                target.unlink(missing_ok=True)
            loaded.append(load_csv(con, target, kalla, label=label, work_dir=work_dir, problem=problem))
        connection.rollback()  # type: ignore[attr-defined]
    return loaded


def pull_case_system(
    con: duckdb.DuckDBPyConnection, dsn: str, work_dir: Path, uttagsdatum: date | None = None
) -> CaseSystemLoad:
    """Read `inskrivning` and `insats` into `raw.*`; the uttagsdatum is today in Stockholm."""
    pulled_at = datetime.now(STOCKHOLM)
    day = uttagsdatum or pulled_at.date()
    with transaction(con):
        loaded = _pull(con, dsn, work_dir, ARENDESYSTEM_KALLOR)
        con.execute(
            """
            CREATE OR REPLACE TABLE raw.uttag AS
            SELECT ?::DATE AS uttagsdatum, 'postgres' AS kalltyp, ? AS ogonblicksbild
            """,
            [day, f"postgres {describe(dsn)} {pulled_at:%Y-%m-%d %H:%M}"],
        )
    return CaseSystemLoad(Snapshot(path=Path("postgres"), uttagsdatum=day), tuple(loaded))


def pull_payments(con: duckdb.DuckDBPyConnection, dsn: str, work_dir: Path) -> PaymentsLoad:
    """Read `utbetalning` into `raw.utbetalningar`."""
    with transaction(con):
        loaded = _pull(con, dsn, work_dir, ("utbetalningar",))
    return PaymentsLoad(tuple(loaded), (), ())


def load_source_into_postgres(source_dir: Path, dsn: str) -> dict[str, int]:
    """Copy a source folder (docs/source-files.md) into the tables `inskrivning`, `insats` and `utbetalning`.

    The tables are replaced in one transaction, every column as text, exactly as the files have it, so a
    run on the PostgreSQL source judges the same values as a run on the files. Lines the CSV reader
    cannot split into fields cannot become table rows and are left out (and counted).
    """
    from jobbtorg_pipeline.sources.contract import COLUMNS
    from jobbtorg_pipeline.sources.files import load_case_system, load_payments

    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="jobbtorg-pg-") as tmp:
        work = Path(tmp)
        con = duckdb.connect()
        try:
            load_case_system(con, source_dir, work)
            load_payments(con, source_dir, work)
            problems = con.execute("SELECT fil, problem FROM raw.filer WHERE problem IS NOT NULL").fetchall()
            if problems:
                raise SourceError("; ".join(f"{fil}: {problem}" for fil, problem in problems))
            for kalla in TABLES:
                columns = ", ".join(COLUMNS[kalla])
                con.execute(
                    f"COPY (SELECT {columns} FROM raw.{kalla} ORDER BY _fil, _radnr) TO ? "
                    "(HEADER, DELIMITER ';')",
                    [str(work / f"{kalla}.csv")],  # bound: a temporary folder's path may hold a quote
                )
                counts[kalla] = con.execute(f"SELECT count(*) FROM raw.{kalla}").fetchone()[0]
            counts["avvisade_rader"] = con.execute("SELECT count(*) FROM raw.avvisade_rader").fetchone()[0]
        finally:
            con.close()
        with _connection(dsn) as connection:
            cursor = connection.cursor()  # type: ignore[attr-defined]
            for kalla, table in TABLES.items():
                columns = ", ".join(f'"{c}" text' for c in COLUMNS[kalla])
                cursor.execute(f'DROP TABLE IF EXISTS "{table}"; CREATE TABLE "{table}" ({columns})')
                with (work / f"{kalla}.csv").open(encoding="utf-8") as data:
                    cursor.copy_expert(
                        f"COPY \"{table}\" FROM STDIN WITH (FORMAT csv, HEADER, DELIMITER ';')", data
                    )
            connection.commit()  # type: ignore[attr-defined]
    return counts
