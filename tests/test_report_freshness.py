"""The tertial report's freshness policy against the nightly schedule it rests on.

Why: Dagster marks `rapport/tertialrapport` stale (in the UI's asset health) when its last materialisation
is older than the policy's window, which opens `lower_bound_delta` before the last 06:00 deadline in
Stockholm. Tonight's run must always fall inside that window, on both nights of daylight saving too, and
yesterday's never: else the report would show as stale every morning, or never.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest

from jobbtorg_pipeline.definitions import build_definitions
from jobbtorg_pipeline.sensors.schedule import STOCKHOLM

NATIONAL_RUN = timedelta(minutes=5)  # the whole pipeline at 1,000,000 persons (docs/benchmarks.md)


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    return build_definitions()


def _ticks(cron: str, timezone: str, start: datetime, count: int) -> list[datetime]:
    from dagster._utils.schedules import cron_string_iterator  # the daemon's own tick iterator

    ticks = cron_string_iterator(start.timestamp(), cron, timezone)
    return [next(ticks).astimezone(UTC) for _ in range(count)]  # compared in absolute time


def test_the_report_carries_a_cron_policy_in_stockholm_time(defs):
    policy = defs.resolve_asset_graph().get(dg.AssetKey(["rapport", "tertialrapport"])).freshness_policy
    assert type(policy).__name__ == "CronFreshnessPolicy"
    assert policy.timezone == "Europe/Stockholm"
    assert policy.deadline_cron == "0 6 * * *"


@pytest.mark.parametrize("year", [2024, 2026])
def test_every_nights_run_falls_in_that_mornings_window_and_yesterdays_does_not(defs, year):
    """For every night of the year: the run the schedule starts, if it takes up to an hour (twelve times a
    national run), makes the report fresh at that morning's deadline; the night before's run does not."""
    policy = defs.resolve_asset_graph().get(dg.AssetKey(["rapport", "tertialrapport"])).freshness_policy
    natt = defs.resolve_schedule_def("natt")
    start = datetime(year, 1, 1, 12, tzinfo=STOCKHOLM)
    nights = _ticks(natt.cron_schedule, natt.execution_timezone, start, 365)
    deadlines = _ticks(policy.deadline_cron, policy.timezone, start, 365)
    for previous, night, deadline in zip([None, *nights], nights, deadlines, strict=False):
        assert night.astimezone(STOCKHOLM).date() == deadline.astimezone(STOCKHOLM).date()
        window_start = deadline - policy.lower_bound_delta  # as Dagster's evaluator, in absolute time
        assert window_start <= night, (night, deadline)
        assert night + 12 * NATIONAL_RUN < deadline, (night, deadline)
        if previous is not None:
            assert previous + 12 * NATIONAL_RUN < window_start, (previous, deadline)
