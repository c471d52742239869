"""Production on PostgreSQL: the Dagster instance's storage and the case system read from its tables.

A run on the PostgreSQL source must give the analysts exactly what the same extract gives as files, a
broken table must block the run with a reason, and an unreachable server must fail it cleanly.
"""

from __future__ import annotations

import socket
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import psycopg2
import pytest
from psycopg2.extensions import parse_dsn

from jobbtorg_pipeline.assets.marts.catalog import load_marts
from jobbtorg_pipeline.failures import problems
from jobbtorg_pipeline.instance import instance_yaml
from jobbtorg_pipeline.sources import postgres as postgres_source
from jobbtorg_pipeline.sources.contract import INSATSER, INSKRIVNINGAR, UTBETALNINGAR
from jobbtorg_pipeline.sources.postgres import load_source_into_postgres, pull_case_system
from tests.conftest import PG_ADMIN_DSN, cli_env, database_dsn, jobbtorg
from tests.support import corrupt
from tests.support.pipeline import Run, run_pipeline
from tests.support.sourcebuilder import INNERSTADEN, SYDOST, SourceBuilder, pnr

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

TINY_UTTAG = date(2020, 1, 15)


def _marts(path: Path) -> dict[str, tuple[list[tuple[str, str]], list[tuple]]]:
    """Every marts.* table of a DuckDB file: its columns with types, and its rows in stored order."""
    with duckdb.connect(str(path), read_only=True) as con:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' ORDER BY 1"
            ).fetchall()
        ]
        return {
            name: (
                [(r[0], r[1]) for r in con.execute(f"DESCRIBE marts.{name}").fetchall()],
                con.execute(f"FROM marts.{name}").fetchall(),
            )
            for name in names
        }


def _assert_same_marts(got: Run, expected: Run | SimpleNamespace) -> None:
    ours, theirs = _marts(got.settings.analysts_file), _marts(expected.settings.analysts_file)
    assert set(ours) == set(theirs) == {m.name for m in load_marts()}
    differing = [name for name in theirs if ours[name] != theirs[name]]
    for name in differing:  # say which rows differ, not just that they do
        only_pg = sorted(set(ours[name][1]) - set(theirs[name][1]), key=repr)[:5]
        only_files = sorted(set(theirs[name][1]) - set(ours[name][1]), key=repr)[:5]
        print(f"marts.{name}: only in the PostgreSQL run {only_pg}; only in the file run {only_files}")
    assert differing == [], "marts that differ between the PostgreSQL and the file source"


def _pg(dsn: str) -> Any:
    connection = psycopg2.connect(dsn)
    connection.autocommit = True
    return connection


