"""A Dagster logger for the command line: one short line per step and per message, no stack traces.

The run's full event log, stack traces included, stays in the Dagster instance for the UI; a person at a
terminal needs to see progress and, when something goes wrong, one clear sentence.
"""

from __future__ import annotations

import logging
import sys
import time

import dagster as dg

_SHOWN_EVENTS = {"STEP_START", "STEP_SUCCESS", "STEP_FAILURE", "ASSET_CHECK_EVALUATION"}


class _ProgressHandler(logging.Handler):
    def __init__(self, stream) -> None:
        super().__init__(logging.DEBUG)  # Dagster events arrive at DEBUG; emit() picks what to show
        self.stream = stream
        self.started: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        step = meta.get("step_key") or "run"
        clock = time.strftime("%H:%M:%S")
        if event is None:
            message = str(meta.get("orig_message", record.getMessage()))
            if record.levelno >= logging.INFO and not message.startswith("Dependencies for step"):
                self._write(f"{clock}   {step}: {message}")
            return
        kind = event.event_type_value
        if kind not in _SHOWN_EVENTS:
            return
        if kind == "STEP_START":
            self.started[step] = time.monotonic()
            self._write(f"{clock} > {step}")
        elif kind == "STEP_SUCCESS":
            took = time.monotonic() - self.started.get(step, time.monotonic())
            self._write(f"{clock} ok {step} ({took:.1f} s)")
        elif kind == "STEP_FAILURE":
            self._write(f"{clock} FAILED {step}")
        elif kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                key = evaluation.asset_check_key
                self._write(
                    f"{clock} check {key.asset_key.to_user_string()}:{key.name} did not pass "
                    f"({evaluation.severity.value})"
                )

    def _write(self, line: str) -> None:
        self.stream.write(line + "\n")
        self.stream.flush()


@dg.logger(description="Short progress lines on stderr, for the jobbtorg command line.")
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    del init_context
    log = logging.getLogger("jobbtorg.progress")
    log.handlers.clear()
    log.propagate = False
    log.setLevel(logging.DEBUG)
    log.addHandler(_ProgressHandler(sys.stderr))
    return log
