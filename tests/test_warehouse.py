"""The internal file is opened by one process at a time: a second one waits for it instead of failing.

DuckDB refuses a second process at once ("Could not set lock on file"); a step that met that would fail
its run. These tests hold the file in one process and open it in another.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from jobbtorg_pipeline.settings import Settings
from jobbtorg_pipeline.warehouse import connect_internal, internal_file_lock, kept_open, publish, wal_of

ROOT = Path(__file__).resolve().parents[1]

HOLDER = r"""
import sys, time
from pathlib import Path
from jobbtorg_pipeline.settings import Settings
from jobbtorg_pipeline.warehouse import connect_internal, internal_file_lock, kept_open, publish, wal_of

warehouse = Path(sys.argv[1])
settings = Settings(source_dir=warehouse, warehouse_dir=warehouse, home_dir=warehouse)
with connect_internal(settings, read_only=sys.argv[2] == "read") as con:
    if sys.argv[2] == "write":
        con.execute("CREATE OR REPLACE TABLE t AS SELECT 'from the holder' AS v")
    print("HOLDING", flush=True)
    time.sleep(float(sys.argv[3]))
"""


def _settings(tmp_path: Path) -> Settings:
    return Settings(source_dir=tmp_path, warehouse_dir=tmp_path, home_dir=tmp_path)


def _hold(tmp_path: Path, mode: str, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path), mode, str(seconds)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "HOLDING"
    return holder


def test_a_second_process_waits_for_the_file_and_says_for_whom(tmp_path, monkeypatch):
    settings = _settings(tmp_path)
    holder = _hold(tmp_path, "write", 2.0)
    said: list[str] = []
    monkeypatch.setattr("jobbtorg_pipeline.warehouse._say", said.append)
    started = time.monotonic()
    try:
        with connect_internal(settings) as con:
            waited = time.monotonic() - started
            assert con.execute("SELECT v FROM t").fetchone() == ("from the holder",)
    finally:
        holder.wait(timeout=30)
    assert waited > 1.0  # it waited for the holder instead of failing
    assert f"held by pid {holder.pid} on " in said[0]
    assert said[-1].startswith("waited ")


def test_without_the_wait_duckdb_would_have_failed(tmp_path):
    """The reason for the lock: a plain second connection fails at once (if DuckDB ever waits by itself,
    this test says the lock may go)."""
    holder = _hold(tmp_path, "write", 30.0)
    try:
        with pytest.raises(duckdb.IOException, match="lock"):
            duckdb.connect(str(_settings(tmp_path).internal_file))
    finally:
        holder.kill()
        holder.wait(timeout=30)


def test_a_killed_holder_lets_the_next_one_in(tmp_path):
    """kill -9 of a step in the middle of its work: the OS drops its lock with the process."""
    holder = _hold(tmp_path, "write", 600.0)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=30)
    with connect_internal(_settings(tmp_path)) as con:
        assert con.execute("SELECT v FROM t").fetchone() == ("from the holder",)


def test_readers_share_the_file_and_a_writer_waits_for_them(tmp_path, monkeypatch):
    settings = _settings(tmp_path)
    with connect_internal(settings) as con:
        con.execute("CREATE TABLE t AS SELECT 1 AS v")
    reader = _hold(tmp_path, "read", 2.0)
    try:
        started = time.monotonic()
        with connect_internal(settings, read_only=True) as con:  # a second reader goes straight in
            assert time.monotonic() - started < 1.0
            assert con.execute("SELECT v FROM t").fetchone() == (1,)
        monkeypatch.setattr("jobbtorg_pipeline.warehouse._say", lambda message: None)
        with connect_internal(settings) as con:  # a writer waits for the reader
            assert time.monotonic() - started > 1.0
            con.execute("INSERT INTO t VALUES (2)")
    finally:
        reader.wait(timeout=30)


def test_a_process_opens_the_file_again_inside_its_own_connection(tmp_path):
    """The publish step attaches the internal file while its own step holds it: no self-deadlock."""
    settings = _settings(tmp_path)
    with connect_internal(settings) as outer:
        outer.execute("CREATE TABLE t AS SELECT 1 AS v")
        with connect_internal(settings) as inner:
            assert inner.execute("SELECT v FROM t").fetchone() == (1,)
        outer.execute("INSERT INTO t VALUES (2)")
    with connect_internal(settings) as con:
        assert con.execute("SELECT count(*) FROM t").fetchone() == (2,)


def test_reading_inside_a_write_is_allowed_and_writing_inside_a_read_is_refused(tmp_path):
    settings = _settings(tmp_path)
    with internal_file_lock(settings), internal_file_lock(settings, shared=True):
        pass
    with (
        internal_file_lock(settings, shared=True),
        pytest.raises(RuntimeError, match="holds it to read and now asks to write"),
        internal_file_lock(settings),
    ):
        pass


def test_publishing_waits_for_another_process_writing_the_internal_file(tmp_path, monkeypatch):
    """The publish step copies the marts out of the internal file: that reading waits like any other."""
    settings = _settings(tmp_path)
    with connect_internal(settings) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.m AS SELECT 7 AS v")
    holder = _hold(tmp_path, "write", 2.0)
    monkeypatch.setattr("jobbtorg_pipeline.warehouse._say", lambda message: None)
    started = time.monotonic()
    try:
        path = publish(settings, ["marts.m"], [], run_id="r1")
    finally:
        holder.wait(timeout=30)
    assert time.monotonic() - started > 1.0
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT v FROM marts.m").fetchone() == (7,)


def test_a_run_keeps_the_file_open_and_each_step_still_has_a_connection_of_its_own(tmp_path):
    """Each step used to open the file and write it back at its end (tens of ms, a hundred times a run).
    In a run the file stays open from the first step to the end: what a step writes is written back
    once, at the run's end (until then it is in the write-ahead log). A step's temporary tables and the
    transaction a failing step left open still end with the step, and once the run is over the process
    can open the file read-only again."""
    settings = _settings(tmp_path)
    wal = wal_of(settings.internal_file)
    with kept_open(settings):
        assert not settings.internal_file.exists()  # nothing asked yet (a sensor evaluating opens nothing)
        with connect_internal(settings) as first:
            first.execute("CREATE TABLE t AS SELECT 1 AS v")
            first.execute("CREATE TEMP TABLE mellan AS SELECT 1 AS v")
        assert wal.exists()  # the step's end wrote nothing back: the file is still open
        with pytest.raises(duckdb.Error), connect_internal(settings) as failing:
            failing.execute("BEGIN TRANSACTION")
            failing.execute("INSERT INTO t VALUES (2)")
            failing.execute("SELECT * FROM finns_inte")
        with connect_internal(settings, read_only=True) as later:
            assert later is not first
            assert later.execute("SELECT count(*) FROM t").fetchone() == (1,)  # rolled back
            assert later.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchone() == (0,)
    assert not wal.exists()  # written back at the run's end
    with duckdb.connect(str(settings.internal_file), read_only=True) as con:  # let go: opens read-only
        assert con.execute("SELECT count(*) FROM t").fetchone() == (1,)


def test_without_keeping_it_open_each_connection_writes_the_file_back(tmp_path):
    """The other side of the test above: outside a run, a connection's end writes the file back."""
    settings = _settings(tmp_path)
    with connect_internal(settings) as con:
        con.execute("CREATE TABLE t AS SELECT 1 AS v")
    assert not wal_of(settings.internal_file).exists()


