"""The whole Dagster definitions as text, compared with tests/snapshots/definitions.txt.

Why: a change to an asset's group, dependencies, checks, kinds, description, freshness policy or
automation, or to a job, schedule or sensor, shows up in review as a diff of one readable file instead of
going unnoticed. A change made on purpose is recorded by regenerating the file:

    JOBBTORG_UPDATE_SNAPSHOT=1 .venv/bin/pytest -n 0 tests/test_definitions_snapshot.py
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import dagster as dg

from jobbtorg_pipeline.definitions import build_definitions
from jobbtorg_pipeline.settings import Settings

SNAPSHOT = Path(__file__).resolve().parent / "snapshots" / "definitions.txt"
UPDATE = "JOBBTORG_UPDATE_SNAPSHOT"
REGENERATE = f"{UPDATE}=1 .venv/bin/pytest -n 0 tests/test_definitions_snapshot.py"


def _first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0].strip() if (text or "").strip() else "-"


def _keys(keys) -> str:
    return ", ".join(sorted(k.to_user_string() for k in keys)) or "-"


def _assets(defs: dg.Definitions) -> list[str]:
    graph = defs.resolve_asset_graph()
    lines = []
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        checks = sorted(c.name for c in graph.asset_check_keys if c.asset_key == key)
        lines += [
            f"asset {key.to_user_string()}",
            f"  group: {node.group_name}",
            f"  kinds: {', '.join(sorted(node.kinds)) or '-'}",
            f"  deps: {_keys(node.parent_keys)}",
            f"  pools: {', '.join(sorted(node.pools or ())) or '-'}",  # none for a recorded asset
            f"  checks: {', '.join(checks) or '-'}",
            f"  freshness: {_freshness(node.freshness_policy)}",
            f"  automation: {node.automation_condition.get_label() if node.automation_condition else '-'}",
            f"  description: {_first_line(node.description)}",
        ]
    return lines


def _freshness(policy) -> str:
    if policy is None:
        return "-"
    fields = {
        name: getattr(policy, name)
        for name in ("deadline_cron", "lower_bound_delta", "timezone", "fail_window", "warn_window")
        if getattr(policy, name, None) is not None
    }
    return f"{type(policy).__name__}(" + ", ".join(f"{k}={v}" for k, v in fields.items()) + ")"


def _checks(defs: dg.Definitions) -> list[str]:
    graph = defs.resolve_asset_graph()
    lines = []
    for key in sorted(graph.asset_check_keys, key=lambda k: (k.asset_key.to_user_string(), k.name)):
        spec = graph.get_check_spec(key)
        blocking = "blocking" if spec.blocking else "warning"
        lines += [
            f"check {key.asset_key.to_user_string()}:{key.name} ({blocking})",
            f"  description: {_first_line(spec.description)}",
        ]
    return lines


def _jobs(defs: dg.Definitions) -> list[str]:
    lines = []
    for job in sorted(defs.resolve_all_job_defs(), key=lambda j: j.name):
        if job.name.startswith("__ASSET_JOB"):
            continue  # Dagster's implicit job of all assets
        selected = job.asset_layer.asset_graph.get_all_asset_keys() if job.asset_layer else []
        lines += [
            f"job {job.name}",
            f"  executor: {job.executor_def.name}",
            f"  tags: {', '.join(f'{k}={v}' for k, v in sorted(job.tags.items())) or '-'}",
            f"  assets: {len(selected)}",
            f"  description: {_first_line(job.description)}",
        ]
    return lines


def _schedules(defs: dg.Definitions) -> list[str]:
    repository = defs.get_repository_def()
    lines = []
    for schedule in sorted(repository.schedule_defs, key=lambda s: s.name):
        lines += [
            f"schedule {schedule.name}",
            f"  cron: {schedule.cron_schedule} ({schedule.execution_timezone})",
            f"  job: {schedule.job_name}",
            f"  default: {schedule.default_status.value}",
            f"  description: {_first_line(schedule.description)}",
        ]
    return lines


def _sensors(defs: dg.Definitions) -> list[str]:
    repository = defs.get_repository_def()
    lines = []
    for sensor in sorted(repository.sensor_defs, key=lambda s: s.name):
        jobs = ", ".join(sorted(t.job_name for t in sensor.targets)) or "-"
        lines += [
            f"sensor {sensor.name}",
            f"  type: {type(sensor).__name__}",
            f"  jobs: {jobs}",
            f"  interval: {sensor.minimum_interval_seconds} s",
            f"  default: {sensor.default_status.value}",
            f"  description: {_first_line(sensor.description)}",
        ]
    return lines


def render(defs: dg.Definitions) -> str:
    """The definitions as text: one block per asset, check, job, schedule and sensor."""
    sections = [_assets(defs), _checks(defs), _jobs(defs), _schedules(defs), _sensors(defs)]
    return "\n\n".join("\n".join(section) for section in sections) + "\n"


def test_definitions_match_the_snapshot(monkeypatch):
    for name in [n for n in os.environ if n.startswith("JOBBTORG_") and n != UPDATE]:
        monkeypatch.delenv(name)  # the defaults, not this shell's settings (the sensor's interval is one)
    settings = Settings.from_env()
    actual = render(build_definitions(settings))
    if os.environ.get(UPDATE) == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(actual, encoding="utf-8")
    expected = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
    diff = "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            "tests/snapshots/definitions.txt",
            "the definitions now",
        )
    )
    assert actual == expected, (
        f"The definitions differ from tests/snapshots/definitions.txt. If the change is intended, "
        f"regenerate it with\n    {REGENERATE}\nand commit the file.\n{diff}"
    )