def _free_port() -> int:
    """A port nothing listens on (bound and released at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def file_run(small_run) -> SimpleNamespace:
    """The reference: the small generated source read as files (the session's shared run)."""
    return SimpleNamespace(settings=small_run)


# --- the Dagster instance ---------------------------------------------------------------------------


def test_test_databases_are_made_on_the_server_of_jobbtorg_test_pg_dsn():
    """The per-test databases and the daemon's instance follow JOBBTORG_TEST_PG_DSN's server, not a
    hard-coded 127.0.0.1:5432."""
    made = parse_dsn(
        database_dsn("host=db.example port=6543 user=jobbtorg password=s3cret dbname=postgres", "t1")
    )
    assert made == {
        "host": "db.example",
        "port": "6543",
        "user": "jobbtorg",
        "password": "s3cret",
        "dbname": "t1",
    }


def test_the_test_database_is_on_the_configured_server(pg_database):
    ours, server = parse_dsn(pg_database), parse_dsn(PG_ADMIN_DSN)
    assert {k: v for k, v in ours.items() if k != "dbname"} == {
        k: v for k, v in server.items() if k != "dbname"
    }
    with _pg(pg_database) as connection:
        cursor = connection.cursor()
        cursor.execute("SELECT current_database()")
        assert cursor.fetchone()[0] == ours["dbname"]


def test_the_postgres_instance_keeps_runs_materialisations_and_checks(
    tmp_path, monkeypatch, pg_database, small_generated_source
):
    """Production's webserver and daemon read the runs from PostgreSQL: a run must land there whole."""
    parts = parse_dsn(pg_database)
    for name, value in {
        "DAGSTER_PG_USERNAME": parts.get("user", "postgres"),
        "DAGSTER_PG_PASSWORD": parts.get("password", ""),
        "DAGSTER_PG_HOST": parts.get("host", "127.0.0.1"),
        "DAGSTER_PG_DB": parts["dbname"],
        "DAGSTER_PG_PORT": parts.get("port", "5432"),
    }.items():
        monkeypatch.setenv(name, value)
    home = tmp_path / "dagster"
    home.mkdir()
    (home / "dagster.yaml").write_text(instance_yaml("postgres"))

    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"
        run = run_pipeline(tmp_path / "work", small_generated_source, instance=instance)
        assert run.success
    run_id = run.result.run_id
    materialised = {e.asset_key for e in run.result.get_asset_materialization_events()}
    evaluations = {
        (e.asset_check_key, e.passed, e.severity) for e in run.result.get_asset_check_evaluations()
    }
    assert dg.AssetKey(["publish", "analysfil"]) in materialised
    assert {key.name for key, _, _ in evaluations} >= {"filer_lasbara", "inte_trunkerad", "just_regler"}

    with dg.DagsterInstance.from_config(str(home)) as fresh:  # another process would do just this
        [stored] = fresh.get_runs()
        assert (stored.run_id, stored.job_name, stored.status) == (
            run_id,
            "jobbtorg_alla",
            dg.DagsterRunStatus.SUCCESS,
        )
        records = fresh.all_logs(
            run_id,
            of_type={dg.DagsterEventType.ASSET_MATERIALIZATION, dg.DagsterEventType.ASSET_CHECK_EVALUATION},
        )
        events = [r.dagster_event for r in records]
        assert {
            e.asset_key for e in events if e.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION
        } == materialised
        assert {
            (d.asset_check_key, d.passed, d.severity)
            for d in (
                e.event_specific_data
                for e in events
                if e.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
            )
        } == evaluations
        latest = fresh.get_latest_materialization_event(dg.AssetKey(["publish", "analysfil"]))
        assert latest is not None and latest.run_id == run_id
    with _pg(pg_database) as connection:  # in PostgreSQL itself, not in a local fallback
        cursor = connection.cursor()
        cursor.execute("SELECT count(*) FROM runs")
        assert cursor.fetchone()[0] == 1
        cursor.execute("SELECT count(*) FROM event_logs WHERE run_id = %s", [run_id])
        assert cursor.fetchone()[0] >= len(records)


# --- the case system as PostgreSQL tables -------------------------------------------------------------


def _data_rows(path: Path) -> int:
    return len(corrupt.read_lines(path)[1]) - 1


def test_load_postgres_then_a_replayed_pull_gives_the_marts_of_the_files(
    tmp_path, pg_database, small_generated_source, file_run
):
    """The PostgreSQL connector must not change a single figure: same extract, same marts."""
    source = small_generated_source
    snapshot = corrupt.newest_snapshot(source)
    done = jobbtorg("load-postgres", "--source", str(source), "--dsn", pg_database, env=cli_env(tmp_path))
    assert done.returncode == 0, done.stderr
    with _pg(pg_database) as connection:
        cursor = connection.cursor()
        counts = {}
        for table in ("inskrivning", "insats", "utbetalning"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    assert counts == {
        "inskrivning": _data_rows(snapshot / "inskrivningar.csv"),
        "insats": _data_rows(snapshot / "insatser.csv"),
        "utbetalning": sum(_data_rows(p) for p in corrupt.payment_files(source)),
    }

    uttag = date.fromisoformat(snapshot.name)
    run = run_pipeline(
        tmp_path / "pg", source, source_kind="postgres", pg_dsn=pg_database, pg_uttagsdatum=uttag
    )
    assert run.success, [str(p) for p in problems(run.result.all_events)]
    with run.internal() as con:
        assert con.execute("SELECT uttagsdatum, kalltyp FROM raw.uttag").fetchall() == [(uttag, "postgres")]
    _assert_same_marts(run, file_run)  # datakvalitet included


def test_the_uttagsdatum_of_a_pull_is_today_in_stockholm(tmp_path, pg_database, small_generated_source):
    """Without a replay date the extract is judged as of the day of the pull, on Stockholm's calendar."""
    load_source_into_postgres(small_generated_source, pg_database)
    stockholm = ZoneInfo("Europe/Stockholm")
    before = datetime.now(stockholm).date()
    con = duckdb.connect()
    loaded = pull_case_system(con, pg_database, tmp_path)
    after = datetime.now(stockholm).date()
    assert loaded.snapshot.uttagsdatum in {before, after}
    assert con.execute("SELECT uttagsdatum, kalltyp FROM raw.uttag").fetchone() == (
        loaded.snapshot.uttagsdatum,
        "postgres",
    )
    assert con.execute("SELECT count(*) FROM raw.inskrivningar").fetchone()[0] > 0
    con.close()


class _NightOfDstStart(datetime):
    """A clock at 23:30 UTC on 2024-03-31: already 01:30 on 1 April in Stockholm (summer time)."""

    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        return datetime(2024, 3, 31, 23, 30, tzinfo=UTC).astimezone(tz)


def test_a_pull_after_midnight_in_stockholm_is_dated_by_stockholm_not_utc(
    tmp_path, monkeypatch, pg_database, small_generated_source
):
    """The nightly pull runs around midnight: a UTC calendar would date it a day early."""
    load_source_into_postgres(small_generated_source, pg_database)
    monkeypatch.setattr(postgres_source, "datetime", _NightOfDstStart)
    con = duckdb.connect()
    assert pull_case_system(con, pg_database, tmp_path).snapshot.uttagsdatum == date(2024, 4, 1)
    assert con.execute("SELECT uttagsdatum FROM raw.uttag").fetchone()[0] == date(2024, 4, 1)
    con.close()


def _tiny_source(root: Path) -> SourceBuilder:
    """Three persons with avslut, återremiss and re-registration, parallel insatser, arbetsträning of
    both regi, and payments with a decimal comma and a reclaim: enough to give every mart rows."""
    a = pnr("19850312", 1, woman=True)
    b = pnr("19900704", 2, woman=False)
    c = pnr("19781120", 3, woman=True)
    src = SourceBuilder(root, TINY_UTTAG.isoformat())
    src.inskrivning("I1", a, "2019-01-10", "2019-06-28", "arbete_osubventionerat", kon="K")
    src.insats("S1", "I1", "kartlaggning", "2019-01-15", "2019-02-15")
    src.insats("S2", "I1", "arbetstraning", "2019-02-01", "2019-05-31", regi="extern")
    src.inskrivning("I2", b, "2019-03-01", "2019-10-20", "aterremiss", jobbtorg=SYDOST)
    src.insats("S3", "I2", "praktik", "2019-03-10", "2019-09-30")
    src.insats("S4", "I2", "arbetstraning", "2019-04-01", "2019-08-31")
    src.inskrivning("I3", b, "2019-12-02", malgrupp="sfi")
    src.insats("S5", "I3", "coachning", "2019-12-05")
    src.inskrivning("I4", c, "2019-09-02", jobbtorg=INNERSTADEN, malgrupp="ungdom")
    src.utbetalning("U1", a, "2019-05", "8500.00")
    src.utbetalning("U2", a, "2019-06", "8500,50")
    src.utbetalning("U3", b, "2019-10", "9200.00")
    src.utbetalning("U4", b, "2019-11", "-9200.00", fil_manad="2019-12")
    src.utbetalning("U5", c, "2019-12", "1000.00", bistandstyp="ovrigt")
    src.utbetalning("U6", b, "2020-01", "4500,25")
    for month in ("2019-07", "2019-08", "2019-09", "2019-11"):
        src.utbetalning(f"U-{month}", c, month, "120.00", bistandstyp="ovrigt", stadsdel="Södermalm")
    return src


TYPES = {
    "remissdatum": "DATE",
    "inskrivningsdatum": "DATE",
    "aktivitetsplan_datum": "DATE",
    "avslutsdatum": "DATE",
    "startdatum": "DATE",
    "planerat_slutdatum": "DATE",
    "slutdatum": "DATE",
    "utbetalningsdatum": "DATE",
    "andrad_tid": "TIMESTAMP",
    "belopp": "NUMERIC(12,2)",
}


def _typed_tables(dsn: str, src: SourceBuilder) -> None:
    """The case system as a real system has it: dates, timestamps and amounts typed, NULL for missing."""
    payments = [row for rows in src.utbetalningar.values() for row in rows]
    with _pg(dsn) as connection:
        cursor = connection.cursor()
        for table, columns, rows in (
            ("inskrivning", INSKRIVNINGAR, src.inskrivningar),
            ("insats", INSATSER, src.insatser),
            ("utbetalning", UTBETALNINGAR, payments),
        ):
            typed = ", ".join(f"{c} {TYPES.get(c, 'TEXT')}" for c in columns)
            cursor.execute(f"CREATE TABLE {table} ({typed})")
            cursor.executemany(
                f"INSERT INTO {table} VALUES ({', '.join(['%s'] * len(columns))})",
                [
                    [(row[c].replace(",", ".") if c == "belopp" else row[c]) or None for c in columns]
                    for row in rows
                ],
            )
        cursor.execute(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_name = 'utbetalning' AND column_name = 'belopp'"
        )
        assert cursor.fetchone()[0] == "numeric"


def test_typed_case_system_tables_give_the_marts_of_the_same_rows_as_files(tmp_path, pg_database):
    """A real case system types its columns; the text the connector reads must still mean the same."""
    src = _tiny_source(tmp_path / "source")
    src.write()
    files = run_pipeline(tmp_path / "filer", src.root)
    assert files.success, [str(p) for p in problems(files.result.all_events)]
    _typed_tables(pg_database, src)
    pg = run_pipeline(
        tmp_path / "pg", src.root, source_kind="postgres", pg_dsn=pg_database, pg_uttagsdatum=TINY_UTTAG
    )
    assert pg.success, [str(p) for p in problems(pg.result.all_events)]
    with pg.internal() as con:
        assert con.execute("SELECT count(*) FROM staging.karantan").fetchone()[0] == 0
    with files.analysts() as con:  # the tiny source really exercises the marts compared
        assert con.execute("SELECT sum(sjalvforsorjande) FROM marts.sjalvforsorjning").fetchone()[0] > 0
        assert (
            con.execute("SELECT max(max_samtidiga_insatser) FROM marts.parallella_insatser").fetchone()[0]
            == 2
        )
    _assert_same_marts(pg, files)


def _break_missing_table(cursor: Any) -> None:
    cursor.execute("DROP TABLE insats")


def _break_missing_column(cursor: Any) -> None:
    cursor.execute("ALTER TABLE utbetalning DROP COLUMN belopp")


@pytest.mark.parametrize(
    ("damage", "asset", "words"),
    [
        (_break_missing_table, "raw/insatser", ("insats", "does not exist")),
        (_break_missing_column, "raw/utbetalningar", ("belopp",)),
    ],
    ids=["missing-table", "missing-column"],
)
def test_a_missing_table_or_column_blocks_the_run_with_its_reason(
    tmp_path, pg_database, damage, asset, words
):
    """A schema change in the case system must stop the run at the door, saying what is missing."""
    src = _tiny_source(tmp_path / "source")
    src.write()
    load_source_into_postgres(src.root, pg_database)
    with _pg(pg_database) as connection:
        damage(connection.cursor())
    run = run_pipeline(
        tmp_path / "pg", src.root, source_kind="postgres", pg_dsn=pg_database, pg_uttagsdatum=TINY_UTTAG
    )
    assert not run.success
    found = problems(run.result.all_events)
    reasons = [str(p) for p in found]
    assert [(p.kind, p.where) for p in found] == [("check", f"{asset}:filer_lasbara")], reasons
    for word in words:
        assert word in found[0].reason
    materialised = {e.asset_key.to_user_string() for e in run.result.get_asset_materialization_events()}
    assert asset in materialised  # read (as nothing) and judged, not crashed
    assert asset.replace("raw/", "staging/") not in materialised
    assert "publish/analysfil" not in materialised
    assert not run.settings.analysts_file.exists()


def test_an_unreachable_server_fails_the_run_clearly_and_the_next_run_recovers(
    tmp_path, pg_database, small_generated_source
):
    """A database outage at night must leave the analysts yesterday's file and need no clean-up."""
    load_source_into_postgres(small_generated_source, pg_database)
    uttag = corrupt.newest_snapshot(small_generated_source).name
    warehouse = tmp_path / "warehouse"
    analysts = warehouse / "jobbtorg.duckdb"

    def run(dsn: str) -> Any:
        env = cli_env(
            tmp_path, JOBBTORG_SOURCE_KIND="postgres", JOBBTORG_PG_DSN=dsn, JOBBTORG_PG_UTTAGSDATUM=uttag
        )
        return jobbtorg("run", "--warehouse", str(warehouse), env=env)

    first = run(pg_database)
    assert first.returncode == 0, first.stderr[-3000:]
    before = analysts.read_bytes()

    port = _free_port()
    down = run(f"host=127.0.0.1 port={port} user=postgres dbname=arendesystem")
    assert down.returncode == 1, down.stderr[-3000:]
    assert "Traceback" not in down.stderr
    assert "Cannot reach the case system's PostgreSQL" in down.stderr
    assert f"port={port}" in down.stderr and "host=127.0.0.1" in down.stderr
    assert "FAILED" in down.stderr
    assert analysts.read_bytes() == before

    again = run(pg_database)
    assert again.returncode == 0, again.stderr[-3000:]
    with duckdb.connect(str(analysts), read_only=True) as con:
        assert con.execute("SELECT DISTINCT uttagsdatum FROM marts.unika_individer").fetchall() == [
            (date.fromisoformat(uttag),)
        ]
