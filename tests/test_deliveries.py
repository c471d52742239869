"""A delivery still being copied when a run starts (the nightly run at 02:00 meets a late copy).

Why: a payment file read half-written would publish marts missing part of a month. The loader must
leave out a file that changed within the settle time, say so (raw.filer, the asset's metadata), keep the
analysts' last good file when leaving it out would lose a published month, and read it in the next run.
"""

from __future__ import annotations

import os
import shutil
import time

import dagster as dg
import duckdb
import pytest

from tests.support import corrupt
from tests.support.pipeline import run_pipeline

pytestmark = pytest.mark.slow

SETTLE = 30  # JOBBTORG_SETTLE_SECONDS's default


def _age(path, seconds: float) -> None:
    when = time.time() - seconds
    os.utime(path, (when, when))


def _utbetalningar_metadata(run) -> dict:
    [event] = [
        e
        for e in run.result.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey(["raw", "utbetalningar"])
    ]
    return event.materialization.metadata


def test_a_payment_file_being_copied_is_left_out_and_read_by_the_next_run(tmp_path, small_generated_source):
    source = corrupt.copy_source(small_generated_source, tmp_path / "source")
    for path in source.rglob("*"):
        _age(path, 3_600)
    payments = source / "utbetalningar"
    held_back = tmp_path / "utbetalningar_2020-10.csv"
    shutil.move(payments / "utbetalningar_2020-10.csv", held_back)
    first = run_pipeline(tmp_path / "work", source, settle_seconds=SETTLE)
    assert first.success
    analysts = first.settings.analysts_file
    published = analysts.read_bytes()

    # the run starts while October arrives and September is being overwritten by a re-delivery
    shutil.copyfile(held_back, payments / "utbetalningar_2020-10.csv")  # mtime: now
    september = payments / "utbetalningar_2020-09.csv"
    corrupt.append_lines(september, [corrupt.read_lines(september)[1][1].replace("U0", "X0", 1)])
    second = run_pipeline(tmp_path / "work", source, settle_seconds=SETTLE)

    assert not second.success  # September was published: leaving it out would lose a month
    assert _utbetalningar_metadata(second)["under_delivery"].value == [
        "utbetalningar_2020-09.csv",
        "utbetalningar_2020-10.csv",
    ]
    with second.internal() as con:
        assert con.execute(
            "SELECT fil, status FROM raw.filer WHERE manad IN ('2020-09', '2020-10') ORDER BY fil"
        ).fetchall() == [
            ("utbetalningar/utbetalningar_2020-09.csv", "under leverans"),
            ("utbetalningar/utbetalningar_2020-10.csv", "under leverans"),
        ]
        assert (
            con.execute("SELECT count(*) FROM raw.utbetalningar WHERE _fil LIKE '%2020-1%'").fetchone()[0]
            == 0
        )
    [check] = [
        e
        for e in second.result.get_asset_check_evaluations()
        if e.asset_check_key.name == "inte_trunkerad" and e.asset_key == dg.AssetKey(["raw", "utbetalningar"])
    ]
    assert not check.passed
    assert "utbetalningar/utbetalningar_2020-09.csv: 0 rows against" in check.description
    assert "still being delivered" in check.description and "the next run reads it" in check.description
    assert analysts.read_bytes() == published  # the analysts keep the last good file

    for path in (september, payments / "utbetalningar_2020-10.csv"):  # the copies have finished
        _age(path, SETTLE + 5)
    third = run_pipeline(tmp_path / "work", source, settle_seconds=SETTLE)
    assert third.success
    assert _utbetalningar_metadata(third)["under_delivery"].value == []
    with third.internal() as con:
        assert (
            con.execute(
                "SELECT count(*) FROM raw.filer WHERE manad IN ('2020-09', '2020-10') AND status = 'last'"
            ).fetchone()[0]
            == 2
        )
        assert (
            con.execute("SELECT count(*) FROM raw.utbetalningar WHERE utbetalning_id LIKE 'X0%'").fetchone()[
                0
            ]
            == 1
        )
    assert analysts.read_bytes() != published

    # the months the first run read were kept, not read again: the marts are what a fresh warehouse gives
    assert _utbetalningar_metadata(third)["files_read"].value == 2
    fresh = run_pipeline(tmp_path / "fresh", source, settle_seconds=SETTLE)
    assert fresh.success
    assert _utbetalningar_metadata(fresh)["files_kept"].value == 0
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{third.settings.internal_file}' AS nattlig (READ_ONLY)")
        con.execute(f"ATTACH '{fresh.settings.internal_file}' AS ny (READ_ONLY)")
        marts = [
            t
            for (t,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = 'ny' AND schema_name = 'marts'"
            ).fetchall()
        ]
        assert len(marts) > 20
        for table in marts:
            a, b = f"nattlig.marts.{table}", f"ny.marts.{table}"
            differing = con.execute(
                f"SELECT count(*) FROM (FROM {a} EXCEPT ALL FROM {b}) "
                f"UNION ALL SELECT count(*) FROM (FROM {b} EXCEPT ALL FROM {a})"
            ).fetchall()
            assert differing == [(0,), (0,)], table
