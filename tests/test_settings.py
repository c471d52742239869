"""The settings' defaults are written once (the `Settings` dataclass): the environment, the Dagster
resource and the command line's help all take them from there."""

from __future__ import annotations

import dataclasses
import os

import pytest

from jobbtorg_pipeline.cli import main
from jobbtorg_pipeline.resources import JobbtorgResource
from jobbtorg_pipeline.settings import DEFAULTS, SETTING_NAMES, Settings
from jobbtorg_pipeline.sources.contract import settling


def test_an_empty_environment_gives_the_dataclass_defaults(monkeypatch):
    for name in [n for n in os.environ if n.startswith("JOBBTORG_")]:
        monkeypatch.delenv(name)
    made = Settings.from_env()
    for name, value in DEFAULTS.items():
        assert getattr(made, name) == value, name
    assert DEFAULTS["settle_seconds"] == 30 and DEFAULTS["memory_limit"] == "3GB"  # as the docs say


def test_the_resource_carries_every_setting_unchanged_and_has_no_defaults_of_its_own(tmp_path):
    changed = {
        "memory_limit": "1GB",
        "threads": 3,
        "truncation_tolerance": 0.2,
        "quarantine_ceiling": 0.01,
        "sensor_interval": 7,
        "disclosure_threshold": 3,
        "settle_seconds": 0,
        "allow_older_snapshot": True,
    }
    settings = Settings(
        source_dir=tmp_path / "s", warehouse_dir=tmp_path / "w", home_dir=tmp_path / "h", **changed
    )
    assert JobbtorgResource.from_settings(settings).settings == settings
    fields = JobbtorgResource.model_fields
    assert set(fields) == set(SETTING_NAMES)
    assert [name for name, field in fields.items() if not field.is_required()] == []


def test_the_help_names_the_defaults_of_the_settings(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert f"(default {DEFAULTS['memory_limit']})" in text


@pytest.mark.parametrize(("age", "settled"), [(0.0, False), (29.9, False), (30.0, True), (3600.0, True)])
def test_a_file_counts_as_delivered_once_unchanged_for_the_settle_time(age, settled):
    assert settling(1_000_000.0 - age, DEFAULTS["settle_seconds"], 1_000_000.0) is not settled


def test_every_setting_has_a_default_except_the_three_folders():
    required = [f.name for f in dataclasses.fields(Settings) if f.default is dataclasses.MISSING]
    assert required == ["source_dir", "warehouse_dir", "home_dir"]  # their defaults: from_env's folders
