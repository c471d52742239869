"""The staging tables' column descriptions, from the one file `kolumner.yml` beside this module."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml


@cache
def staging_columns() -> dict[str, str]:
    text = resources.files("jobbtorg_pipeline.assets.staging").joinpath("kolumner.yml").read_text("utf-8")
    return dict(yaml.safe_load(text))
