"""The Dagster instance the CLI, `dagster dev`, the webserver and the daemon share (DAGSTER_HOME)."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from jobbtorg_pipeline.settings import Settings

POSTGRES_ENV = (
    "DAGSTER_PG_USERNAME",
    "DAGSTER_PG_PASSWORD",
    "DAGSTER_PG_HOST",
    "DAGSTER_PG_DB",
    "DAGSTER_PG_PORT",
)


def instance_yaml(kind: str) -> str:
    """The packaged dagster.yaml: `sqlite` (the embedded default) or `postgres` (production)."""
    return resources.files("jobbtorg_pipeline.dagster_home").joinpath(f"{kind}.yaml").read_text()


def dagster_home(settings: Settings) -> Path:
    return Path(os.environ.get("DAGSTER_HOME") or settings.dagster_home).absolute()


def init_home(settings: Settings, kind: str = "sqlite", *, force: bool = False) -> Path:
    """Write dagster.yaml into the Dagster home; an existing one is kept unless `force`."""
    home = dagster_home(settings)
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if force or not config.exists():
        config.write_text(instance_yaml(kind))
    return config


def ensure_dagster_home(settings: Settings) -> Path:
    """DAGSTER_HOME if set, else `<jobbtorg home>/dagster`, with the embedded dagster.yaml if it has none;
    exported, so that Dagster (and any process started from here) uses it."""
    home = init_home(settings).parent
    os.environ["DAGSTER_HOME"] = str(home)
    return home
