"""The sensor `ny_leverans` and the runs that others started: a delivery that a successful run has already
read (the demo's, `jobbtorg run`'s, one from the UI) is not new, so opening the UI starts no run.

Runs here materialise only the two source steps (the steps that record what they read) on an ephemeral
instance, which is all the sensor consults; a whole pipeline run would check nothing more.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import replace
from pathlib import Path

import dagster as dg
import pytest

from jobbtorg_pipeline.assets.sources import arendesystem, raw_utbetalningar
from jobbtorg_pipeline.definitions import build_definitions
from jobbtorg_pipeline.resources import JobbtorgResource
from jobbtorg_pipeline.sensors import extract
from tests.support import corrupt
from tests.support.pipeline import settings_for, write_test_key

LONG_AGO = 3_600  # seconds: long settled


def _age(*paths: Path) -> None:
    when = time.time() - LONG_AGO
    for path in paths:
        os.utime(path, (when, when))


@pytest.fixture
def source(tmp_path: Path, small_generated_source: Path) -> Path:
    copy = shutil.copytree(small_generated_source, tmp_path / "source")
    _age(*copy.rglob("*"))
    return copy


@pytest.fixture
def settings(tmp_path: Path, source: Path):
    made = settings_for(tmp_path, source, settle_seconds=extract.SETTLE_SECONDS)
    write_test_key(made)
    return made


@dg.asset(deps=[["raw", "utbetalningar"]])
def _fails() -> None:
    raise RuntimeError("a step after the sources fails")


def _read(settings, instance: dg.DagsterInstance, *, fail: bool = False) -> dg.ExecuteInProcessResult:
    """A run that reads the source, as the demo's or `jobbtorg run`'s does, recorded in `instance`."""
    assets = [arendesystem, raw_utbetalningar] + ([_fails] if fail else [])
    resources = {"jobbtorg": JobbtorgResource.from_settings(settings)}
    return dg.materialize(assets, resources=resources, instance=instance, raise_on_error=False)


def _tick(settings, instance: dg.DagsterInstance | None, cursor: str | None = None) -> dg.SensorExecutionData:
    """One evaluation as the daemon makes it when the UI opens: a fresh sensor, no cursor yet."""
    sensor = build_definitions(settings).resolve_sensor_def("ny_leverans")
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"jobbtorg": JobbtorgResource.from_settings(settings)}
    )
    return sensor.evaluate_tick(context)


def test_a_delivery_a_successful_run_read_is_not_new(settings):
    with dg.DagsterInstance.ephemeral() as instance:
        run = _read(settings, instance)
        assert run.success
        first = _tick(settings, instance)
        assert first.run_requests == []
        assert f"already read by run {run.run_id[:8]} (succeeded)" in first.skip_message
        again = _tick(settings, instance, first.cursor)  # the cursor now holds it: nothing to look up
        assert again.run_requests == [] and again.skip_message == "no new delivery"


def test_without_that_run_the_same_folder_is_a_new_delivery(settings):
    """The control: the same folder on an instance where nothing read it starts exactly one run."""
    with dg.DagsterInstance.ephemeral() as instance:
        assert len(_tick(settings, instance).run_requests) == 1


def test_what_arrives_after_the_run_is_new(settings, source):
    with dg.DagsterInstance.ephemeral() as instance:
        assert _read(settings, instance).success
        month = source / "utbetalningar" / "utbetalningar_2020-09.csv"
        corrupt.append_lines(month, [corrupt.read_lines(month)[1][1]])  # a re-delivery of the month
        _age(month)
        [request] = _tick(settings, instance).run_requests
        assert request.tags["jobbtorg/leverans"] == "re-delivered utbetalningar_2020-09.csv"


def test_a_new_snapshot_after_the_run_is_new(settings, source):
    with dg.DagsterInstance.ephemeral() as instance:
        assert _read(settings, instance).success
        folder = shutil.copytree(corrupt.newest_snapshot(source), source / "arendesystem" / "2020-10-08")
        _age(*folder.iterdir())
        [request] = _tick(settings, instance).run_requests
        assert request.tags["jobbtorg/leverans"] == "snapshot 2020-10-08"


def test_a_delivery_only_a_failed_run_read_is_still_new(settings):
    with dg.DagsterInstance.ephemeral() as instance:
        run = _read(settings, instance, fail=True)
        assert not run.success
        assert run.get_asset_materialization_events()  # the sources were read, then the run failed
        assert len(_tick(settings, instance).run_requests) == 1


def test_a_run_on_another_source_folder_does_not_count(settings, source, tmp_path):
    other = shutil.copytree(source, tmp_path / "other")
    with dg.DagsterInstance.ephemeral() as instance:
        assert _read(replace(settings, source_dir=other), instance).success
        assert len(_tick(settings, instance).run_requests) == 1
