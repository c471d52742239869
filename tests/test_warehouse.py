"""The internal file is opened by one process at a time: a second one waits for it instead of failing.

DuckDB refuses a second process at once ("Could not set lock on file"); a step that met that would fail
its run. These tests hold the file in one process and open it in another.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from jobbtorg_pipeline.settings import Settings
from jobbtorg_pipeline.warehouse import connect_internal, internal_file_lock, publish

ROOT = Path(__file__).resolve().parents[1]

HOLDER = r"""
import sys, time
from pathlib import Path
from jobbtorg_pipeline.settings import Settings
from jobbtorg_pipeline.warehouse import connect_internal, internal_file_lock, publish

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
