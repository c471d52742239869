"""Why a run failed, in plain words: which blocking checks failed and which steps raised what.

One place for both readers of a run's events: the command line's summary and the alert sensor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import dagster as dg


@dataclass(frozen=True)
class Problem:
    kind: str  # "check" or "step"
    where: str  # "raw/insatser:inte_trunkerad" or a step key
    reason: str

    def __str__(self) -> str:
        verb = "failed" if self.kind == "step" else "did not pass"
        return f"{self.kind} {self.where} {verb}: {self.reason}"


def root_cause(error: object) -> str:
    """The user's error, not Dagster's wrapping of it: the first error in the chain that is not Dagster's
    own (an error of ours that explains a library error comes before it in the chain)."""
    message = ""
    while error is not None:
        message = getattr(error, "message", "") or message
        if not str(getattr(error, "cls_name", "") or "").startswith("Dagster"):
            break
        error = getattr(error, "cause", None)
    # "jobbtorg_pipeline.sources.files.SourceError: text" -> "SourceError: text"
    return re.sub(r"^(?:\w+\.)+(\w+: )", r"\1", message.strip())


def problems(events: Iterable[dg.DagsterEvent]) -> list[Problem]:
    """Failed blocking checks first (they say why), then steps that failed for another reason."""
    checks, steps = [], []
    for event in events:
        if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
                key = evaluation.asset_check_key
                where = f"{key.asset_key.to_user_string()}:{key.name}"
                checks.append(Problem("check", where, evaluation.description or "failed"))
        elif event.event_type == dg.DagsterEventType.STEP_FAILURE:
            error = event.step_failure_data.error if event.step_failure_data else None
            if error is not None and error.cls_name == "DagsterAssetCheckFailedError":
                continue  # a blocking check failed in this step: the check itself says why
            steps.append(Problem("step", event.step_key or "?", root_cause(error) if error else "unknown"))
    return checks + steps


def run_problems(instance: dg.DagsterInstance, run_id: str) -> list[Problem]:
    """The problems of a finished run, from its event log in the instance."""
    records = instance.all_logs(
        run_id, of_type={dg.DagsterEventType.ASSET_CHECK_EVALUATION, dg.DagsterEventType.STEP_FAILURE}
    )
    return problems(r.dagster_event for r in records if r.dagster_event is not None)
