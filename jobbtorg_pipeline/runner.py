"""Run every asset once as a Dagster run recorded in the instance, and say plainly how it went."""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from jobbtorg_pipeline.settings import Settings

# The embedded instance's configuration: SQLite storage under DAGSTER_HOME, writers to DuckDB one at a
# time, and no telemetry (the city's machines have no internet).
DEFAULT_DAGSTER_YAML = """\
# Written by jobbtorg on first use; see docs/operations.md for the PostgreSQL-backed variant.
concurrency:
  pools:
    default_limit: 1
telemetry:
  enabled: false
"""


def ensure_dagster_home(settings: Settings) -> Path:
    """DAGSTER_HOME if set, else `<jobbtorg home>/dagster`, created with a dagster.yaml if missing."""
    home = Path(os.environ.get("DAGSTER_HOME") or settings.dagster_home).absolute()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DEFAULT_DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


@dataclass
class RunOutcome:
    success: bool
    run_id: str
    problems: list[str] = field(default_factory=list)


def _root_cause(error: object) -> str:
    """The innermost error message: the user's exception, not Dagster's wrapping of it."""
    message = ""
    while error is not None:
        message = getattr(error, "message", "") or message
        error = getattr(error, "cause", None)
    # "jobbtorg_pipeline.sources.files.SourceError: text" -> "SourceError: text"
    return re.sub(r"^(?:\w+\.)+(\w+: )", r"\1", message.strip())


def describe_failures(result: dg.ExecuteInProcessResult) -> list[str]:
    problems = []
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
            key = evaluation.asset_check_key
            about = evaluation.description or ""
            problems.append(f"check {key.asset_key.to_user_string()}:{key.name} failed {about}".strip())
    for event in result.get_step_failure_events():
        data = event.step_failure_data
        problems.append(f"step {event.step_key} failed: {_root_cause(data.error) if data else 'unknown'}")
    if problems:
        problems.append("the steps after it were not run; the full log is in the Dagster UI")
    return problems


def run_all(
    settings: Settings, *, instance: dg.DagsterInstance | None = None, select: str | None = None
) -> RunOutcome:
    """Every asset once (or those `select` names, in Dagster's selection syntax), in this process;
    progress lines on stderr, the full log in the instance."""
    from jobbtorg_pipeline.definitions import ALL_ASSETS_JOB, build_definitions

    defs = build_definitions(settings)
    job = defs.resolve_job_def(ALL_ASSETS_JOB)
    keys = None
    if select:
        with warnings.catch_warnings():  # the selection parser warns that a parameter is in beta
            warnings.simplefilter("ignore")
            keys = sorted(dg.AssetSelection.from_string(select).resolve(defs.resolve_asset_graph()))
        if not keys:
            raise ValueError(f"--select {select!r} matches no asset")
    owned = instance is None
    if instance is None:
        ensure_dagster_home(settings)
        instance = dg.DagsterInstance.get()
    try:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"progress": {}}},
            tags={"jobbtorg/started_by": "cli"},
            asset_selection=keys,
        )
    finally:
        if owned:
            instance.dispose()
    return RunOutcome(result.success, result.run_id, [] if result.success else describe_failures(result))