def test_the_run_holds_the_internal_file_from_its_first_step_to_its_end(tmp_path, monkeypatch):
    settings = _settings(tmp_path)
    monkeypatch.setattr("jobbtorg_pipeline.warehouse._say", lambda message: None)
    with kept_open(settings):
        with connect_internal(settings) as con:
            con.execute("CREATE TABLE t AS SELECT 'from the run' AS v")
        reader = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(tmp_path), "read", "0"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(2.0)
        assert reader.poll() is None  # between two steps of the run, another process still waits
    assert reader.stdout.readline().strip() == "HOLDING"  # the run's end let it in
    assert reader.wait(timeout=30) == 0


@pytest.mark.parametrize("in_a_run", [True, False])
def test_publishing_copies_the_tables_and_comments_in_a_run_or_not(tmp_path, in_a_run):
    """DuckDB lets a process open a file once: the new analysts' file is written through a connection to
    the internal database, which a run holds open."""
    settings = _settings(tmp_path)
    with connect_internal(settings) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.m AS SELECT 7 AS v")
    with kept_open(settings) if in_a_run else contextlib.nullcontext():
        with connect_internal(settings) as con:
            con.execute("SELECT 1")  # a first step: the run now holds the file open
        path = publish(settings, ["marts.m"], ["COMMENT ON TABLE marts.m IS 'sju'"], run_id="r1")
        with connect_internal(settings) as con:  # the new file is detached again
            assert con.execute("SELECT count(*) FROM duckdb_databases() WHERE NOT internal").fetchone() == (
                1,
            )
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT v FROM marts.m").fetchone() == (7,)
        assert con.execute("SELECT comment FROM duckdb_tables() WHERE table_name = 'm'").fetchone() == (
            "sju",
        )
