"""Why a run failed, in plain words: which blocking checks failed, which steps raised what, and which step
was still running when the run was killed, with the reason Dagster or this package recorded for it.

One place for both readers of a run's events: the command line's summary and the alert sensor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import dagster as dg


@dataclass(frozen=True)
class Problem:
    kind: str  # "check", "step" or "run" (the run ended without a step or check to blame)
    where: str  # "raw/insatser:inte_trunkerad", a step key, or "" for the run
    reason: str

    def __str__(self) -> str:
        if self.kind == "run":
            return f"the run failed: {self.reason}"
        verb = "failed" if self.kind == "step" else "did not pass"
        return f"{self.kind} {self.where} {verb}: {self.reason}"


# Dagster's RUN_FAILURE message when a run was marked failed from outside without a reason of its own
# (the code server's check for dead run workers), and of an in-process run whose steps failed: neither
# says more than the events before it.
_GENERIC_RUN_FAILURE = re.compile(
    r"^(This run has been marked as failed from outside the execution context\.?"
    r"|Execution of run for .* failed\. Steps failed: .*)$",
    re.DOTALL,
)
# Dagster's ENGINE_EVENT when the process of a run died (dagster/_utils get_run_crash_explanation): its
# first sentence; the rest is advice about Dagster's executors that does not apply to this job
_CRASH = re.compile(r"[^.]*?(?:was terminated by signal (\d+) \(\w+\)|unexpectedly exited with code -?\d+)\.")
_KILLED = " It was killed: usually by the operating system for lack of memory, or by kill -9."
_STEP_ENDS = {
    dg.DagsterEventType.STEP_SUCCESS,
    dg.DagsterEventType.STEP_FAILURE,
    dg.DagsterEventType.STEP_SKIPPED,
    dg.DagsterEventType.STEP_UP_FOR_RETRY,
}
EVENT_TYPES = {
    dg.DagsterEventType.ASSET_CHECK_EVALUATION,
    dg.DagsterEventType.STEP_START,
    *_STEP_ENDS,
    dg.DagsterEventType.RUN_FAILURE,
    dg.DagsterEventType.ENGINE_EVENT,
}
INTERRUPTED = "interrupted (SIGTERM or SIGINT: the run was stopped)"


def root_cause(error: object) -> str:
    """The user's error, not Dagster's wrapping of it: the first error in the chain that is not Dagster's
    own (an error of ours that explains a library error comes before it in the chain)."""
    message = ""
    while error is not None:
        if getattr(error, "cls_name", "") == "DagsterExecutionInterruptedError":
            return INTERRUPTED
        message = getattr(error, "message", "") or message
        if not str(getattr(error, "cls_name", "") or "").startswith("Dagster"):
            break
        error = getattr(error, "cause", None)
    # "jobbtorg_pipeline.sources.files.SourceError: text" -> "SourceError: text"
    return re.sub(r"^(?:\w+\.)+(\w+: )", r"\1", message.strip())


def _first_paragraph(text: str) -> str:
    return " ".join(text.strip().split("\n\n")[0].split())


def problems(events: Iterable[dg.DagsterEvent]) -> list[Problem]:
    """Failed blocking checks first (they say why), then steps that failed for another reason, then a step
    the run ended in the middle of (a killed run), with the reason the run's end was recorded with."""
    checks, steps = [], []
    started: dict[str, None] = {}  # in order
    ended: set[str] = set()
    crash = run_failure = None
    for event in events:
        kind = event.event_type
        if kind == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
                key = evaluation.asset_check_key
                where = f"{key.asset_key.to_user_string()}:{key.name}"
                checks.append(Problem("check", where, evaluation.description or "failed"))
        elif kind == dg.DagsterEventType.STEP_START and event.step_key:
            started[event.step_key] = None
        elif kind in _STEP_ENDS:
            ended.add(event.step_key or "?")
            if kind == dg.DagsterEventType.STEP_FAILURE:
                error = event.step_failure_data.error if event.step_failure_data else None
                if error is not None and error.cls_name == "DagsterAssetCheckFailedError":
                    continue  # a blocking check failed in this step: the check itself says why
                reason = root_cause(error) if error else "unknown"
                steps.append(Problem("step", event.step_key or "?", reason))
        elif kind == dg.DagsterEventType.ENGINE_EVENT and (match := _CRASH.match(event.message or "")):
            crash = match.group(0).strip() + (_KILLED if match.group(1) == "9" else "")
        elif kind == dg.DagsterEventType.RUN_FAILURE and event.message:
            generic = _GENERIC_RUN_FAILURE.match(event.message.strip())
            run_failure = None if generic else _first_paragraph(event.message)
    why = crash or run_failure
    unfinished = [
        Problem("step", key, f"it was still running when the run ended: {why or 'no reason was recorded'}")
        for key in started
        if key not in ended
    ]
    found = checks + steps + unfinished
    if not found and why:
        found.append(Problem("run", "", why))
    return found


def run_problems(instance: dg.DagsterInstance, run_id: str) -> list[Problem]:
    """The problems of a finished run, from its event log in the instance."""
    records = instance.all_logs(run_id, of_type=EVENT_TYPES)
    return problems(r.dagster_event for r in records if r.dagster_event is not None)
